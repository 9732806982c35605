"""Tree order: listings of every storage put in one order and merged (verify and sync)."""
from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudfiles.domain.listing_order import (
    ListingOrderError,
    in_tree_order,
    merge,
    tree_order,
)

KEYS = ["a-1", "a.txt", "a/b", "a/b/c", "a/b.d", "a0", "b", "x", "x-y", "x.gz.json"]
TREE = ["a/b/c", "a/b.d", "a/b", "a-1", "a.txt", "a0", "b", "x", "x-y", "x.gz.json"]


def keys_of(items) -> list[str]:
    return [key for _, key, _ in items]


def test_tree_order_compares_keys_segment_by_segment():
    assert sorted(KEYS, key=tree_order) == sorted(KEYS, key=lambda k: k.split("/"))
    assert tree_order("a/b") < tree_order("a.txt") < tree_order("a0")


def test_a_listing_in_whole_key_order_comes_out_in_tree_order():
    """S3, GCS and mem:// list by the whole key: 'a.txt' before 'a/b'."""
    listing = [(key, len(key)) for key in sorted(KEYS)]
    assert sorted(KEYS) != sorted(KEYS, key=tree_order)
    for window in (None, 3, 100):
        found = list(in_tree_order(listing, window))
        assert [(key, size) for _, key, size in found] == \
            [(key, len(key)) for key in sorted(KEYS, key=tree_order)]


def test_a_file_walk_with_suffixes_stripped_comes_out_in_tree_order():
    """file:// walks directories by the names on disk: 'x.gz' (key 'x') after 'x-y'."""
    walk = ["a/b/c", "a/b.d", "a-1", "a.txt", "a0", "b", "x-y", "x", "x.gz.json"]
    assert keys_of(in_tree_order(((key, 0) for key in walk), 2)) == \
        sorted(walk, key=tree_order)


def test_repeated_keys_come_out_once():
    assert keys_of(in_tree_order([("a", 1), ("a", 1), ("b", 2)], 1)) == ["a", "b"]


def test_a_listing_further_out_of_order_than_the_window_is_refused():
    listing = [(f"a-{i}", 0) for i in range(10)] + [("a/z", 0)]
    with pytest.raises(ListingOrderError, match="a/z"):
        list(in_tree_order(listing, 5))
    assert keys_of(in_tree_order(listing, 11))[0] == "a/z"
    assert keys_of(in_tree_order(listing, None))[0] == "a/z"


def test_merge_pairs_the_keys_of_two_listings():
    left = in_tree_order([("a", 1), ("c", 3), ("d", 4)])
    right = in_tree_order([("b", 2), ("c", 30), ("e", 5)])
    rows = [(key, ours and ours[2], theirs and theirs[2]) for key, ours, theirs in
            merge(left, right)]
    assert rows == [("a", 1, None), ("b", None, 2), ("c", 3, 30), ("d", 4, None),
                    ("e", None, 5)]


segment = st.text(alphabet="ab.-0/", min_size=1, max_size=3).filter(
    lambda s: not s.startswith("/") and not s.endswith("/") and "//" not in s)


@settings(max_examples=60, deadline=None)
@given(st.sets(segment, max_size=25), st.sets(segment, max_size=25), st.randoms())
def test_merging_two_listings_in_any_storage_order_gives_their_union(left, right, rng):
    def listing(keys: set[str]) -> list[tuple[str, str]]:
        ordered = sorted(keys) if rng.random() < 0.5 else sorted(keys, key=tree_order)
        return [(key, key) for key in ordered]

    rows = list(merge(in_tree_order(listing(left), None), in_tree_order(listing(right), 64)))
    assert [key for key, *_ in rows] == sorted(left | right, key=tree_order)
    for key, ours, theirs in rows:
        assert (ours is not None) == (key in left)
        assert (theirs is not None) == (key in right)


def test_a_shuffled_listing_within_the_window_is_put_in_order():
    keys = [f"d{i // 10:02d}/f{i % 10}" for i in range(200)]
    shuffled = []
    for start in range(0, 200, 20):  # shuffled in runs of 20: disorder stays within 20
        run = keys[start:start + 20]
        random.Random(start).shuffle(run)
        shuffled += run
    assert keys_of(in_tree_order(((k, 0) for k in shuffled), 20)) == \
        sorted(keys, key=tree_order)
