"""gs:// reads, listing and errors against a mocked GCS JSON API (responses)."""
from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
from urllib.parse import parse_qs, urlsplit

import crc32c
import pytest
import responses

from cloudfiles import CloudFiles
from cloudfiles.domain.byteranges import ByteRange
from cloudfiles.domain.errors import (
    CRC32CIntegrityError,
    CredentialsError,
    MD5IntegrityError,
    StorageError,
)
from cloudfiles.testing import open_storage
from tests.retries import retry_at_once, retry_counter
from tests.unit.gcs_helpers import isolate_google_env, reset_google_state

API = "https://storage.googleapis.com/storage/v1/b/bkt/o"
OBJ = re.compile(re.escape(API) + r"/.*")


def md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def crc(data: bytes) -> str:
    return base64.b64encode(crc32c.crc32c(data).to_bytes(4, "big")).decode()


@pytest.fixture(autouse=True)
def no_ambient_credentials(monkeypatch, tmp_path):
    isolate_google_env(monkeypatch, tmp_path)
    retry_at_once(monkeypatch)
    yield
    reset_google_state()


@pytest.fixture
def mock():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def retries(caplog):
    """retries() -> how many retries the app has made so far (they follow at once)."""
    return retry_counter(caplog)


def open_cf(path="gs://bkt/dir", **kwargs):
    """A CloudFiles on path (the composition root picks the engine, requests under mocks)."""
    return CloudFiles(path, **kwargs)


def media(body: bytes, status=200, **headers):
    return {"status": status, "body": body, "headers": headers}


def query(call) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


def test_full_read_checks_md5_and_asks_for_stored_bytes(mock):
    data = b"hello world"
    mock.get(OBJ, **media(data, **{"x-goog-hash": f"crc32c={crc(data)},md5={md5(data)}",
                                   "x-goog-stored-content-encoding": "identity"}))
    cf = open_cf()
    assert cf.get("a file+x") == data
    request = mock.calls[0].request
    assert request.headers["Accept-Encoding"] == "gzip"
    assert "Range" not in request.headers
    assert urlsplit(request.url).path.endswith("/o/dir%2Fa%20file%2Bx")
    assert query(mock.calls[0]) == {"alt": "media"}
    assert "Authorization" not in request.headers  # anonymous


def test_corrupted_body_raises_md5_error_after_retries(mock, retries):
    data = b"the real content"
    mock.get(OBJ, **media(b"the real c0ntent", **{"x-goog-hash": f"md5={md5(data)}",
                                                  "x-goog-stored-content-encoding": "identity"}))
    cf = open_cf()
    with pytest.raises(MD5IntegrityError, match="md5"):
        cf.get("obj")
    assert len(mock.calls) == 8 and retries() == 7


def test_composite_objects_are_checked_with_crc32c(mock, retries):
    data = b"composed of parts"
    good = {"x-goog-hash": f"crc32c={crc(data)}", "x-goog-stored-content-encoding": "identity"}
    mock.get(OBJ, **media(data, **good))
    cf = open_cf()
    assert cf.get("ok") == data
    mock.replace(responses.GET, OBJ, **media(b"composed of darts", **good))
    with pytest.raises(CRC32CIntegrityError, match="crc32c"):
        cf.get("bad")
    assert retries() == 7


def test_corruption_once_is_retried_away(mock, retries):
    data = b"payload"
    headers = {"x-goog-hash": f"md5={md5(data)}", "x-goog-stored-content-encoding": "identity"}
    mock.get(OBJ, **media(b"pAyload", **headers))
    mock.get(OBJ, **media(data, **headers))
    cf = open_cf()
    assert cf.get("obj") == data and retries() == 1


def test_gzip_objects_keep_their_encoding_and_ranges_skip_checks(mock):
    data = b"squeeze me " * 20
    packed = gzip.compress(data)
    headers = {"x-goog-hash": f"md5={md5(packed)}", "x-goog-stored-content-encoding": "gzip",
               "Content-Encoding": "gzip"}
    mock.get(OBJ, **media(packed, **headers))
    cf = open_cf()
    assert cf.get("z") == data
    assert cf.get("z", raw=True) == packed
    storage = open_storage("gs://bkt/dir")
    mock.replace(responses.GET, OBJ, **media(b"0123", status=206,
                                             **{"x-goog-stored-content-encoding": "identity",
                                                "x-goog-hash": "md5=AAAA"}))
    stored = storage.get("r", ByteRange(5, 9))
    assert stored.partial and stored.content == b"0123"
    assert mock.calls[-1].request.headers["Range"] == "bytes=5-8"


def test_decompressive_transcoding_is_not_checked(mock):
    data = b"server decoded this"
    mock.get(OBJ, **media(data, **{"x-goog-hash": "md5=bm90IHRoZSBtZDU=",
                                   "x-goog-stored-content-encoding": "gzip"}))
    stored = open_storage("gs://bkt/dir").get("t")
    assert stored.content == data and stored.encoding is None


def test_encoding_from_metadata_when_the_server_does_not_state_it(mock):
    packed = gzip.compress(b"emulated")
    mock.get(OBJ, match=[responses.matchers.query_param_matcher({"alt": "media"})],
             **media(packed))
    mock.get(OBJ, json={"name": "dir/e", "size": str(len(packed)), "contentEncoding": "gzip"})
    assert open_cf().get("e") == b"emulated"


def test_missing_objects_and_errors(mock, retries):
    mock.get(OBJ, status=404, json={"error": {"code": 404, "message": "No such object"}})
    mock.get(API.removesuffix("/o") + "?fields=name", json={"name": "bkt"})
    cf = open_cf()
    assert cf.get("missing") is None and cf.head("missing") is None
    assert cf.exists("missing") is False
    assert sum("fields=name" in c.request.url for c in mock.calls) == 1  # asked once
    mock.replace(responses.GET, OBJ, status=400,
                 json={"error": {"code": 400, "message": "Invalid argument.",
                                 "errors": [{"reason": "invalid"}]}})
    with pytest.raises(StorageError, match="Invalid argument"):
        cf.get("bad")
    assert retries() == 0  # other 4xx fail at once


def test_a_missing_bucket_is_an_error_from_every_call(mock):
    mock.get(OBJ, status=404, json={"error": {"code": 404, "message": "Not Found"}})
    mock.delete(OBJ, status=404, json={"error": {"code": 404, "message": "Not Found"}})
    mock.get(API.removesuffix("/o") + "?fields=name", status=404, json={"error": {"code": 404}})
    cf = open_cf()
    for call in (lambda: cf.get("k"), lambda: cf.exists("k"), lambda: cf.size("k"),
                 lambda: cf.head("k"), lambda: cf.delete("k"),
                 lambda: cf.exists(["a", "b", "c"]), lambda: cf.get(["a", "b"])):
        with pytest.raises(StorageError, match="bucket 'bkt' does not exist"):
            call()


def test_server_errors_are_retried(mock, retries):
    mock.get(OBJ, status=503, json={"error": {"code": 503, "message": "Backend Error"}})
    mock.get(OBJ, status=429, json={"error": {"code": 429, "message": "Slow down"}})
    mock.get(OBJ, **media(b"x", **{"x-goog-stored-content-encoding": "identity"}))
    cf = open_cf()
    assert cf.get("x") == b"x" and retries() == 2


def test_refusal_names_bucket_and_credential_source(mock, retries):
    mock.get(OBJ, status=403, json={"error": {
        "code": 403, "message": "Anonymous caller does not have storage.objects.get access.",
        "errors": [{"reason": "forbidden"}]}})
    cf = open_cf()
    with pytest.raises(CredentialsError) as raised:
        cf.get("secret")
    message = str(raised.value)
    assert "gs://bkt" in message and "anonymous" in message and "storage.objects.get" in message
    assert retries() == 0


def test_range_past_the_end_falls_back_to_whole_object(mock):
    mock.get(OBJ, status=416, body=b"")
    mock.get(OBJ, **media(b"short", **{"x-goog-stored-content-encoding": "identity"}))
    assert open_cf()["r", 100:200] == b""


def test_head_reports_gcs_metadata(mock):
    mock.get(OBJ, json={
        "name": "dir/h", "size": "42", "contentEncoding": "br", "contentType": "text/plain",
        "cacheControl": "no-cache", "storageClass": "COLDLINE", "etag": "CJ0=",
        "updated": "2024-05-01T12:00:00.500Z", "md5Hash": "abc=", "crc32c": "xyz=",
        "generation": "17", "metadata": {"k": "v"},
    })
    head = open_cf().head("h")
    assert head["Content-Length"] == 42 and head["Content-Encoding"] == "br"
    assert head["Storage-Class"] == "COLDLINE" and head["Cache-Control"] == "no-cache"
    assert head["Last-Modified"] == 1714564800.5 and head["Generation"] == 17
    assert head["Metadata"] == {"k": "v"} and head["ETag"] == "CJ0="


def test_listing_follows_pages_lazily_and_retries_each(mock, retries):
    names = [f"dir/k{i}" for i in range(5)]
    failed = []

    def page(request):
        params = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
        start = int(params.get("pageToken", 0))
        if start == 2 and not failed:
            failed.append(start)
            return 503, {}, json.dumps({"error": {"code": 503, "message": "try again"}})
        size = int(params["maxResults"])
        body = {"items": [{"name": n} for n in names[start:start + size]]}
        if start + size < len(names):
            body["nextPageToken"] = str(start + size)
        return 200, {}, json.dumps(body)

    mock.add_callback(responses.GET, API, callback=page)
    cf = open_cf(max_results=2)
    listing = cf.list()
    assert len(mock.calls) == 0  # lazy
    assert next(listing) == "k0" and len(mock.calls) == 1
    assert ["k0"] + list(listing) == [f"k{i}" for i in range(5)]
    pages = [query(call) for call in mock.calls]
    assert [p.get("pageToken") for p in pages] == [None, "2", "2", "4"]
    assert all(p["maxResults"] == "2" and p["prefix"] == "dir/" for p in pages)
    assert "delimiter" not in pages[0] and retries() == 1


def test_flat_listing_uses_the_delimiter(mock):
    mock.get(API, json={"items": [{"name": "dir/sub/a"}, {"name": "dir/sub/b"}],
                        "prefixes": ["dir/sub/x/", "dir/sub/y/"]})
    cf = open_cf()
    assert list(cf.list("sub/", flat=True, dirs=True)) == ["sub/a", "sub/b", "sub/x/", "sub/y/"]
    assert query(mock.calls[0])["delimiter"] == "/"
    assert query(mock.calls[0])["prefix"] == "dir/sub/"


def test_keys_gcs_cannot_hold_are_refused():
    cf = open_cf("gs://bkt")
    from cloudfiles.exceptions import InvalidKeyError

    for key in ("..", "line\nbreak", "x" * 1100):
        with pytest.raises(InvalidKeyError):
            cf.put(key, b"1")
