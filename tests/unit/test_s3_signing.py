"""Requests the s3:// adapter signs are the ones botocore's own S3 client would send."""
from __future__ import annotations

import base64
import datetime
import hashlib
from unittest import mock

import botocore.session
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config

from cloudfiles import CloudFiles
from cloudfiles.adapters.mock_transport import MockTransport
from cloudfiles.domain.ports import HttpResponse

NOW = datetime.datetime(2024, 5, 6, 7, 8, 9)
SECRETS = {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG",
           "AWS_SESSION_TOKEN": "session-token", "AWS_DEFAULT_REGION": "eu-west-1"}
ODD_KEY = "dir/with space/ü+%?#..x"


class _EmptyBody:
    def stream(self, *args, **kwargs):
        return iter([b""])


def botocore_request(operation: str, **params):
    """The request botocore's S3 client builds (and signs) for an operation; never sent."""
    captured = []

    def capture(request, **kwargs):
        captured.append(request)
        return AWSResponse(request.url, 200, {"ETag": '"0"'}, _EmptyBody())

    client = botocore.session.get_session().create_client(
        "s3", region_name=SECRETS["AWS_DEFAULT_REGION"],
        aws_access_key_id=SECRETS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=SECRETS["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=SECRETS["AWS_SESSION_TOKEN"],
        config=Config(request_checksum_calculation="when_required",
                      response_checksum_validation="when_required"),
    )
    client.meta.events.register("before-send", capture)
    getattr(client, operation)(**params)
    request = captured[0]
    return request.url, {k: (v.decode() if isinstance(v, bytes) else v)
                         for k, v in request.headers.items()}


def adapter_requests(action) -> list:
    """The requests CloudFiles sends on s3://my-bucket for `action(cf)`."""
    cf = CloudFiles("s3://my-bucket/root", secrets=SECRETS)
    etag = '"' + hashlib.md5(b"hello").hexdigest() + '"'
    transport = MockTransport(lambda request: HttpResponse(200, {"ETag": etag}, b"hello"))
    cf._store.storage.client.transport = transport
    action(cf)
    return transport.requests


@pytest.fixture(autouse=True)
def frozen_clock():
    with mock.patch("botocore.auth.get_current_datetime", return_value=NOW):
        yield


def test_get_with_range_is_signed_like_botocore():
    [sent] = adapter_requests(lambda cf: cf.get({"path": ODD_KEY, "start": 0, "end": 10}))
    url, headers = botocore_request("get_object", Bucket="my-bucket", Key="root/" + ODD_KEY,
                                    Range="bytes=0-9")
    assert sent.url == url
    assert sent.headers["Authorization"] == headers["Authorization"]
    assert sent.headers["X-Amz-Security-Token"] == "session-token"


def test_put_is_signed_like_botocore():
    body = b"hello"
    [sent] = adapter_requests(lambda cf: cf.put("a b", body, content_type="text/plain",
                                                 storage_class="GLACIER"))
    url, headers = botocore_request(
        "put_object", Bucket="my-bucket", Key="root/a b", Body=body, ContentType="text/plain",
        StorageClass="GLACIER", ContentMD5=base64.b64encode(hashlib.md5(body).digest()).decode(),
    )
    assert sent.url == url
    assert sent.headers["Authorization"] == headers["Authorization"]
    assert sent.headers["X-Amz-Content-SHA256"] == headers["X-Amz-Content-SHA256"]
    assert "x-amz-storage-class" in sent.headers["Authorization"]


def test_list_is_signed_like_botocore():
    def listing(cf):
        cf._store.storage.client.transport.handler = lambda request: HttpResponse(
            200, {}, b"<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>")
        list(cf.list("sub dir/", flat=True))

    [sent] = adapter_requests(listing)
    url, headers = botocore_request("list_objects_v2", Bucket="my-bucket",
                                    Prefix="root/sub dir/", Delimiter="/", EncodingType="url")
    assert sorted(sent.url.split("?")[1].split("&")) == sorted(url.split("?")[1].split("&"))
    assert sent.headers["Authorization"] == headers["Authorization"]


def test_anonymous_requests_are_not_signed(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLOUDFILES_SECRETS_DIR", str(tmp_path))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    cf = CloudFiles("s3://public-bucket/x")
    transport = MockTransport(lambda request: HttpResponse(200, {}, b"data"))
    cf._store.storage.client.transport = transport
    assert cf.get("k") == b"data"
    assert "Authorization" not in transport.requests[0].headers
    assert transport.requests[0].url == "https://public-bucket.s3.amazonaws.com/x/k"
