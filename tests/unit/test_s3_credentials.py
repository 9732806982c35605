"""Where s3:// and its aliases find their keys, in order, the errors when they are bad, and
no_sign_request (no keys at all)."""
from __future__ import annotations

import json

import pytest
import responses

from cloudfiles import CloudFiles
from cloudfiles.adapters.s3 import storage as s3
from cloudfiles.adapters.s3.credentials import find_credentials
from cloudfiles.adapters.s3.storage import S3Storage
from cloudfiles.adapters.transport.mock import MockTransport
from cloudfiles.domain.errors import CredentialsError
from cloudfiles.domain.objects import StorageConfig
from cloudfiles.domain.paths import ExtractedPath, extract
from cloudfiles.domain.ports import HttpResponse


def aliased(alias: str | None, host: str | None) -> ExtractedPath:
    """What extract() gives for `{alias}://bkt/dir`: an s3:// path on the alias's host."""
    return ExtractedPath("precomputed", "s3", "bkt", "dir", host, alias=alias)


def test_official_aliases_are_parsed_as_assumed_here():
    assert extract("matrix://bkt/dir") == aliased("matrix", "https://s3-hpcrc.rc.princeton.edu")
    assert extract("tigerdata://bkt/dir") == aliased("tigerdata", "https://td.princeton.edu")


DATA = HttpResponse(200, {}, b"data")


def s3_storage(path: str | ExtractedPath, config: StorageConfig | None = None,
               answer: HttpResponse = DATA) -> S3Storage:
    """An s3:// storage on a fake transport answering every request with `answer`; the
    requests it sent are in `storage.transport.requests`."""
    epath = extract(path) if isinstance(path, str) else path
    return S3Storage(epath, config or StorageConfig(), MockTransport(lambda request: answer))


def _keys(name: str, region: str | None = None) -> dict:
    keys = {"AWS_ACCESS_KEY_ID": f"id-{name}", "AWS_SECRET_ACCESS_KEY": f"secret-{name}"}
    if region:
        keys["AWS_DEFAULT_REGION"] = region
    return keys


@pytest.fixture
def secrets(monkeypatch, tmp_path):
    """An empty secrets dir, no AWS keys in the environment, no AWS config files."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    directory = tmp_path / "secrets"
    directory.mkdir()
    monkeypatch.setenv("CLOUDFILES_SECRETS_DIR", str(directory))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    return directory


def _write(directory, filename: str, values: dict) -> str:
    path = directory / filename
    path.write_text(json.dumps(values))
    return str(path)


def test_each_source_in_order(secrets, monkeypatch):
    def found():
        return find_credentials("bkt", None).access_key

    assert find_credentials("bkt").anonymous
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "id-env")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-env")
    assert found() == "id-env"
    _write(secrets, "aws-secret.json", _keys("default"))
    assert found() == "id-default"
    _write(secrets, "bkt-aws-secret.json", _keys("bucket"))
    assert found() == "id-bucket"
    assert find_credentials("other").access_key == "id-default"
    assert find_credentials("bkt", _keys("argument")).access_key == "id-argument"


def test_a_secrets_path_argument(secrets):
    path = _write(secrets, "elsewhere.json", {**_keys("file"), "AWS_SESSION_TOKEN": "tok"})
    credentials = find_credentials("bkt", path)
    assert credentials.access_key == "id-file"
    assert credentials.frozen_keys().token == "tok"
    assert credentials.source == path


def test_matrix_reads_matrix_secrets_never_aws_secret_then_the_environment(secrets, monkeypatch):
    _write(secrets, "aws-secret.json", _keys("aws"))
    assert find_credentials("bkt", name="matrix").anonymous  # aws-secret.json is not matrix's
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "id-env")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-env")
    assert find_credentials("bkt", name="matrix").access_key == "id-env"  # as cloud-files does
    _write(secrets, "matrix-secret.json", _keys("matrix"))
    storage = s3_storage("matrix://bkt/dir")
    assert storage.credentials.access_key == "id-matrix"
    assert storage.client.endpoint.url("k") == "https://s3-hpcrc.rc.princeton.edu/bkt/k"
    _write(secrets, "bkt-matrix-secret.json", _keys("matrix-bucket"))
    assert s3_storage("matrix://bkt/dir").credentials.access_key == "id-matrix-bucket"


@pytest.mark.parametrize("alias, host", [
    ("matrix", "https://s3-hpcrc.rc.princeton.edu"),
    ("tigerdata", "https://td.princeton.edu"),
    ("mylab", "http://minio.mylab.test:9000"),
])
def test_an_alias_signs_with_its_own_secret_file(secrets, alias, host):
    _write(secrets, "aws-secret.json", _keys("aws"))
    _write(secrets, f"{alias}-secret.json", _keys(alias))
    storage = s3_storage(aliased(alias, host))
    assert storage.alias == alias
    assert storage.credentials.access_key == f"id-{alias}"
    assert storage.client.describe("GET", "dir/k") == f"GET {alias}://bkt/dir/k"
    assert storage.get("k").content == b"data"
    [sent] = storage.transport.requests
    assert sent.url == f"{host}/bkt/dir/k"
    assert f"Credential=id-{alias}/" in sent.headers["Authorization"]


def test_a_path_without_alias_reads_aws_secret(secrets):
    _write(secrets, "aws-secret.json", _keys("aws"))
    _write(secrets, "matrix-secret.json", _keys("matrix"))
    storage = s3_storage(aliased(None, "https://s3.test"))
    assert storage.alias is None and storage.credentials.access_key == "id-aws"
    assert storage.client.describe("GET", "k") == "GET s3://bkt/k"


# -- no_sign_request ----------------------------------------------------------------------------
def test_no_sign_request_sends_no_authorization_and_looks_up_nothing(secrets, monkeypatch):
    def no_lookup(*args, **kwargs):
        raise AssertionError("no_sign_request must not look for credentials")

    monkeypatch.setattr(s3, "find_credentials", no_lookup)
    (secrets / "aws-secret.json").write_text("{not json")  # reading it would fail
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "id-env")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-env")
    cf = CloudFiles("s3://public-bkt/dir", no_sign_request=True, secrets=_keys("given"))
    with responses.RequestsMock() as mock:
        mock.get("https://public-bkt.s3.amazonaws.com/dir/k", body=b"open data")
        assert cf.get("k") == b"open data"
        headers = mock.calls[0].request.headers
        assert "Authorization" not in headers and "x-amz-date" not in headers  # not signed


def test_no_sign_request_on_an_alias_and_its_refusal_message(secrets):
    _write(secrets, "tigerdata-secret.json", _keys("tigerdata"))
    denied = HttpResponse(403, {}, b"<Error><Code>AccessDenied</Code><Message>no</Message></Error>")
    storage = s3_storage(aliased("tigerdata", "https://td.princeton.edu"),
                         StorageConfig(options={"no_sign_request": True}), denied)
    assert storage.credentials.anonymous
    with pytest.raises(CredentialsError, match="unsigned.*no_sign_request"):
        storage.get("k")
    [sent] = storage.transport.requests
    assert sent.url == "https://td.princeton.edu/bkt/dir/k"
    assert "Authorization" not in sent.headers


def test_botocore_chain_reads_the_shared_credentials_file(secrets, monkeypatch, tmp_path):
    shared = tmp_path / "credentials"
    shared.write_text("[default]\naws_access_key_id = id-profile\n"
                      "aws_secret_access_key = secret-profile\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(shared))
    credentials = find_credentials("bkt")
    assert credentials.access_key == "id-profile"
    assert "botocore" in credentials.source


def test_region_comes_from_the_credentials_then_the_environment(secrets, monkeypatch):
    assert find_credentials("bkt", _keys("a")).region == "us-east-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ca-central-1")
    assert find_credentials("bkt", _keys("a")).region == "ca-central-1"
    assert find_credentials("bkt", _keys("a", "ap-south-1")).region == "ap-south-1"
    storage = s3_storage("s3://bkt/x", StorageConfig(secrets=_keys("a", "ap-south-1")))
    assert storage.client.endpoint.url("x/k") == "https://bkt.s3.ap-south-1.amazonaws.com/x/k"


@pytest.mark.parametrize("content, why", [
    ("{not json", "not valid json"),
    ('{"AWS_ACCESS_KEY_ID": "only-id"}', "lacks"),
    ("[1, 2]", "json object"),
])
def test_bad_secret_files_are_credentials_errors(secrets, content, why):
    (secrets / "aws-secret.json").write_text(content)
    with pytest.raises(CredentialsError, match=why) as error:
        CloudFiles("s3://bkt/x")
    assert "aws-secret.json" in str(error.value)


def test_a_missing_secrets_path_is_a_credentials_error(secrets):
    with pytest.raises(CredentialsError, match="nowhere.json"):
        CloudFiles("s3://bkt/x", secrets=str(secrets / "nowhere.json"))


def test_anonymous_failure_messages_say_where_we_looked(secrets):
    credentials = find_credentials("bkt")
    message = credentials.describe("bkt")
    assert "'bkt'" in message and "unsigned" in message
    assert str(secrets / "bkt-aws-secret.json") in message
    assert "AWS_ACCESS_KEY_ID" in message
