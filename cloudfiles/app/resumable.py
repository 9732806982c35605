"""Resumable transfer jobs: list a source into a journal, then copy what is not done yet.

An executor leases blocks of keys from the journal and copies them through app.transfer
(any engine, encodings, bounded memory); each block's successful keys are marked done once
every file of the block is settled. A failed key stays pending (the next run, or another
executor, tries it again); a destination out of space stops the run early, leaving what was
not copied pending. Blocks run either here, streamed through one transfer so the files in
flight never drain between blocks, or as tasks on a concurrent.futures.Executor.
"""
from __future__ import annotations

import errno
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import Any

from attrs import define, field, frozen

from ..domain.journal import (
    EmptySourceError,
    JobSpec,
    Journal,
    JournalEntry,
    JournalStatus,
)
from .scheduler import progress_bar
from .store import Store
from .transfer import DESCRIPTION, TransferOptions, transfer

#: Keys per block, as the cloud-files `xfer execute -b` default.
DEFAULT_BLOCK_SIZE = 200
#: errno values meaning the destination has no room left, and their names (as adapters
#: report them in StorageError.code).
_OUT_OF_SPACE = {errno.ENOSPC, errno.EDQUOT}
_OUT_OF_SPACE_CODES = {errno.errorcode[number] for number in _OUT_OF_SPACE}

#: Submits one block of keys for copying; its future gives per-file transfer results.
SubmitBlock = Callable[[list[str]], "Future[list[dict[str, Any]]]"]


def now_ms() -> int:
    """Milliseconds since the epoch: the clock leases are measured on, across machines."""
    return int(time.time() * 1000)


def is_out_of_space(error: BaseException | None) -> bool:
    """Whether an error (or what caused it) says the destination disk or quota is full."""
    while error is not None:
        if getattr(error, "errno", None) in _OUT_OF_SPACE or \
                getattr(error, "code", None) in _OUT_OF_SPACE_CODES:
            return True
        error = error.__cause__
    return False


def without_tracebacks(error: BaseException) -> BaseException:
    """error with the tracebacks of it and its causes dropped: a run keeps one error per
    failed file, and a traceback would keep its frames (and the bytes in them) alive."""
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        link.__traceback__ = None
        link = link.__cause__ or link.__context__
    return error


# -- init -----------------------------------------------------------------------------------


def _checked(entries: Iterable[tuple[Any, int | None]]) -> Iterator[tuple[str, int | None]]:
    for key, size in entries:
        if not isinstance(key, str) or not key:
            raise TypeError(f"Cannot add {key!r} to a transfer job: keys are non-empty str.")
        yield key, size


def init_job(journal: Journal, spec: JobSpec, entries: Iterable[tuple[str, int | None]],
             empty_reason: str) -> int:
    """Start `spec` in the journal with (key, size or None) entries; returns how many.

    Raises EmptySourceError(empty_reason) when there are none. The journal is usable (sealed)
    only once every entry is in, so an interrupted init is never mistaken for a job.
    """
    journal.create(spec)
    count = journal.add(_checked(entries))
    if count == 0:
        raise EmptySourceError(empty_reason)
    journal.seal()
    return count


# -- execute --------------------------------------------------------------------------------


@frozen
class ExecuteOptions:
    """How one executor runs a job.

    block_size: keys leased (and marked done) at a time, and files in flight when copying
    here. lease_msec: how long a leased block is this executor's alone (0: no lease, one
    executor). blocks_in_flight: blocks submitted at once to an Executor. on_result: sees
    every file's result.
    """

    block_size: int = DEFAULT_BLOCK_SIZE
    lease_msec: int = 0
    progress: bool = False
    blocks_in_flight: int = 4
    #: Called with each file's transfer result as it is settled (e.g. a TransferRecorder).
    on_result: Callable[[dict[str, Any]], None] | None = field(default=None, eq=False)

    def __attrs_post_init__(self) -> None:
        if self.block_size < 1:
            raise ValueError(f"block_size must be at least 1, got {self.block_size}.")
        if self.lease_msec < 0:
            raise ValueError(f"lease_msec cannot be negative, got {self.lease_msec}.")


@define
class JobReport:
    """What one run did: keys newly done (and their listed bytes), keys that failed (still
    pending), why it stopped early if it did, and the journal's status at the end."""

    copied: int = 0
    bytes: int = 0
    failures: dict[str, BaseException] = field(factory=dict)
    stopped: BaseException | None = None
    status: JournalStatus | None = None


@define(eq=False)
class _Block:
    """A leased block: its keys not settled yet, and how those settled went."""

    unsettled: dict[int, JournalEntry]
    succeeded: list[int] = field(factory=list)
    failed: list[int] = field(factory=list)


class _Ledger:
    """The blocks one executor holds: leases them, settles each file's result, and marks a
    block's successes done (and releases its failures) once all of its files are settled.

    Thread-safe: a transfer may pull keys (lease) on a thread of its own while its results
    are settled on the caller's.
    """

    def __init__(self, journal: Journal, options: ExecuteOptions, clock: Callable[[], int],
                 report: JobReport, bar: Any):
        self._journal = journal
        self._options = options
        self._clock = clock
        self._report = report
        self._bar = bar
        self._owners: dict[str, deque[tuple[JournalEntry, _Block]]] = {}
        self._lock = threading.RLock()

    @property
    def stopped(self) -> bool:
        """Whether the run must lease no more blocks."""
        return self._report.stopped is not None

    def lease(self) -> _Block | None:
        """The next block of this executor, or None when none is available (or stopped)."""
        with self._lock:
            return self._lease()

    def _lease(self) -> _Block | None:
        if self.stopped:
            return None
        entries = self._journal.lease(self._options.block_size, self._options.lease_msec,
                                      self._clock())
        if not entries:
            return None
        block = _Block({entry.id: entry for entry in entries})
        for entry in entries:
            self._owners.setdefault(entry.key, deque()).append((entry, block))
        return block

    def settle(self, result: dict[str, Any], block: _Block | None = None) -> None:
        """Record one file's transfer result (of `block` when known: a key listed twice
        may be in two blocks at once)."""
        with self._lock:
            self._settle(result, block)

    def _settle(self, result: dict[str, Any], block: _Block | None) -> None:
        if self._options.on_result is not None:
            self._options.on_result(result)
        owners = self._owners.get(result["path"])
        if not owners:
            return  # not a key of ours (cannot happen with transfer's results)
        if block is None or owners[0][1] is block:
            entry, block = owners.popleft()
        else:
            pair = next((p for p in owners if p[1] is block), owners[0])
            owners.remove(pair)
            entry, block = pair
        if not owners:
            del self._owners[entry.key]
        error = result.get("error")
        if error is None:
            block.succeeded.append(entry.id)
        else:
            block.failed.append(entry.id)
            self._report.failures[entry.key] = without_tracebacks(error)
            if is_out_of_space(error) and self._report.stopped is None:
                self._report.stopped = error
        self._remove(entry, block)

    def abandon(self, block: _Block, entries: Iterable[JournalEntry] | None = None) -> None:
        """Give back keys of a block (default: all those unsettled) that will not be copied
        in this run."""
        with self._lock:
            self._abandon(block, entries)

    def _abandon(self, block: _Block, entries: Iterable[JournalEntry] | None) -> None:
        for entry in list(block.unsettled.values() if entries is None else entries):
            owners = self._owners.get(entry.key, deque())
            for pair in list(owners):
                if pair[1] is block and pair[0].id == entry.id:
                    owners.remove(pair)
            if not owners:
                self._owners.pop(entry.key, None)
            block.failed.append(entry.id)
            self._remove(entry, block)

    def _remove(self, entry: JournalEntry, block: _Block) -> None:
        del block.unsettled[entry.id]
        if block.unsettled:
            return
        newly = self._journal.mark_done(block.succeeded)
        self._journal.release(block.failed)
        self._report.copied += newly.files
        self._report.bytes += newly.bytes
        self._bar.update(len(block.succeeded))


def _stream_blocks(ledger: _Ledger) -> Iterator[str]:
    """Keys of block after block, leased as the transfer asks for more; stops leasing once the
    run must stop, giving back the rest of the block being fed."""
    while (block := ledger.lease()) is not None:
        entries = list(block.unsettled.values())
        for index, entry in enumerate(entries):
            if ledger.stopped:
                ledger.abandon(block, entries[index:])
                return
            yield entry.key


def _run_here(ledger: _Ledger, source: Store, dest: Store, spec: JobSpec,
              options: ExecuteOptions) -> None:
    transfer_options = TransferOptions(block_size=options.block_size, reencode=spec.reencode)
    for result in transfer(source, dest, _stream_blocks(ledger), transfer_options,
                           progress=False):
        ledger.settle(result)


def _run_on_executor(ledger: _Ledger, submit: SubmitBlock, options: ExecuteOptions) -> None:
    running: dict[Future, tuple[_Block, list[str]]] = {}
    while True:
        while len(running) < max(1, options.blocks_in_flight):
            block = ledger.lease()
            if block is None:
                break
            keys = [entry.key for entry in block.unsettled.values()]
            running[submit(keys)] = (block, keys)
        if not running:
            return
        finished, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in finished:
            block, keys = running.pop(future)
            try:
                results = future.result()
            except Exception as error:  # noqa: BLE001 - the whole block failed
                results = [{"path": key, "bytes": 0, "error": error} for key in keys]
            for result in results:
                ledger.settle(result, block)
            if block.unsettled:
                ledger.abandon(block)


def execute_job(journal: Journal, source: Store | None, dest: Store | None,
                options: ExecuteOptions = ExecuteOptions(), submit: SubmitBlock | None = None,
                clock: Callable[[], int] = now_ms) -> JobReport:
    """Copy the keys of the journal's job that are not done; returns what this run did.

    Blocks are copied here between `source` and `dest`, or, given `submit`, as tasks it
    submits (then source and dest may be None).
    """
    spec = journal.spec()
    journal.start_run()
    before = journal.status(clock())
    report = JobReport()
    bar = progress_bar(options.progress, before.total.files, DESCRIPTION)
    bar.update(before.done.files)
    ledger = _Ledger(journal, options, clock, report, bar)
    try:
        if submit is not None:
            _run_on_executor(ledger, submit, options)
        else:
            _run_here(ledger, source, dest, spec, options)
    finally:
        bar.close()
    report.status = journal.status(clock())
    return report
