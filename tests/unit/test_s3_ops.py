"""The s3:// adapter is sans-I/O: its operations run against a fake engine (an in-memory S3
that checks every signature), with no network, and yield what the driver is to send."""
from __future__ import annotations

import os

import pytest

from cloudfiles import CloudFiles
from cloudfiles.adapters.s3.storage import S3Storage
from cloudfiles.adapters.transport.mock import MockTransport
from cloudfiles.domain.byteranges import ByteRange
from cloudfiles.domain.errors import CredentialsError, StorageError, TransientStorageError
from cloudfiles.domain.objects import PutOptions, StorageConfig
from cloudfiles.domain.op_storage import ListPage
from cloudfiles.domain.ops import run_locally
from cloudfiles.domain.paths import extract
from cloudfiles.domain.ports import HttpRequest, HttpResponse
from cloudfiles.testing import StorageContract, unique_prefix
from tests.engine_injection import serve_every_cloudfiles_with
from tests.unit.fake_s3 import ENDPOINT, KEYS, FakeS3
from tests.unit.gcs_helpers import refuse_network

MiB = 1024 * 1024
ROOT = f"s3://{ENDPOINT}/bkt/root"


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """No test here may open a connection."""
    refuse_network(monkeypatch)


def s3_storage(server: FakeS3, path: str = ROOT, **options) -> S3Storage:
    """An s3:// storage at path on the fake server, signing with the fake's keys."""
    return S3Storage(extract(path), StorageConfig(secrets=KEYS, options=options), server)


def exchanges(op, reply) -> tuple[list, object]:
    """(what the op yielded, in order; its result), each request answered by reply()."""
    shapes = []
    try:
        exchange = next(op)
        while True:
            shapes.append(exchange)
            if isinstance(exchange, tuple):
                exchange = op.send(tuple(_answer(reply, request) for request in exchange))
            else:
                exchange = op.send(reply(exchange))
    except StopIteration as stop:
        return shapes, stop.value


def _answer(reply, request):
    try:
        return reply(request)
    except Exception as error:  # noqa: BLE001 - stands in the request's place, as drivers do
        return error


def test_every_call_runs_on_the_fake_engine_with_valid_signatures():
    server = FakeS3()
    storage = s3_storage(server)
    storage.put("a/1", b"one", PutOptions(content_type="text/plain", encoding="gzip"))
    storage.put("a/2", b"two" * 10, PutOptions())
    storage.put("b", b"bee", PutOptions(cache_control="no-store", storage_class="GLACIER"))
    assert storage.get("a/1").content == b"one"
    assert storage.get("a/1").encoding == "gzip"
    assert storage.get("a/2", ByteRange(3, 6)).content == b"two"
    info = storage.head("b")
    assert (info.size, info.cache_control, info.storage_class) == (3, "no-store", "GLACIER")
    assert storage.exists("a/1") and not storage.exists("nope")
    assert storage.size("a/2") == 30 and storage.size("nope") is None
    assert storage.get("nope") is None and storage.head("nope") is None
    assert list(storage.list()) == ["a/1", "a/2", "b"]
    assert list(storage.list_sizes("", flat=True)) == [("a/", None), ("b", 3)]
    assert storage.copy_from(s3_storage(server), "b", "c") is True
    assert server.buckets["bkt"]["root/c"].content == b"bee"
    storage.delete("a/1")
    storage.delete("never-there")
    storage.delete_many(["a/2", "b", "c"])
    assert list(storage.list()) == []
    assert all("Authorization" in request.headers for request in server.requests)


def test_a_get_is_one_signed_request_and_its_answer_read():
    storage = s3_storage(FakeS3())
    op = storage.get_op("dir/k y")
    request = next(op)
    assert isinstance(request, HttpRequest)
    assert (request.method, request.url) == ("GET", f"{ENDPOINT}/bkt/root/dir/k%20y")
    assert request.headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDFAKE/")
    with pytest.raises(StopIteration) as done:
        op.send(HttpResponse(200, {"Content-Encoding": "br"}, b"stored"))
    assert (done.value.value.content, done.value.value.encoding) == (b"stored", "br")


def test_listing_pages_are_relative_sized_and_chained():
    server = FakeS3()
    storage = s3_storage(server, max_keys=2)
    for key in ("a", "d/1", "d/2", "e"):
        storage.put(key, b"12345", PutOptions())
    first = run_locally(storage.list_page_op("", True, None), server.send)
    assert first == ListPage(("a", "d/"), first.next_token, (5, None))
    assert first.next_token
    second = run_locally(storage.list_page_op("", True, first.next_token), server.send)
    assert second == ListPage(("e",), None, (5,))
    deep = run_locally(storage.list_page_op("d/", False, None), server.send)
    assert deep.entries == ("d/1", "d/2")


def test_a_listing_without_sizes_leaves_them_to_head_requests():
    def answer(request):
        if "list-type=2" in request.url:
            return HttpResponse(200, {}, b"<ListBucketResult><IsTruncated>false</IsTruncated>"
                                         b"<Contents><Key>root/a</Key></Contents>"
                                         b"</ListBucketResult>")
        return HttpResponse(200, {"Content-Length": "7"})

    storage = S3Storage(extract(ROOT), StorageConfig(secrets=KEYS), MockTransport(answer))
    page = run_locally(storage.list_page_op("", False, None), answer)
    assert page == ListPage(("a",), None, None)
    assert list(storage.list_sizes()) == [("a", 7)]
    assert [r.method for r in storage.transport.requests] == ["GET", "HEAD"]


def test_large_puts_yield_their_parts_at_most_threads_at_a_time():
    server = FakeS3()
    storage = s3_storage(server, multipart_threshold=MiB, multipart_part_size=MiB,
                         multipart_threads=3)
    content = os.urandom(10 * MiB + 5)
    shapes, _ = exchanges(storage.put_op("big", content, PutOptions(content_type="x/y")),
                          server.send)
    sizes = [len(shape) if isinstance(shape, tuple) else 1 for shape in shapes]
    assert sizes == [1, 3, 3, 3, 2, 1]  # initiate, 11 parts, complete
    assert "uploads" in shapes[0].url and "uploadId" in shapes[-1].url
    stored = server.buckets["bkt"]["root/big"]
    assert stored.content == content and stored.etag.endswith("-11")
    assert stored.headers["Content-Type"] == "x/y"
    assert server.uploads == {}


def _part(number: int):
    return lambda request: f"partNumber={number}&" in request.url


def test_a_failing_part_is_sent_again_alone_then_the_upload_is_aborted():
    failing = _part(2)
    server = FakeS3(fault=lambda request: HttpResponse(
        500, {}, b"<Error><Code>InternalError</Code></Error>") if failing(request) else None)
    storage = s3_storage(server, multipart_threshold=MiB, multipart_part_size=MiB)
    with pytest.raises(TransientStorageError, match="part 2"):
        storage.put("big", os.urandom(3 * MiB), PutOptions())
    methods = [(r.method, r.url.split("?")[1].split("&")[0]) for r in server.requests]
    assert methods.count(("PUT", "partNumber=2")) == 3  # the part's own attempts
    assert methods.count(("PUT", "partNumber=1")) == 1
    assert methods[-1][0] == "DELETE" and server.uploads == {}
    assert "root/big" not in server.buckets["bkt"]


def test_a_lost_connection_on_a_part_costs_only_that_part():
    lost = iter([TransientStorageError("connection reset")])
    server = FakeS3(fault=lambda request: next(lost, None) if _part(3)(request) else None)
    storage = s3_storage(server, multipart_threshold=MiB, multipart_part_size=MiB)
    content = os.urandom(4 * MiB)
    storage.put("big", content, PutOptions())
    parts = [r.url for r in server.requests if "partNumber=" in r.url]
    assert len(parts) == 5 and sum("partNumber=3&" in url for url in parts) == 2
    assert server.buckets["bkt"]["root/big"].content == content


def test_a_refused_part_aborts_the_upload_at_once():
    server = FakeS3(fault=lambda request: HttpResponse(
        403, {}, b"<Error><Code>AccessDenied</Code></Error>") if _part(1)(request) else None)
    storage = s3_storage(server, multipart_threshold=MiB, multipart_part_size=MiB)
    with pytest.raises(CredentialsError, match="AccessDenied"):
        storage.put("big", os.urandom(2 * MiB), PutOptions())
    assert sum("partNumber=1&" in r.url for r in server.requests) == 1
    assert server.requests[-1].method == "DELETE" and server.uploads == {}


def test_the_bucket_is_asked_about_once_per_storage():
    server = FakeS3()
    storage = s3_storage(server)
    assert storage.get("a") is None and storage.head("b") is None and storage.exists("c") is False
    bucket_heads = [r for r in server.requests if r.url == f"{ENDPOINT}/bkt/"]
    assert len(bucket_heads) == 1 and bucket_heads[0].method == "HEAD"
    gone = s3_storage(server, f"s3://{ENDPOINT}/gone/root")
    for call in (lambda: gone.head("k"), lambda: gone.get("k"), lambda: gone.delete("k")):
        with pytest.raises(StorageError, match="bucket 'gone' does not exist"):
            call()


def test_deletes_go_1000_keys_a_request():
    server = FakeS3()
    storage = s3_storage(server)
    keys = [f"k{i:04d}" for i in range(2500)]
    for key in keys[::1000]:
        storage.put(key, b"1", PutOptions())
    shapes, _ = exchanges(storage.delete_many_op(keys), server.send)
    assert [request.url for request in shapes] == [f"{ENDPOINT}/bkt/?delete"] * 3
    assert [request.body.count(b"<Key>") for request in shapes] == [1000, 1000, 500]
    assert server.buckets["bkt"] == {}


def test_a_wrong_region_is_followed_once_inside_the_operation():
    def answer(request):
        if ".eu-central-1." in request.url:
            return HttpResponse(200, {}, b"here")
        return HttpResponse(301, {"x-amz-bucket-region": "eu-central-1"})

    storage = S3Storage(extract("s3://bkt/root"), StorageConfig(secrets=KEYS),
                        MockTransport(answer))
    shapes, found = exchanges(storage.get_op("k"), answer)
    assert found.content == b"here"
    assert [request.url for request in shapes] == [
        "https://bkt.s3.amazonaws.com/root/k", "https://bkt.s3.eu-central-1.amazonaws.com/root/k"]
    assert "/eu-central-1/s3/aws4_request" in shapes[1].headers["Authorization"]
    shapes, _ = exchanges(storage.head_op("k"), answer)
    assert len(shapes) == 1 and ".eu-central-1." in shapes[0].url  # remembered


def test_no_sign_request_sends_nothing_signed():
    server = FakeS3(anonymous_reads=True)
    s3_storage(server).put("pub", b"open", PutOptions())
    anonymous = S3Storage(extract(ROOT), StorageConfig(options={"no_sign_request": True}), server)
    assert anonymous.get("pub").content == b"open"
    assert not {"Authorization", "X-Amz-Date"} & set(server.requests[-1].headers)
    with pytest.raises(CredentialsError, match="no_sign_request"):
        anonymous.put("k", b"1", PutOptions())


class TestS3OnTheFakeEngine(StorageContract):
    """The storage contract through CloudFiles, the composition root handing every s3://
    storage the in-memory S3 as its engine."""

    max_examples = 15

    @pytest.fixture
    def new_cloudpath(self, monkeypatch, tmp_path):
        monkeypatch.setenv("CLOUDFILES_SECRETS_DIR", str(tmp_path))
        for name, value in KEYS.items():
            monkeypatch.setenv(name, value)
        serve_every_cloudfiles_with(monkeypatch, FakeS3())
        return lambda: f"s3://{ENDPOINT}/bkt/{unique_prefix()}"


def test_cloudfiles_reads_and_writes_through_the_fake_engine(monkeypatch):
    server = FakeS3()
    serve_every_cloudfiles_with(monkeypatch, server)
    cf = CloudFiles(ROOT, secrets=KEYS, multipart_threshold=MiB, multipart_part_size=MiB)
    content = os.urandom(3 * MiB)
    cf.puts([("small", b"s"), ("big", content)])
    results = cf.get(["small", "big", "missing"])
    assert {r["path"]: (r["content"], r["error"]) for r in results} == {
        "small": (b"s", None), "big": (content, None), "missing": (None, None)}
    assert cf.size(["small", "big"]) == {"small": 1, "big": len(content)}
    assert sorted(cf.list()) == ["big", "small"]
    assert any("uploadId=" in request.url for request in server.requests)
    cf.delete(["small", "big"])
    assert list(cf.list()) == []
