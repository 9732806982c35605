"""verify and sync for programs: compare two files or two trees, and copy what differs.

Paths are cloud paths (plain paths are local files) or CloudFiles (taken as trees). A path
is a tree when it is spelled as one (a trailing '/', a bucket), is a local directory, or
names no object but a prefix holding objects; else it is a file. Two files are compared (or
synced) as one pair whatever their names; a file and a tree are refused.
"""
from __future__ import annotations

import os
from collections.abc import Callable

import attrs
from attrs import frozen

from ..app import sync as syncing
from ..app.compare import CompareOptions, Comparison, Side, compare
from ..app.sync import SyncReport
from ..domain.errors import CloudFilesError
from ..domain.targets import child, split_target
from .cloudfiles import CloudFiles
from .wiring import parse_path

Opener = Callable[[str], CloudFiles]


class NotComparableError(CloudFilesError, ValueError):
    """A file given with a directory (verify and sync take two files or two directories),
    or a sync between directories that hold one another."""


class SourceNotFoundError(CloudFilesError):
    """The source names no file and no directory."""


@frozen
class Located:
    """A path as verify and sync take it: kind is 'file', 'dir' or 'missing'."""

    cloudpath: str
    directory: str
    name: str
    kind: str
    files: CloudFiles  # opened on `directory`

    def side(self, label: str | None = None) -> Side:
        """The Side of this path (a file compares under `label`)."""
        if self.kind == "dir":
            return Side(self.files._store)
        return Side(self.files._store, self.name, label or self.name)


def locate(path: str | CloudFiles, opener: Opener = CloudFiles) -> Located:
    """Where a path is and whether it names a file, a directory or nothing."""
    if isinstance(path, CloudFiles):
        return Located(path.cloudpath, path.cloudpath, "", "dir", path)
    epath = parse_path(path)
    local_dir = epath.protocol == "file" and os.path.isdir(epath.path)
    target = split_target(epath, is_dir=local_dir)
    files = opener(target.directory)
    if target.is_dir:
        found = local_dir or files.isdir("")
        return Located(target.cloudpath, target.directory, "", "dir" if found else "missing",
                       files)
    is_file = files.exists(target.name)
    if not is_file and files.isdir(target.name):
        return Located(target.cloudpath, target.cloudpath, "", "dir", opener(target.cloudpath))
    return Located(target.cloudpath, target.directory, target.name,
                   "file" if is_file else "missing", files)


@frozen
class Pair:
    """Two located paths to compare: two files or two directories."""

    source: Located
    dest: Located

    @property
    def is_tree(self) -> bool:
        """Whether two directories are compared (else two files)."""
        return self.source.kind == "dir"

    def sides(self) -> tuple[Side, Side]:
        """The two Sides; two files compare under the source's name."""
        label = self.source.name or None
        return self.source.side(label), self.dest.side(label)

    def source_path(self, key: str) -> str:
        """The full cloud path of a compared key at the source."""
        return child(self.source.cloudpath, key) if self.is_tree else self.source.cloudpath

    def dest_path(self, key: str) -> str:
        """The full cloud path of a compared key at the destination."""
        return child(self.dest.cloudpath, key) if self.is_tree else self.dest.cloudpath


def pair_of(source: str | CloudFiles, dest: str | CloudFiles,
            opener: Opener = CloudFiles) -> Pair:
    """The Pair of two paths; `opener` opens a CloudFiles on a directory.

    A missing source is refused, as is a file with a directory. A missing destination is
    taken as the source is: a file, or an empty directory (also when spelled with '/').
    """
    found, there = locate(source, opener), locate(dest, opener)
    if found.kind == "missing":
        raise SourceNotFoundError(
            f"{found.cloudpath}: no such file or directory (nothing is stored there).")
    if there.kind == "missing":
        there = _as_missing(there, found.kind, opener)
    if there.kind != found.kind:
        raise NotComparableError(
            f"{found.cloudpath} is a {_kind_name(found.kind)} and {there.cloudpath} is a "
            f"{_kind_name(there.kind)}: give two files or two directories.")
    return Pair(found, there)


def _as_missing(there: Located, source_kind: str, opener: Opener) -> Located:
    """A missing destination as what it is to become: a directory when spelled as one
    (a trailing '/') or when the source is one, else a file."""
    if not there.name:
        return attrs.evolve(there, kind="dir")
    if source_kind == "dir":
        return Located(there.cloudpath, there.cloudpath, "", "dir", opener(there.cloudpath))
    return attrs.evolve(there, kind="file")


def _kind_name(kind: str) -> str:
    return "directory" if kind == "dir" else "file"


def compare_pair(pair: Pair, md5: bool = False, part_size: int | None = None) -> Comparison:
    """verify() of a located pair."""
    hints = () if part_size is None else (int(part_size),)
    return compare(*pair.sides(), CompareOptions(compute=md5, part_sizes=hints))


def sync_pair(pair: Pair, delete: bool = False, size_only: bool = False,
              dry_run: bool = False, progress: bool = False, block_size: int = 64,
              on_result: Callable[[dict], None] | None = None) -> SyncReport:
    """sync() of a located pair; on_result sees each copy's transfer result."""
    if pair.is_tree:
        _refuse_nested(pair.source.cloudpath, pair.dest.cloudpath)
    return syncing.sync(*pair.sides(), delete, size_only, dry_run, block_size, progress,
                        on_result)


def verify(source: str | CloudFiles, dest: str | CloudFiles, md5: bool = False,
           part_size: int | None = None) -> Comparison:
    """Compare two files or two trees: names, sizes, and the checksums storages state
    (S3 ETags, multipart ones included; GCS md5/crc32c).

    md5: compute md5 (or a multipart ETag) from stored bytes where no stated checksum
    decides; otherwise such pairs are `unchecked`. part_size: a multipart part size to try
    first. `Comparison.equal` tells whether both hold the same.
    """
    return compare_pair(pair_of(source, dest), md5, part_size)


def sync(source: str | CloudFiles, dest: str | CloudFiles, delete: bool = False,
         size_only: bool = False, dry_run: bool = False, progress: bool = False,
         block_size: int = 64) -> SyncReport:
    """Make dest hold what source holds: copy what is missing or different there (by
    checksum, md5 computed where none is stored; by size alone with size_only), keeping
    stored encodings; with delete, remove what only dest holds. dry_run changes nothing and
    reports the plan. Running it again right away copies nothing.
    """
    return sync_pair(pair_of(source, dest), delete, size_only, dry_run, progress, block_size)


def _refuse_nested(source: str, dest: str) -> None:
    """Refuse a sync between two different trees of which one holds the other: each run
    would copy the copy again, or --delete would remove the source."""
    inner = _holds(source, dest) or _holds(dest, source)
    if source.rstrip("/") != dest.rstrip("/") and inner:
        raise NotComparableError(
            f"{source} and {dest}: one directory holds the other; sync two separate trees.")


def _holds(outer: str, inner: str) -> bool:
    return inner.rstrip("/").startswith(outer.rstrip("/") + "/")


__all__ = ["NotComparableError", "SourceNotFoundError", "sync", "verify"]
