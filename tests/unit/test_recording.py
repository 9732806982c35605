"""get/puts(return_recording=True): the answer plus a TransmissionMonitor of every transfer."""
from __future__ import annotations

import uuid

import pytest

from cloudfiles import CloudFiles
from cloudfiles.monitoring import IOEnum, TransmissionMonitor
from tests.engine_injection import serve_every_cloudfiles_with
from tests.unit.fake_s3 import ENDPOINT, KEYS, FakeS3
from tests.unit.gcs_helpers import refuse_network


@pytest.fixture(params=["mem", "file", "s3"])
def cf(request, tmp_path, monkeypatch):
    if request.param == "s3":  # driven over an engine batch (a fake S3, no socket)
        refuse_network(monkeypatch)
        serve_every_cloudfiles_with(monkeypatch, FakeS3())
        return CloudFiles(f"s3://{ENDPOINT}/bkt/{uuid.uuid4().hex}", secrets=KEYS)
    if request.param == "mem":
        return CloudFiles(f"mem://recording-{uuid.uuid4().hex}")
    return CloudFiles(f"file://{tmp_path}")


def test_puts_and_gets_are_recorded_byte_for_byte(cf):
    files = {f"k{i}": bytes([i]) * (100 + i) for i in range(40)}
    stored, uploads = cf.puts(files.items(), return_recording=True)
    assert stored == 40 and isinstance(uploads, TransmissionMonitor)
    assert uploads.direction == IOEnum.TX
    assert uploads.total_bytes() == sum(map(len, files.values()))
    results, downloads = cf.get(list(files), return_recording=True)
    assert {r["path"]: r["content"] for r in results} == files
    assert downloads.direction == IOEnum.RX
    assert downloads.total_bytes() == sum(map(len, files.values()))
    content, one = cf.get("k3", return_recording=True)
    assert content == files["k3"] and one.total_bytes() == len(files["k3"])


def test_compressed_transfers_count_stored_bytes(cf):
    text = b"a" * 10_000
    _, uploads = cf.puts([("z", text)], compress="gzip", return_recording=True)
    assert 0 < uploads.total_bytes() < len(text)  # what went over the wire, compressed
    (result,), downloads = cf.get(["z"], return_recording=True)
    assert result["content"] == text and downloads.total_bytes() == uploads.total_bytes()


def test_a_failed_download_is_recorded_as_failed(cf):
    cf.puts([("ok", b"1"), ("bad", b"not gzip")], compress=None)
    cf.put("bad", b"not gzip", raw=True, compress="gzip")
    results, downloads = cf.get(["ok", "bad"], raise_errors=False, return_recording=True)
    assert {r["path"]: r["error"] is None for r in results} == {"ok": True, "bad": False}
    assert downloads.total_bytes() >= 1
    _, uploads = cf.put_jsons([("j", {"a": 1})], return_recording=True)
    assert uploads.total_bytes() == len(b'{"a":1}')
