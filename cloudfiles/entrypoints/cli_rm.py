"""`cloudfiles rm`: delete files, whole directories with -r, or what globs match."""
from __future__ import annotations

import itertools

import click

from ..domain.errors import BatchError
from ..domain.globs import NoMatchError
from ..domain.listing import as_directory
from ..domain.targets import split_target
from .cli_common import (
    Failures,
    by_directory,
    expand_stdin,
    open_files,
    parallel_of,
    parse,
    target_of,
)
from .cli_globs import glob_in, glob_path, nonempty, selected_keys
from .cloudfiles import CloudFiles


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
    never `test2/...`; a local directory itself stays, emptied. Without -r, a directory
    among the paths (a local one, or a path ending in '/') is named and nothing is deleted.
    Globs delete the files they match (with -r, also what is under the directories they
    match); one that matches nothing is an error. Missing files are not an error.
    """
    paths = expand_stdin(paths)
    globs = {path: glob_in(path) for path in paths}
    if not recursive:
        directories = [path for path in paths if globs[path] is None and target_of(path).is_dir]
        for path in directories:
            click.echo(f"cloudfiles: {path}: is a directory.")
        if directories:
            return
    failures = Failures("rm")
    parallel = parallel_of(ctx)
    singles = []
    for path in paths:
        glob = globs[path]
        if glob is not None:
            cf = open_files(glob.directory, parallel=parallel, progress=progress)
            keys = nonempty(selected_keys(glob, cf, recursive))
            if keys is None:
                failures.attempted += 1
                failures.add(glob_path(glob), NoMatchError(path))
            else:
                _delete(cf, glob.directory, keys, failures)
        elif recursive:
            # by spelling only: `rm -r dir` also removes a key 'dir' (a local dir.gz) beside dir/
            target = split_target(parse(path))
            cf = open_files(target.directory, parallel=parallel, progress=progress)
            under = cf.list(prefix=as_directory(target.name))
            keys = itertools.chain(under, [target.name]) if target.name else under
            _delete(cf, target.directory, keys, failures)
        else:
            singles.append(target_of(path))
    for directory, targets in by_directory(singles).items():
        cf = open_files(directory, parallel=parallel, progress=progress)
        _delete(cf, directory, [target.name for target in targets], failures)
    failures.raise_if_any()


def _delete(cf: CloudFiles, directory: str, keys, failures: Failures) -> None:
    counted = keys if isinstance(keys, list) else list(keys)
    failures.attempted += len(counted)
    try:
        cf.delete(counted)
    except BatchError as error:
        failures.add_batch(directory, error)
