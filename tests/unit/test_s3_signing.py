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
from botocore.credentials import ReadOnlyCredentials

from cloudfiles.adapters.s3.storage import S3Storage
from cloudfiles.adapters.transport.mock import MockTransport
from cloudfiles.domain.byteranges import ByteRange
from cloudfiles.domain.objects import PutOptions, StorageConfig
from cloudfiles.domain.paths import extract
from cloudfiles.domain.ports import HttpResponse

NOW = datetime.datetime(2024, 5, 6, 7, 8, 9)
SECRETS = {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG",
           "AWS_SESSION_TOKEN": "session-token", "AWS_DEFAULT_REGION": "eu-west-1"}
ODD_KEY = "dir/with space/ü+%?#..x"


class _EmptyBody:
    def stream(self, *args, **kwargs):
        return iter([b""])


def botocore_request(operation: str, endpoint_url: str | None = None, **params):
    """The request botocore's S3 client builds (and signs) for an operation; never sent."""
    captured = []

    def capture(request, **kwargs):
        captured.append(request)
        return AWSResponse(request.url, 200, {"ETag": '"0"'}, _EmptyBody())

    client = botocore.session.get_session().create_client(
        "s3", region_name=SECRETS["AWS_DEFAULT_REGION"],
        aws_access_key_id=SECRETS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=SECRETS["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=SECRETS["AWS_SESSION_TOKEN"], endpoint_url=endpoint_url,
        config=Config(request_checksum_calculation="when_required",
                      response_checksum_validation="when_required",
                      s3={"addressing_style": "path"} if endpoint_url else None),
    )
    client.meta.events.register("before-send", capture)
    getattr(client, operation)(**params)
    request = captured[0]
    return request.url, {k: (v.decode() if isinstance(v, bytes) else v)
                         for k, v in request.headers.items()}


def adapter_requests(action, body: bytes = b"hello", path: str = "s3://my-bucket/root",
                     secrets=SECRETS) -> list:
    """The requests the storage at path sends for `action(storage)`, each answered 200 with
    `body` (and its md5 as ETag)."""
    etag = '"' + hashlib.md5(body).hexdigest() + '"'
    transport = MockTransport(lambda request: HttpResponse(200, {"ETag": etag}, body))
    action(S3Storage(extract(path), StorageConfig(secrets=secrets), transport))
    return transport.requests


@pytest.fixture(autouse=True)
def frozen_clock():
    with mock.patch("botocore.auth.get_current_datetime", return_value=NOW):
        yield


def test_get_with_range_is_signed_like_botocore():
    [sent] = adapter_requests(lambda storage: storage.get(ODD_KEY, ByteRange(0, 10)))
    url, headers = botocore_request("get_object", Bucket="my-bucket", Key="root/" + ODD_KEY,
                                    Range="bytes=0-9")
    assert sent.url == url
    assert sent.headers["Authorization"] == headers["Authorization"]
    assert sent.headers["X-Amz-Security-Token"] == "session-token"


def test_put_is_signed_like_botocore():
    body = b"hello"
    options = PutOptions(content_type="text/plain", storage_class="GLACIER")
    [sent] = adapter_requests(lambda storage: storage.put("a b", body, options))
    url, headers = botocore_request(
        "put_object", Bucket="my-bucket", Key="root/a b", Body=body, ContentType="text/plain",
        StorageClass="GLACIER", ContentMD5=base64.b64encode(hashlib.md5(body).digest()).decode(),
    )
    assert sent.url == url
    assert sent.headers["Authorization"] == headers["Authorization"]
    assert sent.headers["X-Amz-Content-SHA256"] == headers["X-Amz-Content-SHA256"]
    assert "x-amz-storage-class" in sent.headers["Authorization"]


def test_list_is_signed_like_botocore():
    empty = b"<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>"
    [sent] = adapter_requests(lambda storage: list(storage.list("sub dir/", flat=True)), empty)
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
    transport = MockTransport(lambda request: HttpResponse(200, {}, b"data"))
    storage = S3Storage(extract("s3://public-bucket/x"), StorageConfig(), transport)
    assert storage.get("k").content == b"data"
    assert "Authorization" not in transport.requests[0].headers
    assert transport.requests[0].url == "https://public-bucket.s3.amazonaws.com/x/k"


def test_put_over_http_signs_the_body_hash_like_botocore():
    body = b"payload over plain http"
    [sent] = adapter_requests(lambda storage: storage.put("k", body, PutOptions()), body,
                              path="s3://http://127.0.0.1:9000/my-bucket/root")
    url, headers = botocore_request(
        "put_object", endpoint_url="http://127.0.0.1:9000", Bucket="my-bucket", Key="root/k",
        Body=body, ContentType="application/octet-stream",
        ContentMD5=base64.b64encode(hashlib.md5(body).digest()).decode(),
    )
    assert sent.url == url
    assert sent.headers["X-Amz-Content-SHA256"] == hashlib.sha256(body).hexdigest()
    assert sent.headers["Authorization"] == headers["Authorization"]
    assert "host" not in {name.lower() for name in sent.headers}  # the engine sets it


def test_a_new_day_gets_a_new_signing_key():
    storage_requests = []

    def two_days(storage):
        storage.get("k")
        with mock.patch("botocore.auth.get_current_datetime",
                        return_value=NOW + datetime.timedelta(days=1)):
            storage.get("k")
            storage_requests.append(botocore_request("get_object", Bucket="my-bucket",
                                                     Key="root/k"))

    first, second = adapter_requests(two_days)
    assert first.headers["Authorization"] == \
        botocore_request("get_object", Bucket="my-bucket", Key="root/k")[1]["Authorization"]
    [(_, next_day)] = storage_requests
    assert second.headers["Authorization"] == next_day["Authorization"]
    assert first.headers["Authorization"] != second.headers["Authorization"]


class RotatingKeys:
    """Credentials that refresh themselves (as botocore's RefreshableCredentials do)."""

    def __init__(self):
        self.access_key, self.secret_key, self.token = "AKIDFIRST", "first-secret", None

    def get_frozen_credentials(self):
        return ReadOnlyCredentials(self.access_key, self.secret_key, self.token)


def test_refreshed_keys_sign_the_next_request():
    keys = RotatingKeys()

    def rotate(storage):
        storage.head("k")
        keys.access_key, keys.secret_key, keys.token = "AKIDSECOND", "second-secret", "tok"
        storage.head("k")

    first, second = adapter_requests(rotate, secrets=keys)
    assert "Credential=AKIDFIRST/" in first.headers["Authorization"]
    assert "Credential=AKIDSECOND/" in second.headers["Authorization"]
    assert second.headers["X-Amz-Security-Token"] == "tok"
    assert "X-Amz-Security-Token" not in first.headers
