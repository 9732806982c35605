"""The one secrets-directory lookup: which directories, in which order, for every adapter."""
from __future__ import annotations

import json
import os

import pytest

from cloudfiles.adapters import secret_files
from cloudfiles.adapters.gcs import credentials as gcs_credentials
from cloudfiles.adapters.http import bearer_token
from cloudfiles.adapters.s3 import credentials as aws_credentials
from cloudfiles.domain.errors import CredentialsError
from tests.unit.gcs_helpers import reset_google_state, write_key


@pytest.fixture
def homes(monkeypatch, tmp_path):
    """No CLOUDFILES_SECRETS_DIR; CLOUD_VOLUME_DIR and CLOUD_FILES_DIR in tmp; no AWS keys."""
    monkeypatch.delenv("CLOUDFILES_SECRETS_DIR", raising=False)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("CLOUD_VOLUME_DIR", str(tmp_path / "cv"))
    monkeypatch.setenv("CLOUD_FILES_DIR", str(tmp_path / "cf"))
    preferred, older = tmp_path / "cv" / "secrets", tmp_path / "cf" / "secrets"
    preferred.mkdir(parents=True)
    older.mkdir(parents=True)
    reset_google_state()
    yield preferred, older
    reset_google_state()


def _aws(path, name: str) -> None:
    path.write_text(json.dumps({"AWS_ACCESS_KEY_ID": f"id-{name}",
                                "AWS_SECRET_ACCESS_KEY": "secret"}))


def test_preferred_then_root_then_cloudfiles_dir(homes):
    preferred, older = homes
    assert secret_files.secret_dirs() == (str(preferred), os.sep, str(older))
    assert secret_files.secretpath("x-secret.json") == str(preferred / "x-secret.json")
    (older / "x-secret.json").write_text("{}")
    assert secret_files.secretpath("x-secret.json") == str(older / "x-secret.json")
    (preferred / "x-secret.json").write_text("{}")
    assert secret_files.secretpath("x-secret.json") == str(preferred / "x-secret.json")


def test_cloudfiles_secrets_dir_is_the_only_place_when_set(homes, monkeypatch, tmp_path):
    _, older = homes
    (older / "x-secret.json").write_text("{}")
    monkeypatch.setenv("CLOUDFILES_SECRETS_DIR", str(tmp_path / "mine"))
    assert secret_files.secret_dirs() == (str(tmp_path / "mine"),)
    search = secret_files.find_secret_file(["x-secret.json"])
    assert search.path is None and search.searched == (str(tmp_path / "mine" / "x-secret.json"),)


def test_a_bucket_file_anywhere_beats_the_default_file(homes):
    preferred, older = homes
    _aws(preferred / "aws-secret.json", "default")
    _aws(older / "bkt-aws-secret.json", "bucket")
    assert aws_credentials.find_credentials("bkt").access_key == "id-bucket"
    assert aws_credentials.find_credentials("other").access_key == "id-default"


def test_every_adapter_finds_its_file_in_the_older_directory(homes):
    _, older = homes
    _aws(older / "aws-secret.json", "old")
    write_key(older / "google-secret.json", "old", project="proj-old")
    (older / "cave-secret.json").write_text(json.dumps({"token": "tok-old"}))
    assert aws_credentials.find_credentials("bkt").source == str(older / "aws-secret.json")
    assert gcs_credentials.find_credentials("bkt").project_id == "proj-old"
    assert bearer_token.find_token("https://cave.test").token == "tok-old"


def test_anonymous_messages_list_every_path_looked_at(homes):
    preferred, older = homes
    message = aws_credentials.find_credentials("bkt").describe("bkt")
    for directory in (str(preferred), os.sep, str(older)):
        assert os.path.join(directory, "bkt-aws-secret.json") in message
    assert os.path.join(str(older), "google-secret.json") in \
        gcs_credentials.find_credentials("bkt").source


@pytest.mark.parametrize("content, why", [("{bad", "not valid json"), ("[]", "json object")])
def test_unreadable_files_name_the_file(homes, content, why):
    preferred, _ = homes
    (preferred / "x-secret.json").write_text(content)
    with pytest.raises(CredentialsError, match=why) as error:
        secret_files.read_json_object(str(preferred / "x-secret.json"))
    assert "x-secret.json" in str(error.value)
