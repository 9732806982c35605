"""The http(s):// adapter against `responses` (no sockets): reads, ranges, listing, errors."""
from __future__ import annotations

import base64
import gzip
import hashlib
import json
import struct
from urllib.parse import parse_qs, urlsplit

import crc32c
import pytest
import responses

from cloudfiles import CloudFiles
from cloudfiles.adapters.http.storage import HttpsStorage, HttpStorage
from cloudfiles.domain.byteranges import ByteRange
from cloudfiles.domain.errors import (
    BatchError,
    CredentialsError,
    MD5IntegrityError,
    StorageError,
    TransientStorageError,
    UnsupportedOperationError,
)
from cloudfiles.testing import open_storage

GCS = "https://storage.googleapis.com"
S3 = "https://s3.amazonaws.com"
GCS_LIST = f"{GCS}/storage/v1/b/bkt/o"


#: Retries follow at once (7 retries, 8 attempts, as always).
pytestmark = pytest.mark.usefixtures("no_backoff")


def query(request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}


def goog_hash(body: bytes) -> str:
    md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
    crc = base64.b64encode(struct.pack(">I", crc32c.crc32c(body))).decode()
    return f"crc32c={crc},md5={md5}"


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


# -- use_https and plain reads ----------------------------------------------------------------
@pytest.mark.parametrize("cloudpath,endpoint", [("gs://bkt/dir", GCS), ("s3://bkt/dir", S3)])
def test_use_https_reads_buckets_through_their_public_endpoint(rsps, cloudpath, endpoint):
    rsps.add("GET", f"{endpoint}/bkt/dir/a/b.bin", body=b"payload")
    rsps.add("HEAD", f"{endpoint}/bkt/dir/a/b.bin", headers={"Content-Length": "7"})
    rsps.add("GET", f"{endpoint}/bkt/dir/missing", status=404)
    cf = CloudFiles(cloudpath, use_https=True)
    assert cf.protocol == "https"
    assert isinstance(open_storage(cf.cloudpath), HttpsStorage)
    assert cf.get("a/b.bin") == b"payload"
    assert cf.get("missing") is None
    assert cf.size("a/b.bin") == 7 and cf.exists("a/b.bin")


def test_keys_are_quoted_below_the_root_url(rsps):
    rsps.add("GET", "https://example.com/data/a%20b/c%2Bd%3F%23%25.bin", body=b"odd")
    rsps.add("GET", "https://example.com/data/%C3%BC/x", body=b"utf8")
    cf = CloudFiles("https://example.com/data/")
    assert cf.get("a b/c+d?#%.bin") == b"odd"
    assert cf.get("ü/x") == b"utf8"
    assert isinstance(open_storage("http://example.com"), HttpStorage)


def test_ranges_use_206_and_return_just_the_asked_bytes(rsps):
    content = bytes(range(100))

    def ranged(request):
        first, last = request.headers["Range"][6:].split("-")
        start, end = int(first), min(int(last), 99) if last else 99
        return 206, {"Content-Range": f"bytes {start}-{end}/100"}, content[start:end + 1]

    rsps.add_callback("GET", "https://example.com/obj", callback=ranged)
    cf = CloudFiles("https://example.com")
    assert cf["obj", 10:20] == content[10:20]
    assert cf.get({"path": "obj", "start": 90, "end": 150}) == content[90:]
    assert rsps.calls[0].request.headers["Range"] == "bytes=10-19"
    stored = open_storage("https://example.com").get("obj", ByteRange(10, 20))
    assert stored.partial and stored.content == content[10:20]


def test_a_server_ignoring_range_is_sliced_in_the_adapter(rsps):
    content = bytes(range(100))
    rsps.add("GET", "https://example.com/obj", body=content)
    cf = CloudFiles("https://example.com")
    assert cf["obj", 10:20] == content[10:20]
    assert cf.get({"path": "obj", "start": -5}) == content[-5:]
    stored = open_storage("https://example.com").get("obj", ByteRange(10, 20))
    assert stored.partial and stored.content == content[10:20]


def test_encoded_objects_come_back_whole_for_the_app_to_decode_then_slice(rsps):
    content = b"0123456789" * 50
    stored = gzip.compress(content)
    rsps.add("GET", "https://example.com/z", body=stored, headers={"Content-Encoding": "gzip"})
    cf = CloudFiles("https://example.com")
    assert cf.get("z") == content
    assert cf["z", 100:130] == content[100:130]  # server ignored Range: whole body, app slices
    assert cf.get("z", raw=True) == stored
    got = open_storage("https://example.com").get("z", ByteRange(100, 130))
    assert not got.partial and got.encoding == "gzip" and got.content == stored
    assert all(c.request.headers["Accept-Encoding"].startswith("gzip") for c in rsps.calls)


def test_a_range_past_the_stored_end_asks_head_then_the_app_decodes_whole(rsps):
    content = b"a" * 400
    stored = gzip.compress(content)  # far shorter than the decoded content

    def answer(request):
        if "Range" in request.headers:
            return 416, {"Content-Range": f"bytes */{len(stored)}"}, b""
        return 200, {"Content-Encoding": "gzip"}, stored

    rsps.add_callback("GET", "https://example.com/z", callback=answer)
    rsps.add("HEAD", "https://example.com/z",
             headers={"Content-Encoding": "gzip", "Content-Length": str(len(stored))})
    rsps.add("GET", "https://example.com/plain", status=416)
    rsps.add("HEAD", "https://example.com/plain", headers={"Content-Length": "5"})
    rsps.add("GET", "https://example.com/gone", status=416)
    rsps.add("HEAD", "https://example.com/gone", status=404)
    cf = CloudFiles("https://example.com")
    assert cf["z", 300:310] == content[300:310]
    assert cf["plain", 100:110] == b""
    assert [c.request.method for c in rsps.calls[-2:]] == ["GET", "HEAD"]  # no whole download
    assert cf["gone", 100:110] is None
    assert cf.get({"path": "plain", "start": 3, "end": 3}) == b""  # empty range: HEAD only
    assert rsps.calls[-1].request.method == "HEAD"


def test_redirects_are_followed(rsps):
    rsps.add("GET", "http://example.com/old/f", status=301,
             headers={"Location": "https://cdn.example.com/new/f"})
    rsps.add("GET", "https://cdn.example.com/new/f", status=302, headers={"Location": "g"})
    rsps.add("GET", "https://cdn.example.com/new/g", body=b"moved")
    assert CloudFiles("http://example.com/old").get("f") == b"moved"


def test_head_reports_metadata(rsps):
    rsps.add("HEAD", "https://example.com/f", headers={
        "Content-Length": "12", "Content-Encoding": "br", "Content-Type": "text/plain",
        "ETag": '"abc"', "Last-Modified": "Wed, 21 Oct 2015 07:28:00 GMT",
        "x-goog-storage-class": "NEARLINE", "Cache-Control": "no-cache",
    })
    rsps.add("HEAD", "https://example.com/gone", status=404)
    head = CloudFiles("https://example.com").head("f")
    assert head["Content-Length"] == 12 and head["Content-Encoding"] == "br"
    assert head["ETag"] == "abc" and head["Storage-Class"] == "NEARLINE"
    assert head["Content-Type"] == "text/plain" and head["Cache-Control"] == "no-cache"
    assert head["Last-Modified"] == 1445412480.0
    assert CloudFiles("https://example.com").head(["f", "gone"])["gone"] is None


def test_head_without_head_support_uses_a_one_byte_get(rsps):
    rsps.add("HEAD", "https://example.com/f", status=405)
    rsps.add("GET", "https://example.com/f", status=206, body=b"x",
             headers={"Content-Range": "bytes 0-0/5000"})
    assert CloudFiles("https://example.com").size("f") == 5000


# -- missing, refused, failing ------------------------------------------------------------------
def test_403_means_missing_only_on_s3_hosts(rsps):
    rsps.add("GET", f"{S3}/bkt/private", status=403)
    rsps.add("HEAD", f"{S3}/bkt/private", status=403)
    rsps.add("GET", "https://bkt.s3.us-west-2.amazonaws.com/private", status=403)
    rsps.add("GET", "https://example.com/private", status=403)
    assert CloudFiles("s3://bkt", use_https=True).get("private") is None
    assert CloudFiles("s3://bkt", use_https=True).exists("private") is False
    assert CloudFiles("https://bkt.s3.us-west-2.amazonaws.com").get("private") is None
    with pytest.raises(CredentialsError):
        CloudFiles("https://example.com").get("private")
    assert CloudFiles("https://example.com", forbidden_is_missing=True).get("private") is None


def test_429_and_5xx_are_retried_then_succeed(rsps):
    for status in (429, 500, 503):
        rsps.add("GET", "https://example.com/f", status=status)
    rsps.add("GET", "https://example.com/f", body=b"finally")
    cf = CloudFiles("https://example.com")
    assert cf.get("f") == b"finally"
    assert len(rsps.calls) == 4


def test_retries_are_bounded_and_the_error_reported_per_file(rsps):
    rsps.add("GET", "https://example.com/bad", status=503)
    rsps.add("GET", "https://example.com/good", body=b"ok")
    cf = CloudFiles("https://example.com", num_threads=2)
    results = {r["path"]: r for r in cf.get(["bad", "good"], raise_errors=False)}
    assert results["good"]["content"] == b"ok" and results["good"]["error"] is None
    assert isinstance(results["bad"]["error"], TransientStorageError)
    assert results["bad"]["content"] is None
    assert sum(c.request.url.endswith("/bad") for c in rsps.calls) == 8
    with pytest.raises(TransientStorageError):
        cf.get("bad")
    with pytest.raises(TransientStorageError):  # a dict has no room for errors: raised
        cf.get(["bad", "good"], return_dict=True)


def test_client_errors_are_not_retried(rsps):
    rsps.add("GET", "https://example.com/f", status=400)
    with pytest.raises(StorageError) as caught:
        CloudFiles("https://example.com").get("f")
    assert caught.value.status == 400 and len(rsps.calls) == 1


def test_read_only(rsps):
    cf = CloudFiles("https://example.com/dir")
    with pytest.raises(UnsupportedOperationError, match="read-only"):
        cf.put("f", b"x")
    with pytest.raises(UnsupportedOperationError, match="read-only"):
        cf.delete("f")
    with pytest.raises(BatchError) as caught:
        cf.puts([("a", b"1"), ("b", b"2")])
    assert all(isinstance(e, UnsupportedOperationError) for e in caught.value.errors.values())
    assert len(rsps.calls) == 0


# -- integrity (x-goog-hash from GCS-style servers) ---------------------------------------------
def test_a_body_not_matching_x_goog_hash_is_retried_then_reported(rsps):
    body = b"the original bytes"
    flipped = b"the originaL bytes"
    rsps.add("GET", f"{GCS}/bkt/f", body=flipped, headers={"x-goog-hash": goog_hash(body)})
    rsps.add("GET", f"{GCS}/bkt/f", body=body, headers={"x-goog-hash": goog_hash(body)})
    rsps.add("GET", f"{GCS}/bkt/always", body=flipped, headers={"x-goog-hash": goog_hash(body)})
    cf = CloudFiles("gs://bkt", use_https=True)
    assert cf.get("f") == body
    result = cf.get(["always"], raise_errors=False)[0]
    assert isinstance(result["error"], MD5IntegrityError) and result["content"] is None


def test_crc32c_alone_is_checked_and_transcoded_bodies_are_not(rsps):
    body = b"composite object"
    crc_only = goog_hash(body).split(",")[0]
    rsps.add("GET", f"{GCS}/bkt/c", body=b"composite objecT", headers={"x-goog-hash": crc_only})
    rsps.add("GET", f"{GCS}/bkt/t", body=b"decoded text", headers={
        "x-goog-hash": goog_hash(gzip.compress(b"decoded text")),
        "x-goog-stored-content-encoding": "gzip",
    })
    cf = CloudFiles("gs://bkt", use_https=True)
    assert "crc32c" in str(cf.get(["c"], raise_errors=False)[0]["error"])
    assert cf.get("t") == b"decoded text"


# -- listing --------------------------------------------------------------------------------------
def test_gcs_listing_is_paginated_lazily(rsps):
    pages = {
        None: {"items": [{"name": "dir/a"}, {"name": "dir/b"}], "nextPageToken": "p2"},
        "p2": {"items": [{"name": "dir/c"}], "prefixes": ["dir/sub/"]},
    }
    rsps.add_callback("GET", GCS_LIST, callback=lambda r: (
        200, {}, json.dumps(pages[query(r).get("pageToken")])))
    cf = CloudFiles("gs://bkt/dir", use_https=True)
    keys = cf.list(flat=True, dirs=True)
    assert next(keys) == "a" and len(rsps.calls) == 1
    assert list(keys) == ["b", "c", "sub/"] and len(rsps.calls) == 2
    first, second = (query(c.request) for c in rsps.calls)
    assert first == {"prefix": "dir/", "delimiter": "/", "fields": "items(name),prefixes,nextPageToken"}
    assert second["pageToken"] == "p2"
    assert query(rsps.calls[0].request)["prefix"] == "dir/"


def test_gcs_listing_prefix_and_non_flat(rsps):
    rsps.add_callback("GET", GCS_LIST, callback=lambda r: (
        200, {}, json.dumps({"items": [{"name": "dir/x/1"}, {"name": "dir/x/2/3"}]})))
    assert list(CloudFiles("https://storage.googleapis.com/bkt/dir/").list("x/")) == \
        ["x/1", "x/2/3"]
    assert query(rsps.calls[0].request) == {
        "prefix": "dir/x/", "fields": "items(name),prefixes,nextPageToken"}


S3_PAGE = """<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
<Name>bkt</Name><Prefix>dir/</Prefix><KeyCount>2</KeyCount><IsTruncated>{truncated}</IsTruncated>
{token}{contents}</ListBucketResult>"""


def _s3_page(keys, prefixes=(), token=None):
    contents = "".join(f"<Contents><Key>{k}</Key><Size>1</Size></Contents>" for k in keys)
    contents += "".join(f"<CommonPrefixes><Prefix>{p}</Prefix></CommonPrefixes>"
                        for p in prefixes)
    tag = f"<NextContinuationToken>{token}</NextContinuationToken>" if token else ""
    return S3_PAGE.format(truncated="true" if token else "false", token=tag, contents=contents)


@pytest.mark.parametrize("cloudpath,list_url", [
    ("s3://bkt/dir", f"{S3}/bkt"),  # use_https: path style
    ("https://bkt.s3.amazonaws.com/dir", "https://bkt.s3.amazonaws.com/"),  # virtual host
])
def test_s3_listing_is_paginated_lazily(rsps, cloudpath, list_url):
    pages = {None: _s3_page(["dir/a &amp; b", "dir/c"], token="t/2+"),
             "t/2+": _s3_page(["dir/d"], ["dir/sub/"])}
    rsps.add_callback("GET", list_url, callback=lambda r: (
        200, {}, pages[query(r).get("continuation-token")]))
    cf = CloudFiles(cloudpath, use_https=True)
    assert list(cf.list(flat=True, dirs=True)) == ["a & b", "c", "d", "sub/"]
    first, second = (query(c.request) for c in rsps.calls)
    assert first == {"list-type": "2", "prefix": "dir/", "delimiter": "/"}
    assert second["continuation-token"] == "t/2+"


def test_each_listing_page_goes_through_the_retry_loop(rsps):
    rsps.add("GET", GCS_LIST, status=503)
    rsps.add("GET", GCS_LIST, body=b'{"items": [{"name": "dir/trunc')  # unreadable page
    rsps.add("GET", GCS_LIST, json={"items": [{"name": "dir/a"}]})
    assert list(CloudFiles("gs://bkt/dir", use_https=True).list()) == ["a"]
    assert len(rsps.calls) == 3


def test_listing_endpoint_can_be_overridden(rsps):
    rsps.add("GET", "http://mirror.test/storage/v1/b/bkt/o", json={"items": [{"name": "k"}]})
    cf = CloudFiles("gs://bkt", use_https=True, listing_endpoint="http://mirror.test/")
    assert list(cf.list()) == ["k"]
    rsps.add("GET", "http://s3mirror.test/bkt", body=_s3_page(["dir/k"]))
    cf = CloudFiles("https://example.com/bkt/dir", listing="s3",
                    listing_endpoint="http://s3mirror.test")
    assert list(cf.list()) == ["k"]


def test_listing_refusals_are_clear(rsps):
    with pytest.raises(UnsupportedOperationError, match=r"https:// cannot list"):
        CloudFiles("https://example.com/dir").list()
    with pytest.raises(UnsupportedOperationError, match=r"http:// cannot list"):
        list(CloudFiles("http://example.com/dir"))
    with pytest.raises(UnsupportedOperationError):
        CloudFiles("https://storage.googleapis.com/bkt", listing="none").list()
    rsps.add("GET", GCS_LIST, status=401, json={"error": {"code": 401, "message": "Login"}})
    with pytest.raises(CredentialsError, match="anonymous listing"):
        list(CloudFiles("gs://bkt", use_https=True).list())
