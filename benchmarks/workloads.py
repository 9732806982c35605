"""The workloads: what each table measures, with which rows, and the targets checked on them."""
from __future__ import annotations

import attrs
from datasets import BIG_SIZE, GZ_SIZE, MOTO_BUCKET, S3_BUCKET, SMALL_SIZE, Sizes


@attrs.frozen
class Row:
    """One library doing the workload: worker kind, runner ("module:function"), params."""

    id: str
    label: str
    kind: str
    runner: str
    params: dict
    engine: str = ""  # the transport engine of our network rows (the table's engine column)


@attrs.frozen
class Workload:
    """One table: every row does the same work; rates are files/s or MB/s."""

    name: str
    title: str
    unit: str  # "files/s" or "MB/s"
    rows: list[Row]
    base: str = "ours"  # the row others are compared with
    max_repeats: int | None = None  # server-bound workloads take fewer repeats
    note: str = ""


@attrs.frozen
class Target:
    """rate(row) / rate(other) must be >= ratio."""

    workload: str
    row: str
    other: str
    ratio: float

    def describe(self, labels: dict[str, str]) -> str:
        return f"{labels.get(self.row, self.row)} >= {self.ratio:g}x {labels.get(self.other, self.other)}"


@attrs.frozen
class Context:
    """Where things are in this run."""

    nginx: str          # http://127.0.0.1:PORT
    moto: str           # http://127.0.0.1:PORT
    data_root: str      # nginx root
    local_root: str     # file:// workloads
    sizes: Sizes
    versions: dict      # library -> version, for labels
    ours_protocols: tuple[str, ...]


NETWORK = ("http://", "https://", "s3://", "gs://")


def _engine_of(cloudpath: str) -> str:
    """The engine label of our default row: 'auto' (libcurl, big bodies on threads)."""
    return "auto" if cloudpath.startswith(NETWORK) else ""


def ours_rows(row_id: str, label: str, runner: str, params: dict) -> list[Row]:
    """Our row on the default engine, and for network paths the same on the requests engine."""
    engine = _engine_of(params["cloudpath"])
    rows = [Row(row_id, label, "ours", runner, params, engine=engine)]
    if engine:
        rows.append(Row(f"{row_id}-requests", label, "ours", runner,
                        {**params, "engine": "requests"}, engine="requests"))
    return rows


def _cf_rows(cloudpath: str, runner: str, ctx: Context, theirs_path: str | None = None,
             parallel2: bool = False, **params) -> list[Row]:
    """Ours and the published cloud-files through the same CloudFiles calls."""
    rows = ours_rows("ours", "cloudfiles (ours)", runner, {"cloudpath": cloudpath, **params})
    if parallel2:
        rows.append(Row("ours-p2", "cloudfiles (ours) parallel=2", "ours", runner,
                        {"cloudpath": cloudpath, "parallel": 2, **params},
                        engine=_engine_of(cloudpath)))
    theirs = {"cloudpath": theirs_path or cloudpath, **params}
    rows.append(Row("cloud-files", f"cloud-files {ctx.versions.get('cloud-files', '?')} (PyPI)",
                    "cloud-files", "cf_tasks:" + runner.split(":")[1], theirs))
    return rows


def http_get_small(ctx: Context) -> Workload:
    n, base = ctx.sizes.small, f"{ctx.nginx}/{S3_BUCKET}/small"
    rows = _cf_rows(base, "cf_tasks:get", ctx, parallel2=True, count=n, size=SMALL_SIZE)
    rows += [
        Row("requests", "requests Session loop", "raw", "baselines:requests_loop",
            {"base_url": base, "count": n, "size": SMALL_SIZE}),
        Row("urllib3", "urllib3 pool + 20 threads", "raw", "baselines:urllib3_pool",
            {"base_url": base, "count": n, "size": SMALL_SIZE, "threads": 20}),
        Row("obstore", "obstore HTTPStore (asyncio, 20 in flight)", "obstore",
            "baselines:obstore_get",
            {"endpoint": ctx.nginx, "prefix": f"{S3_BUCKET}/small", "count": n,
             "size": SMALL_SIZE}),
        Row("fsspec", f"fsspec {ctx.versions.get('fsspec', '')} http cat (aiohttp)", "fsspec",
            "baselines:fsspec_http_get", {"base_url": base, "count": n, "size": SMALL_SIZE}),
    ]
    return Workload("http_get_4k", f"GET {n} x 4 KiB over http (nginx)", "files/s", rows)


def s3_get_small(ctx: Context) -> Workload:
    n = ctx.sizes.small
    path = f"s3://{ctx.nginx}/{S3_BUCKET}/small"
    rows = _cf_rows(path, "cf_tasks:get", ctx, parallel2=True, count=n,
                    size=SMALL_SIZE)
    s3 = {"endpoint": ctx.nginx, "bucket": S3_BUCKET, "prefix": "small", "count": n,
          "size": SMALL_SIZE}
    rows += [
        Row("boto3", "boto3 + 20 threads", "boto3", "baselines:boto3_get", s3),
        Row("obstore", "obstore S3Store (asyncio, 20 in flight)", "obstore",
            "baselines:obstore_get", s3),
        Row("s3fs", f"s3fs {ctx.versions.get('s3fs', '')} cat", "fsspec", "baselines:s3fs_get",
            s3),
    ]
    return Workload("s3_get_4k", f"S3-signed GET {n} x 4 KiB (nginx answers path-style GETs)",
                    "files/s", rows)


def get_big(ctx: Context) -> Workload:
    n = ctx.sizes.big
    keys = [f"{i:02d}" for i in range(n)]
    http = f"{ctx.nginx}/{S3_BUCKET}/big"
    common = {"count": n, "size": BIG_SIZE, "keys": keys}
    rows: list[Row] = []
    s3_ready = "s3" in ctx.ours_protocols
    if s3_ready:
        rows += ours_rows("ours", "cloudfiles (ours) s3, md5 verified", "cf_tasks:get",
                          {"cloudpath": f"s3://{http}", **common})
    rows += ours_rows("ours" if not s3_ready else "ours-http", "cloudfiles (ours) http",
                      "cf_tasks:get", {"cloudpath": http, **common})
    theirs = _cf_rows(f"s3://{http}", "cf_tasks:get", ctx, **common)[-1]
    rows += [
        attrs.evolve(theirs, label=theirs.label + " s3, md5 verified"),
        Row("cloud-files-http", theirs.label.replace(" (PyPI)", " (PyPI) http"), "cloud-files",
            "cf_tasks:get", {"cloudpath": http, **common}),
        Row("requests-raw", "requests stream=True raw.read() loop", "raw",
            "baselines:requests_loop", {"base_url": http, "stream": True, **common}),
        Row("requests-raw-md5", "requests raw.read() loop + md5", "raw",
            "baselines:requests_loop", {"base_url": http, "stream": True, "md5": True, **common}),
        Row("requests-raw-4t", "requests raw.read() + 4 threads", "raw",
            "baselines:requests_loop", {"base_url": http, "stream": True, "threads": 4, **common}),
        Row("requests-content", "requests .content loop", "raw", "baselines:requests_loop",
            {"base_url": http, **common}),
        Row("boto3", "boto3 + 20 threads", "boto3", "baselines:boto3_get",
            {"endpoint": ctx.nginx, "bucket": S3_BUCKET, "prefix": "big", **common}),
        Row("obstore", "obstore S3Store (asyncio)", "obstore", "baselines:obstore_get",
            {"endpoint": ctx.nginx, "bucket": S3_BUCKET, "prefix": "big", **common}),
        Row("s3fs", "s3fs cat", "fsspec", "baselines:s3fs_get",
            {"endpoint": ctx.nginx, "bucket": S3_BUCKET, "prefix": "big", **common}),
    ]
    return Workload("get_8m", f"GET {n} x 8 MiB (nginx)", "MB/s", rows)


def gzip_get(ctx: Context) -> Workload:
    n = ctx.sizes.gz
    url = f"{ctx.nginx}/gz"
    common = {"count": n, "size": GZ_SIZE}
    blob = f"{ctx.data_root}/gz/00"
    rows = _cf_rows(url, "cf_tasks:get", ctx, keys=[f"{i:02d}" for i in range(n)], **common)
    rows += [
        Row("requests-gzip", "requests .content (urllib3 + zlib)", "raw",
            "baselines:requests_gzip", {"base_url": url, **common}),
        Row("libdeflate", "libdeflate alone, 1 thread (in memory)", "raw", "baselines:gunzip",
            {"path": blob, **common}),
        Row("libdeflate-2t", "libdeflate alone, 2 threads (in memory)", "raw",
            "baselines:gunzip", {"path": blob, "threads": 2, **common}),
        Row("zlib", "zlib alone, 1 thread (in memory)", "raw", "baselines:gunzip",
            {"path": blob, "codec": "zlib", **common}),
    ]
    return Workload("gzip_get", f"GET {n} gzip-encoded files, 8 MiB decoded each (decoded MB/s)",
                    "MB/s", rows)


def s3_put_small(ctx: Context) -> Workload:
    n = ctx.sizes.small
    s3 = {"endpoint": ctx.moto, "bucket": MOTO_BUCKET, "count": n, "size": SMALL_SIZE}
    rows = _cf_rows(f"s3://{ctx.moto}/{MOTO_BUCKET}/put/ours", "cf_tasks:put", ctx,
                    theirs_path=f"s3://{ctx.moto}/{MOTO_BUCKET}/put/theirs",
                    count=n, size=SMALL_SIZE)
    rows += [
        Row("boto3", "boto3 + 20 threads", "boto3", "baselines:boto3_put",
            {**s3, "prefix": "put/boto3"}),
        Row("obstore", "obstore S3Store (asyncio, 20 in flight)", "obstore",
            "baselines:obstore_put", {**s3, "prefix": "put/obstore"}),
        Row("s3fs", "s3fs pipe", "fsspec", "baselines:s3fs_put", {**s3, "prefix": "put/s3fs"}),
    ]
    return Workload("s3_put_4k", f"PUT {n} x 4 KiB to moto", "files/s", rows, max_repeats=2,
                    note="moto's server is the limit here (one Python process)")


def s3_exists(ctx: Context) -> Workload:
    n = ctx.sizes.small
    s3 = {"endpoint": ctx.moto, "bucket": MOTO_BUCKET, "prefix": "list", "count": n}
    rows = _cf_rows(f"s3://{ctx.moto}/{MOTO_BUCKET}/list", "cf_tasks:exists", ctx,
                    count=n)
    rows += [
        Row("boto3", "boto3 head_object + 20 threads", "boto3", "baselines:boto3_exists", s3),
        Row("obstore", "obstore head (asyncio, 20 in flight)", "obstore",
            "baselines:obstore_exists", s3),
        Row("s3fs", "s3fs exists + 20 threads", "fsspec", "baselines:s3fs_exists", s3),
    ]
    return Workload("s3_exists", f"exists on {n} keys (moto)", "files/s", rows, max_repeats=2,
                    note="moto's server is the limit here")


def s3_list(ctx: Context) -> Workload:
    n = ctx.sizes.listed
    s3 = {"endpoint": ctx.moto, "bucket": MOTO_BUCKET, "prefix": "list", "count": n}
    rows = _cf_rows(f"s3://{ctx.moto}/{MOTO_BUCKET}/list", "cf_tasks:list_keys", ctx,
                    count=n)
    rows += [
        Row("boto3", "boto3 list_objects_v2 paginator", "boto3", "baselines:boto3_list", s3),
        Row("obstore", "obstore list", "obstore", "baselines:obstore_list", s3),
        Row("s3fs", "s3fs find", "fsspec", "baselines:s3fs_list", s3),
    ]
    return Workload("s3_list", f"list {n} keys (moto)", "files/s", rows, max_repeats=2,
                    note="moto's server is the limit here")


def file_get(ctx: Context) -> Workload:
    n, src = ctx.sizes.local, f"{ctx.local_root}/src"
    common = {"count": n, "size": SMALL_SIZE}
    rows = _cf_rows(f"file://{src}", "cf_tasks:get", ctx, **common)
    rows += [
        Row("fsspec", "fsspec local cat", "fsspec", "baselines:fsspec_get",
            {"protocol": "file", "root": src, **common}),
        Row("open-read", "open().read() loop", "raw", "baselines:file_read_loop",
            {"root": src, **common}),
    ]
    return Workload("file_get_4k", f"file:// get {n} x 4 KiB (tmpfs)", "files/s", rows)


def file_put(ctx: Context) -> Workload:
    n, root = ctx.sizes.local, f"{ctx.local_root}/put"
    common = {"count": n, "size": SMALL_SIZE}
    rows = _cf_rows(f"file://{root}/ours", "cf_tasks:put", ctx,
                    theirs_path=f"file://{root}/theirs", **common)
    rows += [
        Row("fsspec", "fsspec local pipe", "fsspec", "baselines:fsspec_put",
            {"protocol": "file", "root": f"{root}/fsspec", **common}),
        Row("write-rename", "temp file + rename loop", "raw", "baselines:file_write_loop",
            {"root": f"{root}/rename", **common}),
        Row("write", "open(w).write() loop (not atomic)", "raw", "baselines:file_write_loop",
            {"root": f"{root}/plain", "rename": False, **common}),
    ]
    return Workload("file_put_4k", f"file:// put {n} x 4 KiB (tmpfs, overwriting)", "files/s",
                    rows)


def mem_get(ctx: Context) -> Workload:
    n = ctx.sizes.local
    common = {"count": n, "size": SMALL_SIZE}
    rows = _cf_rows("mem://bench/get", "cf_tasks:get", ctx, populate=True, **common)
    rows += [
        Row("fsspec", "fsspec memory cat", "fsspec", "baselines:fsspec_get",
            {"protocol": "memory", "root": "/bench/get", "populate": True, **common}),
        Row("dict", "dict lookups", "raw", "baselines:dict_loop", common),
    ]
    return Workload("mem_get_4k", f"mem:// get {n} x 4 KiB", "files/s", rows)


def mem_put(ctx: Context) -> Workload:
    n = ctx.sizes.local
    common = {"count": n, "size": SMALL_SIZE}
    rows = _cf_rows("mem://bench/put", "cf_tasks:put", ctx, **common)
    rows += [
        Row("fsspec", "fsspec memory pipe", "fsspec", "baselines:fsspec_put",
            {"protocol": "memory", "root": "/bench/put", **common}),
        Row("dict", "dict stores", "raw", "baselines:dict_loop", {"write": True, **common}),
    ]
    return Workload("mem_put_4k", f"mem:// put {n} x 4 KiB", "files/s", rows)


def transfer(ctx: Context) -> Workload:
    n, src = ctx.sizes.transfer, f"{ctx.local_root}/src"
    dst = f"{ctx.local_root}/transfer"
    common = {"count": n, "size": SMALL_SIZE}
    rows = [
        Row("ours", "cloudfiles (ours) transfer_to", "ours", "cf_tasks:transfer",
            {"source": f"file://{src}", "dest": f"file://{dst}/ours", **common}),
        Row("cloud-files", f"cloud-files {ctx.versions.get('cloud-files', '?')} transfer_to",
            "cloud-files", "cf_tasks:transfer",
            {"source": f"file://{src}", "dest": f"file://{dst}/theirs", **common}),
        Row("fsspec", "fsspec local copy(recursive=True)", "fsspec", "baselines:fsspec_copy",
            {"source": src, "dest": f"{dst}/fsspec", **common}),
        Row("copy-loop", "read + temp file + rename loop", "raw", "baselines:file_copy_loop",
            {"source": src, "dest": f"{dst}/raw", **common}),
    ]
    return Workload("transfer_10k", f"transfer file:// -> file:// of {n} x 4 KiB", "files/s",
                    rows)


TARGETS = [
    # issue 14's targets (engine batches): small GETs against obstore, big and gzip reads
    Target("http_get_4k", "ours", "obstore", 1.0),
    Target("s3_get_4k", "ours", "obstore", 0.5),
    Target("get_8m", "ours-http", "requests-raw", 0.95),
    Target("gzip_get", "ours", "cloud-files", 1.5),
    # where we were before: every row stays at least there
    Target("http_get_4k", "ours", "cloud-files", 2.0),
    Target("http_get_4k", "ours", "urllib3", 0.8),
    Target("http_get_4k", "ours", "ours-requests", 1.0),
    Target("s3_get_4k", "ours", "cloud-files", 2.0),
    Target("s3_get_4k", "ours", "boto3", 1.5),
    Target("s3_get_4k", "ours", "ours-requests", 1.0),
    Target("get_8m", "ours", "requests-raw-md5", 0.9),
    Target("gzip_get", "ours", "libdeflate", 1.0),
    *(Target(name, "ours", other, ratio)
      for name in ("file_get_4k", "file_put_4k", "mem_get_4k", "mem_put_4k")
      for other, ratio in (("cloud-files", 3.0), ("fsspec", 1.0))),
]

ALL = [http_get_small, s3_get_small, get_big, gzip_get, file_get, file_put, mem_get, mem_put,
       transfer, s3_put_small, s3_exists, s3_list]
NAMES = ("http_get_4k", "s3_get_4k", "get_8m", "gzip_get", "file_get_4k", "file_put_4k",
         "mem_get_4k", "mem_put_4k", "transfer_10k", "s3_put_4k", "s3_exists", "s3_list")
NEEDS_MOTO = {"s3_put_4k", "s3_exists", "s3_list"}


def with_alt(workload: Workload, kind: str, tag: str) -> Workload:
    """The workload plus, after each of our rows, the same row run by another copy of ours."""
    rows: list[Row] = []
    for row in workload.rows:
        rows.append(row)
        if row.kind == "ours":
            rows.append(attrs.evolve(row, id=f"{row.id}@alt", label=f"{row.label} [{tag}]",
                                     kind=kind))
    return attrs.evolve(workload, rows=rows)


def build(ctx: Context, only: set[str] | None = None,
          alt: tuple[str, str] | None = None) -> list[Workload]:
    """The workloads of this run (all, or those named in `only`); `alt` = (worker kind, tag)
    adds rows of another copy of our package."""
    workloads = [make(ctx) for make in ALL]
    if only:
        workloads = [w for w in workloads if w.name in only]
    if alt:
        workloads = [with_alt(w, *alt) for w in workloads]
    return workloads
