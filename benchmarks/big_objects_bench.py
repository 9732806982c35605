"""Big objects in bounded memory (issue 11 item 5), run by hand:

    python benchmarks/big_objects_bench.py [--cp-mib 768] [--get-mib 1024] [--s3-get-mib N]
                                           [--repeats 3] [--s3-repeats 1] [--dir /tmp]
                                           [--no-baseline] [--only cp|get]

1. `cloudfiles cp` of one --cp-mib file: local -> local, local -> S3 (moto), S3 -> local; ours
   (`python -c "...cli import main; main()"`) against the published cloud-files
   (benchmarks/.baseline-cloudfiles first on PYTHONPATH, its own cloudfiles_cli) doing the same
   cp. Each cp runs in a fresh process under a small wrapper process; its peak RSS is the
   wrapper's resource.getrusage(RUSAGE_CHILDREN).ru_maxrss (the cp process's high-water mark,
   taken by the kernel: nothing is missed between samples). Seconds are the wrapper's wall
   clock around the whole cp process, interpreter start and imports included. Target: peak
   under 200 MiB. The S3 -> local rows both read one object put by boto3 in a single PUT, so
   its ETag is an md5 and the download is checked against it.
2. One --get-mib object GET into a local file over loopback: nginx, then moto (--s3-get-mib,
   the same size by default): our parallel ranged GETs (transfer_to, 16 MiB parts) against one
   stream: ours with a stream plan of one part (big_objects_tasks.py single) and `curl -s -o`
   (of a presigned URL on moto). Ours are timed inside the child (first request to the file
   in place, the HEAD and the md5 check included); curl by the wrapper. moto reads the whole
   object for every ranged GET (one at a time, under the key's lock), so its rows measure
   moto more than the client: --s3-repeats is 1 by default.

Data lives in a temporary directory under --dir (default /tmp), removed at the end. The
machine is shared: compare the ratios taken in one run, not absolute numbers across runs.
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import servers
from workers import AWS_ENV, BASELINE_CLOUDFILES, write_secrets

MIB = 2**20
TARGET_MIB = 200
BUCKET = "bigbench"
TASKS = os.path.join(HERE, "big_objects_tasks.py")
OURS_CLI = "from cloudfiles.entrypoints.cli import main; main(prog_name='cloudfiles')"
THEIRS_CLI = "from cloudfiles_cli.cloudfiles_cli import main; main(prog_name='cloudfiles')"
#: Runs the command in argv[1] (JSON) as its only child; prints its exit code, wall seconds,
#: stdout tail and the children's peak RSS (KiB on Linux) as one JSON line.
WRAPPER = """\
import json, resource, subprocess, sys, time
cmd, timeout = json.loads(sys.argv[1]), float(sys.argv[2])
started = time.perf_counter()
child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
try:
    out, err = child.communicate(timeout=timeout)
except subprocess.TimeoutExpired:
    child.kill()
    out, err = child.communicate()
    err += b"\\ntimed out"
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": child.returncode, "seconds": seconds, "maxrss_kib": usage.ru_maxrss,
                  "cpu": usage.ru_utime + usage.ru_stime,
                  "stdout": out.decode(errors="replace")[-2000:],
                  "stderr": err.decode(errors="replace")[-3000:]}))
"""


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def child_env(home: str, path: list[str]) -> dict[str, str]:
    """The environment of a measured process: fake AWS keys, a HOME of its own (the published
    cloud-files reads its S3 keys from there), PYTHONPATH = path (the baseline's directory)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "PYTHONPATH", "CLOUDFILES_"))
           and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env.update(AWS_ENV, HOME=home, PYTHONDONTWRITEBYTECODE="1")
    if path:
        env["PYTHONPATH"] = os.pathsep.join(path)
    return env


class RunFailed(RuntimeError):
    """A measured process exited non-zero (or timed out)."""


def measured(cmd: list[str], env: dict[str, str], cwd: str, timeout: float = 300) -> dict:
    """Run cmd under the wrapper: {"seconds", "rss_mib", "cpu", "stdout"}; seconds is the
    child's own figure when it prints one (a JSON line with "seconds"), else the wrapper's."""
    wrapper = subprocess.run([sys.executable, "-c", WRAPPER, json.dumps(cmd), str(timeout)],
                             env=env, cwd=cwd, capture_output=True, text=True, check=True)
    report = json.loads(wrapper.stdout)
    if report["rc"] != 0:
        raise RunFailed(f"{' '.join(cmd[:6])}... exited {report['rc']}: "
                        f"{report['stderr'].strip()[-1500:]}")
    seconds = report["seconds"]
    for line in report["stdout"].splitlines():
        if line.startswith("{") and '"seconds"' in line:
            seconds = json.loads(line)["seconds"]
    return {"seconds": seconds, "wall": report["seconds"], "cpu": report["cpu"],
            "rss_mib": report["maxrss_kib"] / 1024, "stdout": report["stdout"]}


def write_big(path: str, size: int) -> str:
    """A file of `size` bytes (64 MiB of os.urandom repeated, then cut); its md5 hex."""
    block = os.urandom(min(size, 64 * MIB))
    digest = hashlib.md5()
    with open(path, "wb") as out:
        left = size
        while left:
            piece = block[:left] if left < len(block) else block
            out.write(piece)
            digest.update(piece)
            left -= len(piece)
    return digest.hexdigest()


def md5_of(path: str) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        while chunk := handle.read(8 * MIB):
            digest.update(chunk)
    return digest.hexdigest()


def check_file(path: str, size: int, md5: str | None) -> None:
    """The copy at path has the size (and md5 when given) of the original."""
    if not os.path.isfile(path):
        raise RunFailed(f"{path} was not written")
    if os.path.getsize(path) != size:
        raise RunFailed(f"{path}: {os.path.getsize(path)} bytes, expected {size}")
    if md5 is not None and md5_of(path) != md5:
        raise RunFailed(f"{path}: md5 differs from the original")


def _remove(path: str) -> None:
    if os.path.isdir(path):
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.exists(path):
        os.remove(path)


# -- 1. cloudfiles cp --------------------------------------------------------------------------


class Bench:
    """The servers, data and child environments of one run."""

    def __init__(self, work: str, args: argparse.Namespace):
        self.work = work
        self.args = args
        self.home = os.path.join(work, "home")
        os.makedirs(self.home)
        write_secrets(self.home)
        self.env = {"ours": child_env(self.home, []),
                    "cloud-files": child_env(self.home, [BASELINE_CLOUDFILES])}
        self.nginx: servers.Nginx | None = None
        self.moto: servers.Moto | None = None
        self.s3 = None
        self.get_md5: str | None = None  # md5 of the object of the GET rows

    def s3_client(self):
        import boto3
        from botocore.config import Config

        if self.s3 is None:
            self.s3 = boto3.client(
                "s3", endpoint_url=self.moto.url, region_name="us-east-1",
                aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"],
                config=Config(request_checksum_calculation="when_required",
                              response_checksum_validation="when_required"))
        return self.s3

    def seed_s3(self, key: str, path: str) -> None:
        """Put a local file under key in one PUT (so its ETag is its md5)."""
        from boto3.s3.transfer import TransferConfig

        self.s3_client().upload_file(path, BUCKET, key,
                                     Config=TransferConfig(multipart_threshold=2**40))

    def s3_size(self, key: str) -> int:
        return self.s3_client().head_object(Bucket=BUCKET, Key=key)["ContentLength"]

    def cp(self, kind: str, source: str, dest: str) -> dict:
        """One `cloudfiles cp source dest` of `kind` (ours / cloud-files), measured."""
        code = OURS_CLI if kind == "ours" else THEIRS_CLI
        return measured([sys.executable, "-c", code, "cp", source, dest], self.env[kind],
                        self.home)


def cp_rows(bench: Bench, kinds: list[str]) -> list[dict]:
    """Every cp case for every kind: {"case", "kind", run figures or "error"}."""
    size = bench.args.cp_mib * MIB
    src_dir = os.path.join(bench.work, "src")
    os.makedirs(src_dir)
    source = os.path.join(src_dir, "big")
    started = time.monotonic()
    md5 = write_big(source, size)
    _log(f"wrote {bench.args.cp_mib} MiB in {time.monotonic() - started:.1f} s")
    bench.seed_s3("seed/big", source)
    moto = f"s3://{bench.moto.url}/{BUCKET}"
    rows = []

    def case(name: str, kind: str, run: Callable[[], dict], check: Callable[[], None]) -> None:
        _log(f"  {name} / {kind} ... (load {_load()})")
        try:
            result = run()
            check()
            rows.append({"case": name, "kind": kind, "bytes": size, **result})
            _log(f"    {result['rss_mib']:.0f} MiB peak, {result['seconds']:.1f} s")
        except Exception as error:  # noqa: BLE001 - reported in the table
            rows.append({"case": name, "kind": kind, "error": str(error)})
            _log(f"    failed: {error}")

    for kind in kinds:
        case("`cloudfiles --help` (imports only)", kind,
             lambda kind=kind: measured([sys.executable, "-c",
                                         OURS_CLI if kind == "ours" else THEIRS_CLI, "--help"],
                                        bench.env[kind], bench.home), lambda: None)
    for kind in kinds:
        dest = os.path.join(bench.work, f"local-{kind}", "big")
        os.makedirs(os.path.dirname(dest))
        case("local -> local", kind, lambda kind=kind, dest=dest: bench.cp(kind, source, dest),
             lambda dest=dest: check_file(dest, size, md5))
        _remove(os.path.dirname(dest))
    for kind in kinds:
        key = f"{kind}/big"

        def uploaded(key: str = key) -> None:
            if bench.s3_size(key) != size:
                raise RunFailed(f"s3 {key}: {bench.s3_size(key)} bytes, expected {size}")

        case("local -> S3 (moto)", kind,
             lambda kind=kind, key=key: bench.cp(kind, source, f"{moto}/{key}"), uploaded)
    for kind in kinds:
        dest = os.path.join(bench.work, f"from-s3-{kind}", "big")
        os.makedirs(os.path.dirname(dest))
        case("S3 (moto) -> local", kind,
             lambda kind=kind, dest=dest: bench.cp(kind, f"{moto}/seed/big", dest),
             lambda dest=dest: check_file(dest, size, md5))
        _remove(os.path.dirname(dest))
    _remove(source)
    return rows


def cp_table(rows: list[dict], cp_mib: int, kinds: list[str]) -> str:
    """The cp rows as markdown: ours against the baseline, RSS ratio and the target."""
    by = {(row["case"], row["kind"]): row for row in rows}
    cases = list(dict.fromkeys(row["case"] for row in rows))
    theirs = "cloud-files 6.4.3"
    lines = [f"### `cloudfiles cp` of one {cp_mib} MiB file: peak RSS",
             "",
             ("peak RSS = ru_maxrss of the cp process (RUSAGE_CHILDREN of a wrapper); "
              "seconds = the whole process (start and imports included); one run each"),
             "",
             (f"| cp | ours peak MiB | {theirs} peak MiB | ours / theirs RSS | ours s "
              f"| theirs s | ours MB/s | theirs MB/s | ours < {TARGET_MIB} MiB |"),
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]

    def cell(row: dict | None, key: str, fmt: str) -> str:
        if row is None:
            return "-"
        if "error" in row:
            return "error"
        return fmt.format(row[key])

    for name in cases:
        ours, base = by.get((name, "ours")), by.get((name, "cloud-files"))
        ratio = "n/a"
        if ours and base and "error" not in ours and "error" not in base:
            ratio = f"{ours['rss_mib'] / base['rss_mib']:.2f}"
        rates = []
        for row in (ours, base):
            if row is None or "error" in row or "bytes" not in row or "--help" in name:
                rates.append("-")
            else:
                rates.append(f"{row['bytes'] / 1e6 / row['seconds']:.0f}")
        met = "-" if "--help" in name or ours is None or "error" in ours else \
            ("met" if ours["rss_mib"] < TARGET_MIB else "MISSED")
        lines.append(f"| {name} | {cell(ours, 'rss_mib', '{:.0f}')} "
                     f"| {cell(base, 'rss_mib', '{:.0f}')} | {ratio} "
                     f"| {cell(ours, 'seconds', '{:.1f}')} | {cell(base, 'seconds', '{:.1f}')} "
                     f"| {rates[0]} | {rates[1]} | {met} |")
    errors = [row for row in rows if "error" in row]
    lines += [""] + [f"- {row['case']} / {row['kind']}: {row['error'][-400:]}"
                     for row in errors]
    return "\n".join(lines).rstrip()


# -- 2. one big GET: parallel ranges against one stream ----------------------------------------


def get_rows(bench: Bench, server: str, url: str, cloudpath: str, key: str, size: int,
             repeats: int) -> list[dict]:
    """curl (of url), ours single stream and ours ranged (of key under cloudpath), `repeats`
    times each, rows interleaved."""
    dest_dir = os.path.join(bench.work, "get-dest")
    methods = {
        "curl -s -o (one stream)": lambda: [
            "curl", "-s", "-f", "-o", os.path.join(dest_dir, key), url],
        "ours, one stream (StreamPlan(part=size))": lambda: [
            sys.executable, TASKS, "single", cloudpath, key, str(size), dest_dir],
        "ours, parallel ranged GETs (16 MiB parts)": lambda: [
            sys.executable, TASKS, "ranged", cloudpath, key, str(size), dest_dir],
    }
    samples: dict[str, list[dict]] = {name: [] for name in methods}
    errors: dict[str, str] = {}
    for round_ in range(repeats):
        for name, command in methods.items():
            if name in errors:
                continue
            os.makedirs(os.path.dirname(os.path.join(dest_dir, key)), exist_ok=True)
            _log(f"  {server} / {name} #{round_ + 1} ... (load {_load()})")
            try:
                result = measured(command(), bench.env["ours"], bench.home)
                # md5 of the first copy of each row; sizes of the others
                check_file(os.path.join(dest_dir, key), size,
                           bench.get_md5 if round_ == 0 and key == "big" else None)
                samples[name].append(result)
                _log(f"    {size / 1e6 / result['seconds']:.0f} MB/s, "
                     f"{result['rss_mib']:.0f} MiB peak")
            except Exception as error:  # noqa: BLE001 - reported in the table
                errors[name] = str(error)
                _log(f"    failed: {error}")
            _remove(dest_dir)
    rows = []
    for name in methods:
        runs = samples[name]
        row: dict = {"server": server, "method": name, "size": size, "runs": len(runs)}
        if runs:
            rates = [size / 1e6 / run["seconds"] for run in runs]
            row.update(median=statistics.median(rates), min=min(rates), max=max(rates),
                       rss_mib=max(run["rss_mib"] for run in runs))
        if name in errors:
            row["error"] = errors[name]
        rows.append(row)
    return rows


def get_table(rows: list[dict]) -> str:
    """The GET rows as markdown, each with its ratio to curl and to our one stream."""
    lines = [("### One big object GET into a local file over loopback: parallel ranges vs "
              "one stream"),
             "",
             ("MB/s (10^6 B/s), median of the runs (min..max); peak RSS of the process "
              "(max of the runs); x = this row's MB/s / that single stream's"),
             "",
             ("| server | size | GET | runs | MB/s | min..max | peak RSS MiB | x curl "
              "| x ours one stream |"),
             "|---|---:|---|---:|---:|---:|---:|---:|---:|"]
    for server in dict.fromkeys(row["server"] for row in rows):
        group = [row for row in rows if row["server"] == server]
        curl = next((r.get("median") for r in group if r["method"].startswith("curl")), None)
        single = next((r.get("median") for r in group if "one stream (" in r["method"]), None)
        for row in group:
            size = f"{row['size'] / MIB:.0f} MiB"
            if "median" not in row:
                lines.append(f"| {server} | {size} | {row['method']} | 0 | error: "
                             f"{row.get('error', 'no run')[-120:]} | | | | |")
                continue
            ratios = [f"{row['median'] / base:.2f}" if base else "n/a" for base in (curl, single)]
            lines.append(f"| {server} | {size} | {row['method']} | {row['runs']} "
                         f"| {row['median']:.0f} "
                         f"| {row['min']:.0f}..{row['max']:.0f} | {row['rss_mib']:.0f} "
                         f"| {ratios[0]} | {ratios[1]} |")
    errors = [row for row in rows if "error" in row]
    lines += [""] + [f"- {row['server']} / {row['method']}: {row['error'][-400:]}"
                     for row in errors]
    return "\n".join(lines).rstrip()


# -- the run ---------------------------------------------------------------------------------


def _versions(bench: Bench) -> str:
    def first_line(cmd: list[str]) -> str:
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=30,
                                  check=False)
            return (done.stdout or done.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return "?"

    repo = os.path.dirname(HERE)
    commit = first_line(["git", "-C", repo, "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(  # GIT_OPTIONAL_LOCKS=0: status must not touch the index
        ["git", "-C", repo, "status", "--porcelain", "--untracked-files=no", "cloudfiles"],
        capture_output=True, text=True, check=False,
        env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"}).stdout.strip()
    theirs = [name for name in os.listdir(BASELINE_CLOUDFILES)
              if name.startswith("cloud_files-")]
    import moto

    return (f"ours {commit}{' (cloudfiles/ modified)' if dirty else ''}, "
            f"{theirs[0].removesuffix('.dist-info') if theirs else 'cloud-files ?'}, "
            f"moto {moto.__version__}, {first_line(['nginx', '-v'])}, "
            f"{' '.join(first_line(['curl', '--version']).split()[:2])}")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cp-mib", type=int, default=768, help="size of the cp file")
    parser.add_argument("--get-mib", type=int, default=1024, help="size of the nginx GET")
    parser.add_argument("--s3-get-mib", type=int, default=None,
                        help="size of the moto GET (default: --get-mib; 0 skips it)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per nginx GET row")
    parser.add_argument("--s3-repeats", type=int, default=1, help="runs per moto GET row")
    parser.add_argument("--dir", default="/tmp", help="where the temporary data goes")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the published cloud-files rows")
    parser.add_argument("--only", choices=("cp", "get"), help="one part only")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    s3_get_mib = args.get_mib if args.s3_get_mib is None else args.s3_get_mib
    started, load_at_start = time.monotonic(), _load()
    work = tempfile.mkdtemp(prefix="cf-bigbench-", dir=args.dir)
    os.chmod(work, 0o755)  # nginx's workers run as another user
    bench = Bench(work, args)
    kinds = ["ours"] if args.no_baseline else ["ours", "cloud-files"]
    tables = []
    try:
        bench.moto = servers.Moto(f"{BUCKET}:none:0:0").start()
        versions = _versions(bench)
        _log(f"data in {work}; moto {bench.moto.url}; load {load_at_start}; {versions}")
        if args.only in (None, "cp"):
            tables.append(cp_table(cp_rows(bench, kinds), args.cp_mib, kinds))
            print(tables[-1] + "\n", flush=True)
        if args.only in (None, "get"):
            rows = []
            http_root = os.path.join(work, "http")
            os.makedirs(http_root)
            os.chmod(http_root, 0o755)
            size = args.get_mib * MIB
            big = os.path.join(http_root, "big")
            bench.get_md5 = write_big(big, size)
            os.chmod(big, 0o644)
            bench.nginx = servers.Nginx(http_root).start()
            rows += get_rows(bench, "nginx", f"{bench.nginx.url}/big", bench.nginx.url, "big",
                             size, args.repeats)
            if s3_get_mib:
                s3_size = s3_get_mib * MIB
                if s3_size != size:
                    bench.get_md5 = write_big(big, s3_size)
                bench.seed_s3("big", big)
                _remove(big)
                presigned = bench.s3_client().generate_presigned_url(  # curl signs nothing
                    "get_object", Params={"Bucket": BUCKET, "Key": "big"}, ExpiresIn=3600)
                rows += get_rows(bench, "moto S3", presigned, f"s3://{bench.moto.url}/{BUCKET}",
                                 "big", s3_size, args.s3_repeats)
            tables.append(get_table(rows))
            print(tables[-1] + "\n", flush=True)
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
        print(f"{datetime.datetime.now().isoformat(timespec='seconds')}, {os.cpu_count()} "
              f"cores, {memory:.0f} GiB, python {platform.python_version()}, load "
              f"{load_at_start} -> {_load()}, {time.monotonic() - started:.0f} s in all; "
              f"{versions}; data on {args.dir}")
        return 0
    finally:
        for server in (bench.nginx, bench.moto):
            if server is not None:
                server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
