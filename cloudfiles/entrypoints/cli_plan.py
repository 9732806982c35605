"""Plans of `cp` and `mv`: which files go from which directory to which, under which names.

Naming follows POSIX cp: a trailing '/' on DEST, an existing directory or several sources
mean "into this directory" for files; `cp -r src dest` copies src into dest/src when dest
is an existing directory (for cloud paths: the prefix dest/ holds an object) and makes dest
the copy of src otherwise. A glob source copies what it matches into DEST, under the
names they have below the glob's fixed directory (`cp 'd/**' out` gives out/sub/f).
"""
from __future__ import annotations

import os
from collections.abc import Collection, Iterable
from functools import cache
from typing import Any

from attrs import field, frozen

from ..domain.globs import Glob, NoMatchError
from ..domain.targets import child, common_directories, name_of
from .cli_common import CliError, exists_as_dir, open_files, parse, target_of
from .cli_globs import glob_in, glob_path, nonempty, selected_keys
from .cloudfiles import CloudFiles

STDOUT = "-"


@frozen
class CopyJob:
    """Files of one source directory going to one destination directory.

    `items` are keys (same name at both ends) or {'path', 'dest_path'} dicts, as
    CloudFiles.transfer_to takes them; a directory's listing stays lazy. `tree` marks
    items found by listing; `directories` are the directories (relative, '' for the source
    itself, 'sub/' below it) taken whole, filled in as the listing goes.
    """

    source: str
    dest: str
    items: Iterable[Any]
    tree: bool = False
    directories: Collection[str] = ()
    no_sign_request: bool = False

    def open_source(self, **options: Any) -> CloudFiles:
        """The CloudFiles of the source directory."""
        return open_files(self.source, self.no_sign_request, **options)


@frozen
class CopyPlan:
    """Jobs to run, and sources refused up front as {path: error}."""

    jobs: list[CopyJob]
    refused: dict[str, BaseException] = field(factory=dict)


def source_key(item: Any) -> str:
    """The source key of a job item."""
    return item if isinstance(item, str) else item["path"]


def dest_key(item: Any) -> str:
    """The destination key of a job item."""
    return item if isinstance(item, str) else item["dest_path"]


def _listed_before_writing(items: Iterable[Any], source: str, dest: str) -> Iterable[Any]:
    """The items, listed in full first when dest lies in source (cp -r d/ d/sub/)."""
    inside = source.rstrip("/") + "/"
    return list(items) if dest == source or dest.startswith(inside) else items


def _stdin_jobs(lines: list[str], dest: str, recursive: bool,
                no_sign_request: bool) -> list[CopyJob]:
    """Paths read from stdin, named at DEST relative to their deepest common directory."""
    files = []
    for line in lines:
        target = target_of(line)
        if not target.is_dir:
            files.append(parse(target.cloudpath))
        elif recursive:
            files.extend(parse(child(target.cloudpath, key))
                         for key in open_files(target.cloudpath, no_sign_request).list())
    return [CopyJob(directory, dest, [{"path": key, "dest_path": key} for key in keys],
                    no_sign_request=no_sign_request)
            for directory, keys in common_directories(files)]


def _glob_job(glob: Glob, dest: str, recursive: bool, no_sign_request: bool) -> CopyJob | None:
    """The job copying what a glob matches into dest; None when it matches nothing."""
    directories: set[str] = set()
    cf = open_files(glob.directory, no_sign_request)
    items = nonempty(selected_keys(glob, cf, recursive, directories))
    if items is None:
        return None
    return CopyJob(glob.directory, dest, _listed_before_writing(items, glob.directory, dest),
                   tree=True, directories=directories, no_sign_request=no_sign_request)


def plan_copies(sources: Iterable[str], dest_text: str, recursive: bool,
                stdin_lines: list[str] | None = None,
                no_sign_request: bool = False) -> CopyPlan:
    """The jobs copying `sources` to `dest_text` ('-' in sources: the stdin_lines)."""
    sources = list(sources)
    globs = {text: glob_in(text) for text in sources if text != "-"}
    many = len(sources) > 1 or "-" in sources or any(globs.values())
    to_stdout = dest_text == STDOUT
    dest = None if to_stdout else target_of(dest_text)
    dest_dir = "" if to_stdout else dest.cloudpath
    dest_exists = cache(lambda: exists_as_dir(dest))
    if not to_stdout and many and not dest.is_dir:
        epath = parse(dest.cloudpath)
        if epath.protocol == "file" and os.path.exists(epath.path) and not dest_exists():
            raise CliError(f"{dest.cloudpath} is not a directory (several sources or a glob given).")
    files_into_dest = to_stdout or many or dest.is_dir or dest_exists()
    jobs: list[CopyJob] = []
    singles: dict[tuple[str, str], list[Any]] = {}
    refused: dict[str, BaseException] = {}
    for text in sources:
        if text == "-":
            jobs.extend(_stdin_jobs(stdin_lines or [], dest_dir, recursive, no_sign_request))
            continue
        glob = globs[text]
        if glob is not None:
            job = _glob_job(glob, dest_dir, recursive, no_sign_request)
            if job is None:
                refused[glob_path(glob)] = NoMatchError(text)
            else:
                jobs.append(job)
            continue
        source = target_of(text)
        if recursive and (source.is_dir or exists_as_dir(source, no_sign_request)):
            into = dest_dir
            if not to_stdout and (many or dest_exists()):
                into = child(dest_dir, name_of(parse(source.cloudpath)))
            tree = open_files(source.cloudpath, no_sign_request).list()
            jobs.append(CopyJob(source.cloudpath, into,
                                _listed_before_writing(tree, source.cloudpath, into),
                                tree=True, directories=("",), no_sign_request=no_sign_request))
        elif source.is_dir:
            refused[source.cloudpath] = IsADirectoryError(
                "is a directory (not copied; use -r to copy directories)")
        elif files_into_dest:
            singles.setdefault((source.directory, dest_dir), []).append(
                {"path": source.name, "dest_path": source.name})
        else:
            singles.setdefault((source.directory, dest.directory), []).append(
                {"path": source.name, "dest_path": dest.name})
    jobs.extend(CopyJob(src, dst, items, no_sign_request=no_sign_request)
                for (src, dst), items in singles.items())
    return CopyPlan(jobs, refused)
