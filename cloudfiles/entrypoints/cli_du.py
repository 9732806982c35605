"""`cloudfiles du`: sizes of files as stored (encoded bytes), per file, per argument, in total."""
from __future__ import annotations

import click

from ..domain.globs import NoMatchError
from ..domain.humanize import human_size
from ..domain.targets import child
from .cli_common import Failures, open_files, target_of
from .cli_globs import glob_in, selected_keys


def _stored_sizes(directory: str, keys: list[str], progress: bool = False) -> dict[str, int]:
    """{full cloud path: stored size} of the keys under a directory, sorted by key."""
    found = open_files(directory).size(keys, progress=progress) if keys else {}
    return {child(directory, key): size or 0 for key, size in sorted(found.items())}


def sizes(path: str, progress: bool = False) -> dict[str, int]:
    """{full cloud path: stored size} of a file, of every file under a directory, or of
    every file a glob picks (all of each directory it matches); progress: a bar counting
    the files whose size is asked, out of their number.

    Raises FileNotFoundError when nothing exists there, NoMatchError for an empty glob.
    """
    glob = glob_in(path)
    if glob is not None:
        keys = selected_keys(glob, open_files(glob.directory), recursive=True)
        found = _stored_sizes(glob.directory, list(keys), progress)
        if not found:
            raise NoMatchError(path)
        return found
    target = target_of(path)
    if not target.is_dir:
        size = open_files(target.directory).size(target.name)
        if size is not None:
            return {target.cloudpath: size}
    found = _stored_sizes(target.cloudpath, list(open_files(target.cloudpath).list()),
                          progress)
    if not found:
        raise FileNotFoundError(path)
    return found


@click.command()
@click.option("-s", "--summarize", is_flag=True, help="One total per argument.")
@click.option("-h", "--human-readable", is_flag=True, help="Sizes like 1.5K, 20M, 3.0G.")
@click.option("-c", "--total", "grand_total", is_flag=True, help="Add a grand total line.")
@click.option("--progress", is_flag=True, help="Show a progress bar per directory or glob.")
@click.argument("paths", nargs=-1, required=True)
def du(summarize: bool, human_readable: bool, grand_total: bool, progress: bool,
       paths: tuple[str, ...]) -> None:
    """Show stored sizes of files and directories.

    Sizes are in bytes as stored (compressed files count compressed); -h for 1.5K, 20M.
    Globs count the files they match and everything under the directories they match.
    """
    show = human_size if human_readable else str
    failures = Failures("du")
    total = 0
    for path in paths:
        failures.attempted += 1
        try:
            found = sizes(path, progress)
        except (FileNotFoundError, NoMatchError) as error:
            failures.add(path, error)
            continue
        subtotal = sum(found.values())
        total += subtotal
        if summarize:
            click.echo(f"{show(subtotal)}\t{path}")
        else:
            click.echo("\n".join(f"{show(size)}\t{name}" for name, size in found.items()))
    if grand_total:
        click.echo(f"{show(total)}\ttotal")
    failures.raise_if_any()
