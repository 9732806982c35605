"""`cloudfiles xfer init|execute|status`: resumable transfer jobs kept in an sqlite journal."""
from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

import click

from ..domain.errors import CloudFilesError
from ..domain.humanize import human_size
from ..domain.journal import JournalStatus, Tally
from ..domain.targets import child
from .cli_common import HELP, CliError, Failures, one_line, parallel_of
from .cli_cp import COMPRESSIONS
from .cli_report import plot_option, summary_option, transfer_report
from .cloudfiles import CloudFiles
from .dask_executor import dask_executor_or_none, dask_option
from .resumable import ResumableTransfer, keys_of, stopped_message


def _cloudfiles_options(ctx: click.Context) -> dict:
    """The group's --retries, --connect-timeout and --read-timeout, for every CloudFiles."""
    return dict((ctx.find_root().obj or {}).get("cloudfiles_options", {}))


@contextmanager
def _reported(command: str) -> Iterator[None]:
    """cloudfiles errors as one `cloudfiles: xfer COMMAND: ...` line and exit code 1."""
    try:
        yield
    except CloudFilesError as error:
        raise CliError(f"xfer {command}: {one_line(error)}") from None


@click.group(context_settings=HELP)
def xfer() -> None:
    """Resumable transfers: a more reliable cp -r for large jobs.

    The keys to copy are listed into an sqlite journal and checked off as they are copied,
    so a job that crashed or was killed resumes where it stopped, and several executor
    processes on the machine holding the journal can work on one job at once (sqlite's WAL
    mode needs a local disk, not a network filesystem):

    \b
    1. cloudfiles xfer init SRC DEST --db JOB.db
    2. cloudfiles xfer execute JOB.db    (again after any failure)
    3. cloudfiles xfer status JOB.db
    """


@xfer.command("init", context_settings=HELP)
@click.argument("source")
@click.argument("destination")
@click.option("-c", "--compression", type=click.Choice(COMPRESSIONS, case_sensitive=False),
              default="same", show_default=True,
              help="Encoding at the destination; 'same' copies stored bytes untouched, "
                   "'none' decompresses.")
@click.option("--db", required=True,
              help="The sqlite journal of the job (a new file; one journal per job).")
@click.option("--txt", "text_file", type=click.Path(exists=True, dir_okay=False),
              default=None, help="Copy the keys listed in this file (one per line, relative "
                                 "to SOURCE) instead of listing SOURCE.")
@click.pass_context
def init(ctx: click.Context, source: str, destination: str, compression: str, db: str,
         text_file: str | None) -> None:
    """(1) List SOURCE (or --txt) into the journal --db."""
    with _reported("init"), ResumableTransfer(db, **_cloudfiles_options(ctx)) as job:
        if text_file is None:
            count = job.init(source, destination, reencode=compression.lower())
        else:
            with open(text_file, encoding="utf-8") as lines:
                count = job.init(source, destination, keys_of(lines), compression.lower())
    click.echo(f"{db}: {count} file(s) to copy. Run: cloudfiles xfer execute {db}")


def _parallel_executor(ctx: click.Context, job: ResumableTransfer):
    """A pool of -p processes when -p > 1 and both ends can be shared between processes."""
    parallel = parallel_of(ctx)
    if parallel <= 1:
        return None
    spec = job.status().spec
    ends = (CloudFiles(spec.source), CloudFiles(spec.dest))
    if not all(end._store.storage.process_safe for end in ends):
        return None
    return ProcessPoolExecutor(max_workers=parallel)


@xfer.command("execute", context_settings=HELP)
@click.argument("db")
@click.option("--progress", is_flag=True, help="Show a progress bar.")
@click.option("--lease-msec", type=click.IntRange(min=0), default=0, show_default=True,
              help="Lease each block for this long (for several executors on one journal; "
                   "an expired lease goes back to the pool). 0: one executor.")
@click.option("-b", "--block-size", type=click.IntRange(min=1), default=200, show_default=True,
              help="Keys leased and marked done at a time (also the files in flight).")
@dask_option
@plot_option
@summary_option
@click.pass_context
def execute(ctx: click.Context, db: str, progress: bool, lease_msec: int,
            block_size: int, dask_address: str | None, plot_file: str | None,
            summary: bool) -> None:
    """(2) Copy what the journal DB says is not done yet.

    Safe to run again after any failure, and by several processes at once (with
    --lease-msec). With -p N, blocks run in N processes; with --dask, on a Dask cluster.
    Files that fail stay pending: the exit code is then 1 and running execute again
    retries them.
    """
    shown = transfer_report("xfer execute", plot_file, summary, progress)
    with _reported("execute"), ResumableTransfer(db, lease_msec,
                                                 **_cloudfiles_options(ctx)) as job, \
            dask_executor_or_none(dask_address) as on_dask:
        executor = on_dask or _parallel_executor(ctx, job)
        try:
            report = job.run(progress, block_size, executor, shown.recorder.record)
        finally:
            if executor is not None and on_dask is None:
                executor.shutdown()
    shown.finish()
    if report.stopped is not None:
        raise CliError(f"xfer execute: {stopped_message(report)}")
    if report.status is not None and report.status.leased.files:
        click.echo(f"cloudfiles: xfer execute: {report.status.leased.files} key(s) are leased "
                   "by other executors; they return to the pool if their leases end.",
                   err=True)
    failures = Failures("xfer execute")
    for key, error in report.failures.items():
        failures.add(child(report.status.spec.source, key), error)
    failures.attempted = report.copied + len(report.failures)
    if report.failures:
        click.echo("cloudfiles: xfer execute: failed files stay pending; run execute again "
                   "to retry them.", err=True)
    failures.raise_if_any()


def _row(name: str, tally: Tally, total: Tally, sizes_known: bool) -> str:
    share = f"{100 * tally.files / total.files:5.1f}%" if total.files else "     -"
    size = human_size(tally.bytes) if sizes_known else "?"
    return f"{name:<8} {tally.files:>12,} files {share}  {size:>7} bytes"


def describe_status(status: JournalStatus) -> str:
    """The lines `xfer status` prints."""
    total = status.total
    known = status.unknown_sizes < total.files
    lines = [f"source   {status.spec.source}", f"dest     {status.spec.dest}",
             f"encoding {status.spec.encoding}"]
    lines += [_row(name, tally, total, known) for name, tally in (
        ("done", status.done), ("leased", status.leased), ("pending", status.pending),
        ("total", total))]
    if status.unknown_sizes:
        lines.append(f"({status.unknown_sizes:,} file(s) of unknown size: their source "
                     "listing gave no sizes, so they are in no byte count)")
    return "\n".join(lines)


@xfer.command("status", context_settings=HELP)
@click.argument("db")
def status(db: str) -> None:
    """(3) Print how many keys (and bytes) are done, leased and pending."""
    with _reported("status"), ResumableTransfer(db) as job:
        click.echo(describe_status(job.status()))
