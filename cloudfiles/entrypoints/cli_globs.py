"""Globs on the command line: list through a glob's fixed prefix, keep what its pattern picks.

Matching is cloudfiles.domain.globs; here are the listings. Patterns that stay within one
level list one level (`flat`), others list everything under the fixed prefix.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from ..domain.globs import Glob, glob_of
from ..domain.targets import child
from .cli_common import parse
from .cloudfiles import CloudFiles


def glob_in(text: str) -> Glob | None:
    """The glob a command line path spells, or None for a plain path."""
    return glob_of(parse(text))


def glob_path(glob: Glob) -> str:
    """The glob as a full cloud path, for messages."""
    return child(glob.directory, glob.pattern)


def selected_keys(glob: Glob, cf: CloudFiles, recursive: bool,
                  directories: set[str] | None = None) -> Iterator[str]:
    """Keys (relative to the glob's directory, which `cf` is opened on) of the files the glob
    matches and, when recursive, of every file under a directory it matches.

    The matched directories ('dir/') are added to `directories` as they are met.
    """
    for entry in cf.list(prefix=glob.prefix, flat=glob.flat, dirs=recursive):
        found = glob.match(entry)
        if found is None:
            continue
        if not found.endswith("/"):
            yield entry
        elif recursive:
            if directories is not None:
                directories.add(found)
            yield from cf.list(prefix=found) if glob.flat else [entry]


def nonempty(items: Iterable[Any]) -> Iterator[Any] | None:
    """The items, still lazy, or None when there are none (only the first is fetched)."""
    iterator = iter(items)
    for first in iterator:
        return itertools.chain([first], iterator)
    return None
