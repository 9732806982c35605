"""Where s3:// and matrix:// find their keys, in order, and the errors when they are bad."""
from __future__ import annotations

import json

import pytest

from cloudfiles import CloudFiles
from cloudfiles.adapters.aws_credentials import find_credentials
from cloudfiles.domain.errors import CredentialsError


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


def test_matrix_reads_matrix_secret_and_never_the_aws_environment(secrets, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "id-env")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-env")
    _write(secrets, "aws-secret.json", _keys("aws"))
    assert find_credentials("bkt", name="matrix", use_environment=False).anonymous
    _write(secrets, "matrix-secret.json", _keys("matrix"))
    cf = CloudFiles("matrix://bkt/dir")
    assert cf._store.storage.credentials.access_key == "id-matrix"
    assert cf._store.storage.client.endpoint.url("k") == \
        "https://s3-hpcrc.rc.princeton.edu/bkt/k"


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
    cf = CloudFiles("s3://bkt/x", secrets=_keys("a", "ap-south-1"))
    assert cf._store.storage.client.endpoint.url("x/k") == \
        "https://bkt.s3.ap-south-1.amazonaws.com/x/k"


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
