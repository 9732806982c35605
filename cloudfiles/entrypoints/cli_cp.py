"""`cloudfiles cp` and `cloudfiles mv`: bulk copies through CloudFiles.transfer_results."""
from __future__ import annotations

import os
import sys
from collections.abc import Sized
from concurrent.futures import Executor

import attrs
import click

from ..app.transfer import MissingSourceError
from ..domain.errors import BatchError
from ..domain.targets import Target, child
from .cli_common import (
    Counted,
    Failures,
    exists_as_dir,
    no_sign_request_option,
    open_files,
    parallel_of,
    parse,
    read_stdin_paths,
)
from .cli_plan import STDOUT, CopyJob, CopyPlan, dest_key, plan_copies, source_key
from .cli_report import TransferReport, plot_option, summary_option, transfer_report
from .dask_executor import dask_executor_or_none, dask_option

COMPRESSIONS = ("same", "none", "gzip", "br", "zstd")


def _reencode(compression: str) -> str | None:
    """transfer_to's reencode for a -c value: None keeps the stored bytes as they are."""
    return None if compression == "same" else compression


def _explain_missing(job: CopyJob, errors: dict[str, BaseException],
                     failures: Failures) -> None:
    """Record a job's failures, saying 'is a directory' for single sources that are one."""
    for key, cause in errors.items():
        path = child(job.source, key)
        if not job.tree and isinstance(cause, MissingSourceError) \
                and exists_as_dir(Target(path, job.source, key), job.no_sign_request):
            cause = IsADirectoryError("is a directory (not copied; use -r to copy directories)")
        failures.add(path, cause)


def run_job(job: CopyJob, failures: Failures, parallel: int, progress: bool,
            block_size: int, reencode: str | None, keep: bool = False,
            executor: Executor | None = None, report: TransferReport | None = None) -> list:
    """Copy one job's files (on `executor` when given), its results watched by `report`;
    returns the items copied when `keep` (for mv)."""
    items = Counted(job.items, keep=keep)
    total = len(job.items) if isinstance(job.items, Sized) else None  # a listing stays lazy
    source = job.open_source(parallel=parallel, progress=progress)
    dest = open_files(job.dest, parallel=parallel, progress=progress)
    results = source.transfer_results(dest, paths=items, block_size=block_size,
                                      reencode=reencode, progress=progress, total=total,
                                      executor=executor)
    if report is not None:
        results = report.watch(results)
    try:
        errors = {r["path"]: r["error"] for r in results if r["error"] is not None}
    finally:
        failures.attempted += items.count
    _explain_missing(job, errors, failures)
    return [item for item in items.kept or [] if source_key(item) not in errors]


def write_to_stdout(job: CopyJob, failures: Failures) -> None:
    """Write the decoded content of each file of a job to stdout, in order."""
    out = sys.stdout.buffer
    source = job.open_source()
    for item in job.items:
        key = source_key(item)
        failures.attempted += 1
        content = source.get(key)
        if content is None:
            failures.add(child(job.source, key), MissingSourceError(key))
            continue
        out.write(content)
    out.flush()


def _failures_of(command: str, plan: CopyPlan) -> Failures:
    """The failures of a command, starting with the sources its plan refused."""
    failures = Failures(command)
    for path, error in plan.refused.items():
        failures.add(path, error)
    failures.attempted += len(plan.refused)
    return failures


def _stdin_for(sources: tuple[str, ...]) -> list[str] | None:
    return read_stdin_paths() if "-" in sources else None


def _transfer_options(command):
    """The options and arguments cp and mv share."""
    for decorator in reversed((
        click.option("--progress", is_flag=True, help="Show a progress bar."),
        no_sign_request_option,
        click.option("-b", "--block-size", default=128, show_default=True,
                     help="Files in flight at once (bounds memory)."),
        click.argument("sources", nargs=-1, required=True),
        click.argument("dest", nargs=1),
        click.pass_context,
    )):
        command = decorator(command)
    return command


@click.command()
@click.option("-r", "--recursive", is_flag=True, help="Copy directories and what they hold.")
@click.option("-c", "--compression", type=click.Choice(COMPRESSIONS, case_sensitive=False),
              default="same", show_default=True,
              help="Encoding at the destination; 'same' copies stored bytes untouched, "
                   "'none' decompresses.")
@dask_option
@plot_option
@summary_option
@_transfer_options
def cp(ctx: click.Context, recursive: bool, compression: str, dask_address: str | None,
       plot_file: str | None, summary: bool, progress: bool, no_sign_request: bool,
       block_size: int, sources: tuple[str, ...], dest: str) -> None:
    """Copy files and directories.

    '-' as a source reads paths from stdin; DEST '-' writes the contents to stdout.
    Local files get .gz/.br/.zstd suffixes per their encoding; cloud objects get a
    Content-Encoding. Files go into DEST when it ends in '/', is an existing directory or
    several sources are given. `cp -r src dest` copies src into dest/src when dest is an
    existing directory (a cloud prefix holding objects), else makes dest the copy of src.
    Sources may be globs: `*`, `?`, `[...]` within a name, `**` across '/';
    `cp 'src/*' dest` copies the files of src (with -r its sub-directories too) into dest.
    --dask ADDRESS runs the copies on a Dask cluster (tasks carry blocks of names; workers
    read and write the files themselves). --summary, --progress or --plot end with a line
    of files, bytes, seconds, MB/s and errors on stderr.
    """
    plan = plan_copies(sources, dest, recursive, _stdin_for(sources), no_sign_request)
    failures = _failures_of("cp", plan)
    if dest == STDOUT:
        for job in plan.jobs:
            write_to_stdout(job, failures)
        failures.raise_if_any()
        return
    report = transfer_report("cp", plot_file, summary, progress)
    with dask_executor_or_none(dask_address) as executor:
        for job in plan.jobs:
            run_job(job, failures, parallel_of(ctx), progress, block_size,
                    _reencode(compression.lower()), executor=executor, report=report)
    report.finish()
    failures.raise_if_any()


def prune_local_dirs(cloudpath: str) -> None:
    """Remove the empty directories left at and below a local directory that was moved."""
    epath = parse(cloudpath)
    if epath.protocol != "file" or not os.path.isdir(epath.path):
        return
    for directory, _, _ in os.walk(epath.path, topdown=False):
        try:
            os.rmdir(directory)
        except OSError:
            pass  # not empty: something else lives there


@click.command()
@click.option("-r", "--recursive", is_flag=True,
              help="Accepted as in cp; mv always moves directories whole.")
@_transfer_options
def mv(ctx: click.Context, recursive: bool, progress: bool, no_sign_request: bool,
       block_size: int, sources: tuple[str, ...], dest: str) -> None:
    """Move files and directories.

    Copies, then deletes each source that was copied. Directories move whole (with or
    without -r) and leave no empty local directory behind; names and globs follow the
    rules of cp -r. Stored bytes move untouched.
    """
    if dest == STDOUT:
        raise click.UsageError("mv cannot move files to stdout; use cp or cat.")
    parallel = parallel_of(ctx)
    plan = plan_copies(sources, dest, True, _stdin_for(sources), no_sign_request)
    failures = _failures_of("mv", plan)
    for job in plan.jobs:
        items = list(job.items)
        same = [item for item in items
                if child(job.source, source_key(item)) == child(job.dest, dest_key(item))]
        for item in same:
            failures.add(child(job.source, source_key(item)),
                         ValueError("source and destination are the same file"))
        job = attrs.evolve(job, items=[item for item in items if item not in same])
        copied = run_job(job, failures, parallel, progress, block_size, None, keep=True)
        try:
            job.open_source(parallel=parallel, progress=progress).delete(
                [source_key(item) for item in copied])
        except BatchError as error:
            failures.add_batch(job.source, error)
        for directory in job.directories:
            prune_local_dirs(child(job.source, directory.rstrip("/")))
    failures.raise_if_any()
