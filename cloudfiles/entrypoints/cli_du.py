"""`cloudfiles du`: sizes of files as stored (encoded bytes), per file, per argument, in total."""
from __future__ import annotations

import click

from ..domain.humanize import human_size
from ..domain.targets import child
from .cli_common import Failures, target_of
from .cloudfiles import CloudFiles


def sizes(path: str) -> dict[str, int] | None:
    """{full cloud path: stored size} of a file or of every file under a directory;
    None when nothing exists there."""
    target = target_of(path)
    if not target.is_dir:
        size = CloudFiles(target.directory).size(target.name)
        if size is not None:
            return {target.cloudpath: size}
    cf = CloudFiles(target.cloudpath)
    found = cf.size(list(cf.list()))
    if not found:
        return None
    return {child(target.cloudpath, key): size or 0 for key, size in sorted(found.items())}


@click.command()
@click.option("-s", "--summarize", is_flag=True, help="One total per argument.")
@click.option("-h", "--human-readable", is_flag=True, help="Sizes like 1.5K, 20M, 3.0G.")
@click.option("-c", "--total", "grand_total", is_flag=True, help="Add a grand total line.")
@click.argument("paths", nargs=-1, required=True)
def du(summarize: bool, human_readable: bool, grand_total: bool, paths: tuple[str, ...]) -> None:
    """Show stored sizes of files and directories.

    Sizes are in bytes as stored (compressed files count compressed); -h for 1.5K, 20M.
    """
    show = human_size if human_readable else str
    failures = Failures("du")
    total = 0
    for path in paths:
        failures.attempted += 1
        found = sizes(path)
        if found is None:
            failures.add(path, FileNotFoundError(path))
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
