"""Fixtures for the s3:// adapter: a moto S3 server on 127.0.0.1, moto's in-process mock,
and a spy that records the requests one CloudFiles sends."""
from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterator

import pytest
from attrs import frozen

from cloudfiles import CloudFiles
from cloudfiles.adapters.transport.thread_batch import ThreadBatch
from cloudfiles.domain.ports import Batch, HttpRequest, HttpResponse, Transport
from tests.engine_injection import open_with_engine

S3_TEST_BUCKET = "cf-s3-test"
S3_OTHER_BUCKET = "cf-s3-other"
S3_PUBLIC_BUCKET = "cf-s3-public"
_FAKE_KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@frozen
class MotoS3:
    """A running moto S3 server and the buckets made on it."""

    endpoint: str  # http://127.0.0.1:PORT
    bucket: str
    other_bucket: str
    public_bucket: str

    def path(self, bucket: str | None = None) -> str:
        """A fresh, empty s3:// path on this server."""
        return f"s3://{self.endpoint}/{bucket or self.bucket}/t{uuid.uuid4().hex[:12]}"

    def seed(self, cloudpath: str, keys: list[str], content: bytes = b"x") -> None:
        """Create many objects under an s3:// path of this server quickly.

        Goes straight to moto's in-process backend (the server runs in this process):
        a thousand PUTs over HTTP would make a test slow without testing anything of ours.
        """
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.s3.models import s3_backends

        bucket, root = self.location(cloudpath)
        backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
        for key in keys:
            backend.put_object(bucket, root + key, content)

    def location(self, cloudpath: str) -> tuple[str, str]:
        """(bucket, key prefix: '' or ending in '/') of an s3:// path on this server."""
        bucket, _, root = cloudpath.split(self.endpoint + "/", 1)[1].partition("/")
        root = root.strip("/")
        return bucket, root + "/" if root else ""

    def boto(self):
        """A boto3 client on the server: an independent observer for assertions."""
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture(scope="session")
def moto_s3_server() -> Iterator[MotoS3]:
    """moto's S3 server on a free loopback port, with fake keys in the environment."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    saved = {name: os.environ.get(name) for name in _FAKE_KEYS}
    os.environ.update(_FAKE_KEYS)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield MotoS3(f"http://127.0.0.1:{port}", S3_TEST_BUCKET, S3_OTHER_BUCKET,
                     S3_PUBLIC_BUCKET)
    finally:
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture
def moto_s3(moto_s3_server: MotoS3) -> MotoS3:
    """The moto S3 server, its buckets made (again).

    The server runs in this process and shares moto's backends with `mock_aws`, which
    wipes them when a mocked test ends; so the buckets are checked before each test.
    """
    client = moto_s3_server.boto()
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    for bucket in (moto_s3_server.bucket, moto_s3_server.other_bucket,
                   moto_s3_server.public_bucket):
        if bucket not in existing:
            client.create_bucket(Bucket=bucket)
    return moto_s3_server


@pytest.fixture
def mock_s3() -> Iterator[str]:
    """moto's in-process mock of Amazon S3 (it intercepts `requests` too); yields a bucket."""
    from moto import mock_aws

    with mock_aws():
        import boto3

        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=S3_TEST_BUCKET)
        yield S3_TEST_BUCKET


@pytest.fixture
def no_aws_credentials(monkeypatch, tmp_path) -> None:
    """No credentials anywhere: requests go unsigned."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLOUDFILES_SECRETS_DIR", str(tmp_path / "no-secrets"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))


class SpyTransport(Transport):
    """Passes requests on and records them; `fail(request)` may answer instead."""

    name = "spy"

    def __init__(self, inner: Transport, fail=None):
        self.inner = inner
        self.fail = fail
        self.requests: list[HttpRequest] = []

    def send(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        if self.fail is not None:
            answer = self.fail(request)
            if answer is not None:
                return answer
        return self.inner.send(request)

    def batch(self, concurrency: int) -> Batch:
        return ThreadBatch(self, concurrency)

    def methods(self) -> list[str]:
        """`METHOD ?query` of each request, e.g. 'POST ?delete'."""
        return [f"{r.method} ?{r.url.partition('?')[2]}" if "?" in r.url else r.method
                for r in self.requests]


@pytest.fixture
def spied(monkeypatch):
    """spied(cloudpath, fail=None, **kwargs) -> (CloudFiles, SpyTransport): a CloudFiles
    whose requests are recorded (and answered by `fail(request)` when it returns one).

    The composition root hands the new CloudFiles a spy around the engine it chose.
    """
    def open_spied(cloudpath: str, fail=None, **kwargs) -> tuple[CloudFiles, SpyTransport]:
        return open_with_engine(monkeypatch, cloudpath,
                                lambda engine: SpyTransport(engine, fail), **kwargs)

    return open_spied
