"""cloudfiles.secrets: cloud-files' credential functions, answering as the adapters look up."""
from __future__ import annotations

import importlib
import json
import os

import pytest
from google.oauth2 import service_account as google_service_account

from cloudfiles import CloudFiles, secrets
from cloudfiles.adapters.transport.mock import MockTransport
from cloudfiles.domain.ports import HttpResponse
from tests.engine_injection import serve_every_cloudfiles_with
from tests.unit.gcs_helpers import isolate_google_env, reset_google_state, write_key


@pytest.fixture
def directory(monkeypatch, tmp_path):
    """An empty secrets dir, no AWS keys or profiles, no Google defaults, an empty cache."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setattr(secrets, "GOOGLE_CREDENTIALS_CACHE", {})
    yield isolate_google_env(monkeypatch, tmp_path)
    reset_google_state()


def _write(directory, filename: str, values: dict) -> None:
    (directory / filename).write_text(json.dumps(values))


def test_aws_credentials_is_a_dict_from_the_same_files_as_s3(directory, monkeypatch):
    assert secrets.aws_credentials("bkt") == {}
    _write(directory, "aws-secret.json", {"AWS_ACCESS_KEY_ID": "id-default",
                                          "AWS_SECRET_ACCESS_KEY": "secret-default",
                                          "AWS_DEFAULT_REGION": "eu-west-1"})
    _write(directory, "bkt-aws-secret.json", {"AWS_ACCESS_KEY_ID": "id-bkt",
                                              "AWS_SECRET_ACCESS_KEY": "secret-bkt",
                                              "AWS_SESSION_TOKEN": "tok"})
    assert secrets.aws_credentials() == {
        "AWS_ACCESS_KEY_ID": "id-default", "AWS_SECRET_ACCESS_KEY": "secret-default",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }
    assert secrets.aws_credentials("bkt", service="s3") == {
        "AWS_ACCESS_KEY_ID": "id-bkt", "AWS_SECRET_ACCESS_KEY": "secret-bkt",
        "AWS_SESSION_TOKEN": "tok", "AWS_DEFAULT_REGION": "us-east-1",
    }
    engine = MockTransport(lambda request: HttpResponse(200, {"Content-Length": "0"}))
    serve_every_cloudfiles_with(monkeypatch, engine)
    assert CloudFiles("s3://bkt/x").exists("k") is True
    signed = {name.lower(): value for name, value in engine.requests[-1].headers.items()}
    used = secrets.aws_credentials("bkt")
    assert f"Credential={used['AWS_ACCESS_KEY_ID']}/" in signed["authorization"]
    assert signed["x-amz-security-token"] == used["AWS_SESSION_TOKEN"]


def test_aws_credentials_of_an_alias_and_skip_files(directory, monkeypatch):
    _write(directory, "aws-secret.json", {"AWS_ACCESS_KEY_ID": "id-aws",
                                          "AWS_SECRET_ACCESS_KEY": "s"})
    assert secrets.aws_credentials("bkt", "matrix") == {}
    _write(directory, "matrix-secret.json", {"AWS_ACCESS_KEY_ID": "id-matrix",
                                             "AWS_SECRET_ACCESS_KEY": "s"})
    assert secrets.aws_credentials("bkt", "matrix")["AWS_ACCESS_KEY_ID"] == "id-matrix"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ca-central-1")
    assert secrets.aws_credentials("bkt", skip_files=True) == {"AWS_DEFAULT_REGION": "ca-central-1"}
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "id-env")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-env")
    assert secrets.aws_credentials("bkt", skip_files=True) == {
        "AWS_ACCESS_KEY_ID": "id-env", "AWS_SECRET_ACCESS_KEY": "secret-env",
        "AWS_DEFAULT_REGION": "ca-central-1",
    }


def test_google_credentials_is_project_and_unscoped_key_file_credentials(directory):
    assert secrets.google_credentials("bkt") == (None, None)
    write_key(directory / "google-secret.json", "default", project="proj-default")
    write_key(directory / "bkt-google-secret.json", "perbucket", project="proj-bkt")
    project, credentials = secrets.google_credentials("bkt")
    assert project == "proj-bkt"
    assert isinstance(credentials, google_service_account.Credentials)
    assert credentials.service_account_email == "perbucket@proj-bkt.iam.gserviceaccount.com"
    assert credentials.requires_scopes  # like cloud-files: each Google client adds its scopes
    assert secrets.google_credentials()[0] == "proj-default"
    assert secrets.google_credentials("bkt") is secrets.GOOGLE_CREDENTIALS_CACHE["bkt"]


def test_a_seeded_google_cache_is_answered_without_lookup(directory):
    write_key(directory / "google-secret.json", "default")
    secrets.GOOGLE_CREDENTIALS_CACHE[""] = ("my-project", None)
    assert secrets.google_credentials() == ("my-project", None)


def test_cave_credentials_and_secretpath(directory):
    assert secrets.cave_credentials("cave.test") is None
    _write(directory, "cave-secret.json", {"token": "tok-all"})
    _write(directory, "cave.test-cave-secret.json", {"token": "tok-host"})
    assert secrets.cave_credentials("cave.test") == {"token": "tok-host"}
    assert secrets.cave_credentials() == {"token": "tok-all"}
    assert secrets.secretpath("cave-secret.json") == str(directory / "cave-secret.json")


def test_directory_constants(monkeypatch, tmp_path):
    monkeypatch.delenv("CLOUDFILES_SECRETS_DIR", raising=False)
    monkeypatch.setenv("CLOUD_VOLUME_DIR", str(tmp_path / "cv"))
    monkeypatch.setenv("CLOUD_FILES_DIR", str(tmp_path / "cf"))
    try:
        module = importlib.reload(secrets)
        assert module.CLOUD_VOLUME_DIR == os.path.join(str(tmp_path / "cv"), "secrets")
        assert module.CLOUD_FILES_DIR == os.path.join(str(tmp_path / "cf"), "secrets")
        assert module.CLOUD_FILES_SECRETS_DIR == module.CLOUD_FILES_DIR
        assert module.HOME == os.path.expanduser("~")
    finally:
        monkeypatch.undo()
        importlib.reload(secrets)
