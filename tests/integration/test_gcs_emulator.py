"""gs:// features beyond the contract, against gcp-storage-emulator."""
from __future__ import annotations

import gzip
import os

import pytest

from cloudfiles import CloudFiles
from cloudfiles.adapters.gcs import resumable as gcs_resumable
from cloudfiles.domain.byteranges import ByteRange
from cloudfiles.domain.errors import StorageError, TransientStorageError
from cloudfiles.domain.objects import StorageConfig
from cloudfiles.domain.ports import HttpRequest, HttpResponse, Transport
from cloudfiles.entrypoints.engines import transport_for
from cloudfiles.testing import open_storage
from tests.engine_injection import open_with_engine
from tests.integration.gcs_fixtures import GCS_BUCKET
from tests.unit.gcs_helpers import write_key


class Recording(Transport):
    """Passes requests on, records them, and can fail one after the server answered it."""

    def __init__(self, inner: Transport, drop=None):
        self.inner = inner
        self.requests: list[HttpRequest] = []
        self.drop = drop or (lambda request: False)

    def send(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        response = self.inner.send(request)
        if self.drop(request):
            self.drop = lambda request: False  # once
            raise TransientStorageError("injected: connection dropped after the server replied")
        return response


@pytest.fixture
def recorded(monkeypatch):
    """open(path, drop=None, **kwargs) -> (CloudFiles, Recording): a CloudFiles whose engine,
    handed in by the composition root, records (and may drop) its requests."""
    def open_recorded(path: str, drop=None, **kwargs) -> tuple[CloudFiles, Recording]:
        return open_with_engine(monkeypatch, path, lambda engine: Recording(engine, drop),
                                **kwargs)

    return open_recorded


def test_ranged_reads_are_partial_and_exact(gcs_root):
    root = gcs_root()
    cf = CloudFiles(root)
    data = bytes(range(256)) * 4
    cf.put("plain", data)
    cf.put("packed", data, compress="gzip")
    storage = open_storage(root)
    stored = storage.get("plain", ByteRange(10, 20))
    assert stored.partial and stored.content == data[10:20] and stored.encoding is None
    stored = storage.get("packed", ByteRange(0, 5))
    assert stored.partial and stored.encoding == "gzip"
    assert cf["plain", 1000:2000] == data[1000:]
    assert cf["packed", 100:110] == data[100:110]
    assert cf.get({"path": "plain", "start": -4}) == data[-4:]
    assert cf.get("packed", raw=True) == storage.get("packed").content
    assert gzip.decompress(cf.get("packed", raw=True)) == data


def test_flat_listing_and_prefixes(gcs_root):
    cf = CloudFiles(gcs_root())
    cf.puts([("d/a", b"1"), ("d/e/f", b"2"), ("d/e/g", b"3"), ("d2", b"4"), ("top", b"5")])
    assert sorted(cf.list(flat=True, dirs=True)) == ["d/", "d2", "top"]
    assert sorted(cf.list("d/", flat=True, dirs=True)) == ["d/a", "d/e/"]
    assert sorted(cf.list("d")) == ["d/a", "d/e/f", "d/e/g", "d2"]
    assert sorted(cf.list("d/e/")) == ["d/e/f", "d/e/g"]


def test_metadata_storage_class_and_cache_control(gcs_root):
    cf = CloudFiles(gcs_root())
    cf.put("cold", b"brr", storage_class="NEARLINE", cache_control="no-cache",
           content_type="text/plain")
    head = cf.head("cold")
    assert head["Storage-Class"] == "NEARLINE"
    assert head["Cache-Control"] == "no-cache"
    assert head["Content-Type"] == "text/plain"
    assert head["Content-Length"] == 3
    assert head["Content-Md5"] and head["Last-Modified"] > 0


def test_batch_delete_uses_batch_requests(gcs_root, recorded):
    cf, recording = recorded(gcs_root())
    keys = [f"k{i:03d}" for i in range(150)]
    cf.puts([(key, b"x") for key in keys])
    del recording.requests[:]
    cf.delete(keys + ["never-existed"])
    assert list(cf.list()) == []
    posts = [r for r in recording.requests if r.method == "POST"]
    assert len(posts) == 2 and all("/batch/storage/v1" in r.url for r in posts)
    assert not [r for r in recording.requests if r.method == "DELETE"]


def test_server_side_copy_with_rewrite(gcs_root):
    source_root, dest_root = gcs_root(), gcs_root()
    source, dest = CloudFiles(source_root), CloudFiles(dest_root)
    recording = Recording(transport_for(StorageConfig()))
    dest_storage, source_storage = open_storage(dest_root, recording), open_storage(source_root)
    source.put("a b", b"payload" * 100, compress="br")
    assert dest_storage.copy_from(source_storage, "a b", "copied") is True
    assert [r.method for r in recording.requests] == ["POST"]
    assert "/rewriteTo/b/" in recording.requests[0].url
    assert dest.get("copied") == b"payload" * 100
    assert dest.head("copied")["Content-Encoding"] == "br"
    assert dest_storage.copy_from(source_storage, "missing", "x") is False
    assert dest_storage.copy_from(open_storage("mem://b/x"), "a", "b") is False
    source.transfer_to(dest, paths=["a b"])
    assert dest.get("a b") == b"payload" * 100


def test_resumable_upload_resumes_after_dropped_connection(gcs_root, recorded):
    chunk = gcs_resumable.QUANTUM
    data = os.urandom(4 * chunk + 1000)

    def second_chunk(request):
        return request.headers.get("Content-Range", "").startswith(f"bytes {chunk}-")

    cf, recording = recorded(gcs_root(), drop=second_chunk, resumable_threshold=2 * chunk,
                             resumable_chunk_size=chunk)
    cf.put("big", data, compress=None)
    assert cf.get("big") == data
    ranges = [r.headers.get("Content-Range") for r in recording.requests if r.method == "PUT"]
    total = len(data)
    assert ranges == [
        f"bytes 0-{chunk - 1}/{total}",
        f"bytes {chunk}-{2 * chunk - 1}/{total}",   # persisted, but the reply was lost
        f"bytes */{total}",                           # so the upload asks the session
        f"bytes {2 * chunk}-{3 * chunk - 1}/{total}",  # and continues, not restarts
        f"bytes {3 * chunk}-{4 * chunk - 1}/{total}",
        f"bytes {4 * chunk}-{total - 1}/{total}",
    ]
    starts = [r for r in recording.requests if r.method == "POST"]
    assert len(starts) == 1 and "uploadType=resumable" in starts[0].url
    assert len(gcs_resumable.SESSIONS) == 0  # finished sessions are forgotten


def test_small_objects_are_not_resumable(gcs_root, recorded):
    cf, recording = recorded(gcs_root(), resumable_threshold=1024)
    cf.put("small", b"s" * 1023)
    assert ["uploadType=multipart" in r.url for r in recording.requests] == [True]


@pytest.mark.parametrize("how", ["env", "endpoint"])
def test_endpoint_from_emulator_variable_or_argument(gcs_emulator, gcs_env, monkeypatch, how,
                                                     recorded):
    if how == "env":
        # with a key in the secrets dir: the emulator variable still means anonymous requests
        write_key(gcs_env / "google-secret.json", "ignored")
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs_emulator.endpoint.split("//")[1])
        cf, recording = recorded(f"gs://{GCS_BUCKET}/via-{how}")
    else:
        cf, recording = recorded(f"gs://{GCS_BUCKET}/via-{how}", endpoint=gcs_emulator.endpoint)
    cf.put("f", b"1")
    assert cf.get("f") == b"1" and list(cf.list()) == ["f"]
    cf.delete("f")
    assert all(r.url.startswith(gcs_emulator.endpoint + "/") for r in recording.requests)
    if how == "env":
        assert not any(name.lower() == "authorization"
                       for r in recording.requests for name in r.headers)


def test_request_payer_reaches_every_request(gcs_root, recorded):
    cf, recording = recorded(gcs_root(), request_payer="billing-project")
    cf.put("p", b"1")
    cf.get("p")
    list(cf.list())
    cf.delete("p")
    assert len(recording.requests) >= 4
    assert all("userProject=billing-project" in r.url for r in recording.requests)


def test_missing_bucket_and_object(gcs_emulator, gcs_env):
    cf = CloudFiles(gcs_emulator.path(GCS_BUCKET, "nothing-here"))
    assert cf.get("nope") is None and cf.head("nope") is None and not cf.exists("nope")
    cf.delete("nope")
    assert list(cf.list()) == []


def test_bucket_root_and_missing_bucket(gcs_emulator, gcs_env):
    bucket = gcs_emulator.create_bucket("cf-root")
    cf = CloudFiles(gcs_emulator.path(bucket))
    cf.puts([("x/1", b"1"), ("y", b"2")])
    assert sorted(cf.list()) == ["x/1", "y"] and sorted(cf.list(flat=True, dirs=True)) == ["x/", "y"]
    cf.delete(["x/1", "y"])
    assert list(cf.list()) == []
    gone = CloudFiles(gcs_emulator.path("no-such-bucket"))
    for call in (lambda: gone.get("k"), lambda: gone.exists("k"), lambda: gone.size(["k"])):
        with pytest.raises(StorageError, match="'no-such-bucket' does not exist"):
            call()
    with pytest.raises(StorageError, match="HTTP 404"):
        list(gone.list())
