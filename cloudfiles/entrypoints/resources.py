"""Process-wide resources a program may reset: connection pools and mem:// contents."""
from __future__ import annotations

from ..adapters.local.mem import clear_all as _clear_mem
from ..adapters.transport.curl_engine import reset_shared_curl_transports
from ..adapters.transport.requests_engine import reset_shared_transports


def reset_connection_pools() -> None:
    """Drop every pooled connection (e.g. after a fork or a network change)."""
    reset_shared_transports()
    reset_shared_curl_transports()


def clear_memory() -> None:
    """Empty every mem:// bucket of this process."""
    _clear_mem()
