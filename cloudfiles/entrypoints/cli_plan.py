"""Plans of `cp` and `mv`: which files go from which directory to which, under which names.

Naming follows cp and rsync: a trailing '/' on DEST (or an existing directory, or several
sources) means "into this directory"; `cp -r src/ dest` copies what is under src into dest,
`cp -r src dest/` copies it into dest/src, `cp -r src new` makes `new` the copy of src.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from attrs import field, frozen

from ..domain.targets import Target, child, common_directories, split_target
from .cli_common import CliError, exists_as_dir, parse, spelled_as_dir, target_of
from .cloudfiles import CloudFiles

STDOUT = "-"


@frozen
class CopyJob:
    """Files of one source directory going to one destination directory.

    `items` are keys (same name at both ends) or {'path', 'dest_path'} dicts, as
    CloudFiles.transfer_to takes them; a directory's listing stays lazy.
    """

    source: str
    dest: str
    items: Iterable[Any]
    tree: bool = False


@frozen
class CopyPlan:
    """Jobs to run, and sources refused up front as {path: reason}."""

    jobs: list[CopyJob]
    refused: dict[str, str] = field(factory=dict)


def source_key(item: Any) -> str:
    """The source key of a job item."""
    return item if isinstance(item, str) else item["path"]


def dest_key(item: Any) -> str:
    """The destination key of a job item."""
    return item if isinstance(item, str) else item["dest_path"]


def _basename(target: Target) -> str:
    return split_target(parse(target.cloudpath)).name


def _dest_is_dir(dest: Target, many: bool) -> bool:
    if dest.is_dir:
        return True
    if many:
        epath = parse(dest.cloudpath)
        if epath.protocol == "file" and os.path.exists(epath.path):
            raise CliError(f"{dest.cloudpath} is not a directory (several sources given).")
        return True
    return exists_as_dir(dest)


def _stdin_jobs(lines: list[str], dest: str, recursive: bool) -> list[CopyJob]:
    """Paths read from stdin, named at DEST relative to their deepest common directory."""
    files = []
    for line in lines:
        target = target_of(line)
        if not target.is_dir:
            files.append(parse(target.cloudpath))
        elif recursive:
            files.extend(parse(child(target.cloudpath, key))
                         for key in CloudFiles(target.cloudpath).list())
    return [CopyJob(directory, dest, [{"path": key, "dest_path": key} for key in keys])
            for directory, keys in common_directories(files)]


def plan_copies(sources: Iterable[str], dest_text: str, recursive: bool,
                stdin_lines: list[str] | None = None) -> CopyPlan:
    """The jobs copying `sources` to `dest_text` ('-' in sources: the stdin_lines)."""
    sources = list(sources)
    many = len(sources) > 1 or "-" in sources
    to_stdout = dest_text == STDOUT
    dest = None if to_stdout else target_of(dest_text)
    dest_is_dir = to_stdout or _dest_is_dir(dest, many)
    jobs: list[CopyJob] = []
    singles: dict[tuple[str, str], list[Any]] = {}
    refused: dict[str, str] = {}
    for text in sources:
        if text == "-":
            jobs.extend(_stdin_jobs(stdin_lines or [], "" if to_stdout else dest.cloudpath,
                                    recursive))
            continue
        source = target_of(text)
        if recursive and (source.is_dir or exists_as_dir(source)):
            into = dest_is_dir and not spelled_as_dir(text) and not to_stdout
            dest_dir = "" if to_stdout else dest.cloudpath
            if into:
                dest_dir = child(dest_dir, _basename(source))
            tree = CloudFiles(source.cloudpath).list()
            inside = source.cloudpath.rstrip("/") + "/"
            if dest_dir == source.cloudpath or dest_dir.startswith(inside):
                tree = list(tree)  # list it all before writing into it (cp -r d/ d/sub/)
            jobs.append(CopyJob(source.cloudpath, dest_dir, tree, tree=True))
        elif source.is_dir:
            refused[source.cloudpath] = "is a directory (not copied; use -r to copy directories)"
        elif dest_is_dir:
            directory = "" if to_stdout else dest.cloudpath
            singles.setdefault((source.directory, directory), []).append(
                {"path": source.name, "dest_path": source.name})
        else:
            singles.setdefault((source.directory, dest.directory), []).append(
                {"path": source.name, "dest_path": dest.name})
    jobs.extend(CopyJob(src, dst, items) for (src, dst), items in singles.items())
    return CopyPlan(jobs, refused)
