"""gs:// uploads, resumable sessions, batch deletes and rewrites against a mocked API."""
from __future__ import annotations

import base64
import email
import hashlib
import json
import re
from urllib.parse import parse_qs, urlsplit

import crc32c
import pytest
import requests
import responses

from cloudfiles.adapters.gcs import resumable as gcs_resumable
from cloudfiles.domain.errors import (
    BatchError,
    CredentialsError,
    MD5IntegrityError,
    TransientStorageError,
)
from cloudfiles.domain.objects import StorageConfig
from cloudfiles.testing import open_storage
from tests.retries import retry_at_once, retry_counter
from tests.unit.gcs_helpers import isolate_google_env, reset_google_state
from tests.unit.test_gcs_reads import API, open_cf, query

UPLOAD = "https://storage.googleapis.com/upload/storage/v1/b/bkt/o"
BATCH = "https://storage.googleapis.com/batch/storage/v1"
SESSION = "https://storage.googleapis.com/upload/storage/v1/b/bkt/o?uploadType=resumable&upload_id=S1"


@pytest.fixture(autouse=True)
def no_ambient_credentials(monkeypatch, tmp_path):
    isolate_google_env(monkeypatch, tmp_path)
    retry_at_once(monkeypatch)
    yield
    reset_google_state()


@pytest.fixture
def retries(caplog):
    """retries() -> how many retries the app has made so far (they follow at once)."""
    return retry_counter(caplog)


@pytest.fixture
def mock():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def multipart_parts(request) -> tuple[dict, bytes, str]:
    """(metadata, content, content type) of a multipart upload request."""
    head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
    message = email.message_from_bytes(head + request.body)
    meta_part, media_part = message.get_payload()
    return (json.loads(meta_part.get_payload()), media_part.get_payload(decode=True),
            media_part.get_content_type())


def test_multipart_upload_carries_metadata_and_checksums(mock):
    mock.post(UPLOAD, json={"name": "dir/o"})
    cf = open_cf(request_payer="payer-proj")
    content = b"\x00\r\n--binary--\r\n" * 10
    cf.put("o", content, compress=None, content_type="image/png", cache_control="max-age=60",
           storage_class="ARCHIVE", raw=True)
    request = mock.calls[0].request
    assert query(mock.calls[0]) == {"uploadType": "multipart", "userProject": "payer-proj"}
    meta, body, media_type = multipart_parts(request)
    assert body == content and media_type == "image/png"
    assert meta == {
        "name": "dir/o", "contentType": "image/png", "cacheControl": "max-age=60",
        "storageClass": "ARCHIVE",
        "md5Hash": base64.b64encode(hashlib.md5(content).digest()).decode(),
        "crc32c": base64.b64encode(crc32c.crc32c(content).to_bytes(4, "big")).decode(),
    }
    cf.put("g", b"data", compress="gzip")
    meta, _, _ = multipart_parts(mock.calls[1].request)
    assert meta["contentEncoding"] == "gzip"


def test_request_payer_on_reads_lists_and_deletes(mock):
    mock.get(re.compile(re.escape(API) + ".*"), json={"items": []})
    mock.delete(re.compile(re.escape(API) + "/.*"), status=204)
    cf = open_cf(request_payer="payer-proj")
    list(cf.list())
    cf.head("x")
    cf.delete("x")
    assert [query(c)["userProject"] for c in mock.calls] == ["payer-proj"] * 3


def test_upload_checksum_refusal_is_an_integrity_error(mock, retries):
    message = 'Provided MD5 hash "abc" doesn\'t match calculated MD5 hash "def".'
    mock.post(UPLOAD, status=400, json={"error": {"code": 400, "message": message}})
    cf = open_cf()
    with pytest.raises(MD5IntegrityError, match="MD5"):
        cf.put("o", b"content")
    assert len(mock.calls) == 8 and retries() == 7


class FakeSession:
    """A resumable upload session that persists whole chunks, in the manner of GCS."""

    def __init__(self, total: int, fail_chunk_at: int | None = None, expire: bool = False):
        self.total = total
        self.data = b""
        self.fail_chunk_at = fail_chunk_at
        self.expire = expire
        self.ranges: list[str] = []
        self.starts = 0

    def start(self, request):
        self.starts += 1
        if self.starts > 1:  # a new session holds nothing yet
            self.data, self.expire = b"", False
        meta = json.loads(request.body)
        assert request.headers["X-Upload-Content-Length"] == str(self.total)
        assert meta["md5Hash"] and meta["name"] == "dir/big"
        return 200, {"Location": SESSION}, ""

    def put(self, request):
        content_range = request.headers["Content-Range"]
        self.ranges.append(content_range)
        if content_range == f"bytes */{self.total}":
            if self.expire:
                return 404, {}, ""
            headers = {"Range": f"bytes=0-{len(self.data) - 1}"} if self.data else {}
            return 308, headers, ""
        start = int(content_range.split()[1].split("-")[0])
        assert start == len(self.data), "chunks must continue where the session is"
        self.data += request.body
        if start == self.fail_chunk_at:
            self.fail_chunk_at = None
            raise requests.ConnectionError("connection reset by peer")  # data was persisted
        if len(self.data) == self.total:
            return 200, {}, json.dumps({"name": "dir/big", "size": str(self.total)})
        return 308, {"Range": f"bytes=0-{len(self.data) - 1}"}, ""


def resumable_cf(mock, session: FakeSession, chunk: int):
    mock.add_callback(responses.POST, UPLOAD, callback=session.start)
    mock.add_callback(responses.PUT, UPLOAD, callback=session.put)
    return open_cf(resumable_threshold=chunk, resumable_chunk_size=chunk)


def test_resumable_upload_resumes_from_persisted_offset(mock, retries):
    chunk = gcs_resumable.QUANTUM
    content = bytes(range(256)) * (3 * chunk // 256) + b"tail"
    session = FakeSession(len(content), fail_chunk_at=chunk)
    cf = resumable_cf(mock, session, chunk)
    cf.put("big", content, compress=None)
    total = len(content)
    assert session.data == content
    assert session.ranges == [
        f"bytes 0-{chunk - 1}/{total}", f"bytes {chunk}-{2 * chunk - 1}/{total}",
        f"bytes */{total}", f"bytes {2 * chunk}-{3 * chunk - 1}/{total}",
        f"bytes {3 * chunk}-{total - 1}/{total}",
    ]
    assert len([c for c in mock.calls if c.request.method == "POST"]) == 1
    assert retries() == 0  # resumed inside the upload: no retry of the whole put
    assert len(gcs_resumable.SESSIONS) == 0


def test_expired_session_starts_over(mock):
    chunk = gcs_resumable.QUANTUM
    content = b"x" * (2 * chunk)
    total = len(content)
    session = FakeSession(total, fail_chunk_at=chunk, expire=True)
    cf = resumable_cf(mock, session, chunk)
    cf.put("big", content)
    assert session.data == content and session.starts == 2
    assert session.ranges == [
        f"bytes 0-{chunk - 1}/{total}", f"bytes {chunk}-{total - 1}/{total}",
        f"bytes */{total}",  # 404: the old session is gone, so a new one starts from 0
        f"bytes 0-{chunk - 1}/{total}", f"bytes {chunk}-{total - 1}/{total}",
    ]


def test_chunk_sizes_are_multiples_of_256k():
    assert gcs_resumable.chunk_size(1) == 256 * 1024
    assert gcs_resumable.chunk_size(300 * 1024) == 512 * 1024
    assert gcs_resumable.chunk_size(None) % (256 * 1024) == 0


def batch_reply(statuses: list[int], boundary="batch_abc") -> dict:
    parts = []
    for index, status in enumerate(statuses):
        body = "" if status in (200, 204) else json.dumps(
            {"error": {"code": status, "message": f"status {status}"}})
        parts.append(f"--{boundary}\r\nContent-Type: application/http\r\n"
                     f"Content-ID: <response-{index}>\r\n\r\nHTTP/1.1 {status} X\r\n"
                     f"Content-Type: application/json\r\n\r\n{body}\r\n")
    body = "".join(parts) + f"--{boundary}--\r\n"
    return {"body": body.encode(), "content_type": f"multipart/mixed; boundary={boundary}"}


def test_batch_delete_requests_and_partial_failures(mock, retries):
    mock.post(BATCH, **batch_reply([204, 404, 204]))
    cf = open_cf(request_payer="pp")
    cf.delete(["a", "b c", "d"])
    request = mock.calls[0].request
    body = request.body.decode()
    assert body.count("DELETE /storage/v1/b/bkt/o/dir%2Fb%20c?userProject=pp HTTP/1.1") == 1
    assert body.count("Content-Type: application/http") == 3
    mock.replace(responses.POST, BATCH, **batch_reply([204, 403, 204]))
    with pytest.raises(BatchError) as raised:
        cf.delete(["a", "b", "d"])
    assert "gs://bkt/dir/b" in str(raised.value)
    assert isinstance(raised.value.errors["b"], CredentialsError)
    mock.replace(responses.POST, BATCH, **batch_reply([503, 204]))
    mock.add(responses.POST, BATCH, **batch_reply([204, 204]))
    cf.delete(["a", "b"])
    assert retries() == 1  # the 503 part made the block retry


def test_rewrite_follows_the_rewrite_token(mock):
    source, dest = open_storage("gs://other/src"), open_storage("gs://bkt/dir")
    rewrite = re.compile(r"https://storage\.googleapis\.com/storage/v1/b/other/o/.*")
    mock.post(rewrite, json={"done": False, "rewriteToken": "tok1"})
    mock.post(rewrite, json={"done": True, "resource": {"name": "dir/b"}})
    assert dest.copy_from(source, "a", "b") is True
    urls = [urlsplit(c.request.url) for c in mock.calls]
    assert urls[0].path == "/storage/v1/b/other/o/src%2Fa/rewriteTo/b/bkt/o/dir%2Fb"
    assert "rewriteToken" not in parse_qs(urls[0].query)
    assert parse_qs(urls[1].query)["rewriteToken"] == ["tok1"]
    other = open_storage("gs://other/src", config=StorageConfig(endpoint="http://127.0.0.1:1"))
    assert dest.copy_from(other, "a", "b") is False


def test_connection_errors_are_transient(mock, retries):
    mock.post(UPLOAD, body=requests.ConnectionError("refused"))
    cf = open_cf()
    with pytest.raises(TransientStorageError):
        cf.put("o", b"1")
    assert retries() == 7
