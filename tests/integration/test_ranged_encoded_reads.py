"""A ranged read of an object stored encoded needs the whole object (ranges apply to decoded
bytes). Once a CloudFiles has seen that an object is stored encoded, its ranged reads cost
one GET of the whole object instead of a ranged GET followed by a whole one."""
from __future__ import annotations

import gzip

import pytest

from cloudfiles import CloudFiles

from .fault_server import FaultServer, serve

TEXT = bytes(range(256)) * 64
FILES = {"data/zipped.bin": gzip.compress(TEXT), "data/plain.bin": TEXT}


@pytest.fixture
def server():
    with serve(FaultServer(files=dict(FILES), encodings={"data/zipped.bin": "gzip"})) as state:
        yield state


def gets(server: FaultServer, path: str) -> list[str | None]:
    """The Range header of every GET of path, in order (None: a whole read)."""
    return [headers.get("Range") for method, seen, headers in server.requests
            if method == "GET" and seen == path]


def test_the_second_ranged_read_of_an_encoded_object_is_one_whole_get(server):
    cf = CloudFiles(f"{server.url}/data")
    assert cf[("zipped.bin", slice(100, 200))] == TEXT[100:200]
    assert gets(server, "data/zipped.bin") == ["bytes=100-199", None]
    server.clear()
    results = cf.get([{"path": "zipped.bin", "start": 5, "end": 9},
                      {"path": "zipped.bin", "start": 300, "end": 310}])
    assert sorted(r["content"] for r in results) == sorted([TEXT[5:9], TEXT[300:310]])
    assert all(r["error"] is None for r in results)
    assert gets(server, "data/zipped.bin") == [None, None]


def test_plain_objects_keep_their_ranged_reads(server):
    cf = CloudFiles(f"{server.url}/data")
    for _ in range(2):
        assert cf[("plain.bin", slice(100, 200))] == TEXT[100:200]
    assert gets(server, "data/plain.bin") == ["bytes=100-199", "bytes=100-199"]


def test_raw_ranged_reads_of_encoded_objects_stay_ranged(server):
    cf = CloudFiles(f"{server.url}/data")
    cf[("zipped.bin", slice(0, 10))]  # learnt: stored encoded
    server.clear()
    raw = cf.get({"path": "zipped.bin", "start": 0, "end": 10}, raw=True)
    assert raw == FILES["data/zipped.bin"][:10]
    assert gets(server, "data/zipped.bin") == ["bytes=0-9"]
