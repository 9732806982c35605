"""The files the benchmarks read: generated once per run on tmpfs, seeded into moto.

Layout under the data root (served by nginx as is):
  bucket/small/NNNNN   4 KiB random bytes (http GETs, and S3 path-style GETs of bucket `bucket`)
  bucket/big/NN        8 MiB random bytes
  gz/NN                gzip of 8 MiB of text (nginx adds Content-Encoding: gzip)
and under the local root (file:// workloads):
  src/NNNNN            4 KiB random bytes
"""
from __future__ import annotations

import hashlib
import os
import random

import attrs

KIB, MIB = 1024, 1024 * 1024
SMALL_SIZE = 4 * KIB
BIG_SIZE = 8 * MIB
GZ_SIZE = 8 * MIB
S3_BUCKET = "bucket"
MOTO_BUCKET = "bench"


@attrs.frozen
class Sizes:
    """How many files each workload touches."""

    small: int = 2000      # http / S3 GETs of 4 KiB, PUTs to moto, exists
    big: int = 20          # GETs of 8 MiB
    gz: int = 8            # gzip-encoded GETs (8 MiB decoded each)
    local: int = 10000     # file:// and mem:// get/put of 4 KiB
    listed: int = 10000    # keys listed from moto
    transfer: int = 10000  # file:// -> file:// transfer


def small_keys(count: int) -> list[str]:
    return [f"{i:05d}" for i in range(count)]


def _write(path: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as out:
        out.write(data)


def _text(size: int, seed: int = 7) -> bytes:
    """Text that gzip shrinks about 3-4x, like JSON or logs."""
    rng = random.Random(seed)
    words = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(2, 9)))
             for _ in range(3000)]
    numbers = [str(rng.randint(0, 10**6)) for _ in range(3000)]
    parts = rng.choices(words + numbers, k=size // 5)
    return " ".join(parts).encode()[:size]


def build_http_tree(root: str, sizes: Sizes) -> dict[str, str]:
    """Write the nginx tree; returns {uri: md5 hex} for the S3-style ETags."""
    import deflate

    etags: dict[str, str] = {}
    for key in small_keys(sizes.small):
        data = os.urandom(SMALL_SIZE)
        _write(os.path.join(root, S3_BUCKET, "small", key), data)
        etags[f"/{S3_BUCKET}/small/{key}"] = hashlib.md5(data).hexdigest()
    for i in range(sizes.big):
        data = os.urandom(BIG_SIZE)
        _write(os.path.join(root, S3_BUCKET, "big", f"{i:02d}"), data)
        etags[f"/{S3_BUCKET}/big/{i:02d}"] = hashlib.md5(data).hexdigest()
    text = bytes(deflate.gzip_compress(_text(GZ_SIZE), 6))
    for i in range(sizes.gz):
        _write(os.path.join(root, "gz", f"{i:02d}"), text)
    return etags


def build_local_tree(root: str, sizes: Sizes) -> None:
    """Write the file:// source files."""
    for key in small_keys(max(sizes.local, sizes.transfer)):
        _write(os.path.join(root, "src", key), os.urandom(SMALL_SIZE))


def moto_seed(sizes: Sizes) -> str:
    """What moto_main.py writes before serving: the keys list/exists read (64 bytes each)."""
    return f"{MOTO_BUCKET}:list:{sizes.listed}:64"
