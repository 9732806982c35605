"""Storages for the contract suites: fresh roots, and the adapter a cloud path opens."""
from __future__ import annotations

import uuid

from ..domain.objects import StorageConfig
from ..domain.ports import Storage, Transport
from ..entrypoints.wiring import open_adapter, parse_path


def unique_prefix() -> str:
    """A random directory name, so tests never see each other's files."""
    return f"t{uuid.uuid4().hex[:12]}"


def open_storage(cloudpath: str, engine: Transport | None = None,
                 config: StorageConfig | None = None) -> Storage:
    """The adapter of cloudpath's protocol on that root, as the composition root opens it.

    A sans-I/O storage (OpStorage) sends through `engine` when given (a fake server, a spy),
    else through the engine the composition root would choose for `config`.
    """
    return open_adapter(parse_path(cloudpath), config or StorageConfig(), engine)

