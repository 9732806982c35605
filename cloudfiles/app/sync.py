"""Sync: make a destination hold what the source holds, copying only what is missing or differs.

The plan comes from a comparison (app.compare): by checksum (md5 computed from stored bytes
where no stated checksum decides, so a second sync finds everything equal), or by size alone.
Copies keep the stored bytes and their encoding (app.transfer); with `delete`, keys found only
at the destination are removed.
"""
from __future__ import annotations

from collections.abc import Callable

from attrs import frozen

from ..domain.listing_order import tree_order
from .compare import CompareOptions, Comparison, Side, compare
from .inventory import delete_many
from .transfer import TransferOptions, transfer


@frozen
class SyncPlan:
    """What a sync does: the keys to copy and those to delete, relative to the roots."""

    copies: tuple[str, ...]
    deletes: tuple[str, ...]


@frozen
class SyncReport:
    """What a sync found and did (with dry_run: only what it would do).

    copied and deleted count the files done; failures map each key that failed (or could
    not be compared) to its error.
    """

    comparison: Comparison
    plan: SyncPlan
    dry_run: bool = False
    copied: int = 0
    deleted: int = 0
    failures: tuple[tuple[str, BaseException], ...] = ()

    @property
    def ok(self) -> bool:
        """Whether every planned action was done (or, in a dry run, could be planned)."""
        return not self.failures

    @property
    def unchanged(self) -> int:
        """Keys found equal on both sides, left alone."""
        return self.comparison.matching


def compare_for_sync(source: Side, dest: Side, size_only: bool = False) -> Comparison:
    """The comparison a sync plans from: by size alone, or by checksum (computed if need be)."""
    return compare(source, dest, CompareOptions(checksums=not size_only, compute=True))


def plan_sync(comparison: Comparison, delete: bool = False) -> SyncPlan:
    """Copy what is missing or different (in tree order); delete the extras when asked."""
    copies = [*comparison.missing, *(difference.key for difference in comparison.different)]
    return SyncPlan(tuple(sorted(copies, key=tree_order)), comparison.extra if delete else ())


def apply_sync(comparison: Comparison, plan: SyncPlan, source: Side, dest: Side,
               block_size: int = 64, progress: bool | None = None,
               on_result: Callable[[dict], None] | None = None) -> SyncReport:
    """Carry out the plan: copies first (on_result sees each copy's result), then
    deletions."""
    failures = list(comparison.errors)
    copied = 0
    items = [{"path": source.key_of(key), "dest_path": dest.key_of(key)} for key in plan.copies]
    names = {item["path"]: key for item, key in zip(items, plan.copies)}
    for result in transfer(source.store, dest.store, items, TransferOptions(block_size),
                           len(items), progress):
        if on_result is not None:
            on_result(result)
        if result["error"] is not None:
            failures.append((names.get(result["path"], result["path"]), result["error"]))
        else:
            copied += 1
    deleted = 0
    if plan.deletes:
        by_store_key = {dest.key_of(key): key for key in plan.deletes}
        failed = delete_many(dest.store, list(by_store_key), len(by_store_key), progress)
        failures += [(by_store_key[key], error) for key, error in failed]
        deleted = len(by_store_key) - len(failed)
    return SyncReport(comparison, plan, False, copied, deleted, tuple(failures))


def sync(source: Side, dest: Side, delete: bool = False, size_only: bool = False,
         dry_run: bool = False, block_size: int = 64, progress: bool | None = None,
         on_result: Callable[[dict], None] | None = None) -> SyncReport:
    """Compare, plan and (unless dry_run) apply (see the module docstring)."""
    comparison = compare_for_sync(source, dest, size_only)
    plan = plan_sync(comparison, delete)
    if dry_run:
        return SyncReport(comparison, plan, True, failures=comparison.errors)
    return apply_sync(comparison, plan, source, dest, block_size, progress, on_result)
