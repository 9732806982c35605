"""`cloudfiles ls`: list files under directories or starting with a name prefix."""
from __future__ import annotations

from collections.abc import Iterator

import click

from ..domain.expressions import expand
from ..domain.targets import child
from .cli_common import target_of
from .cloudfiles import CloudFiles


def listing(path: str, flat: bool = False, shortpath: bool = False) -> Iterator[str]:
    """Lines `ls` prints for one path: a directory's files, or files starting with its name."""
    target = target_of(path)
    keys = CloudFiles(target.directory).list(prefix=target.name, flat=flat)
    if shortpath:
        return iter(keys)
    return (child(target.directory, key) for key in keys)


@click.command()
@click.option("--flat", is_flag=True, help="Only one level of the hierarchy (sub-dirs end in '/').")
@click.option("--shortpath", is_flag=True,
              help="Print paths relative to the listed directory instead of full cloud paths.")
@click.option("-e", "--expr", is_flag=True,
              help="Expand generative expressions: prefix[ab] lists prefixa and prefixb.")
@click.argument("paths", nargs=-1, required=True)
def ls(flat: bool, shortpath: bool, expr: bool, paths: tuple[str, ...]) -> None:
    """List files recursively (or one level with --flat).

    A path ending in '/', a bucket or an existing local directory lists that directory;
    any other path lists the files whose names start with its last part
    (`ls gs://b/dir/pre` lists gs://b/dir/pre*).
    """
    for path in paths:
        for expanded in expand(path) if expr else [path]:
            lines = listing(expanded, flat, shortpath)
            while block := [line for _, line in zip(range(1000), lines)]:
                click.echo("\n".join(block))
