"""moto's S3 server for the benchmarks, seeded in its own process before it serves.

Seeding 10,000 keys over HTTP takes a minute or more here (moto answers ~200-450 requests/s);
written straight into moto's backend it takes a second, and the clients then list and HEAD
exactly what they would have. werkzeug's per-request log line is silenced (it is the same
for every client measured).

    python moto_main.py -H 127.0.0.1 -p PORT   # CF_BENCH_MOTO_SEED=bucket:prefix:count:size
"""
from __future__ import annotations

import logging
import os
import sys


def seed(spec: str) -> None:
    """Create `bucket` holding `count` keys prefix/00000... of `size` bytes each."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    bucket, prefix, count, size = spec.split(":")
    backend = s3_backends[DEFAULT_ACCOUNT_ID]["global"]
    backend.create_bucket(bucket, "us-east-1")
    body = b"x" * int(size)
    for i in range(int(count)):
        backend.put_object(bucket, f"{prefix}/{i:05d}", body)


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    spec = os.environ.get("CF_BENCH_MOTO_SEED")
    if spec:
        seed(spec)
    from moto.server import main as serve

    serve(sys.argv[1:])


if __name__ == "__main__":
    main()
