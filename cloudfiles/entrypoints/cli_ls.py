"""`cloudfiles ls`: list files under directories, starting with a name prefix, or matching globs."""
from __future__ import annotations

from collections.abc import Iterator

import click

from ..domain.expressions import expand
from ..domain.globs import NoMatchError
from ..domain.targets import child
from .cli_common import open_files, target_of
from .cli_globs import glob_in, selected_keys

#: Lines are printed in blocks of this many, so a huge listing starts showing at once.
BLOCK = 1000


def listing(path: str, flat: bool = False, shortpath: bool = False) -> Iterator[str]:
    """Lines `ls` prints for one path: a directory's files, files starting with its name,
    or the files a glob matches."""
    glob = glob_in(path)
    if glob is not None:
        directory = glob.directory
        keys = selected_keys(glob, open_files(directory), recursive=False)
    else:
        target = target_of(path)
        directory = target.directory
        keys = open_files(directory).list(prefix=target.name, flat=flat)
    if shortpath:
        return iter(keys)
    return (child(directory, key) for key in keys)


def _echo(lines: Iterator[str]) -> int:
    """Print the lines in blocks; returns how many were printed."""
    count = 0
    while block := [line for _, line in zip(range(BLOCK), lines)]:
        click.echo("\n".join(block))
        count += len(block)
    return count


@click.command()
@click.option("--flat", is_flag=True, help="Only the files of one level of the hierarchy.")
@click.option("--shortpath", is_flag=True,
              help="Print paths relative to the listed directory instead of full cloud paths.")
@click.option("-e", "--expr", is_flag=True,
              help="Expand generative expressions: prefix[ab] lists prefixa and prefixb.")
@click.argument("paths", nargs=-1, required=True)
@click.pass_context
def ls(ctx: click.Context, flat: bool, shortpath: bool, expr: bool,
       paths: tuple[str, ...]) -> None:
    """List files recursively (or the files of one level with --flat).

    A path ending in '/', a bucket or an existing local directory lists that directory;
    any other path lists the files whose names start with its last part
    (`ls gs://b/dir/pre` lists gs://b/dir/pre*). Globs list the files they match:
    `*`, `?` and `[...]` within one name, `**` across '/' (`ls 'gs://b/dir/*'`: the files
    of dir, `ls 'gs://b/dir/**'`: every file below dir). A glob that matches nothing is an
    error.
    """
    unmatched = False
    for path in paths:
        expanded = list(expand(path)) if expr else [path]
        printed = sum(_echo(listing(each, flat, shortpath)) for each in expanded)
        if not printed and any(glob_in(each) is not None for each in expanded):
            click.echo(f"cloudfiles: ls: {path}: {NoMatchError(path)}", err=True)
            unmatched = True
    if unmatched:
        ctx.exit(1)
