"""`cloudfiles verify` and `cloudfiles sync`: compare two files or trees, copy what differs.

verify prints every key that differs, grouped (missing, extra, different, unchecked, errors)
on stdout and exits 1 unless both sides are equal. sync prints a summary (with --dry-run, each
copy and deletion it would make); files it failed to copy or delete go to stderr, exit 1.
"""
from __future__ import annotations

from collections.abc import Iterable

import click

from ..app.compare import Comparison, Difference
from ..app.sync import SyncReport
from .cli_common import HELP, Failures, one_line, open_files
from .cli_report import plot_option, summary_option, transfer_report
from .comparing import Pair, compare_pair, pair_of, sync_pair


def _show_group(title: str, keys: Iterable[str]) -> None:
    keys = list(keys)
    if keys:
        click.echo(f"{title} ({len(keys)}):")
        for key in keys:
            click.echo(f"  {key}")


def _show_different(differences: Iterable[Difference], verbose: bool) -> None:
    differences = list(differences)
    if not differences:
        return
    click.echo(f"different ({len(differences)}):")
    for difference in differences:
        if difference.reason == "size":
            click.echo(f"  {difference.key}  (size {difference.source_size} != "
                       f"{difference.dest_size})")
            continue
        click.echo(f"  {difference.key}  (checksum)")
        if verbose:
            click.echo(f"    source: {difference.source_checksums.describe()}")
            click.echo(f"    dest:   {difference.dest_checksums.describe()}")


def _summary(comparison: Comparison, only_matching: bool) -> str:
    counts = [] if only_matching else [
        (len(comparison.missing), "missing"), (len(comparison.extra), "extra")]
    counts += [(len(comparison.different), "different"),
               (len(comparison.unchecked), "unchecked"), (len(comparison.errors), "error(s)")]
    shown = ", ".join(f"{count} {name}" for count, name in counts if count)
    return f"failed. {shown}; {comparison.matching} matching."


def report_comparison(comparison: Comparison, pair: Pair, only_matching: bool,
                      verbose: bool) -> bool:
    """Print what a verify found; returns whether the sides are equal."""
    ignored = len(comparison.missing) + len(comparison.extra) if only_matching else 0
    if comparison.holds(only_matching):
        tail = f" {ignored} ignored." if ignored else ""
        click.echo(f"success. {comparison.matching} file(s) matching.{tail}")
        return True
    if not only_matching:
        source, dest = pair.source.cloudpath, pair.dest.cloudpath
        _show_group(f"missing (in {source}, not in {dest})", comparison.missing)
        _show_group(f"extra (in {dest}, not in {source})", comparison.extra)
    _show_different(comparison.different, verbose)
    if comparison.unchecked:
        click.echo(f"unchecked ({len(comparison.unchecked)}): same size, but no checksum "
                   "stored on both sides to compare; --md5 computes them.")
        if verbose:
            for key in comparison.unchecked:
                click.echo(f"  {key}")
    if comparison.errors:
        click.echo(f"errors ({len(comparison.errors)}):")
        for key, error in comparison.errors:
            click.echo(f"  {key}: {one_line(error)}")
    click.echo(_summary(comparison, only_matching))
    return False


@click.command(context_settings=HELP)
@click.argument("source")
@click.argument("dest")
@click.option("-m", "--only-matching", is_flag=True,
              help="Only check the files both sides have (ignore missing and extra files).")
@click.option("-v", "--verbose", is_flag=True,
              help="Show the checksums of files that differ, and name unchecked files.")
@click.option("--md5", is_flag=True,
              help="Compute md5 (or S3 multipart ETags) from the stored bytes where no stored "
                   "checksum decides, e.g. on file:// and mem://. Reads those files.")
@click.option("--part-size", type=click.IntRange(min=1), default=None,
              help="S3 multipart part size (bytes) to try first when recomputing multipart "
                   "ETags; common sizes and size/parts are tried anyway.")
@click.option("--multipart-threshold", type=click.IntRange(min=0), default=None,
              help="Accepted as in cloud-files; not needed: multipart ETags are recognised "
                   "by their '-N' suffix whatever the size.")
@click.pass_context
def verify(ctx: click.Context, source: str, dest: str, only_matching: bool, verbose: bool,
           md5: bool, part_size: int | None, multipart_threshold: int | None) -> None:
    """Check that two files or two directories hold the same: names, sizes and checksums.

    Checksums are those the storages state (S3 ETags, multipart ones recomputed with their
    part size; GCS md5/crc32c); file:// and mem:// state none, so compare them with --md5.
    Exits 0 when both sides are equal, else 1 after naming every file that is missing at
    DEST, extra at DEST, different, or could not be checked.
    """
    pair = pair_of(source, dest, open_files)
    comparison = compare_pair(pair, md5, part_size)
    if not report_comparison(comparison, pair, only_matching, verbose):
        ctx.exit(1)


def report_sync(report: SyncReport, pair: Pair) -> None:
    """Print a sync's plan (dry run) or its outcome; failures then exit 1."""
    plan, comparison = report.plan, report.comparison
    if report.dry_run:
        different = {difference.key for difference in comparison.different}
        for key in plan.copies:
            click.echo(f"would copy: {key} ({'different' if key in different else 'missing'})")
        for key in plan.deletes:
            click.echo(f"would delete: {key}")
        click.echo(f"sync (dry run): {len(plan.copies)} to copy, {len(plan.deletes)} to "
                   f"delete, {report.unchanged} unchanged.")
    else:
        click.echo(f"sync: copied {report.copied}, deleted {report.deleted}, "
                   f"{report.unchanged} unchanged.")
    left = len(comparison.extra) - len(plan.deletes)
    if left:
        click.echo(f"sync: {left} file(s) only at {pair.dest.cloudpath} left there "
                   "(--delete removes them).")
    failures = Failures("sync")
    failures.attempted = len(plan.copies) + len(plan.deletes) + len(comparison.errors)
    deletes = set(plan.deletes)
    for key, error in report.failures:
        failures.add(pair.dest_path(key) if key in deletes else pair.source_path(key), error)
    failures.raise_if_any()


@click.command(context_settings=HELP)
@click.argument("source")
@click.argument("dest")
@click.option("--delete", is_flag=True, help="Remove files at DEST that SOURCE does not have.")
@click.option("--size-only", is_flag=True,
              help="Compare by size alone (no checksums, no reading of files).")
@click.option("--dry-run", is_flag=True, help="Print what would be copied and deleted; change "
                                              "nothing.")
@click.option("--progress", is_flag=True, help="Show a progress bar while copying.")
@click.option("-b", "--block-size", type=click.IntRange(min=1), default=64, show_default=True,
              help="Files in flight at once while copying (bounds memory).")
@plot_option
@summary_option
def sync(source: str, dest: str, delete: bool, size_only: bool, dry_run: bool,
         progress: bool, block_size: int, plot_file: str | None, summary: bool) -> None:
    """Make DEST hold what SOURCE holds, copying only files missing or different there.

    Files are compared by size, then by checksum: stored ones where both sides have them,
    else md5 computed from the stored bytes (file://, mem://), so running sync again right
    away copies nothing. --size-only skips checksums. Copies keep the stored bytes and
    their encoding. SOURCE and DEST are two files or two directories; DEST becomes the copy
    of SOURCE (files go to the same names below DEST).
    """
    pair = pair_of(source, dest, open_files)
    shown = transfer_report("sync", plot_file, summary, progress)
    report = sync_pair(pair, delete, size_only, dry_run, progress, block_size,
                       shown.recorder.record)
    shown.finish()
    report_sync(report, pair)
