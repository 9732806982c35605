"""`cloudfiles cp` and `cloudfiles mv`: bulk copies through CloudFiles.transfer_to."""
from __future__ import annotations

import os
import sys
from collections.abc import Sized

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

COMPRESSIONS = ("same", "none", "gzip", "br", "zstd")


def _reencode(compression: str) -> str | None:
    """transfer_to's reencode for a -c value: None keeps the stored bytes as they are."""
    return None if compression == "same" else compression


def _explain_missing(job: CopyJob, error: BatchError, failures: Failures) -> None:
    """Record a job's failures, saying 'is a directory' for single sources that are one."""
    for key, cause in error.errors.items():
        path = child(job.source, key)
        if not job.tree and isinstance(cause, MissingSourceError) \
                and exists_as_dir(Target(path, job.source, key), job.no_sign_request):
            cause = IsADirectoryError("is a directory (not copied; use -r to copy directories)")
        failures.add(path, cause)


def run_job(job: CopyJob, failures: Failures, parallel: int, progress: bool,
            block_size: int, reencode: str | None, keep: bool = False) -> list:
    """Copy one job's files; returns the items copied when `keep` (for mv)."""
    items = Counted(job.items, keep=keep)
    total = len(job.items) if isinstance(job.items, Sized) else None  # a listing stays lazy
    source = job.open_source(parallel=parallel, progress=progress)
    dest = open_files(job.dest, parallel=parallel, progress=progress)
    failed: set[str] = set()
    try:
        source.transfer_to(dest, paths=items, block_size=block_size, reencode=reencode,
                           progress=progress, total=total)
    except BatchError as error:
        _explain_missing(job, error, failures)
        failed = set(error.errors)
    finally:
        failures.attempted += items.count
    return [item for item in items.kept or [] if source_key(item) not in failed]


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
@_transfer_options
def cp(ctx: click.Context, recursive: bool, compression: str, progress: bool,
       no_sign_request: bool, block_size: int, sources: tuple[str, ...], dest: str) -> None:
    """Copy files and directories.

    '-' as a source reads paths from stdin; DEST '-' writes the contents to stdout.
    Local files get .gz/.br/.zstd suffixes per their encoding; cloud objects get a
    Content-Encoding. Files go into DEST when it ends in '/', is an existing directory or
    several sources are given. `cp -r src dest` copies src into dest/src when dest is an
    existing directory (a cloud prefix holding objects), else makes dest the copy of src.
    Sources may be globs: `*`, `?`, `[...]` within a name, `**` across '/';
    `cp 'src/*' dest` copies the files of src (with -r its sub-directories too) into dest.
    """
    plan = plan_copies(sources, dest, recursive, _stdin_for(sources), no_sign_request)
    failures = _failures_of("cp", plan)
    for job in plan.jobs:
        if dest == STDOUT:
            write_to_stdout(job, failures)
        else:
            run_job(job, failures, parallel_of(ctx), progress, block_size,
                    _reencode(compression.lower()))
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
