"""Names of directories that have stopped changing, so reads can skip per-form lookups.

A read of key `x` on file:// must know every stored form (`x`, `x.gz`, `x.br`, ...) to never
read a twin silently: one lookup per form, five of them failing in the common case. For a
directory that has not changed for a while and is read often, one listing answers that for
every key in it, and one stat of the directory tells whether the listing still holds.

Safety: a listing is taken only of a directory whose modification time is older than
`SETTLED_SECONDS` (longer than the coarsest file-system time stamps, 2 s), and kept only if the
time stamp did not move while listing; any change after that moves the time stamp past it.
A read that finds a listed file gone tells `forget`, and the caller looks again by lookups.
"""
from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict

SETTLED_SECONDS = 3.0
ASKS_BEFORE_LISTING = 32
MAX_DIRECTORIES = 64
MAX_NAMES = 1_000_000


class _Directory:
    __slots__ = ("asks", "mtime", "names")

    def __init__(self, mtime: int):
        self.mtime = mtime
        self.asks = 0
        self.names: frozenset[str] | None = None


class SettledDirectories:
    """The names of recently read, settled directories (at most MAX_DIRECTORIES, LRU)."""

    def __init__(self, clock=time.time_ns):
        self._dirs: OrderedDict[str, _Directory] = OrderedDict()
        self._lock = threading.Lock()
        self._clock = clock

    def names(self, directory: str) -> frozenset[str] | None:
        """The names in directory if it is settled and listed, else None (look up by name)."""
        try:
            mtime = os.stat(directory).st_mtime_ns
        except OSError:
            return None
        with self._lock:
            entry = self._dirs.get(directory)
            if entry is None or entry.mtime != mtime:
                entry = self._dirs[directory] = _Directory(mtime)
                while len(self._dirs) > MAX_DIRECTORIES:
                    self._dirs.popitem(last=False)
            self._dirs.move_to_end(directory)
            if entry.names is not None:
                return entry.names
            entry.asks += 1
            due = entry.asks >= ASKS_BEFORE_LISTING and \
                self._clock() - mtime >= SETTLED_SECONDS * 1e9
        if not due:
            return None
        return self._list(directory, entry)

    def _list(self, directory: str, entry: _Directory) -> frozenset[str] | None:
        try:
            with os.scandir(directory) as found:
                names = []
                for item in found:
                    names.append(item.name)
                    if len(names) > MAX_NAMES:
                        entry.asks = -10 * ASKS_BEFORE_LISTING  # too big: ask less often
                        return None
            if os.stat(directory).st_mtime_ns != entry.mtime:
                return None  # it changed while listing
        except OSError:
            return None
        entry.names = frozenset(names)
        return entry.names

    def forget(self, directory: str) -> None:
        """Drop what is known of directory (a listed file turned out to be gone)."""
        with self._lock:
            self._dirs.pop(directory, None)
