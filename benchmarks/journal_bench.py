"""Overhead of the resumable-transfer journal per file, at 10^6 keys (10^7 with --huge).

    python benchmarks/journal_bench.py [--keys N | --huge] [--block 200] [--dir DIR]

Measures, in one run and on one disk (DIR, default a temporary directory):
  * raw insert: the same (key, size) rows into a plain sqlite table, one transaction: the
    floor any sqlite journal pays to record a key;
  * journal init: create + add every key + seal (partial index built at the end);
  * lease + mark done, block by block, without a lease (one executor) and with one (the
    UPDATE ... RETURNING path of several executors);
  * status on the finished journal, and the journal's size on disk per key;
  * a whole job of N tiny mem:// files (ResumableTransfer init + execute) against the same
    N files listed and copied by a plain transfer (no journal, as `cp -r`): the end-to-end
    overhead per file and its ratio.
The machine may be shared and noisy: compare the ratios, taken in the same run.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from cloudfiles.adapters.journal.sqlite_journal import SqliteJournal
from cloudfiles.app.transfer import TransferOptions, transfer
from cloudfiles.domain.journal import JobSpec
from cloudfiles.entrypoints.cloudfiles import CloudFiles
from cloudfiles.entrypoints.resumable import ResumableTransfer

SPEC = JobSpec.of("file:///bench/src", "file:///bench/dest")


def keys(count: int):
    """Keys shaped like a chunked dataset's: 'image/4_4_40/1024-1088_2048-2112_64-128'."""
    for i in range(count):
        x, y, z = i % 1000, (i // 1000) % 1000, i // 1_000_000
        key = f"image/4_4_40/{x * 64}-{x * 64 + 64}_{y * 64}-{y * 64 + 64}_{z * 64}-{z * 64 + 64}"
        yield key, 1000 + i % 5000


def on_disk(path: str) -> int:
    return sum(os.path.getsize(path + s) for s in ("", "-wal") if os.path.exists(path + s))


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def raw_insert(path: str, count: int) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE t (key TEXT NOT NULL, size INTEGER)")

    def insert():
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO t (key, size) VALUES (?, ?)", keys(count))
        conn.execute("COMMIT")
    seconds = timed(insert)
    conn.close()
    return seconds


def journal_init(path: str, count: int) -> float:
    def init():
        journal = SqliteJournal(path, create=True)
        journal.create(SPEC)
        journal.add(keys(count))
        journal.seal()
        journal.close()
    return timed(init)


def lease_and_mark(path: str, block: int, lease_msec: int) -> float:
    journal = SqliteJournal(path)

    def drain():
        journal.start_run()
        now = int(time.time() * 1000)
        while entries := journal.lease(block, lease_msec, now):
            journal.mark_done([e.id for e in entries])
    seconds = timed(drain)
    assert journal.status(0).finished
    journal.close()
    return seconds


def mem_files(count: int) -> str:
    root = f"mem://journalbench/{uuid.uuid4().hex[:8]}"
    CloudFiles(root).puts(((key, b"0123456789abcdef") for key, _ in keys(count)),
                          total=count)
    return root


def plain_transfer(src: str, count: int, block: int) -> float:
    source, dest = CloudFiles(src), CloudFiles(f"{src}-plain")
    options = TransferOptions(block_size=block)

    def run():
        for result in transfer(source._store, dest._store, source.list(), options,
                               progress=False):
            assert result["error"] is None
    return timed(run)


def resumable_job(src: str, path: str, block: int) -> float:
    def run():
        with ResumableTransfer(path) as job:
            job.init(src, f"{src}-resumable")
            job.execute(block_size=block)
    return timed(run)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, default=10**6, help="keys (default 10^6)")
    parser.add_argument("--huge", action="store_true", help="10^7 keys")
    parser.add_argument("--block", type=int, default=200, help="keys per block (default 200)")
    parser.add_argument("--dir", help="where the journals go (default: a temp directory)")
    parser.add_argument("--journal-only", action="store_true",
                        help="skip the end-to-end mem:// rows (10^7 mem files need ~10 GiB)")
    args = parser.parse_args(argv)
    count = 10**7 if args.huge else args.keys
    work = tempfile.mkdtemp(prefix="journal-bench-", dir=args.dir)
    us = 1e6 / count
    rows: list[tuple[str, str]] = []
    try:
        raw = raw_insert(os.path.join(work, "raw.db"), count)
        rows.append(("raw sqlite insert (baseline)", f"{raw * us:8.2f} us/key"))
        db = os.path.join(work, "job.db")
        init = journal_init(db, count)
        rows.append(("journal init (add + seal)",
                     f"{init * us:8.2f} us/key  ({init / raw:.2f}x raw insert)"))
        listed_size = on_disk(db)
        plain = lease_and_mark(db, args.block, 0)
        rows.append((f"lease + mark done, no lease, block {args.block}",
                     f"{plain * us:8.2f} us/key"))
        leased_db = os.path.join(work, "leased.db")
        journal_init(leased_db, count)
        leased = lease_and_mark(leased_db, args.block, 60_000)
        rows.append((f"lease + mark done, --lease-msec, block {args.block}",
                     f"{leased * us:8.2f} us/key"))
        total = init + plain
        rows.append(("journal per file (init + lease + done)",
                     f"{total * us:8.2f} us/key  ({total / raw:.2f}x raw insert)"))
        journal = SqliteJournal(db)
        status_ms = timed(lambda: journal.status(0)) * 1000
        journal.close()
        rows.append(("status of the finished job", f"{status_ms:8.2f} ms"))
        sizes = (f"{listed_size / 2**20:8.1f} MiB / {on_disk(db) / 2**20:.1f} MiB  "
                 f"({listed_size / count:.0f} B/key)")
        rows.append(("journal size listed / done", sizes))
        if args.journal_only:
            return
        src = mem_files(count)
        base = plain_transfer(src, count, args.block)
        rows.append((f"plain mem:// transfer of {count:,} files (baseline)",
                     f"{base * us:8.2f} us/file"))
        job = resumable_job(src, os.path.join(work, "mem.db"), args.block)
        overhead = (f"{job * us:8.2f} us/file  ({job / base:.2f}x plain transfer, "
                    f"+{(job - base) * us:.2f} us/file)")
        rows.append(("resumable job, same files (init + execute)", overhead))
    finally:
        shutil.rmtree(work, ignore_errors=True)
        _report(count, rows)


def _report(count: int, rows: list[tuple[str, str]]) -> None:
    if not rows:
        return
    print(f"journal overhead, {count:,} keys, sqlite {sqlite3.sqlite_version}, "
          f"python {sys.version.split()[0]}")
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")


if __name__ == "__main__":
    main()
