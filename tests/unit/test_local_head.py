"""head() on the two local storages: the same put gives the same answer on mem:// and file://.

Local storages keep what a file system can: the stored size, the encoding (a file:// suffix)
and the time of the put. Content-Type, Cache-Control and the storage class are not kept, so
both report None for them, as cloud-files does for its file and mem storages.
"""
from __future__ import annotations

import time

import pytest

from cloudfiles import CloudFiles
from cloudfiles.testing import unique_prefix


def both(tmp_path) -> list[CloudFiles]:
    return [CloudFiles(f"mem://local-head/{unique_prefix()}"),
            CloudFiles(f"file://{tmp_path / unique_prefix()}")]


def without_time(head: dict) -> dict:
    return {name: value for name, value in head.items() if name != "Last-Modified"}


@pytest.mark.parametrize("put", [
    {},
    {"compress": "gzip"},
    {"content_type": "application/json", "cache_control": "no-cache", "compress": "br"},
    {"storage_class": "COLDLINE", "compress": "zstd"},
])
def test_the_same_put_gives_the_same_head(tmp_path, put):
    heads = []
    for cf in both(tmp_path):
        before = time.time()
        cf.put("dir/obj", b"0123456789" * 50, **put)
        head = cf.head("dir/obj")
        assert before - 2 <= head["Last-Modified"] <= time.time() + 2
        assert head["Content-Length"] == cf.size("dir/obj") == len(cf.get("dir/obj", raw=True))
        heads.append(without_time(head))
    mem, file = heads
    assert mem == file
    assert mem["Content-Type"] is None and mem["Cache-Control"] is None
    assert mem["Storage-Class"] is None and mem["ETag"] is None


def test_batch_head_agrees_too(tmp_path):
    answers = []
    for cf in both(tmp_path):
        cf.puts([("a", b"1"), ("b", b"22")], compress="gzip")
        heads = cf.head(["a", "b", "missing"])
        answers.append({key: head and without_time(head) for key, head in heads.items()})
    assert answers[0] == answers[1]
    assert answers[0]["missing"] is None and answers[0]["a"]["Content-Encoding"] == "gzip"
