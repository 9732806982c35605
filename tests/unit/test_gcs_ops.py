"""gs:// as sans-I/O operations: every call runs against a fake engine, with sockets disabled,
so the adapter builds and reads requests but never sends one itself."""
from __future__ import annotations

import gzip

import pytest
from attrs import define

from cloudfiles.adapters.gcs import resumable as gcs_resumable
from cloudfiles.adapters.gcs.storage import GcsStorage
from cloudfiles.adapters.transport.mock import MockTransport
from cloudfiles.app import driving
from cloudfiles.app.retrying import Retrier
from cloudfiles.domain.byteranges import ByteRange
from cloudfiles.domain.errors import MD5IntegrityError, StorageError, TransientStorageError
from cloudfiles.domain.objects import PutOptions, StorageConfig
from cloudfiles.domain.op_storage import ListPage
from cloudfiles.domain.ops import run_locally
from cloudfiles.domain.paths import extract
from cloudfiles.domain.ports import HttpRequest, HttpResponse
from tests.unit.fake_gcs import FakeGcs
from tests.unit.gcs_helpers import isolate_google_env, refuse_network, reset_google_state


@pytest.fixture(autouse=True)
def no_network(monkeypatch, tmp_path):
    """Anonymous credentials, and any attempt to open a connection fails the test."""
    isolate_google_env(monkeypatch, tmp_path)
    refuse_network(monkeypatch)
    yield
    reset_google_state()


def gcs(fake: FakeGcs, path: str = "gs://bkt/dir", **options) -> GcsStorage:
    """A GcsStorage whose transport is `fake` behind a recording MockTransport."""
    return GcsStorage(extract(path), StorageConfig(options=options), MockTransport(fake))


def sent(storage: GcsStorage) -> list[HttpRequest]:
    return storage.transport.requests


def test_every_call_runs_on_the_fake_engine():
    fake = FakeGcs()
    storage = gcs(fake)
    storage.put("a", b"alpha", PutOptions(content_type="text/plain"))
    storage.put("sub/z", gzip.compress(b"zed"), PutOptions(encoding="gzip"))
    assert storage.get("a").content == b"alpha"
    assert storage.get("a", ByteRange(1, 3)).content == b"lp"
    assert storage.get("sub/z").encoding == "gzip"
    assert storage.head("a").content_type == "text/plain" and storage.size("a") == 5
    assert storage.exists("a") and not storage.exists("nope") and storage.get("nope") is None
    assert list(storage.list()) == ["a", "sub/z"]
    assert list(storage.list_sizes(flat=True)) == [("a", 5), ("sub/", None)]
    other = gcs(fake, "gs://bkt/copies")
    assert other.copy_from(storage, "a", "b") is True and other.get("b").content == b"alpha"
    storage.delete_many(["a", "sub/z", "never"])
    storage.delete("gone-already")
    assert list(storage.list()) == [] and list(fake.buckets["bkt"]) == ["copies/b"]
    assert all(request.url.startswith("https://storage.googleapis.com/")
               for request in sent(storage))


def test_an_operation_yields_requests_and_reads_what_it_is_sent():
    storage = gcs(FakeGcs())
    op = storage.get_op("k")
    request = next(op)
    assert request.method == "GET" and request.headers["Accept-Encoding"] == "gzip"
    assert request.url.endswith("/storage/v1/b/bkt/o/dir%2Fk?alt=media")
    reply = HttpResponse(200, {"x-goog-stored-content-encoding": "identity"}, b"data")
    with pytest.raises(StopIteration) as done:
        op.send(reply)
    assert done.value.value.content == b"data"
    assert sent(storage) == []  # nothing went through the transport


def test_listing_pages_are_relative_with_sizes_and_next_token():
    fake = FakeGcs()
    storage = gcs(fake, max_results=2)
    for key in ("d/x", "e", "f", "g"):
        storage.put(key, b"12", PutOptions())
    page = run_locally(storage.list_page_op("", True, None), fake)
    assert page == ListPage(("d/", "e"), "2", (None, 2))
    page = run_locally(storage.list_page_op("", True, page.next_token), fake)
    assert page == ListPage(("f", "g"), None, (2, 2))
    assert list(storage.list()) == ["d/x", "e", "f", "g"]


def test_delete_many_sends_batches_of_100_at_once():
    fake = FakeGcs()
    storage = gcs(fake)
    keys = [f"k{i:03d}" for i in range(250)]
    for key in keys:
        fake.store("bkt", {"name": f"dir/{key}"}, b"x")
    op = storage.delete_many_op(keys)
    exchange = next(op)
    assert isinstance(exchange, tuple) and len(exchange) == 3
    assert all(request.url.endswith("/batch/storage/v1") for request in exchange)
    assert [request.body.count(b"DELETE ") for request in exchange] == [100, 100, 50]
    with pytest.raises(StopIteration):
        op.send(tuple(fake(request) for request in exchange))
    assert fake.buckets["bkt"] == {}


def test_a_batch_lost_in_transit_fails_the_operation_for_the_driver_to_retry():
    fake = FakeGcs()
    storage = gcs(fake)
    op = storage.delete_many_op(["a", "b"])
    next(op)
    with pytest.raises(TransientStorageError, match="reset"):
        op.send((TransientStorageError("connection reset"),))


def test_missing_bucket_is_asked_about_once_per_storage():
    fake = FakeGcs()
    storage = gcs(fake)
    assert storage.get("x") is None and storage.head("y") is None
    storage.delete("z")
    bucket_checks = [r for r in sent(storage) if r.url.endswith("/b/bkt?fields=name")]
    assert len(bucket_checks) == 1
    gone = gcs(FakeGcs(buckets={}))
    for call in (lambda: gone.get("x"), lambda: gone.exists("x"), lambda: gone.delete("x")):
        with pytest.raises(StorageError, match="bucket 'bkt' does not exist"):
            call()


def test_rewrite_loops_on_the_rewrite_token():
    fake = FakeGcs(buckets={"src": {}, "bkt": {}}, rewrite_rounds=3)
    fake.store("src", {"name": "s", "contentEncoding": "br"}, b"payload")
    source, dest = gcs(fake, "gs://src"), gcs(fake)
    assert dest.copy_from(source, "s", "copied") is True
    posts = [r.url for r in sent(dest)]
    assert len(posts) == 3 and "rewriteToken=round-2" in posts[-1]
    assert fake.buckets["bkt"]["dir/copied"].resource["contentEncoding"] == "br"
    assert dest.copy_from(source, "missing", "x") is False


def resumable(fake: FakeGcs) -> tuple[GcsStorage, bytes, int]:
    chunk = gcs_resumable.QUANTUM
    storage = gcs(fake, resumable_threshold=chunk, resumable_chunk_size=chunk)
    return storage, bytes(range(256)) * (3 * chunk // 256) + b"tail", chunk


def chunk_ranges(storage: GcsStorage) -> list[str]:
    return [r.headers["Content-Range"] for r in sent(storage) if r.method == "PUT"]


def test_a_lost_chunk_reply_is_resumed_inside_the_operation():
    fake = FakeGcs()
    storage, content, chunk = resumable(fake)
    total = len(content)
    fake.lose_reply = lambda r: r.headers.get("Content-Range", "").startswith(f"bytes {chunk}-")
    storage.put("big", content, PutOptions())  # one run of the op, no retry
    assert fake.buckets["bkt"]["dir/big"].data == content
    assert chunk_ranges(storage) == [
        f"bytes 0-{chunk - 1}/{total}", f"bytes {chunk}-{2 * chunk - 1}/{total}",
        f"bytes */{total}", f"bytes {2 * chunk}-{3 * chunk - 1}/{total}",
        f"bytes {3 * chunk}-{total - 1}/{total}",
    ]
    assert len(gcs_resumable.SESSIONS) == 0


def test_lost_replies_are_bounded_and_the_next_attempt_resumes_the_session():
    fake = FakeGcs()
    storage, content, chunk = resumable(fake)
    total = len(content)
    fake.lose_reply = lambda r: r.method == "PUT"  # the session keeps every byte sent
    with pytest.raises(TransientStorageError, match="reply was lost"):
        storage.put("big", content, PutOptions())
    assert chunk_ranges(storage) == [f"bytes 0-{chunk - 1}/{total}",
                                     *[f"bytes */{total}"] * gcs_resumable.MAX_DROPS]
    assert len(gcs_resumable.SESSIONS) == 1  # kept for the next attempt
    fake.lose_reply = lambda r: False
    before = len(sent(storage))
    storage.put("big", content, PutOptions())
    resumed = sent(storage)[before:]
    assert [r.method for r in resumed][:1] == ["PUT"]  # no new session: the old one is asked
    assert resumed[0].headers["Content-Range"] == f"bytes */{total}"
    assert fake.buckets["bkt"]["dir/big"].data == content


@define
class CorruptingGcs(FakeGcs):
    """Receives the first `corrupt` uploads with a byte too many (a corrupted connection)."""

    corrupt: int = 1

    def finish(self, bucket: str, metadata: dict, data: bytes) -> HttpResponse:
        if self.corrupt:
            self.corrupt -= 1
            data += b"!"
        return super().finish(bucket, metadata, data)


def test_the_driver_retries_an_upload_whose_checksum_was_refused():
    fake = CorruptingGcs()
    storage = gcs(fake)
    with pytest.raises(MD5IntegrityError, match="MD5"):
        storage.put("once", b"content", PutOptions())  # the plain call: one attempt
    fake.corrupt = 1
    sleeps: list[float] = []
    driving.run(storage.transport, lambda: storage.put_op("once", b"content", PutOptions()),
                Retrier(sleep=sleeps.append))  # a retry is a fresh op from the same arguments
    assert fake.buckets["bkt"]["dir/once"].data == b"content" and len(sleeps) == 1


def test_many_operations_share_one_engine_batch():
    fake = FakeGcs()
    storage = gcs(fake)
    for key in ("a", "b"):
        storage.put(key, key.encode(), PutOptions())
    outcomes = driving.run_many(storage.transport, ["a", "b", "c"], storage.exists_op,
                                Retrier(sleep=lambda seconds: None), concurrency=4)
    assert sorted((key, found) for key, found, _ in outcomes) == \
        [("a", True), ("b", True), ("c", False)]
