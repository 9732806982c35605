"""Exists, size, head, delete and list: questions and removals that move no content."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..domain.listing import as_directory
from .processes import chunked
from .store import Store


def _ask(store: Store, method: Callable[[str], Any], key: str) -> tuple[str, Any, Any]:
    try:
        return key, store.call(method, key), None
    except Exception as error:  # noqa: BLE001 - reported per key
        return key, None, error


def ask_many(store: Store, method: Callable[[str], Any], keys: Iterable[str],
             total: int | None = None, progress: bool | None = None,
             desc: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(key, answer, error) for each key, as they finish."""
    schedule = store.batch_schedule(progress)
    return schedule.run(lambda key: _ask(store, method, key), keys, total, desc)


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


def delete_many(store: Store, keys: Iterable[str], total: int | None = None,
                progress: bool | None = None) -> list[tuple[str, Exception]]:
    """Delete every key; returns (key, error) for the keys that could not be deleted."""
    storage = store.storage
    failures: list[tuple[str, Exception]] = []
    if storage.batch_delete:
        for block in chunked(keys, 1000):
            try:
                store.call(storage.delete_many, block)
            except Exception as error:  # noqa: BLE001 - reported per key
                failures.extend((key, error) for key in block)
        return failures
    for key, _, error in ask_many(store, storage.delete, keys, total, progress, "Deleting"):
        if error is not None:
            failures.append((key, error))
    return failures


def list_keys(store: Store, prefix: str = "", flat: bool = False) -> Iterator[str]:
    """Keys under the store's root starting with prefix, lazily."""
    if not isinstance(prefix, str):
        raise TypeError(f"prefix must be a str, got {type(prefix).__name__}.")
    return store.storage.list(prefix, flat)


def is_directory(store: Store, prefix: str = "") -> bool:
    """Whether any key lives below prefix taken as a directory."""
    return next(iter(list_keys(store, as_directory(prefix))), None) is not None
