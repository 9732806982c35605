"""Tasks of the libraries users would otherwise pick, and raw lower bounds.

Every task does the same work as its CloudFiles row (same files, same checks on sizes) and,
like a get() of many files, keeps every body it read until the batch is over (dropping each
one at once would let the allocator hand the same warm pages back for the next body),
with the library used the way its documentation shows for batches: boto3 on a thread pool
of `threads` with a connection pool as large, obstore on asyncio, s3fs/fsspec through their
batch calls.
"""
from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor

from tasks import Task, check, small_keys

CREDENTIALS = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}
REGION = "us-east-1"


def _total(blobs) -> int:
    return sum(len(blob) for blob in blobs)


def _expect(nbytes: int, expected: int) -> None:
    check(nbytes == expected, f"read {nbytes} bytes, expected {expected}")


# -- raw HTTP lower bounds ------------------------------------------------------------------------
def requests_loop(base_url: str, count: int, size: int, stream: bool = False,
                  md5: bool = False, threads: int = 0, keys: list[str] | None = None) -> Task:
    """One requests Session; `.content`, or stream=True + raw.read(); optionally on threads."""
    import requests

    session = requests.Session()
    session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=max(1, threads)))
    urls = [f"{base_url}/{key}" for key in (keys or small_keys(count))]

    def fetch(url: str) -> bytes:
        if stream:
            with session.get(url, stream=True) as response:
                data = response.raw.read()
        else:
            data = session.get(url).content
        if md5:
            hashlib.md5(data).hexdigest()
        return data

    fetch(urls[0])
    pool = ThreadPoolExecutor(threads) if threads else None

    def run() -> tuple[int, int]:
        nbytes = _total(list(pool.map(fetch, urls) if pool else map(fetch, urls)))
        _expect(nbytes, size * len(urls))
        return len(urls), nbytes

    return Task(run, close=lambda: pool and pool.shutdown())


def urllib3_pool(base_url: str, count: int, size: int, threads: int = 8,
                 keys: list[str] | None = None) -> Task:
    """A bare urllib3 HTTPConnectionPool of `threads` connections, on as many threads."""
    import urllib3

    pool = urllib3.connectionpool.connection_from_url(base_url, maxsize=threads, block=True)
    prefix = urllib3.util.parse_url(base_url).path or ""
    paths = [f"{prefix}/{key}" for key in (keys or small_keys(count))]
    executor = ThreadPoolExecutor(threads)

    def fetch(path: str) -> bytes:
        return pool.request("GET", path, retries=False).data

    fetch(paths[0])

    def run() -> tuple[int, int]:
        nbytes = _total(list(executor.map(fetch, paths)))
        _expect(nbytes, size * len(paths))
        return len(paths), nbytes

    return Task(run, close=executor.shutdown)


def requests_gzip(base_url: str, count: int, size: int) -> Task:
    """requests `.content` of gzip-encoded files (urllib3 decodes them with zlib)."""
    import requests

    session = requests.Session()
    urls = [f"{base_url}/{i:02d}" for i in range(count)]

    def run() -> tuple[int, int]:
        nbytes = _total([session.get(url).content for url in urls])
        _expect(nbytes, size * count)
        return count, nbytes

    return Task(run)


# -- codecs alone ---------------------------------------------------------------------------------
def gunzip(path: str, count: int, size: int, codec: str = "libdeflate", threads: int = 1) -> Task:
    """Decode `count` copies of a gzip file already in memory: the codec's rate alone."""
    import zlib

    import deflate

    with open(path, "rb") as handle:
        blob = handle.read()
    decode = {
        "libdeflate": deflate.gzip_decompress,
        "zlib": lambda data: zlib.decompress(data, 31),
    }[codec]
    pool = ThreadPoolExecutor(threads) if threads > 1 else None

    def run() -> tuple[int, int]:
        blobs = [blob] * count
        nbytes = _total(list(pool.map(decode, blobs) if pool else map(decode, blobs)))
        _expect(nbytes, size * count)
        return count, nbytes

    return Task(run, close=lambda: pool and pool.shutdown())


# -- boto3 -------------------------------------------------------------------------------------------
def _boto3_client(endpoint: str, threads: int):
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint, region_name=REGION, **CREDENTIALS,
        config=Config(max_pool_connections=threads, s3={"addressing_style": "path"}),
    )


def boto3_get(endpoint: str, bucket: str, prefix: str, count: int, size: int,
              threads: int = 20, keys: list[str] | None = None) -> Task:
    """get_object(...)['Body'].read() on a thread pool."""
    client = _boto3_client(endpoint, threads)
    keys = [f"{prefix}/{key}" for key in (keys or small_keys(count))]
    executor = ThreadPoolExecutor(threads)

    def fetch(key: str) -> bytes:
        return client.get_object(Bucket=bucket, Key=key)["Body"].read()

    fetch(keys[0])

    def run() -> tuple[int, int]:
        nbytes = _total(list(executor.map(fetch, keys)))
        _expect(nbytes, size * len(keys))
        return len(keys), nbytes

    return Task(run, close=executor.shutdown)


def boto3_put(endpoint: str, bucket: str, prefix: str, count: int, size: int,
              threads: int = 20) -> Task:
    """put_object on a thread pool."""
    client = _boto3_client(endpoint, threads)
    files = [(f"{prefix}/{key}", os.urandom(size)) for key in small_keys(count)]
    executor = ThreadPoolExecutor(threads)

    def store(item) -> None:
        client.put_object(Bucket=bucket, Key=item[0], Body=item[1])

    store(files[0])

    def run() -> tuple[int, int]:
        list(executor.map(store, files))
        return len(files), size * len(files)

    return Task(run, close=executor.shutdown)


def boto3_exists(endpoint: str, bucket: str, prefix: str, count: int, threads: int = 20) -> Task:
    """head_object on a thread pool (a 404 would raise ClientError)."""
    client = _boto3_client(endpoint, threads)
    keys = [f"{prefix}/{key}" for key in small_keys(count)]
    executor = ThreadPoolExecutor(threads)

    def exists(key: str) -> bool:
        return client.head_object(Bucket=bucket, Key=key)["ContentLength"] >= 0

    exists(keys[0])

    def run() -> tuple[int, int]:
        check(all(executor.map(exists, keys)), "exists: some keys missing")
        return len(keys), 0

    return Task(run, close=executor.shutdown)


def boto3_list(endpoint: str, bucket: str, prefix: str, count: int) -> Task:
    """The list_objects_v2 paginator."""
    client = _boto3_client(endpoint, 10)
    paginator = client.get_paginator("list_objects_v2")

    def run() -> tuple[int, int]:
        keys = [item["Key"] for page in paginator.paginate(Bucket=bucket, Prefix=prefix + "/")
                for item in page.get("Contents", [])]
        check(len(keys) == count, f"listed {len(keys)} keys, expected {count}")
        return len(keys), 0

    return Task(run)


# -- obstore -------------------------------------------------------------------------------------------
class _Loop:
    """An asyncio loop on its own thread, for libraries whose batch API is async."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)


async def _bounded(limit: int, coroutines) -> list:
    semaphore = asyncio.Semaphore(limit)

    async def one(coroutine):
        async with semaphore:
            return await coroutine

    return await asyncio.gather(*(one(c) for c in coroutines))


def _obstore(endpoint: str, bucket: str | None):
    from obstore.store import HTTPStore, S3Store

    if bucket is None:
        return HTTPStore.from_url(endpoint, client_options={"allow_http": True})
    return S3Store(bucket, endpoint=endpoint, access_key_id="bench",
                   secret_access_key="bench", region=REGION,
                   virtual_hosted_style_request=False, client_options={"allow_http": True})


def obstore_get(endpoint: str, prefix: str, count: int, size: int, bucket: str | None = None,
                concurrency: int = 20, keys: list[str] | None = None) -> Task:
    """obstore.get_async(...).bytes_async() gathered with `concurrency` in flight."""
    import obstore

    store = _obstore(endpoint, bucket)
    paths = [f"{prefix}/{key}" for key in (keys or small_keys(count))]
    loop = _Loop()

    async def fetch(path: str):
        result = await obstore.get_async(store, path)
        return await result.bytes_async()

    async def batch() -> int:
        return _total(await _bounded(concurrency, (fetch(p) for p in paths)))

    loop.run(fetch(paths[0]))

    def run() -> tuple[int, int]:
        nbytes = loop.run(batch())
        _expect(nbytes, size * len(paths))
        return len(paths), nbytes

    return Task(run, close=loop.close)


def obstore_put(endpoint: str, bucket: str, prefix: str, count: int, size: int,
                concurrency: int = 20) -> Task:
    """obstore.put_async gathered."""
    import obstore

    store = _obstore(endpoint, bucket)
    files = [(f"{prefix}/{key}", os.urandom(size)) for key in small_keys(count)]
    loop = _Loop()

    async def batch() -> None:
        await _bounded(concurrency, (obstore.put_async(store, k, v) for k, v in files))

    async def first() -> None:
        await obstore.put_async(store, *files[0])

    loop.run(first())

    def run() -> tuple[int, int]:
        loop.run(batch())
        return len(files), size * len(files)

    return Task(run, close=loop.close)


def obstore_exists(endpoint: str, bucket: str, prefix: str, count: int,
                   concurrency: int = 20) -> Task:
    """obstore.head_async gathered."""
    import obstore

    store = _obstore(endpoint, bucket)
    paths = [f"{prefix}/{key}" for key in small_keys(count)]
    loop = _Loop()

    async def batch() -> list:
        return await _bounded(concurrency, (obstore.head_async(store, p) for p in paths))

    def run() -> tuple[int, int]:
        heads = loop.run(batch())
        check(len(heads) == len(paths), "exists: some keys missing")
        return len(paths), 0

    return Task(run, close=loop.close)


def obstore_list(endpoint: str, bucket: str, prefix: str, count: int) -> Task:
    """obstore.list(...) collected."""
    import obstore

    store = _obstore(endpoint, bucket)

    def run() -> tuple[int, int]:
        keys = [item["path"] for chunk in obstore.list(store, prefix + "/") for item in chunk]
        check(len(keys) == count, f"listed {len(keys)} keys, expected {count}")
        return len(keys), 0

    return Task(run)


# -- s3fs / fsspec ---------------------------------------------------------------------------------
def _s3fs(endpoint: str):
    import s3fs

    return s3fs.S3FileSystem(key="bench", secret="bench", endpoint_url=endpoint,
                             client_kwargs={"region_name": REGION},
                             config_kwargs={"s3": {"addressing_style": "path"}},
                             skip_instance_cache=True, use_listings_cache=False)


def s3fs_get(endpoint: str, bucket: str, prefix: str, count: int, size: int,
             keys: list[str] | None = None) -> Task:
    """S3FileSystem.cat(paths): fsspec's concurrent batch read."""
    fs = _s3fs(endpoint)
    paths = [f"{bucket}/{prefix}/{key}" for key in (keys or small_keys(count))]
    fs.cat(paths[:2])

    def run() -> tuple[int, int]:
        nbytes = _total(fs.cat(paths).values())
        _expect(nbytes, size * len(paths))
        return len(paths), nbytes

    return Task(run)


def s3fs_put(endpoint: str, bucket: str, prefix: str, count: int, size: int) -> Task:
    """S3FileSystem.pipe({path: bytes}): fsspec's concurrent batch write."""
    fs = _s3fs(endpoint)
    files = {f"{bucket}/{prefix}/{key}": os.urandom(size) for key in small_keys(count)}
    fs.pipe(dict(list(files.items())[:2]))

    def run() -> tuple[int, int]:
        fs.pipe(files)
        return len(files), size * len(files)

    return Task(run)


def s3fs_exists(endpoint: str, bucket: str, prefix: str, count: int, threads: int = 20) -> Task:
    """S3FileSystem.exists per key, on a thread pool (s3fs has no batch exists)."""
    fs = _s3fs(endpoint)
    paths = [f"{bucket}/{prefix}/{key}" for key in small_keys(count)]
    executor = ThreadPoolExecutor(threads)

    def run() -> tuple[int, int]:
        check(all(executor.map(fs.exists, paths)), "exists: some keys missing")
        return len(paths), 0

    return Task(run, close=executor.shutdown)


def s3fs_list(endpoint: str, bucket: str, prefix: str, count: int) -> Task:
    """S3FileSystem.find(prefix)."""
    fs = _s3fs(endpoint)

    def run() -> tuple[int, int]:
        keys = fs.find(f"{bucket}/{prefix}/")
        check(len(keys) == count, f"listed {len(keys)} keys, expected {count}")
        return len(keys), 0

    return Task(run)


def fsspec_http_get(base_url: str, count: int, size: int, keys: list[str] | None = None) -> Task:
    """fsspec HTTPFileSystem.cat(urls) (aiohttp)."""
    import fsspec

    fs = fsspec.filesystem("http", skip_instance_cache=True)
    urls = [f"{base_url}/{key}" for key in (keys or small_keys(count))]
    fs.cat(urls[:2])

    def run() -> tuple[int, int]:
        nbytes = _total(fs.cat(urls).values())
        _expect(nbytes, size * len(urls))
        return len(urls), nbytes

    return Task(run)


def fsspec_get(protocol: str, root: str, count: int, size: int, populate: bool = False) -> Task:
    """fsspec cat(paths) on the local or memory file system."""
    import fsspec

    fs = fsspec.filesystem(protocol, skip_instance_cache=True)
    paths = [f"{root}/{key}" for key in small_keys(count)]
    if populate:
        fs.pipe({path: os.urandom(size) for path in paths})

    def run() -> tuple[int, int]:
        nbytes = _total(fs.cat(paths).values())
        _expect(nbytes, size * len(paths))
        return len(paths), nbytes

    return Task(run)


def fsspec_put(protocol: str, root: str, count: int, size: int) -> Task:
    """fsspec pipe({path: bytes}) on the local or memory file system."""
    import fsspec

    fs = fsspec.filesystem(protocol, skip_instance_cache=True)
    files = {f"{root}/{key}": os.urandom(size) for key in small_keys(count)}
    if protocol == "file":
        os.makedirs(root, exist_ok=True)

    def run() -> tuple[int, int]:
        fs.pipe(files)
        return len(files), size * len(files)

    return Task(run)


def fsspec_copy(source: str, dest: str, count: int, size: int) -> Task:
    """fsspec LocalFileSystem.copy(source, dest, recursive=True)."""
    import fsspec

    fs = fsspec.filesystem("file", skip_instance_cache=True)

    def run() -> tuple[int, int]:
        fs.copy(source + "/", dest + "/", recursive=True)
        return count, count * size

    def after() -> None:
        check(len(os.listdir(dest)) == count, "copy: files missing at the destination")
        shutil.rmtree(dest, ignore_errors=True)

    return Task(run, after)


# -- local files, raw --------------------------------------------------------------------------------
def file_read_loop(root: str, count: int, size: int) -> Task:
    """open(path, 'rb').read() in a loop."""
    paths = [os.path.join(root, key) for key in small_keys(count)]

    def read(path: str) -> bytes:
        with open(path, "rb") as handle:
            return handle.read()

    def run() -> tuple[int, int]:
        nbytes = _total(list(map(read, paths)))
        _expect(nbytes, size * count)
        return count, nbytes

    return Task(run)


def file_write_loop(root: str, count: int, size: int, rename: bool = True) -> Task:
    """Write each file to a temporary name and rename it into place (or write in place)."""
    files = [(os.path.join(root, key), os.urandom(size)) for key in small_keys(count)]
    os.makedirs(root, exist_ok=True)

    def write(path: str, data: bytes) -> None:
        temp = path + ".tmp" if rename else path
        with open(temp, "wb") as handle:
            handle.write(data)
        if rename:
            os.replace(temp, path)

    def run() -> tuple[int, int]:
        for path, data in files:
            write(path, data)
        return count, count * size

    return Task(run)


def file_copy_loop(source: str, dest: str, count: int, size: int) -> Task:
    """Read each file and write it under a temporary name renamed into place."""
    keys = small_keys(count)

    def run() -> tuple[int, int]:
        os.makedirs(dest, exist_ok=True)
        for key in keys:
            with open(os.path.join(source, key), "rb") as handle:
                data = handle.read()
            temp = os.path.join(dest, key + ".tmp")
            with open(temp, "wb") as handle:
                handle.write(data)
            os.replace(temp, os.path.join(dest, key))
        return count, count * size

    def after() -> None:
        shutil.rmtree(dest, ignore_errors=True)

    return Task(run, after)


def dict_loop(count: int, size: int, write: bool = False) -> Task:
    """A plain dict: the floor of any mem:// store."""
    files = {key: os.urandom(size) for key in small_keys(count)}
    store = dict(files)

    def run() -> tuple[int, int]:
        if write:
            for key, data in files.items():
                store[key] = data
            return count, count * size
        nbytes = _total([store[key] for key in files])
        return count, nbytes

    return Task(run)
