"""A bulk transfer on a 2-worker Dask LocalCluster against `parallel=2` and one process.

    python benchmarks/dask_bench.py [--files 20000] [--size 4096] [--repeats 3]

Copies `files` local files of `size` bytes (file:// -> file://, on tmpfs when /dev/shm
exists) with CloudFiles.transfer_to in three ways, rows interleaved, `repeats` rounds:

  parallel=1   in this process (the baseline);
  parallel=2   two new processes per transfer (their start-up counts);
  dask x2      on `client.get_executor()` of a LocalCluster of two worker processes with
               one thread each, started once beforehand (start-up reported apart, as a
               cluster outlives the transfers it runs).

Prints each row's median seconds and files/s and the ratios dask/parallel=2 and each row
against parallel=1. The machine is shared and noisy: compare ratios taken in one run.
Needs distributed (pip install cloudfiles[dask]).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable

from cloudfiles import CloudFiles


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=20000)
    parser.add_argument("--size", type=int, default=4096, help="bytes per file")
    parser.add_argument("--repeats", type=int, default=3, help="timed rounds per row")
    return parser.parse_args(argv)


def _make_source(root: str, files: int, size: int) -> CloudFiles:
    source = CloudFiles(f"file://{root}/src")
    payload = os.urandom(size)
    source.puts(((f"d{i % 100:02d}/f{i:07d}", payload) for i in range(files)),
                total=files)
    return source


def _timed(run: Callable[[str], int], dest: str, files: int) -> float:
    shutil.rmtree(dest.removeprefix("file://"), ignore_errors=True)
    start = time.perf_counter()
    copied = run(dest)
    seconds = time.perf_counter() - start
    if copied != files:
        raise SystemExit(f"copied {copied} of {files} files")
    return seconds


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    import distributed

    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    root = tempfile.mkdtemp(prefix="cf-dask-bench-", dir=base)
    try:
        print(f"{args.files} files x {args.size} B, file:// -> file:// in {root}")
        source = _make_source(root, args.files, args.size)
        started = time.perf_counter()
        with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                      dashboard_address=None) as cluster, \
                distributed.Client(cluster, set_as_default=False) as client:
            print(f"LocalCluster start: {time.perf_counter() - started:.2f} s (not timed below)")
            executor = client.get_executor()
            rows: dict[str, Callable[[str], int]] = {
                "parallel=1": lambda dest: source.transfer_to(dest),
                "parallel=2": lambda dest: CloudFiles(source.cloudpath, parallel=2)
                .transfer_to(dest),
                "dask x2": lambda dest: source.transfer_to(dest, executor=executor),
            }
            _timed(rows["dask x2"], f"file://{root}/warm", args.files)  # workers import us
            seconds: dict[str, list[float]] = {name: [] for name in rows}
            names = list(rows)
            for round_ in range(args.repeats):
                for name in names[round_ % len(names):] + names[:round_ % len(names)]:
                    seconds[name].append(_timed(rows[name], f"file://{root}/dest", args.files))
        medians = {name: statistics.median(times) for name, times in seconds.items()}
        for name, median in medians.items():
            print(f"{name:<12} {median:7.2f} s  {args.files / median:9.0f} files/s  "
                  f"x{medians['parallel=1'] / median:.2f} vs parallel=1  "
                  f"(rounds: {', '.join(f'{s:.2f}' for s in seconds[name])})")
        print(f"dask x2 / parallel=2 (throughput): "
              f"{medians['parallel=2'] / medians['dask x2']:.2f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
