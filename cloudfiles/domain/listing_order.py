"""One order for the listings of every storage, so two trees can be compared by merging them.

Storages list in different orders: S3, GCS and mem:// by the whole key ('a.txt' before
'a/b'), file:// directory by directory ('a/b' before 'a.txt') and by the names on disk
('x.gz' is key 'x'). Tree order is the directory-by-directory one: keys compared segment by
segment, as if '/' sorted before every other character. Each listing reaches tree order through
a window of pending keys; a listing further out of order than its window is reported as
ListingOrderError, and is then sorted whole.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .errors import CloudFilesError

#: How many places late a key may come in a listing (twice as many are held: ~20 MB).
DEFAULT_WINDOW = 50_000


class ListingOrderError(CloudFilesError):
    """A listing came further out of tree order than its window could put right."""


def tree_order(key: str) -> str:
    """The sort key of tree order: '/' made the smallest character."""
    return key.replace("/", "\x00")


Entry = tuple[str, Any]  # (key, what the listing says of it, e.g. its size)
Ordered = tuple[str, str, Any]  # (tree_order(key), key, what the listing says of it)


def in_tree_order(entries: Iterable[Entry], window: int | None = DEFAULT_WINDOW
                  ) -> Iterator[Ordered]:
    """(tree order, key, value) of the entries in tree order, each key once; window None
    sorts them all in memory.

    With a window, at most twice `window` entries are held at once; an entry arriving more
    than `window` places late (after a key that sorts above it has gone) raises
    ListingOrderError.
    """
    ordered = ((tree_order(key), key, value) for key, value in entries)
    if window is None:
        return _unique(sorted(ordered, key=lambda item: item[0]))
    return _unique(_through_window(ordered, window))


def _through_window(items: Iterable[Ordered], window: int) -> Iterator[Ordered]:
    """Items in order, given that none arrives more than `window` places late: twice the
    window is gathered, sorted (quick on a nearly sorted listing) and its first half given."""
    pending: list[Ordered] = []
    last: str | None = None
    for item in items:
        pending.append(item)
        if len(pending) >= 2 * window:
            pending.sort(key=_order)
            last = yield from _checked(pending[:window], last, window)
            del pending[:window]
    pending.sort(key=_order)
    yield from _checked(pending, last, window)


def _order(item: Ordered) -> str:
    return item[0]


def _checked(items: list[Ordered], last: str | None, window: int):
    """Give sorted items that must all sort after `last`; returns the new last."""
    if items and last is not None and items[0][0] < last:
        raise ListingOrderError(
            f"the listing gave {items[0][1]!r} after keys that sort after it, more than "
            f"{window} keys late")
    yield from items
    return items[-1][0] if items else last


def _unique(items: Iterable[Ordered]) -> Iterator[Ordered]:
    """Items without repeats of the key just given."""
    previous = None
    for item in items:
        if item[1] != previous:
            previous = item[1]
            yield item


def merge(left: Iterable[Ordered], right: Iterable[Ordered]
          ) -> Iterator[tuple[str, Ordered | None, Ordered | None]]:
    """(key, left item or None, right item or None) for every key of two listings in tree
    order (as in_tree_order gives them), in tree order."""
    left_it, right_it = iter(left), iter(right)
    a, b = next(left_it, None), next(right_it, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a[0] < b[0]):
            yield a[1], a, None
            a = next(left_it, None)
        elif a is None or b[0] < a[0]:
            yield b[1], None, b
            b = next(right_it, None)
        else:
            yield a[1], a, b
            a, b = next(left_it, None), next(right_it, None)
