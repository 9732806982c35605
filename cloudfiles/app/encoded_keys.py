"""Keys recently seen stored encoded, so a ranged read of one fetches it whole at once.

Ranges apply to decoded bytes, and a storage answers a range of an encoded object with
stored bytes that cannot be decoded: the read then needs the whole object. Remembering which
keys came back encoded lets the next ranged read of them cost one GET instead of two. A stale
entry (the object since rewritten unencoded) costs bytes, never correctness: the whole object
is read and sliced.
"""
from __future__ import annotations

import threading
from collections import OrderedDict


class EncodedKeys:
    """A bounded, thread-safe set of keys last seen stored with an encoding."""

    def __init__(self, limit: int = 100_000):
        self._limit = limit
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def note(self, key: str, encoding: str | None) -> None:
        """Record the encoding a read of key found (None: stored plain)."""
        with self._lock:
            if encoding is None:
                self._keys.pop(key, None)
                return
            self._keys[key] = None
            self._keys.move_to_end(key)
            if len(self._keys) > self._limit:
                self._keys.popitem(last=False)

    def __contains__(self, key: str) -> bool:
        return key in self._keys
