"""Process-wide transports, one per settings, and what a forked child must do with them."""
from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class SharedTransports(Generic[T]):
    """Transports shared by every CloudFiles of a process with the same settings.

    Every transport made is tracked (`track`): in a forked child each one forgets its
    connections, which are the parent's sockets, and the lock is made anew (another thread
    may have held it at the fork).
    """

    def __init__(self) -> None:
        self._by_key: dict[Hashable, T] = {}
        self._lock = threading.Lock()
        self._live: weakref.WeakSet[Any] = weakref.WeakSet()
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._after_fork)

    def track(self, transport: Any) -> None:
        """Remember a transport (with a `forget_connections()` method) for forks."""
        self._live.add(transport)

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The transport for key, made on first use."""
        with self._lock:
            transport = self._by_key.get(key)
            if transport is None:
                transport = self._by_key[key] = make()
            return transport

    def reset(self, also: Callable[[], None] | None = None) -> None:
        """Close every shared transport; later uses make new ones. `also` runs under the
        same lock (to drop what wraps the transports)."""
        with self._lock:
            transports = list(self._by_key.values())
            self._by_key.clear()
            if also is not None:
                also()
        for transport in transports:
            transport.close()  # type: ignore[attr-defined]

    @property
    def lock(self) -> threading.Lock:
        """The lock guarding the shared transports (for registries built on them)."""
        return self._lock

    def _after_fork(self) -> None:
        self._lock = threading.Lock()
        for transport in list(self._live):
            transport.forget_connections()
