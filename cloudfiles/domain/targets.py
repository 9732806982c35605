"""Paths as commands use them: the directory a path lives in and its last name, without I/O.

A path names a directory by its spelling when it ends with '/' or is the root of its store
(a bucket, `mem://name`, `file:///`). Splitting never climbs above the store root.
"""
from __future__ import annotations

from collections.abc import Iterable

from attrs import frozen

from .paths import ExtractedPath, asprotocolpath

#: Protocols whose first path segment names the bucket (mem://bucket/dir).
BUCKET_IN_PATH = ("mem",)


@frozen
class Target:
    """A path split for a command: `name` is '' when the path is taken as a directory."""

    cloudpath: str
    directory: str
    name: str

    @property
    def is_dir(self) -> bool:
        """Whether the whole path is the directory."""
        return self.name == ""


def _segments(epath: ExtractedPath) -> list[str]:
    return [segment for segment in epath.path.split("/") if segment]


def store_depth(epath: ExtractedPath) -> int:
    """How many leading segments of the path name the store (1 for mem://bucket, else 0)."""
    return 1 if epath.protocol in BUCKET_IN_PATH else 0


def with_segments(epath: ExtractedPath, segments: list[str]) -> str:
    """The cloud path of the same store with its path made of `segments`."""
    path = "/".join(segments)
    if epath.protocol == "file" and epath.path.startswith("/"):
        path = "/" + path
    return asprotocolpath(epath._replace(path=path, format=""))


def is_directory_spelling(epath: ExtractedPath) -> bool:
    """Whether the path reads as a directory: a trailing '/' or the root of its store."""
    return epath.path.endswith("/") or len(_segments(epath)) <= store_depth(epath)


def split_target(epath: ExtractedPath, is_dir: bool = False) -> Target:
    """The directory holding the path and its last name; the path itself when is_dir."""
    segments = _segments(epath)
    cloudpath = with_segments(epath, segments)
    if is_dir or is_directory_spelling(epath):
        return Target(cloudpath, cloudpath, "")
    return Target(cloudpath, with_segments(epath, segments[:-1]), segments[-1])


def name_of(epath: ExtractedPath) -> str:
    """The last name of the path; a bucket root's bucket name; '' for `file:///`."""
    segments = _segments(epath)
    return segments[-1] if segments else epath.bucket or ""


def child(directory: str, key: str) -> str:
    """The full cloud path of `key` under the directory cloud path."""
    if not key:
        return directory
    return directory + key if directory.endswith("/") else f"{directory}/{key}"


def store_root(epath: ExtractedPath) -> str:
    """The cloud path of the store holding the path (bucket, mem bucket, file:///)."""
    return with_segments(epath, _segments(epath)[: store_depth(epath)])


def common_directories(epaths: Iterable[ExtractedPath]) -> list[tuple[str, list[str]]]:
    """Files grouped by store, each group under its deepest common directory.

    Returns (directory cloud path, keys relative to it) per store, in order of first
    appearance; keys keep the order of the input. A lone file keeps just its name.
    """
    groups: dict[str, tuple[ExtractedPath, list[list[str]]]] = {}
    for epath in epaths:
        first, members = groups.setdefault(store_root(epath), (epath, []))
        members.append(_segments(epath))
    result = []
    for first, members in groups.values():
        common = min(len(segments) - 1 for segments in members)
        for segments in members:
            while common and segments[:common] != members[0][:common]:
                common -= 1
        common = max(common, store_depth(first))
        directory = with_segments(first, members[0][:common])
        result.append((directory, ["/".join(segments[common:]) for segments in members]))
    return result
