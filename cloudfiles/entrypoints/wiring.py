"""Composition root: builds a Store (adapter + codecs + retries + schedule) for a cloud path."""
from __future__ import annotations

from functools import lru_cache

from ..adapters.codecs.registry import available_codecs
from ..app.retrying import Retrier
from ..app.scheduler import Schedule
from ..app.store import Store
from ..domain.codecs import CodecRegistry
from ..domain.errors import UnsupportedProtocolError
from ..domain.objects import StorageConfig
from ..domain.op_storage import OpStorage
from ..domain.paths import ExtractedPath, extract, normalize, to_https_protocol
from ..domain.ports import Storage, Transport
from .aliases import alias_table
from .engines import transport_for
from .registry import adapter_for, known_protocols


@lru_cache(maxsize=1)
def codecs() -> CodecRegistry:
    """The codecs of this process, loaded once."""
    return available_codecs()


def parse_path(cloudpath: str, use_https: bool = False) -> ExtractedPath:
    """ExtractedPath of a user's cloud path: bare local paths are file://, aliases resolved.

    Plugin protocols and the aliases of this process are accepted.
    """
    if isinstance(cloudpath, str) and not cloudpath.strip():
        raise UnsupportedProtocolError(
            f"An empty cloud path was given ({cloudpath!r}). Give a directory: a local path "
            "(./data, /home/me/data) or PROTOCOL://BUCKET/PATH, e.g. gs://bucket/dir, "
            "s3://bucket/dir, file:///home/me/dir, mem://scratch/dir, https://example.com/dir "
            f"(protocols: {', '.join(known_protocols())})."
        )
    aliases = alias_table()
    epath = extract(normalize(cloudpath), protocols=known_protocols(), aliases=aliases)
    if use_https:
        epath = to_https_protocol(epath, aliases=aliases)
    return epath


def open_adapter(epath: ExtractedPath, config: StorageConfig,
                 engine: Transport | None = None) -> Storage:
    """The adapter registered for the path's protocol, on that root; a sans-I/O network
    adapter sends through `engine`, else through the engine chosen for these settings."""
    adapter = adapter_for(epath.protocol)
    if issubclass(adapter, OpStorage):
        return adapter(epath, config, engine or transport_for(config))
    if engine is not None:
        raise TypeError(f"{epath.protocol}:// ({adapter.__name__}) sends no HTTP requests: "
                        "it takes no engine.")
    return adapter(epath, config)


def open_store(epath: ExtractedPath, config: StorageConfig, schedule: Schedule,
               retrier: Retrier | None = None) -> Store:
    """A Store on the adapter registered for the path's protocol (see open_adapter)."""
    return Store(open_adapter(epath, config), codecs(), retrier or Retrier(), schedule)
