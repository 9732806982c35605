"""Compare two files or two trees: names, sizes, then checksums, cheapest first.

Both trees are listed as (key, size) and merged in tree order (domain.listing_order), so
memory holds a window of keys, not the trees. A key on one side only is missing (at the
destination) or extra (there). Keys on both sides with different sizes differ. Pairs of the
same size go, a block at a time, to the checksums their storages state (one batch of heads per
side; none on file:// and mem://, which keep no checksum). Pairs the stated checksums cannot
decide are, when asked, decided by md5 or multipart ETags computed from stored bytes
(app.digests), reading one side only wherever the other states a checksum.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from attrs import define, field, frozen

from ..domain.checksum_rules import (
    NO_STORED_CHECKSUMS,
    NOTHING,
    Checksums,
    Verdict,
    digest_plan,
    stored_checksums,
    verdict,
)
from ..domain.listing_order import (
    DEFAULT_WINDOW,
    ListingOrderError,
    in_tree_order,
    merge,
    tree_order,
)
from .digests import DigestJob, VanishedError, digest_many
from .store import Store

#: Same-size pairs checked per batch of heads (and of reads).
BLOCK = 1000


@frozen
class Side:
    """One side of a comparison: a tree (every key under the store's root), or one file.

    A file side compares under `label` (the source file's name, so both sides share it)
    and lives at `single` in its store.
    """

    store: Store
    single: str | None = None
    label: str | None = None

    def key_of(self, key: str) -> str:
        """The store key of a compared key."""
        return key if self.single is None else self.single

    @property
    def protocol(self) -> str:
        """The protocol of the side's storage."""
        return self.store.storage.protocol

    def entries(self) -> Iterator[tuple[str, int | None]]:
        """(compared key, stored size) of everything on this side, lazily."""
        if self.single is None:
            return self.store.list_sizes("", False)
        size = self.store.do("size", self.single)
        return iter(() if size is None else ((self.label or self.single, size),))


@frozen
class CompareOptions:
    """How far a comparison goes.

    checksums: compare checksums of same-size pairs (False: names and sizes only).
    compute: read stored bytes where no stated checksum decides (else such pairs stay
    unchecked). part_sizes: part sizes to try first for multipart ETags.
    """

    checksums: bool = True
    compute: bool = False
    part_sizes: tuple[int, ...] = ()
    window: int | None = DEFAULT_WINDOW
    block: int = BLOCK


@frozen
class Difference:
    """A key on both sides whose objects differ: by size, or by checksum."""

    key: str
    reason: str  # "size" or "checksum"
    source_size: int | None
    dest_size: int | None
    source_checksums: Checksums = field(factory=Checksums)
    dest_checksums: Checksums = field(factory=Checksums)


@frozen
class Comparison:
    """What a comparison found; keys are relative to the compared roots, in tree order.

    missing: at the source only. extra: at the destination only. different: on both sides,
    not equal. unchecked: same size, but nothing to compare them by (no checksum stated and
    none computed). errors: keys that could not be compared, with the error. matching:
    how many keys were found equal.
    """

    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    different: tuple[Difference, ...] = ()
    unchecked: tuple[str, ...] = ()
    errors: tuple[tuple[str, BaseException], ...] = ()
    matching: int = 0

    def holds(self, only_matching: bool = False) -> bool:
        """Whether the two sides are equal (only_matching: the keys both sides have are)."""
        named = only_matching or not (self.missing or self.extra)
        return named and not (self.different or self.unchecked or self.errors)

    @property
    def equal(self) -> bool:
        """Whether both sides hold the same keys with equal contents."""
        return self.holds()


@define
class _Tally:
    missing: list[str] = field(factory=list)
    extra: list[str] = field(factory=list)
    different: list[Difference] = field(factory=list)
    unchecked: list[str] = field(factory=list)
    errors: dict[str, BaseException] = field(factory=dict)  # the first error of each key
    matching: int = 0

    def error(self, key: str, error: BaseException) -> None:
        self.errors.setdefault(key, error)

    def comparison(self) -> Comparison:
        def ordered(items: list, key=lambda item: item) -> tuple:
            return tuple(sorted(items, key=lambda item: tree_order(key(item))))

        return Comparison(
            tuple(self.missing), tuple(self.extra),
            ordered(self.different, lambda d: d.key), ordered(self.unchecked),
            ordered(list(self.errors.items()), lambda e: e[0]), self.matching)


def compare(source: Side, dest: Side, options: CompareOptions = CompareOptions()) -> Comparison:
    """Compare the two sides (see the module docstring)."""
    try:
        return _compare(source, dest, options, options.window)
    except ListingOrderError:  # a listing too far out of order: sort both whole
        return _compare(source, dest, options, None)


def _compare(source: Side, dest: Side, options: CompareOptions,
             window: int | None) -> Comparison:
    tally = _Tally()
    same_size: list[tuple[str, int]] = []
    rows = merge(in_tree_order(source.entries(), window), in_tree_order(dest.entries(), window))
    for key, ours, theirs in rows:
        if theirs is None:
            tally.missing.append(key)
        elif ours is None:
            tally.extra.append(key)
        elif ours[2] != theirs[2]:
            tally.different.append(Difference(key, "size", ours[2], theirs[2]))
        elif not options.checksums:
            tally.matching += 1
        else:
            same_size.append((key, ours[2]))
            if len(same_size) >= options.block:
                _check(source, dest, same_size, options, tally)
                same_size = []
    _check(source, dest, same_size, options, tally)
    return tally.comparison()


def _check(source: Side, dest: Side, pairs: list[tuple[str, int]], options: CompareOptions,
           tally: _Tally) -> None:
    """Decide same-size pairs: stated checksums, then (when asked) computed ones."""
    if not pairs:
        return
    stated_source = _stated(source, pairs, tally)
    stated_dest = _stated(dest, pairs, tally)
    undecided = []
    for key, size in pairs:
        if key not in stated_source or key not in stated_dest:
            continue  # its head failed: an error already
        ours, theirs = stated_source[key], stated_dest[key]
        found = verdict(ours, theirs)
        if found is Verdict.UNKNOWN:
            undecided.append((key, size, ours, theirs))
        else:
            _settle(tally, key, size, found, ours, theirs)
    if not options.compute:
        tally.unchecked.extend(key for key, *_ in undecided)
        return
    _decide_by_bytes(source, dest, undecided, options, tally)


def _stated(side: Side, pairs: list[tuple[str, int]], tally: _Tally) -> dict[str, Checksums]:
    """{compared key: checksums stated} of the pairs; heads only where checksums are kept."""
    if side.protocol in NO_STORED_CHECKSUMS:
        return dict.fromkeys((key for key, _ in pairs), NOTHING)
    found = {}
    for key, info, error in side.store.do_many("head", [key for key, _ in pairs],
                                               lambda key: (side.key_of(key),),
                                               progress=False):
        if error is None and info is None:
            error = VanishedError(f"{side.key_of(key)!r} is gone")
        if error is not None:
            tally.error(key, error)
            continue
        found[key] = stored_checksums(side.protocol, info)
    return found


def _decide_by_bytes(source: Side, dest: Side, undecided: list, options: CompareOptions,
                     tally: _Tally) -> None:
    """Read stored bytes to decide the pairs stated checksums could not.

    A first round reads as little as may decide (digest_plan); a pair it leaves undecided
    (a multipart ETag of an unknown part size) gets the md5 of its unread side in a second.
    What is still undecided then differs: every checksum that could match was computed.
    """
    plans = {key: digest_plan(ours, theirs, size, options.part_sizes)
             for key, size, ours, theirs in undecided}
    retry, retry_plans = [], {}
    for key, size, ours, theirs in _round(source, dest, undecided, plans, tally):
        unread = plans[key].unread()
        if unread is None:
            _settle(tally, key, size, Verdict.DIFFERENT, ours, theirs)
        else:
            retry.append((key, size, ours, theirs))
            retry_plans[key] = unread
    for key, size, ours, theirs in _round(source, dest, retry, retry_plans, tally):
        _settle(tally, key, size, Verdict.DIFFERENT, ours, theirs)


def _round(source: Side, dest: Side, pairs: list, plans: dict, tally: _Tally) -> list:
    """Compute what the plans ask, settle the pairs that decides; returns the others as
    (key, size, source checksums, dest checksums), what was computed included."""
    computed_source = _computed(source, pairs, {key: plans[key].source for key, *_ in pairs},
                                tally)
    computed_dest = _computed(dest, pairs, {key: plans[key].dest for key, *_ in pairs}, tally)
    unknown = []
    for key, size, ours, theirs in pairs:
        if key not in computed_source or key not in computed_dest:
            continue  # a read failed: an error already
        ours, theirs = ours.merged(computed_source[key]), theirs.merged(computed_dest[key])
        found = verdict(ours, theirs)
        if found is Verdict.UNKNOWN:
            unknown.append((key, size, ours, theirs))
        else:
            _settle(tally, key, size, found, ours, theirs)
    return unknown


def _computed(side: Side, undecided: list, wanted: dict[str, Any],
              tally: _Tally) -> dict[str, Checksums]:
    """{compared key: checksums computed} ({} computed for the keys this side does not read)."""
    found = dict.fromkeys((key for key, *_ in undecided if wanted[key] is None), NOTHING)
    jobs = (DigestJob(key, side.key_of(key), size, wanted[key]) for key, size, *_ in undecided
            if wanted[key] is not None)
    for job, checksums, error in digest_many(side.store, jobs):
        if error is not None:
            tally.error(job.name, error)
        else:
            found[job.name] = checksums
    return found


def _settle(tally: _Tally, key: str, size: int, found: Verdict, ours: Checksums,
            theirs: Checksums) -> None:
    if found is Verdict.EQUAL:
        tally.matching += 1
    else:
        tally.different.append(Difference(key, "checksum", size, size, ours, theirs))
