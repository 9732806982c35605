"""The journal of a resumable transfer job: which keys to copy, and which are done.

A journal holds one job (source, destination, re-encoding) and its keys, each with an
integer id, its stored size when known, and a state: done, leased (an executor holds it until
its lease ends) or pending. Executors lease blocks of keys, copy them and mark them done; a
key is marked done only after its copy succeeded, so a crash at any moment leaves at worst
keys copied but still pending (copied again on the next run), never keys lost.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from attrs import frozen

from .encodings import normalize_encoding
from .errors import CloudFilesError

#: Bumped whenever the stored layout changes; a journal of another version is refused.
SCHEMA_VERSION = 1

#: How `reencode=None` (keep each object's stored bytes) is written in a journal and shown.
KEEP_ENCODING = "same"
#: How decompressing (reencode False or 'none') is written in a journal and shown.
NO_ENCODING = "none"


class JournalError(CloudFilesError):
    """A journal cannot be used: missing, corrupt, foreign, of another version or another job."""


class EmptySourceError(CloudFilesError, ValueError):
    """A job would copy nothing: its source lists no files (or its key list is empty)."""


class JobStoppedError(CloudFilesError):
    """A run stopped before the job was done (e.g. the destination is out of space); what it
    copied is marked done and running the job again resumes it."""


@frozen
class JobSpec:
    """What a job copies: every key from `source` to `dest`, re-encoded as `encoding` says.

    encoding is 'same' (stored bytes as they are), 'none' (decompressed) or an encoding name.
    """

    source: str
    dest: str
    encoding: str = KEEP_ENCODING

    @classmethod
    def of(cls, source: str, dest: str, reencode: Any = None) -> JobSpec:
        """The spec for a transfer_to-style `reencode` (None keeps the stored encoding)."""
        if reencode is None or (isinstance(reencode, str) and reencode.lower() == "same"):
            return cls(source, dest, KEEP_ENCODING)
        return cls(source, dest, normalize_encoding(reencode) or NO_ENCODING)

    @property
    def reencode(self) -> Any:
        """The transfer `reencode` argument: None keeps the stored bytes, False decompresses."""
        if self.encoding == KEEP_ENCODING:
            return None
        return False if self.encoding == NO_ENCODING else self.encoding

    def describe(self) -> str:
        """'SRC -> DEST (encoding: E)' for messages."""
        return f"{self.source} -> {self.dest} (encoding: {self.encoding})"


def occupied_error(where: str, existing: JobSpec, wanted: JobSpec) -> JournalError:
    """The error for starting job `wanted` in a journal that already holds job `existing`."""
    if existing == wanted:
        return JournalError(
            f"Journal {where} already holds this job ({existing.describe()}): execute resumes "
            "it. To start over, delete the journal first.")
    return JournalError(
        f"Journal {where} holds another job ({existing.describe()}), not "
        f"{wanted.describe()}. Use a new journal for each job.")


class JournalEntry(NamedTuple):
    """One key of a job as an executor gets it: its id, key and stored size (None: unknown).

    A named tuple: executors make millions of them, one per key leased.
    """

    id: int
    key: str
    size: int | None = None


@frozen
class Tally:
    """A number of keys and the bytes of those whose size is known."""

    files: int = 0
    bytes: int = 0


@frozen
class JournalStatus:
    """How far a job is: done, leased (held by an executor right now) and pending keys.

    `unknown_sizes` counts keys listed without a size (e.g. from a text file): their bytes are
    in no tally.
    """

    spec: JobSpec
    done: Tally
    leased: Tally
    pending: Tally
    unknown_sizes: int = 0

    @property
    def total(self) -> Tally:
        """Every key of the job."""
        parts = (self.done, self.leased, self.pending)
        return Tally(sum(p.files for p in parts), sum(p.bytes for p in parts))

    @property
    def remaining(self) -> int:
        """Keys not done yet (leased or pending)."""
        return self.leased.files + self.pending.files

    @property
    def finished(self) -> bool:
        """Whether every key is done."""
        return self.remaining == 0


class Journal(ABC):
    """The port for a job's journal; adapters store it (e.g. in sqlite).

    One Journal object is one executor's handle: within one run (see start_run) `lease`
    does not hand out a key twice through this handle (unless its lease ended meanwhile), so
    a key that failed is not retried within the run, while another executor may take it.
    Times are milliseconds since the epoch, given by the caller.
    """

    @abstractmethod
    def create(self, spec: JobSpec) -> None:
        """Start a new job in an empty journal (or one whose listing never finished)."""

    @abstractmethod
    def add(self, entries: Iterable[tuple[str, int | None]]) -> int:
        """Add (key, size or None) pairs to the job being created; returns how many."""

    @abstractmethod
    def seal(self) -> None:
        """Mark the listing complete: from now on the job can be executed."""

    @abstractmethod
    def spec(self) -> JobSpec:
        """The job this journal holds (JournalError if it holds none or its listing is
        incomplete)."""

    @abstractmethod
    def start_run(self) -> None:
        """Begin a new run on this handle: keys it handed out before may be leased again."""

    @abstractmethod
    def lease(self, count: int, lease_msec: int, now_ms: int) -> list[JournalEntry]:
        """Up to `count` keys that are not done and not leased by anyone at `now_ms`.

        With lease_msec > 0 they are leased until now_ms + lease_msec; with 0 they are not
        leased at all (a single executor is assumed, as in cloud-files).
        """

    @abstractmethod
    def mark_done(self, ids: Sequence[int]) -> Tally:
        """Mark keys done; returns what was newly marked (a key already done counts once)."""

    @abstractmethod
    def release(self, ids: Sequence[int]) -> None:
        """End the leases of keys that stay pending, so any executor may take them at once."""

    @abstractmethod
    def status(self, now_ms: int) -> JournalStatus:
        """Counts and bytes of done, leased and pending keys at now_ms."""

    @abstractmethod
    def close(self) -> None:
        """Let go of the journal (it stays where it is)."""
