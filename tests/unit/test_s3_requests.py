"""What the s3:// adapter sends and how it reads answers, against a fake S3 (`responses`)."""
from __future__ import annotations

import base64
import hashlib

import pytest
import responses

from cloudfiles import CloudFiles
from cloudfiles.domain.errors import (
    BatchError,
    CredentialsError,
    MD5IntegrityError,
    StorageError,
    TransientStorageError,
)
from tests.retries import retry_at_once

ENDPOINT = "https://s3.test"
SECRETS = {"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET"}
URL = f"{ENDPOINT}/bkt/root/obj"


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def _error(code: str, message: str = "msg") -> bytes:
    return f"<Error><Code>{code}</Code><Message>{message}</Message></Error>".encode()


@pytest.fixture
def s3(monkeypatch):
    """A fake S3 (`responses`); retries follow at once."""
    retry_at_once(monkeypatch)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def cloudfiles(**kwargs) -> CloudFiles:
    """A CloudFiles on the fake server."""
    return CloudFiles(f"s3://{ENDPOINT}/bkt/root", secrets=SECRETS, **kwargs)


def test_request_payer_header_is_sent(s3):
    s3.get(URL, body=b"x", headers={"ETag": f'"{_md5(b"x")}"'})
    assert cloudfiles(request_payer="requester").get("obj") == b"x"
    assert s3.calls[0].request.headers["x-amz-request-payer"] == "requester"
    assert "x-amz-request-payer" in s3.calls[0].request.headers["Authorization"]


def test_request_payer_other_than_requester_is_refused():
    with pytest.raises(ValueError, match="requester"):
        CloudFiles("s3://bkt/x", secrets=SECRETS, request_payer="my-project")


def test_put_sends_metadata_storage_class_and_content_md5(s3):
    s3.put(URL, headers={"ETag": f'"{_md5(b"body")}"'})
    cloudfiles().put("obj", b"body", content_type="text/plain", cache_control="no-store",
                     storage_class="INTELLIGENT_TIERING", raw=True, compress="gzip")
    headers = s3.calls[0].request.headers
    assert headers["x-amz-storage-class"] == "INTELLIGENT_TIERING"
    assert headers["Content-Type"] == "text/plain"
    assert headers["Cache-Control"] == "no-store"
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Content-MD5"] == base64.b64encode(hashlib.md5(b"body").digest()).decode()
    assert s3.calls[0].request.body == b"body"


def test_a_corrupted_body_raises_md5_error_after_retries(s3):
    s3.get(URL, body=b"corrupted!", headers={"ETag": f'"{_md5(b"original")}"'})
    with pytest.raises(MD5IntegrityError, match="ETag"):
        cloudfiles().get("obj")
    assert len(s3.calls) == 8  # the first try and 7 retries


def test_multipart_etags_and_ranges_are_not_checked(s3):
    s3.get(URL, body=b"whole", headers={"ETag": '"0123456789abcdef0123456789abcdef-2"'})
    assert cloudfiles().get("obj") == b"whole"
    s3.replace(responses.GET, URL, body=b"ol", status=206,
               headers={"ETag": f'"{_md5(b"whole")}"'})
    assert cloudfiles()["obj", 2:4] == b"ol"
    assert s3.calls[-1].request.headers["Range"] == "bytes=2-3"


def test_bad_digest_on_put_is_retried_as_an_integrity_error(s3):
    s3.put(URL, status=400, body=_error("BadDigest", "The Content-MD5 you specified did not match"))
    with pytest.raises(MD5IntegrityError, match="corrupted"):
        cloudfiles().put("obj", b"data")
    assert len(s3.calls) == 8


def test_a_wrong_etag_after_put_is_an_integrity_error(s3):
    s3.put(URL, headers={"ETag": f'"{_md5(b"other")}"'})
    with pytest.raises(MD5IntegrityError):
        cloudfiles(retries=0).put("obj", b"data")
    assert len(s3.calls) == 1


def test_503_then_200_succeeds(s3):
    s3.get(URL, status=503, body=_error("SlowDown", "Please reduce your request rate."))
    s3.get(URL, body=b"fine", headers={"ETag": f'"{_md5(b"fine")}"'})
    assert cloudfiles().get("obj") == b"fine"
    assert len(s3.calls) == 2


def test_slowdown_and_internal_errors_are_transient(s3):
    s3.get(URL, status=400, body=_error("RequestTimeout"))
    with pytest.raises(TransientStorageError):
        cloudfiles().get("obj")


def test_403_fails_at_once_naming_the_bucket_and_the_code(s3):
    s3.get(URL, status=403, body=_error("AccessDenied", "Access Denied"))
    with pytest.raises(CredentialsError) as error:
        cloudfiles().get("obj")
    message = str(error.value)
    assert "AccessDenied" in message and "Access Denied" in message
    assert "'bkt'" in message and "secrets argument" in message
    assert len(s3.calls) == 1


def test_other_4xx_fail_at_once_with_the_server_message(s3):
    s3.put(URL, status=400, body=_error("InvalidStorageClass", "The storage class is invalid"))
    with pytest.raises(StorageError, match="InvalidStorageClass: The storage class is invalid"):
        cloudfiles().put("obj", b"x", storage_class="NOPE")
    assert len(s3.calls) == 1


def test_404_is_none_but_no_such_bucket_is_an_error(s3):
    s3.get(URL, status=404, body=_error("NoSuchKey"))
    s3.head(URL, status=404)
    s3.head(f"{ENDPOINT}/bkt/", status=200)  # HeadBucket: the bucket exists
    cf = cloudfiles()
    assert cf.get("obj") is None
    assert cf.head("obj") is None and cf.exists("obj") is False
    assert sum(c.request.url == f"{ENDPOINT}/bkt/" for c in s3.calls) == 1  # asked once
    s3.replace(responses.GET, URL, status=404, body=_error("NoSuchBucket"))
    with pytest.raises(StorageError, match="bucket 'bkt' does not exist"):
        cf.get("obj")


def test_a_missing_bucket_is_an_error_from_head_exists_and_size(s3):
    s3.head(URL, status=404)
    s3.head(f"{ENDPOINT}/bkt/", status=404)
    cf = cloudfiles()
    for call in (lambda: cf.exists("obj"), lambda: cf.size("obj"), lambda: cf.head("obj"),
                 lambda: cf.size(["obj", "obj"], return_sum=True)):
        with pytest.raises(StorageError, match="bucket 'bkt' does not exist"):
            call()


def test_head_reads_the_metadata(s3):
    s3.head(URL, headers={
        "Content-Length": "42", "Content-Encoding": "br", "Content-Type": "text/x",
        "Cache-Control": "no-cache", "ETag": '"abc"', "Last-Modified": "Wed, 01 May 2024 00:00:00 GMT",
        "x-amz-storage-class": "GLACIER",
    })
    head = cloudfiles().head("obj")
    assert head == {"Content-Length": 42, "Content-Encoding": "br", "Content-Type": "text/x",
                    "Cache-Control": "no-cache", "Storage-Class": "GLACIER", "ETag": "abc",
                    "Last-Modified": 1714521600.0}


def test_wrong_region_is_followed_once(s3):
    cf = CloudFiles("s3://bkt/root", secrets=SECRETS)
    s3.get("https://bkt.s3.amazonaws.com/root/obj", status=400,
           body=_error("AuthorizationHeaderMalformed", "wrong region"),
           headers={"x-amz-bucket-region": "eu-central-1"})
    s3.get("https://bkt.s3.eu-central-1.amazonaws.com/root/obj", body=b"ok")
    assert cf.get("obj") == b"ok"
    assert "/eu-central-1/s3/" in s3.calls[1].request.headers["Authorization"]
    assert cf.get("obj") == b"ok"
    assert len(s3.calls) == 3  # the region is remembered


def test_delete_many_reports_keys_that_failed(s3):
    s3.post(f"{ENDPOINT}/bkt/?delete", body=(
        b"<DeleteResult><Error><Key>root/b</Key><Code>AccessDenied</Code>"
        b"<Message>Access Denied</Message></Error></DeleteResult>"))
    with pytest.raises(BatchError, match="root/b: AccessDenied"):
        cloudfiles().delete(["a", "b"])
    body = s3.calls[0].request.body
    assert b"<Key>root/a</Key>" in body and b"<Quiet>true</Quiet>" in body
    assert s3.calls[0].request.headers["Content-MD5"] == \
        base64.b64encode(hashlib.md5(body).digest()).decode()


def test_an_error_inside_a_200_copy_answer_is_retried(s3):
    copy = f"{ENDPOINT}/bkt/dest/obj"
    s3.put(copy, body=_error("InternalError", "try again"))
    s3.put(copy, body=b"<CopyObjectResult><ETag>x</ETag></CopyObjectResult>")
    source = cloudfiles()
    dest = CloudFiles(f"s3://{ENDPOINT}/bkt/dest", secrets=SECRETS)
    assert source.transfer_to(dest, ["obj"]) == 1
    assert len(s3.calls) == 2
    assert s3.calls[0].request.headers["x-amz-copy-source"] == "/bkt/root/obj"
