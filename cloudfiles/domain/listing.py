"""Listing rules shared by every storage, so `flat` and prefixes mean the same everywhere."""
from __future__ import annotations

from collections.abc import Iterable, Iterator


def flat_entry(prefix: str, key: str) -> str:
    """What a flat listing under `prefix` shows for `key`: the key, or its sub-'directory/'.

    Same rule as S3/GCS listing with delimiter '/': the entry ends at the first '/' after prefix.
    """
    slash = key.find("/", len(prefix))
    return key if slash == -1 else key[: slash + 1]


def filter_listing(keys: Iterable[str], prefix: str, flat: bool) -> Iterator[str]:
    """Keys starting with prefix; with flat, one entry per key or sub-directory, each once."""
    seen_dirs: set[str] = set()
    for key in keys:
        if not key.startswith(prefix):
            continue
        if not flat:
            yield key
            continue
        entry = flat_entry(prefix, key)
        if entry == key:
            yield key
        elif entry not in seen_dirs:
            seen_dirs.add(entry)
            yield entry


def is_directory_entry(entry: str) -> bool:
    """Whether a flat listing entry stands for a sub-directory ('dir/') rather than a file."""
    return entry.endswith("/")


def key_prefix(path: str | None) -> str:
    """The prefix a storage root's path puts before every key: 'a/b' -> 'a/b/', '' -> ''."""
    path = path or ""
    return path.rstrip("/") + "/" if path.strip("/") else ""


def as_directory(prefix: str) -> str:
    """A prefix that matches only inside the directory `prefix` ('test' -> 'test/')."""
    return prefix if not prefix or prefix.endswith("/") else prefix + "/"
