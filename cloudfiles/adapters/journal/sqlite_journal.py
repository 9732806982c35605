"""A transfer job's journal in one sqlite file, shared by any number of executor processes.

Layout (schema version 1): one `job` row (source, destination, encoding, whether the listing
finished, and running totals), and one `files` row per key: an integer id, the key, its size
(NULL: unknown), done (0/1) and lease (ms since the epoch the lease ends; 0: none). A partial
index on (lease) over the rows not done makes leasing a block an index range scan whatever
the number of keys done, and shrinks as keys get done. The file is tagged with an sqlite
application id and a user_version (the schema version), so a foreign or newer file is refused.

Writers take the write lock up front (BEGIN IMMEDIATE) and wait for each other up to a busy
timeout; WAL lets readers (status) run while an executor writes. Within a run a handle does
not hand out a key twice: without leases (one executor) it walks the ids upwards from a
cursor; with leases, the keys it leased are hidden by their leases, and the ones released
after failing by a temporary table of that connection.
"""
from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from urllib.parse import quote

from ...domain.journal import (
    SCHEMA_VERSION,
    JobSpec,
    Journal,
    JournalEntry,
    JournalError,
    JournalStatus,
    Tally,
    occupied_error,
)

#: "CFxf": marks an sqlite file as a cloudfiles transfer journal (PRAGMA application_id).
APPLICATION_ID = 0x43467866
#: Rows inserted per transaction while a job is listed.
INSERT_BATCH = 50_000
#: Seconds a writer waits for another one before giving up.
BUSY_TIMEOUT = 60.0
#: Tables of the journal the cloud-files (seung-lab) `xfer` command writes.
_CLOUD_FILES_TABLES = {"xfermeta", "filelist"}

_SCHEMA = """
CREATE TABLE job (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  source TEXT NOT NULL,
  dest TEXT NOT NULL,
  encoding TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  sealed INTEGER NOT NULL DEFAULT 0,
  files INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  unknown_sizes INTEGER NOT NULL DEFAULT 0,
  done_files INTEGER NOT NULL DEFAULT 0,
  done_bytes INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE files (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  size INTEGER,
  done INTEGER NOT NULL DEFAULT 0,
  lease INTEGER NOT NULL DEFAULT 0
);
"""
#: Keys anyone may lease now, but those this handle released in this run.
_LEASABLE = ("SELECT id FROM files WHERE done = 0 AND lease <= :now "
             "AND id NOT IN (SELECT id FROM temp.released) LIMIT :count")
#: The next keys not done and not leased, from the cursor of a handle that leases nothing.
_NEXT = ("SELECT id, key, size FROM files WHERE id > :cursor AND done = 0 AND lease <= :now "
         "ORDER BY id LIMIT :count")


def _id_list(ids: Sequence[int]) -> str:
    """ids as one JSON array parameter, read back with json_each (no bound on their number)."""
    return json.dumps([int(i) for i in ids])


class SqliteJournal(Journal):
    """A journal stored in the sqlite file at `path`; `create` makes the file if missing."""

    def __init__(self, path: str, create: bool = False, busy_timeout: float = BUSY_TIMEOUT):
        self.path = os.fspath(path)
        if os.path.isdir(self.path):
            raise JournalError(f"Journal {self.path} is a directory, not a journal file.")
        if not create and not os.path.exists(self.path):
            raise JournalError(f"No journal at {self.path}: create one with xfer init first.")
        mode = "rwc" if create else "rw"
        uri = f"file:{quote(os.path.abspath(self.path))}?mode={mode}"
        try:
            self._conn = sqlite3.connect(uri, uri=True, timeout=busy_timeout,
                                         isolation_level=None, check_same_thread=False)
        except sqlite3.Error as error:
            raise self._error(error) from None
        self._lock = threading.RLock()  # one statement or transaction at a time
        self._pending_tally = [0, 0, 0]  # files, bytes, unknown sizes added, not yet sealed
        self._cursor = 0  # the highest id handed out without a lease in this run
        try:
            with self._guard():
                self._tables = self._identify()
                self._conn.execute("PRAGMA synchronous = NORMAL")
                self._conn.execute("PRAGMA temp_store = MEMORY")
                self._conn.execute("CREATE TEMP TABLE released (id INTEGER PRIMARY KEY)")
        except BaseException:
            self._conn.close()
            raise

    # -- opening ---------------------------------------------------------------------------
    def _identify(self) -> set[str]:
        """The journal's tables, once the file proved to be one of ours (or empty)."""
        app_id = self._conn.execute("PRAGMA application_id").fetchone()[0]
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in self._conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if app_id == APPLICATION_ID:
            if version != SCHEMA_VERSION:
                raise JournalError(
                    f"Journal {self.path} has schema version {version}; this cloudfiles "
                    f"reads version {SCHEMA_VERSION} only. It was left as it is.")
            if not {"job", "files"} <= tables:
                raise JournalError(f"Journal {self.path} is corrupt: its tables are missing. "
                                   "It was left as it is.")
            return tables
        if app_id == 0 and not tables:
            return tables  # a new, empty file
        if _CLOUD_FILES_TABLES <= tables:
            raise JournalError(
                f"{self.path} is a journal of the cloud-files `xfer` command, which this "
                "cloudfiles cannot resume; start the job again in a new journal. "
                "It was left as it is.")
        raise JournalError(
            f"{self.path} is an sqlite database of another program, not a cloudfiles "
            "transfer journal. It was left as it is.")

    def _error(self, error: sqlite3.Error) -> JournalError:
        text = str(error)
        if "not a database" in text or "malformed" in text or "corrupt" in text:
            return JournalError(
                f"Journal {self.path} is corrupt or not an sqlite file ({text}). "
                "It was left as it is: start the job again in a new journal.")
        if "locked" in text or "busy" in text:
            return JournalError(f"Journal {self.path} stayed locked by another process "
                                f"({text}).")
        return JournalError(f"Journal {self.path}: {text}.")

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """Holds the handle's lock (threads may share it: a transfer may pull keys on a
        thread of its own), turning sqlite errors into JournalError naming this journal."""
        with self._lock:
            try:
                yield
            except sqlite3.Error as error:
                raise self._error(error) from None

    @contextlib.contextmanager
    def _writing(self, immediate: bool = True) -> Iterator[sqlite3.Connection]:
        """One transaction; a writing one (immediate) holds the write lock from its start."""
        with self._guard():
            self._conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _job_row(self) -> tuple | None:
        if "job" not in self._tables:
            return None
        with self._guard():
            return self._conn.execute(
                "SELECT source, dest, encoding, sealed, files, bytes, unknown_sizes, "
                "done_files, done_bytes FROM job").fetchone()

    # -- creating ---------------------------------------------------------------------------
    def create(self, spec: JobSpec) -> None:
        row = self._job_row()
        if row is not None and row[3]:
            raise occupied_error(self.path, JobSpec(*row[:3]), spec)
        with self._guard():
            self._conn.execute("PRAGMA journal_mode = WAL")
        with self._writing() as conn:
            conn.execute("DROP TABLE IF EXISTS job")
            conn.execute("DROP TABLE IF EXISTS files")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("INSERT INTO job (one, source, dest, encoding, created_ms) "
                         "VALUES (1, ?, ?, ?, ?)",
                         (spec.source, spec.dest, spec.encoding, int(time.time() * 1000)))
        self._tables = {"job", "files"}
        self._pending_tally = [0, 0, 0]

    def add(self, entries: Iterable[tuple[str, int | None]]) -> int:
        tally = self._pending_tally
        added = 0
        iterator = iter(entries)
        while batch := list(islice(iterator, INSERT_BATCH)):
            with self._writing() as conn:
                conn.executemany("INSERT INTO files (key, size) VALUES (?, ?)", batch)
            added += len(batch)
            known = [size for _, size in batch if size is not None]
            tally[0] += len(batch)
            tally[1] += sum(known)
            tally[2] += len(batch) - len(known)
        return added

    def seal(self) -> None:
        files, nbytes, unknown = self._pending_tally
        with self._writing() as conn:
            conn.execute("CREATE INDEX IF NOT EXISTS pending ON files (lease) WHERE done = 0")
            conn.execute("UPDATE job SET sealed = 1, files = ?, bytes = ?, unknown_sizes = ?",
                         (files, nbytes, unknown))

    # -- executing --------------------------------------------------------------------------
    def spec(self) -> JobSpec:
        row = self._job_row()
        if row is None:
            raise JournalError(f"Journal {self.path} holds no job yet: run xfer init first.")
        if not row[3]:
            raise JournalError(
                f"Journal {self.path} holds an unfinished listing of {JobSpec(*row[:3]).describe()}"
                " (init was interrupted): run init again.")
        return JobSpec(*row[:3])

    def start_run(self) -> None:
        self._cursor = 0
        with self._guard():
            self._conn.execute("DELETE FROM temp.released")

    def lease(self, count: int, lease_msec: int, now_ms: int) -> list[JournalEntry]:
        with self._guard():
            params = {"now": int(now_ms), "count": max(0, int(count)),
                      "until": int(now_ms) + int(lease_msec), "cursor": self._cursor}
            if lease_msec > 0:
                with self._writing() as conn:
                    rows = conn.execute(f"UPDATE files SET lease = :until WHERE id IN "
                                        f"({_LEASABLE}) RETURNING id, key, size",
                                        params).fetchall()
            else:
                rows = self._conn.execute(_NEXT, params).fetchall()
                if rows:
                    self._cursor = rows[-1][0]
        return list(map(JournalEntry._make, rows))

    def mark_done(self, ids: Sequence[int]) -> Tally:
        if not ids:
            return Tally()
        listed = _id_list(ids)
        with self._writing() as conn:
            sizes = conn.execute(
                "UPDATE files SET done = 1, lease = 0 WHERE done = 0 AND id IN "
                "(SELECT value FROM json_each(?)) RETURNING size", (listed,)).fetchall()
            newly = Tally(len(sizes), sum(size for (size,) in sizes if size is not None))
            conn.execute("UPDATE job SET done_files = done_files + ?, "
                         "done_bytes = done_bytes + ?", (newly.files, newly.bytes))
        return newly

    def release(self, ids: Sequence[int]) -> None:
        if not ids:
            return
        listed = _id_list(ids)
        with self._writing() as conn:
            conn.execute("UPDATE files SET lease = 0 WHERE done = 0 AND lease != 0 AND id IN "
                         "(SELECT value FROM json_each(?))", (listed,))
            conn.execute("INSERT OR IGNORE INTO temp.released (id) "
                         "SELECT value FROM json_each(?)", (listed,))

    def status(self, now_ms: int) -> JournalStatus:
        spec = self.spec()
        _, _, _, _, files, nbytes, unknown, done_files, done_bytes = self._job_row()
        with self._guard():
            leased_files, leased_bytes = self._conn.execute(
                "SELECT count(*), coalesce(sum(size), 0) FROM files "
                "WHERE done = 0 AND lease > ?", (int(now_ms),)).fetchone()
        done = Tally(done_files, done_bytes)
        leased = Tally(leased_files, leased_bytes)
        pending = Tally(files - done_files - leased_files, nbytes - done_bytes - leased_bytes)
        return JournalStatus(spec, done, leased, pending, unknown)

    def close(self) -> None:
        self._conn.close()
