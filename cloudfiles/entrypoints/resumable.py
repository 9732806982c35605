"""ResumableTransfer: a transfer job kept in an sqlite journal, resumable after any crash and
shared by any number of executors (the API of cloud-files' resumable_tools)."""
from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from functools import partial
from typing import Any, Self

import attrs

from ..adapters.journal.sqlite_journal import SqliteJournal
from ..app.processes import QUEUED_PER_WORKER, worker_count
from ..app.resumable import (
    DEFAULT_BLOCK_SIZE,
    ExecuteOptions,
    JobReport,
    SubmitBlock,
    execute_job,
    init_job,
    now_ms,
)
from ..app.transfer import TransferOptions
from ..domain.errors import BatchError, UnsupportedOperationError
from ..domain.journal import JobSpec, JobStoppedError, JournalStatus
from .cloudfiles import CloudFiles, _child_batch


def job_path(cloudpath: str) -> str:
    """A cloud path as a job records it: without trailing '/' (except a bare root)."""
    stripped = cloudpath.rstrip("/")
    return cloudpath if stripped.endswith(":") else stripped


def _empty_reason(source: CloudFiles) -> str:
    """Why a source listed no files, as precisely as we can tell."""
    if source.protocol == "file":
        path = source._path.path
        if not os.path.exists(path):
            return f"Source {source.cloudpath} does not exist."
        if not os.path.isdir(path):
            return (f"Source {source.cloudpath} is a file: xfer copies the files under a "
                    "directory or prefix.")
    return f"Source {source.cloudpath} holds no files: nothing to transfer."


def listing_carries_sizes(cf: CloudFiles) -> bool:
    """Whether listing cf gives sizes at no extra cost (cloud listings do; storages that
    would look each key up, e.g. file:// today, do not)."""
    return cf._store.storage.lists_sizes


def _listing(cf: CloudFiles) -> Iterator[tuple[str, int | None]]:
    """(key, size) of every file under cf; sizes only where the listing carries them, so
    listing 10^7 local files costs no stat per file (their sizes are then unknown)."""
    if listing_carries_sizes(cf):
        return cf.list(size=True)
    return ((key, None) for key in cf.list())


def _entries(source: CloudFiles, paths: Any, options: dict) -> tuple[Iterable, str]:
    """(key, size or None) entries for init's `paths`, and what to say if there are none."""
    if paths is None:
        paths = source
    elif isinstance(paths, (str, os.PathLike)):
        paths = CloudFiles(os.fspath(paths), **options)
    if isinstance(paths, CloudFiles):
        return _listing(paths), _empty_reason(paths)
    if isinstance(paths, dict):
        raise TypeError("paths must be keys (str), a cloud path or a CloudFiles, not a dict.")
    return ((key, None) for key in paths), "The list of keys to transfer is empty."


def _submitter(executor: Executor, source: CloudFiles, dest: CloudFiles,
               options: TransferOptions) -> SubmitBlock:
    """Submits a block as a picklable task: the keys only; the worker builds its own
    CloudFiles from their constructor arguments and returns per-file results."""
    state = {**source._init, "progress": False, "parallel": 1}
    payload = pickle.dumps((state, {"dest": dest, "options": options}))
    task = partial(_child_batch, payload, "_transfer_results")
    return lambda keys: executor.submit(task, keys)


def _check_reachable(executor: Executor, *ends: CloudFiles) -> None:
    """Refuse storages that live in this process (mem://) for an executor whose tasks may
    run in other processes (anything but a thread pool)."""
    if isinstance(executor, ThreadPoolExecutor):
        return
    for end in ends:
        if not end._store.storage.process_safe:
            raise UnsupportedOperationError(
                f"{end.cloudpath} lives in this process only: tasks of an Executor in other "
                "processes cannot reach it (use a ThreadPoolExecutor, or no executor).")


def stopped_message(report: JobReport) -> str:
    """What to tell a user whose run stopped early (see JobReport.stopped)."""
    pending = report.status.remaining if report.status else "the other"
    return (f"Stopped early: the destination is out of space ({report.stopped}). "
            f"{report.copied} file(s) were copied in this run; {pending} key(s) stay pending: "
            "free some space and execute the job again to resume it.")


class ResumableTransfer:
    """A transfer job recorded in the sqlite journal at db_path.

    `init` lists the source into the journal; `execute` copies what is not done yet and can
    be run again after any crash, or by several processes at once with lease_msec > 0 (each
    leases blocks of keys for that long; an expired lease goes back to the pool). Extra
    keyword options (num_threads, retries, secrets, endpoint, ...) go to each CloudFiles.
    """

    def __init__(self, db_path: str | os.PathLike, lease_msec: int = 0, **cloudfiles_options: Any):
        if int(lease_msec) < 0:
            raise ValueError(f"lease_msec cannot be negative, got {lease_msec}.")
        self.db_path = os.fspath(db_path)
        self.lease_msec = int(lease_msec)
        self._options = cloudfiles_options
        self._journal: SqliteJournal | None = None

    def _opened(self, create: bool = False) -> SqliteJournal:
        if self._journal is None:
            self._journal = SqliteJournal(self.db_path, create=create)
        return self._journal

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        """Keys not done yet."""
        return self.status().remaining

    def init(self, src: str, dest: str, paths: Any = None, reencode: Any = None) -> int:
        """Record a new job: copy `paths` (default: every file listed under src) from src to
        dest, re-encoded as `reencode` says (None keeps the stored bytes, False or 'none'
        decompresses). paths may be keys relative to src, or a cloud path / CloudFiles to
        list. Returns the number of keys. A journal holding another job is refused.
        """
        source = CloudFiles(src, **self._options)
        target = CloudFiles(dest, **self._options)
        spec = JobSpec.of(job_path(source.cloudpath), job_path(target.cloudpath), reencode)
        entries, empty_reason = _entries(source, paths, self._options)
        existed = os.path.exists(self.db_path)
        journal = self._opened(create=True)
        try:
            return init_job(journal, spec, entries, empty_reason)
        except BaseException:
            if not existed:
                self.delete()
            raise

    def run(self, progress: bool = False, block_size: int = DEFAULT_BLOCK_SIZE,
            executor: Executor | None = None,
            on_result: Callable[[dict], None] | None = None) -> JobReport:
        """Like execute, but returns what the run did instead of raising for failures;
        on_result sees each file's transfer result as it is settled."""
        journal = self._opened()
        spec = journal.spec()
        source = CloudFiles(spec.source, **self._options)
        dest = CloudFiles(spec.dest, **self._options)
        options = ExecuteOptions(block_size=int(block_size), lease_msec=self.lease_msec,
                                 progress=progress, on_result=on_result)
        if executor is None:
            return execute_job(journal, source._store, dest._store, options)
        _check_reachable(executor, source, dest)
        options = attrs.evolve(options,
                               blocks_in_flight=QUEUED_PER_WORKER * worker_count(executor))
        transfer_options = TransferOptions(block_size=options.block_size,
                                           reencode=spec.reencode)
        return execute_job(journal, None, None, options,
                           _submitter(executor, source, dest, transfer_options))

    def execute(self, progress: bool = False, block_size: int = DEFAULT_BLOCK_SIZE,
                executor: Executor | None = None) -> int:
        """Copy every key not done yet, block_size keys at a time; returns how many were
        copied (and marked done) in this run.

        executor: any concurrent.futures.Executor; blocks of keys are then submitted to it as
        picklable tasks (each worker builds its own CloudFiles) and marked done here from
        their results. Failed files stay pending and are raised together in a BatchError at
        the end; a destination out of space stops the run (JobStoppedError) and the job
        resumes with the next execute.
        """
        report = self.run(progress, block_size, executor)
        if report.stopped is not None:
            raise JobStoppedError(stopped_message(report)) from report.stopped
        if report.failures:
            raise BatchError("transfer", report.failures)
        return report.copied

    def status(self) -> JournalStatus:
        """Done, leased and pending keys of the job, with their bytes."""
        return self._opened().status(now_ms())

    def close(self) -> None:
        """Close the journal; it stays on disk (delete() removes it)."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def delete(self) -> None:
        """Close and remove the journal (what cloud-files' close() does)."""
        self.close()
        for suffix in ("", "-wal", "-shm"):
            try:
                os.remove(self.db_path + suffix)
            except FileNotFoundError:
                pass


def keys_of(text_lines: Iterable[str]) -> Iterator[str]:
    """Keys from the lines of a key list (one per line; blank lines skipped)."""
    for line in text_lines:
        key = line.rstrip("\r\n")
        if key.strip():
            yield key


__all__ = ["ResumableTransfer"]
