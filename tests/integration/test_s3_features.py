"""s3:// against a moto S3 server: pagination, batch delete, multipart, ranges, copy, anonymous."""
from __future__ import annotations

import hashlib
import os

import pytest

from cloudfiles import CloudFiles
from cloudfiles.domain.errors import BatchError, CredentialsError, StorageError
from cloudfiles.domain.listing import filter_listing
from cloudfiles.domain.ports import HttpResponse

MiB = 1024 * 1024


def test_more_than_1000_keys_are_listed_in_pages_and_deleted_in_batches(moto_s3, spied):
    cf, requests = spied(moto_s3.path())
    keys = [f"k/{i:05d}" for i in range(1105)]
    moto_s3.seed(cf.cloudpath, keys)

    listing = cf.list()
    assert next(listing) == "k/00000"
    assert len(requests.requests) == 1  # lazily: only the first page so far
    assert ["k/00000", *listing] == keys
    assert len(requests.requests) == 2  # 1000 keys, then the 105 left

    small_pages, paged = spied(cf.cloudpath, max_keys=400)
    assert list(small_pages.list("k/")) == keys
    assert len(paged.requests) == 3
    assert all("max-keys=400" in r.url for r in paged.requests)

    requests.requests.clear()
    cf.delete(keys)
    assert requests.methods() == ["POST ?delete", "POST ?delete"]
    assert list(cf.list()) == []


def test_flat_listing_uses_the_delimiter_across_pages(moto_s3, spied):
    keys = ["a", "b/1", "b/2", "b/c/3", "bb", "c/1", "c/d/e/2", "d"]
    cf, requests = spied(moto_s3.path(), max_keys=2)
    cf.puts((key, b"1") for key in keys)
    requests.requests.clear()
    assert list(cf.list(flat=True, dirs=True)) == ["a", "b/", "bb", "c/", "d"]
    assert all("delimiter=%2F" in r.url for r in requests.requests)
    assert len(requests.requests) == 3
    for prefix in ("b", "b/", "c/d", "c/d/", "x"):
        assert list(cf.list(prefix, flat=True, dirs=True)) == list(filter_listing(keys, prefix, True))
        assert list(cf.list(prefix)) == list(filter_listing(keys, prefix, False))


def test_list_pages_are_retried_one_by_one(moto_s3, spied, no_backoff):
    failures = iter([HttpResponse(503, {}, b"<Error><Code>SlowDown</Code></Error>")])

    def fail_second_page(request):
        return next(failures, None) if "continuation-token" in request.url else None

    cf, requests = spied(moto_s3.path(), fail_second_page, max_keys=2)
    cf.puts((f"f{i}", b"1") for i in range(5))
    requests.requests.clear()
    assert list(cf.list()) == [f"f{i}" for i in range(5)]
    assert len(requests.requests) == 4  # pages 1, 2 (503), 2 again, 3


def test_large_objects_upload_in_parallel_parts(moto_s3, spied):
    path = moto_s3.path()
    cf, requests = spied(path, multipart_threshold=5 * MiB, multipart_part_size=5 * MiB)
    content = os.urandom(11 * MiB)
    cf.put("big.bin", content, content_type="application/x-test", cache_control="no-cache")
    methods = requests.methods()
    assert methods[0] == "POST ?uploads" and methods[-1].startswith("POST ?uploadId=")
    assert sorted(m.split("&")[0] for m in methods[1:-1]) == \
        ["PUT ?partNumber=1", "PUT ?partNumber=2", "PUT ?partNumber=3"]
    assert all("Content-MD5" in r.headers for r in requests.requests[1:-1])

    bucket, root = moto_s3.location(path)
    head = moto_s3.boto().head_object(Bucket=bucket, Key=root + "big.bin")
    assert head["ETag"].endswith('-3"')
    assert head["ContentType"] == "application/x-test"
    assert head["CacheControl"] == "no-cache"
    assert CloudFiles(path).get("big.bin") == content
    assert cf.size("big.bin") == len(content)


def test_small_objects_go_in_one_put(moto_s3, spied):
    cf, requests = spied(moto_s3.path(), multipart_threshold=5 * MiB)
    cf.put("exactly-threshold", b"z" * (5 * MiB))
    assert requests.methods() == ["PUT"]


def _uploads(moto_s3) -> list:
    return moto_s3.boto().list_multipart_uploads(Bucket=moto_s3.bucket).get("Uploads", [])


def test_a_failed_multipart_upload_is_aborted(moto_s3, spied):
    denied = HttpResponse(403, {}, b"<Error><Code>AccessDenied</Code><Message>no</Message></Error>")

    def deny_part_2(request):
        return denied if "partNumber=2&" in request.url else None

    cf, requests = spied(moto_s3.path(), deny_part_2, multipart_threshold=5 * MiB,
                         multipart_part_size=5 * MiB)
    with pytest.raises(CredentialsError, match="AccessDenied"):
        cf.put("big.bin", os.urandom(11 * MiB))
    assert requests.methods()[-1].startswith("DELETE ?uploadId=")
    assert _uploads(moto_s3) == []
    assert cf.exists("big.bin") is False


def test_a_transient_part_failure_retries_only_that_part(moto_s3, spied):
    failures = iter([HttpResponse(500, {}, b"<Error><Code>InternalError</Code></Error>")])

    def fail_part_2_once(request):
        return next(failures, None) if "partNumber=2&" in request.url else None

    cf, requests = spied(moto_s3.path(), fail_part_2_once, multipart_threshold=5 * MiB,
                         multipart_part_size=5 * MiB)
    content = os.urandom(11 * MiB)
    cf.put("big.bin", content)
    parts = [m.split("&")[0] for m in requests.methods() if m.startswith("PUT ?partNumber")]
    assert sorted(parts) == ["PUT ?partNumber=1", "PUT ?partNumber=2", "PUT ?partNumber=2",
                             "PUT ?partNumber=3"]
    assert sum(m == "POST ?uploads" for m in requests.methods()) == 1
    assert cf.get("big.bin") == content
    assert _uploads(moto_s3) == []


def test_range_reads_ask_the_server_for_the_range_only(moto_s3, spied):
    cf, requests = spied(moto_s3.path())
    content = bytes(range(256)) * 4
    cf.put("r", content)
    requests.requests.clear()
    assert cf["r", 10:20] == content[10:20]
    assert cf.get({"path": "r", "start": -5}) == content[-5:]
    assert cf.get({"path": "r", "start": 1000}) == content[1000:]
    assert [r.headers.get("Range") for r in requests.requests] == \
        ["bytes=10-19", "bytes=-5", "bytes=1000-"]
    assert cf.get({"path": "r", "start": 5000}) == b""  # 416, then a HEAD


def test_transfer_between_s3_paths_copies_server_side(moto_s3, spied):
    source, read = spied(moto_s3.path())
    dest, written = spied(moto_s3.path(moto_s3.other_bucket))
    source.put("a/1", b"one" * 100, compress="gzip", storage_class="STANDARD_IA")
    source.put("b", b"two", content_type="text/plain")
    read.requests.clear()
    assert source.transfer_to(dest) == 2
    assert read.requests  # the listing of what to copy, and nothing else
    assert all(r.method == "GET" and "list-type" in r.url for r in read.requests)
    assert sorted(r.method for r in written.requests) == ["PUT", "PUT"]
    assert all("x-amz-copy-source" in r.headers for r in written.requests)
    assert dest.get("a/1") == b"one" * 100
    assert dest.head("a/1")["Content-Encoding"] == "gzip"
    assert dest.head("b")["Content-Type"] == "text/plain"


def test_transfer_with_other_credentials_downloads_and_uploads(moto_s3, spied):
    source, read = spied(moto_s3.path())
    other_keys = {"AWS_ACCESS_KEY_ID": "other", "AWS_SECRET_ACCESS_KEY": "other"}
    dest, written = spied(moto_s3.path(), secrets=other_keys)
    source.put("x", b"payload")
    read.requests.clear()
    source.transfer_to(dest, ["x"])
    assert [r.method for r in read.requests] == ["GET"]
    assert [r.method for r in written.requests] == ["PUT"]
    assert "x-amz-copy-source" not in written.requests[0].headers
    assert dest.get("x") == b"payload"


def test_transfer_of_a_missing_file_reports_it(moto_s3):
    source, dest = CloudFiles(moto_s3.path()), CloudFiles(moto_s3.path())
    with pytest.raises(BatchError, match="does not exist"):
        source.transfer_to(dest, ["nope"])


def test_anonymous_reads_are_unsigned(moto_s3, no_aws_credentials, spied):
    moto_s3.boto().put_object(Bucket=moto_s3.public_bucket, Key="pub.txt", Body=b"public",
                              ACL="public-read")
    cf, requests = spied(f"s3://{moto_s3.endpoint}/{moto_s3.public_bucket}")
    assert cf.get("pub.txt") == b"public"
    assert "Authorization" not in requests.requests[0].headers
    assert "X-Amz-Date" not in requests.requests[0].headers


def test_storage_class_and_metadata_are_stored(moto_s3):
    path = moto_s3.path()
    cf = CloudFiles(path)
    cf.put("c", b"data", storage_class="STANDARD_IA", cache_control="max-age=5",
           content_type="text/csv", compress="br")
    head = cf.head("c")
    assert head["Storage-Class"] == "STANDARD_IA"
    assert head["Cache-Control"] == "max-age=5"
    assert head["Content-Type"] == "text/csv"
    assert head["Content-Encoding"] == "br"
    assert head["ETag"] == hashlib.md5(cf.get("c", raw=True)).hexdigest()
    assert isinstance(head["Last-Modified"], float)
    bucket, root = moto_s3.location(path)
    boto_head = moto_s3.boto().head_object(Bucket=bucket, Key=root + "c")
    assert boto_head["StorageClass"] == "STANDARD_IA"


def test_a_missing_bucket_is_a_clear_error(moto_s3):
    cf = CloudFiles(f"s3://{moto_s3.endpoint}/no-such-bucket-here/dir")
    with pytest.raises(StorageError, match="no-such-bucket-here.*does not exist"):
        list(cf.list())
    with pytest.raises(StorageError, match="no-such-bucket-here"):
        cf.put("x", b"1")


def test_endpoint_argument_names_the_server(moto_s3):
    cf = CloudFiles(f"s3://{moto_s3.bucket}/viaendpoint", endpoint=moto_s3.endpoint)
    cf.put("e", b"1")
    assert CloudFiles(f"s3://{moto_s3.endpoint}/{moto_s3.bucket}/viaendpoint").get("e") == b"1"
    cf.delete("e")


def test_keys_xml_cannot_carry_are_deleted_one_by_one(moto_s3, spied):
    cf, requests = spied(moto_s3.path())
    cf.puts([("bell\x07", b"1"), ("plain", b"2")])
    assert sorted(cf.list()) == ["bell\x07", "plain"]
    requests.requests.clear()
    cf.delete(["bell\x07", "plain"])
    assert sorted(requests.methods()) == ["DELETE", "POST ?delete"]
    assert list(cf.list()) == []


def test_a_missing_bucket_is_an_error_from_every_call_naming_it(moto_s3):
    gone = CloudFiles(moto_s3.path("no-such-bucket"))
    calls = {
        "get": lambda: gone.get("k"), "exists": lambda: gone.exists("k"),
        "size": lambda: gone.size("k"), "head": lambda: gone.head("k"),
        "put": lambda: gone.put("k", b"1"), "list": lambda: list(gone.list()),
        "exists many": lambda: gone.exists(["a", "b", "c"]),
        "size many": lambda: gone.size(["a", "b"]),
    }
    for name, call in calls.items():
        with pytest.raises((StorageError, BatchError), match="no-such-bucket") as caught:
            call()
        assert "does not exist" in str(caught.value) or "NoSuchBucket" in str(caught.value), name
