"""Finds the adapter for a protocol through the `cloudfiles.adapters` entry point group.

Built-in adapters register exactly as third-party ones do. Entry points load lazily, on
first use of their protocol, and a plugin that fails to import fails only its protocol.
"""
from __future__ import annotations

import sys
import threading
from functools import lru_cache
from importlib.metadata import entry_points

from ..domain.errors import UnsupportedProtocolError
from ..domain.paths import PROTOCOLS
from ..domain.ports import Storage

GROUP = "cloudfiles.adapters"
_loaded: dict[str, type[Storage]] = {}
_lock = threading.Lock()


def _entry_points() -> dict:
    return _scan(tuple(sys.path))


@lru_cache(maxsize=8)
def _scan(search_path: tuple[str, ...]) -> dict:
    """Entry points of the group, scanned once per sys.path (a scan takes ~20 ms)."""
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def register(protocol: str, adapter: type[Storage]) -> None:
    """Register an adapter class for a protocol in this process (tests, embedding apps)."""
    with _lock:
        _loaded[protocol] = adapter


def known_protocols() -> tuple[str, ...]:
    """Every protocol a path may name: the built-in list plus registered adapters."""
    return tuple(dict.fromkeys((*PROTOCOLS, *_entry_points(), *_loaded)))


def adapter_for(protocol: str) -> type[Storage]:
    """The Storage class serving a protocol; a clear error when none is installed or loads."""
    adapter = _loaded.get(protocol)
    if adapter is not None:
        return adapter
    entry = _entry_points().get(protocol)
    if entry is None:
        raise UnsupportedProtocolError(
            f"No adapter is installed for {protocol}://. Installed: "
            f"{', '.join(sorted(_entry_points()))}. A package adds one with an entry point "
            f"in the {GROUP!r} group."
        )
    try:
        adapter = entry.load()
    except Exception as error:
        raise UnsupportedProtocolError(
            f"The adapter for {protocol}:// ({entry.value}) failed to load: "
            f"{type(error).__name__}: {error}"
        ) from error
    if not (isinstance(adapter, type) and issubclass(adapter, Storage)):
        raise UnsupportedProtocolError(
            f"The entry point for {protocol}:// ({entry.value}) is not a Storage subclass."
        )
    with _lock:
        _loaded[protocol] = adapter
    return adapter
