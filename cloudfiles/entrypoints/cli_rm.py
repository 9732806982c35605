"""`cloudfiles rm`: delete files, or whole directories with -r."""
from __future__ import annotations

import itertools
import os

import click

from ..domain.errors import BatchError
from ..domain.listing import as_directory
from ..domain.targets import split_target
from .cli_common import Failures, by_directory, expand_stdin, parallel_of, parse, target_of
from .cloudfiles import CloudFiles


def prune_local_dirs(cloudpath: str) -> None:
    """Remove the empty directories left at and below a local directory (object stores have
    no empty directories; a removed or moved local tree should not leave them either)."""
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
              help="Also delete everything under each path taken as a directory.")
@click.option("--progress", is_flag=True, help="Show a progress bar.")
@click.argument("paths", nargs=-1, required=True)
@click.pass_context
def rm(ctx: click.Context, recursive: bool, progress: bool, paths: tuple[str, ...]) -> None:
    """Delete files, or directories with -r.

    '-' alone reads the paths from stdin.
    With -r, `rm -r gs://b/test` deletes the file `test` and everything under `test/`,
    never `test2/...`. Missing files are not an error.
    """
    failures = Failures("rm")
    parallel = parallel_of(ctx)
    singles = []
    for path in expand_stdin(paths):
        # by spelling only: `rm -r dir` also removes a key 'dir' (a local dir.gz) beside dir/
        target = target_of(path) if not recursive else split_target(parse(path))
        if not recursive:
            if target.is_dir:
                failures.add(target.cloudpath, IsADirectoryError(
                    "is a directory (not removed; use -r to remove directories)"))
            else:
                singles.append(target)
            continue
        cf = CloudFiles(target.directory, parallel=parallel, progress=progress)
        under = cf.list(prefix=as_directory(target.name))
        keys = itertools.chain(under, [target.name]) if target.name else under
        _delete(cf, target.directory, keys, failures)
        prune_local_dirs(target.cloudpath)
    for directory, targets in by_directory(singles).items():
        cf = CloudFiles(directory, parallel=parallel, progress=progress)
        _delete(cf, directory, [target.name for target in targets], failures)
    failures.raise_if_any()


def _delete(cf: CloudFiles, directory: str, keys, failures: Failures) -> None:
    counted = keys if isinstance(keys, list) else list(keys)
    failures.attempted += len(counted)
    try:
        cf.delete(counted)
    except BatchError as error:
        failures.add_batch(directory, error)
