"""Progress bars count files and show their total, on stderr, for every batch operation."""
from __future__ import annotations

import re

import pytest

from cloudfiles import CloudFiles
from tests.engine_injection import serve_every_cloudfiles_with
from tests.unit.fake_s3 import ENDPOINT, KEYS, FakeS3


def _final_count(stderr: str, label: str) -> str:
    """The last 'done/total' a bar labelled `label` printed."""
    counts = re.findall(rf"{label}:[^\r\n]*?(\d+/\d+)", stderr)
    assert counts, f"no {label!r} bar in {stderr!r}"
    return counts[-1]


@pytest.mark.parametrize("parallel", [1, 2])
def test_every_batch_shows_its_total(tmp_path, capsys, parallel):
    cf = CloudFiles(f"file://{tmp_path}/src", progress=True, parallel=parallel)
    files = [(f"d/{i}", b"x") for i in range(300)]
    cf.puts(files)
    assert _final_count(capsys.readouterr().err, "Uploading") == "300/300"
    cf.get([path for path, _ in files])
    assert _final_count(capsys.readouterr().err, "Downloading") == "300/300"
    cf.exists([path for path, _ in files])
    assert _final_count(capsys.readouterr().err, "exists") == "300/300"
    cf.size([path for path, _ in files])
    assert _final_count(capsys.readouterr().err, "size") == "300/300"
    cf.transfer_to(f"file://{tmp_path}/dest", paths=[path for path, _ in files])
    assert _final_count(capsys.readouterr().err, "Transferring") == "300/300"
    cf.transfer_to(f"file://{tmp_path}/dest2")  # a lazy listing: counted, total unknown
    assert re.search(r"Transferring: 300file", capsys.readouterr().err)
    cf.delete([path for path, _ in files])
    assert _final_count(capsys.readouterr().err, "Deleting") == "300/300"


def test_batch_deletes_show_a_bar_counting_files(capsys, monkeypatch):
    """s3:// deletes 1000 keys per request (here on an in-memory S3 as its engine)."""
    server = FakeS3()
    serve_every_cloudfiles_with(monkeypatch, server)
    cf = CloudFiles(f"s3://{ENDPOINT}/bkt/bar-batch", progress=True, secrets=KEYS)
    cf.puts([(f"k{i}", b"") for i in range(1500)], progress=False)
    capsys.readouterr()
    del server.requests[:]
    cf.delete([f"k{i}" for i in range(1500)])
    assert _final_count(capsys.readouterr().err, "Deleting") == "1500/1500"
    assert [r.method for r in server.requests] == ["POST", "POST"]  # two DeleteObjects
    assert list(cf.list()) == []
