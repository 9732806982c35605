"""cloudfiles against the libraries users would otherwise pick, all on 127.0.0.1, in one run.

    python benchmarks/bench.py [--quick] [--repeats N] [--only w1,w2] [--json out.json]
                               [--profile WORKLOAD:ROW]

Starts nginx and moto on free 127.0.0.1 ports, writes the data to tmpfs, starts one worker
process per library, then for each workload runs every row `repeats` times, rows interleaved
(the order rotates each round), and prints a table per workload with each row's median rate
and its ratio to ours, then the targets. The machine is shared and noisy: compare ratios
taken in the same run, not absolute numbers across runs.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import datasets
import report
import servers
import workloads
from workers import ALT, KINDS, Worker, check_isolation, write_secrets


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 repeats instead of 5")
    parser.add_argument("--repeats", type=int, help="timed runs per row (default 5)")
    parser.add_argument("--only", help="comma-separated workload names: "
                        + ",".join(workloads.NAMES))
    parser.add_argument("--json", help="also write every sample and summary to this file")
    parser.add_argument("--alt", metavar="DIR",
                        help="also measure the cloudfiles package in DIR (e.g. a git worktree "
                             "with a change), as extra rows tagged with DIR's name")
    parser.add_argument("--keep", action="store_true",
                        help="keep the data and the workers' logs (stderr) afterwards")
    parser.add_argument("--profile", metavar="WORKLOAD:ROW",
                        help="after the tables, run one row (default: ours) once more "
                             "under py-spy --gil and print where the GIL goes")
    return parser.parse_args(argv)


def _scratch() -> str:
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    return tempfile.mkdtemp(prefix="cf-bench-", dir=base)


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def _machine() -> dict:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cores": os.cpu_count(), "memory_gib": round(memory), "python": platform.python_version(),
            "platform": platform.platform()}


def run_workload(workload: workloads.Workload, pool: dict[str, Worker], repeats: int,
                 log) -> dict[str, list[dict]]:
    """Every row `repeats` times, rows interleaved; samples per row id."""
    samples: dict[str, list[dict]] = {row.id: [] for row in workload.rows}
    rows = list(workload.rows)
    for round_ in range(repeats):
        order = rows[round_ % len(rows):] + rows[:round_ % len(rows)]
        for row in order:
            worker = pool[row.kind]
            task_id = f"{workload.name}/{row.id}"
            if samples[row.id] and "error" in samples[row.id][-1]:
                continue  # a row that failed once is not retried in this run
            reply = worker.request({"op": "run", "id": task_id, "runner": row.runner,
                                    "params": row.params})
            samples[row.id].append(reply)
            if "error" in reply:
                log(f"  {workload.name} / {row.label}: "
                    f"{reply['error'].strip().splitlines()[-1][:200]}")
    for row in rows:
        pool[row.kind].request({"op": "drop", "id": f"{workload.name}/{row.id}"})
    return samples


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


_VERSION_FROM = {"cloudfiles": "ours", "cloud-files": "cloud-files", "boto3": "boto3",
                 "obstore": "obstore", "s3fs": "fsspec", "fsspec": "fsspec", "requests": "raw",
                 "urllib3": "raw", "deflate": "raw"}


def _versions(pool: dict[str, Worker]) -> dict[str, str]:
    """Each library's version as the worker measuring it imports it."""
    return {name: pool[kind].identity["versions"].get(name, "?")
            for name, kind in _VERSION_FROM.items()}


def _start_workers(home: str, alt_dir: str | None) -> tuple[dict[str, Worker], tuple | None]:
    pool: dict[str, Worker] = {}
    alt = None
    try:
        write_secrets(home)
        for kind in KINDS:
            pool[kind] = Worker(kind, home)
        if alt_dir:
            alt_dir = os.path.abspath(alt_dir)
            pool[ALT] = Worker(ALT, home, path=[alt_dir])
            alt = (ALT, os.path.basename(alt_dir.rstrip("/")))
        check_isolation(pool)
    except BaseException:
        for worker in pool.values():
            worker.close()
        raise
    return pool, alt


def _measure(ctx: workloads.Context, pool: dict[str, Worker], args: argparse.Namespace,
             repeats: int, only: set[str] | None, alt: tuple | None) -> dict:
    """Every workload's table, printed as it finishes; their summaries and samples."""
    summaries, samples = {}, {}
    for workload in workloads.build(ctx, only, alt):
        count = min(repeats, workload.max_repeats or repeats)
        if args.quick and workload.max_repeats:
            count = 1  # the moto-bound tables take most of the time
        started = time.monotonic()
        samples[workload.name] = run_workload(workload, pool, count, _log)
        summaries[workload.name] = report.summarize(workload, samples[workload.name])
        print(report.table(workload, summaries[workload.name], count) + "\n", flush=True)
        _log(f"  ({workload.name}: {time.monotonic() - started:.0f} s, load {_load()})")
    return {"summaries": summaries, "samples": samples}


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    repeats = args.repeats or (2 if args.quick else 5)
    only = set(args.only.split(",")) if args.only else None
    unknown = (only or set()) - set(workloads.NAMES)
    if unknown:
        _log(f"unknown workloads: {', '.join(sorted(unknown))}; known: {', '.join(workloads.NAMES)}")
        return 2

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still stop the servers
    started, load_at_start = time.monotonic(), _load()
    scratch = _scratch()
    data_root, local_root, home = (os.path.join(scratch, d) for d in ("http", "local", "home"))
    os.chmod(scratch, 0o755)  # nginx's workers run as another user
    for directory in (data_root, local_root, home):
        os.makedirs(directory)
    sizes = datasets.Sizes()
    nginx = moto = None
    pool: dict[str, Worker] = {}
    try:
        _log(f"load average at start: {load_at_start} ({os.cpu_count()} cores); "
             f"data in {scratch}")
        etags = datasets.build_http_tree(data_root, sizes)
        datasets.build_local_tree(local_root, sizes)
        nginx = servers.Nginx(data_root, etags).start()
        if only is None or only & workloads.NEEDS_MOTO:
            moto = servers.Moto(datasets.moto_seed(sizes)).start()
        pool, alt = _start_workers(home, args.alt)
        ctx = workloads.Context(
            nginx=nginx.url, moto=moto.url if moto else "", data_root=data_root,
            local_root=local_root, sizes=sizes, versions=_versions(pool),
            ours_protocols=tuple(pool["ours"].identity["protocols"]),
        )
        _log(f"nginx {nginx.url}, moto {ctx.moto or '-'}; ours: "
             f"{pool['ours'].module_file('cloudfiles')} ({', '.join(ctx.ours_protocols)}); "
             f"published: {pool['cloud-files'].module_file('cloudfiles')}; "
             f"setup took {time.monotonic() - started:.0f} s")

        measured = _measure(ctx, pool, args, repeats, only, alt)
        checked = report.check_targets(workloads.TARGETS, measured["summaries"])
        print(report.targets_table(checked) + "\n", flush=True)
        meta = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
                "machine": {**_machine(), "load_at_start": load_at_start},
                "load_at_end": _load(), "repeats": repeats, "versions": ctx.versions,
                "seconds": round(time.monotonic() - started)}
        print(f"{meta['date']}, {meta['machine']['cores']} cores, "
              f"{meta['machine']['memory_gib']} GiB, load {load_at_start} -> "
              f"{meta['load_at_end']}, {meta['seconds']} s in all")
        if args.profile:
            _profile(args.profile, ctx, pool)
        if args.json:
            with open(args.json, "w") as out:
                json.dump({"meta": meta, "targets": checked, **measured}, out, indent=1,
                          default=str)
        return 0
    finally:
        for worker in pool.values():
            worker.close()
        for server in (nginx, moto):
            if server is not None:
                server.stop()
        if args.keep:
            _log(f"kept {scratch} (worker logs in {home})")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def _profile(spec: str, ctx: workloads.Context, pool: dict[str, Worker]) -> None:
    """Run one row once more under py-spy (GIL-holding samples, all threads) and print the
    functions that hold the GIL longest; pyinstrument (main thread only) without py-spy."""
    name, _, row_id = spec.partition(":")
    rows = [row for w in workloads.build(ctx, {name}) for row in w.rows
            if row.id == (row_id or "ours")]
    if not rows:
        print(f"--profile: no row {spec!r}", file=sys.stderr)
        return
    row, worker = rows[0], pool[rows[0].kind]
    message = {"id": f"profile/{spec}", "runner": row.runner, "params": row.params}
    worker.request({"op": "run", **message})  # prepared and warm
    py_spy = shutil.which("py-spy")
    if not py_spy:
        reply = worker.request({"op": "profile", **message})
        print(reply.get("text") or reply.get("error"))
        return
    out = os.path.join(tempfile.gettempdir(), f"cf-bench-profile-{os.getpid()}.txt")
    recorder = subprocess.Popen(
        [py_spy, "record", "--pid", str(worker.process.pid), "--rate", "1000", "--gil",
         "--format", "raw", "--output", out, "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    reply = worker.request({"op": "run", **message})
    recorder.send_signal(signal.SIGINT)
    recorder.wait(timeout=30)
    print(f"### py-spy --gil: {row.label} ({name}), one run of {reply.get('seconds', 0):.2f} s")
    print(profile_summary(out))
    os.remove(out)


def profile_summary(raw_path: str, top: int = 25) -> str:
    """Self and inclusive shares of GIL-holding samples by function, from py-spy's raw stacks."""
    own, inclusive, total = Counter(), Counter(), 0
    with open(raw_path) as raw:
        for line in raw:
            stack, _, count = line.rstrip().rpartition(" ")
            if not count.isdigit():
                continue
            frames = [frame.rsplit(" (", 1)[0] + " (" + frame.rsplit(" (", 1)[-1].split(":")[0]
                      + ")" if " (" in frame else frame for frame in stack.split(";")]
            total += int(count)
            own[frames[-1]] += int(count)
            for frame in set(frames):
                inclusive[frame] += int(count)
    if not total:
        return "(no samples)"
    lines = [f"{total} samples", "", "self %  function"]
    lines += [f"{100 * n / total:6.1f}  {frame}" for frame, n in own.most_common(top)]
    lines += ["", "incl %  function"]
    lines += [f"{100 * n / total:6.1f}  {frame}" for frame, n in inclusive.most_common(top)]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
