"""Sync of an unchanged tree: how fast `sync` finds there is nothing to copy (run by hand).

    python benchmarks/sync_bench.py [--files 100000] [--size 512] [--dir /tmp]

Rows (files/s over the source's files; each a median of --repeat runs):
- sync file:// -> file://, by checksum (md5 of both sides' bytes: file:// stores none) and
  with --size-only; the same on mem:// -> mem://.
- baselines in the same run, on the same trees: `rsync -a --dry-run` (size+mtime) and
  `rsync -a -c --dry-run` (checksums) when rsync is installed; always a plain os.walk + stat
  of both trees (what a size comparison must do) and os.walk + md5 of every file of both
  trees (what a checksum comparison must do).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

from cloudfiles import CloudFiles
from cloudfiles.entrypoints.comparing import sync


def make_tree(root: str, files: int, size: int) -> dict[str, bytes]:
    """files files of about `size` bytes, 100 to a directory, 2 levels deep."""
    contents = {}
    for i in range(files):
        key = f"d{i // 10_000:02d}/s{(i // 100) % 100:02d}/f{i:07d}.bin"
        contents[key] = (f"{i:08d}".encode() * (size // 8 + 1))[: size + i % 7]
    for key, content in contents.items():
        path = os.path.join(root, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(content)
    return contents


def timed(task: Callable[[], object], repeat: int) -> float:
    """The median seconds of `repeat` runs of task."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        task()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def walk_stat(*roots: str) -> int:
    """os.walk + stat of every file of the trees: the least a size comparison does."""
    count = 0
    for root in roots:
        for directory, _, names in os.walk(root):
            for name in names:
                os.stat(os.path.join(directory, name))
                count += 1
    return count


def walk_md5(*roots: str) -> int:
    """os.walk + md5 of every file of the trees: the least a checksum comparison does."""
    count = 0
    for root in roots:
        for directory, _, names in os.walk(root):
            for name in names:
                with open(os.path.join(directory, name), "rb") as handle:
                    hashlib.md5(handle.read()).digest()
                count += 1
    return count


def unchanged(src: str, dest: str, **options) -> Callable[[], None]:
    def task() -> None:
        report = sync(src, dest, **options)
        assert report.copied == 0 and report.ok, report
    return task


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--size", type=int, default=512, help="bytes per file (about)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", default=None, help="where the trees go (a temp dir)")
    parser.add_argument("--no-mem", action="store_true", help="skip the mem:// rows")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="sync-bench-", dir=args.dir)
    src, dest = os.path.join(work, "src"), os.path.join(work, "dest")
    try:
        started = time.perf_counter()
        contents = make_tree(src, args.files, args.size)
        shutil.copytree(src, dest)
        print(f"# {args.files} files of ~{args.size} B, built in "
              f"{time.perf_counter() - started:.1f} s; median of {args.repeat} runs; "
              f"python {sys.version.split()[0]}, {os.cpu_count()} cpus")
        rows: list[tuple[str, float]] = []

        def row(name: str, seconds: float) -> None:
            rows.append((name, seconds))
            print(f"{name:<44} {seconds:8.2f} s {args.files / seconds:10.0f} files/s",
                  flush=True)

        row("baseline: os.walk+stat both trees", timed(lambda: walk_stat(src, dest),
                                                       args.repeat))
        row("baseline: os.walk+md5 both trees", timed(lambda: walk_md5(src, dest), args.repeat))
        if shutil.which("rsync"):
            for name, flags in (("rsync -a --dry-run", ["-a"]), ("rsync -a -c --dry-run",
                                                                 ["-a", "-c"])):
                row(f"baseline: {name}", timed(lambda flags=flags: subprocess.run(
                    ["rsync", *flags, "--dry-run", src + "/", dest + "/"], check=True),
                    args.repeat))
        row("sync file->file (checksum)", timed(unchanged(src, dest), args.repeat))
        row("sync file->file --size-only", timed(unchanged(src, dest, size_only=True),
                                                 args.repeat))
        if not args.no_mem:
            mem_src, mem_dest = "mem://sync-bench/src", "mem://sync-bench/dest"
            for path in (mem_src, mem_dest):
                CloudFiles(path).puts(list(contents.items()), compress=None)
            row("sync mem->mem (checksum)", timed(unchanged(mem_src, mem_dest), args.repeat))
            row("sync mem->mem --size-only", timed(unchanged(mem_src, mem_dest,
                                                             size_only=True), args.repeat))

        seconds = dict(rows)
        stat_base = seconds["baseline: os.walk+stat both trees"]
        md5_base = seconds["baseline: os.walk+md5 both trees"]
        print("# ratios (baseline seconds / sync seconds; > 1: sync is faster)")
        for name, base, against in (
                ("sync file->file (checksum)", md5_base, "os.walk+md5"),
                ("sync file->file --size-only", stat_base, "os.walk+stat"),
                ("sync file->file (checksum)", seconds.get("baseline: rsync -a -c --dry-run"),
                 "rsync -a -c --dry-run"),
                ("sync file->file --size-only", seconds.get("baseline: rsync -a --dry-run"),
                 "rsync -a --dry-run")):
            if base is not None:
                print(f"{name:<32} vs {against:<24} {base / seconds[name]:6.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
