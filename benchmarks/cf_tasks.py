"""Tasks through the CloudFiles API: the very same code measures ours and the published one.

Which `cloudfiles` this imports is decided by the worker's sys.path (see workers.py); the
worker's "hello" reply records the file it came from, and bench.py checks it.
"""
from __future__ import annotations

import os
import shutil

from tasks import Task, check, small_keys


def _cloudfiles(cloudpath: str, engine: str = ""):
    """A CloudFiles on cloudpath; engine names our transport engine ('' the default)."""
    from cloudfiles import CloudFiles

    if engine:
        os.environ["CLOUDFILES_ENGINE"] = engine
    else:
        os.environ.pop("CLOUDFILES_ENGINE", None)
    return CloudFiles(cloudpath)


def _contents(results: list[dict]) -> int:
    nbytes = 0
    for result in results:
        if result.get("error") is not None:
            raise result["error"]
        check(result["content"] is not None, f"{result['path']} came back empty")
        nbytes += len(result["content"])
    return nbytes


def get(cloudpath: str, count: int, size: int, parallel: int = 1, populate: bool = False,
        keys: list[str] | None = None, engine: str = "") -> Task:
    """cf.get(keys): `count` files of `size` bytes (written first when `populate`, for mem://)."""
    cf = _cloudfiles(cloudpath, engine)
    keys = keys or small_keys(count)
    if populate:
        cf.puts([(key, os.urandom(size)) for key in keys])
    _contents(cf.get(keys[:20]))  # warm: imports, connections, credentials

    def run() -> tuple[int, int]:
        nbytes = _contents(cf.get(keys, parallel=parallel))
        check(nbytes == size * len(keys), f"read {nbytes} bytes, expected {size * len(keys)}")
        return len(keys), nbytes

    return Task(run)


def put(cloudpath: str, count: int, size: int, engine: str = "") -> Task:
    """cf.puts of `count` files of `size` bytes (the same keys each run; overwrites)."""
    files = [(key, os.urandom(size)) for key in small_keys(count)]
    cf = _cloudfiles(cloudpath, engine)
    cf.puts(files[:20])

    def run() -> tuple[int, int]:
        cf.puts(files)
        return len(files), size * len(files)

    return Task(run)


def exists(cloudpath: str, count: int, engine: str = "") -> Task:
    """cf.exists(keys) for `count` existing keys."""
    cf = _cloudfiles(cloudpath, engine)
    keys = small_keys(count)
    cf.exists(keys[:20])

    def run() -> tuple[int, int]:
        found = cf.exists(keys)
        check(len(found) == len(keys) and all(found.values()), "exists: some keys missing")
        return len(keys), 0

    return Task(run)


def list_keys(cloudpath: str, count: int, engine: str = "") -> Task:
    """list(cf.list()) of a prefix holding `count` keys."""
    cf = _cloudfiles(cloudpath, engine)

    def run() -> tuple[int, int]:
        keys = list(cf.list())
        check(len(keys) == count, f"listed {len(keys)} keys, expected {count}")
        return len(keys), 0

    return Task(run)


def transfer(source: str, dest: str, count: int, size: int) -> Task:
    """cf.transfer_to(dest) of a file:// tree of `count` files into a fresh directory."""
    cf = _cloudfiles(source)
    dest_dir = dest.removeprefix("file://")

    def run() -> tuple[int, int]:
        cf.transfer_to(dest)
        return count, count * size

    def after() -> None:
        check(len(os.listdir(dest_dir)) == count, "transfer: files missing at the destination")
        shutil.rmtree(dest_dir, ignore_errors=True)

    return Task(run, after)
