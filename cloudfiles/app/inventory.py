"""Exists, size, head, delete and list: questions and removals that move no content."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..domain.listing import as_directory, is_directory_entry
from .processes import chunked
from .store import Store


def ask(store: Store, method: str, key: str) -> Any:
    """storage.<method>(key) (exists, size, head, delete) under the retry policy."""
    if not isinstance(key, str):
        raise TypeError(f"A path must be a str, got {type(key).__name__}: {key!r}")
    return store.do(method, key)


def ask_many(store: Store, method: str, keys: Iterable[str], total: int | None = None,
             progress: bool | None = None, desc: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(key, answer, error) of storage.<method>(key) for each key, as they finish."""
    return store.do_many(method, keys, _key_args, total, progress, desc or method)


def _key_args(key: Any) -> tuple[str]:
    if not isinstance(key, str):
        raise TypeError(f"A path must be a str, got {type(key).__name__}: {key!r}")
    return (key,)


def answers(results: Iterable[tuple[str, Any, Any]]) -> dict[str, Any]:
    """{key: answer}; the first error found is raised after every key was asked."""
    found: dict[str, Any] = {}
    first_error = None
    for key, answer, error in results:
        if error is not None and first_error is None:
            first_error = error
        found[key] = answer
    if first_error is not None:
        raise first_error
    return found


def _delete_block(store: Store, block: list[str]) -> list[tuple[str, Exception | None]]:
    try:
        store.do("delete_many", block)
        return [(key, None) for key in block]
    except Exception as error:  # noqa: BLE001 - reported per key
        return [(key, error) for key in block]


def delete_many(store: Store, keys: Iterable[str], total: int | None = None,
                progress: bool | None = None) -> list[tuple[str, Exception]]:
    """Delete every key; returns (key, error) for the keys that could not be deleted.

    Storages with a batch API delete blocks of 1000 keys per request, several at once.
    """
    storage = store.storage
    if storage.batch_delete:
        if total is None and hasattr(keys, "__len__"):
            total = len(keys)  # type: ignore[arg-type]
        schedule = store.batch_schedule(progress)
        outcomes = (pair for block in schedule.run(
            lambda block: _delete_block(store, block), chunked(keys, 1000), total, "Deleting",
            files_in=len) for pair in block)
    else:
        outcomes = ((key, error) for key, _, error in
                    ask_many(store, "delete", keys, total, progress, "Deleting"))
    return [(key, error) for key, error in outcomes if error is not None]


def list_keys(store: Store, prefix: str = "", flat: bool = False,
              dirs: bool = False) -> Iterator[str]:
    """Keys under the store's root starting with prefix, lazily.

    flat (cloud-files 3.1.1): only files at the prefix's own level, the part after the
    prefix holding no '/'; with dirs=True the sub-directories there too, as 'name/'.
    """
    if not isinstance(prefix, str):
        raise TypeError(f"prefix must be a str, got {type(prefix).__name__}.")
    entries = store.list(prefix, flat)
    if flat and not dirs:
        return (entry for entry in entries if not is_directory_entry(entry))
    return entries


def list_sizes(store: Store, prefix: str = "", flat: bool = False,
               dirs: bool = False) -> Iterator[tuple[str, int | None]]:
    """(key, stored size) for each key list_keys would give, lazily; directories: None."""
    if not isinstance(prefix, str):
        raise TypeError(f"prefix must be a str, got {type(prefix).__name__}.")
    entries = store.list_sizes(prefix, flat)
    if flat and not dirs:
        return (entry for entry in entries if not is_directory_entry(entry[0]))
    return entries


def subtree_size(store: Store, prefixes: Iterable[str]) -> dict[str, int]:
    """{'N': files, 'num_bytes': stored bytes} of every key below the prefixes."""
    count = num_bytes = 0
    for prefix in prefixes:
        for _, size in list_sizes(store, prefix):
            count += 1
            num_bytes += size or 0
    return {"N": count, "num_bytes": num_bytes}


def is_directory(store: Store, prefix: str = "") -> bool:
    """Whether any key lives below prefix taken as a directory."""
    return next(iter(list_keys(store, as_directory(prefix))), None) is not None
