"""middleauth+https:// and ngauth+https://: https reads carrying the server's bearer token."""
from __future__ import annotations

import json

import pytest
import responses

from cloudfiles.adapters.http.storage import (
    HttpsStorage,
    MiddleauthHttpsStorage,
    NgauthHttpsStorage,
)
from cloudfiles.adapters.transport.requests_engine import shared_transport
from cloudfiles.domain.errors import CredentialsError
from cloudfiles.domain.objects import StorageConfig
from cloudfiles.domain.paths import extract

HOST = "https://cave.test"
BEARER_STORAGES = [MiddleauthHttpsStorage, NgauthHttpsStorage]


@pytest.fixture
def directory(monkeypatch, tmp_path):
    monkeypatch.setenv("CLOUDFILES_SECRETS_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def _token_file(directory, filename: str, token: str) -> None:
    (directory / filename).write_text(json.dumps({"token": token}))


def storage(adapter, host: str = HOST, secrets=None):
    """The adapter on `{protocol}://{host}/segmentation`."""
    prefix = "" if adapter is HttpsStorage else adapter.protocol.split("+")[0] + "+"
    location = extract(f"{prefix}{host}/segmentation")
    assert location.protocol == adapter.protocol and location.host == host
    return adapter(location, StorageConfig(secrets=secrets), shared_transport(4))


def authorization(rsps, call: int = 0) -> str | None:
    return rsps.calls[call].request.headers.get("Authorization")


@pytest.mark.parametrize("adapter", BEARER_STORAGES)
def test_reads_carry_the_token_of_the_host_else_the_global_one(directory, rsps, adapter):
    _token_file(directory, "cave-secret.json", "tok-all")
    _token_file(directory, "cave.test-cave-secret.json", "tok-host")
    rsps.get(f"{HOST}/segmentation/info", body=b"{}")
    rsps.head(f"{HOST}/segmentation/info", headers={"Content-Length": "2"})
    rsps.get("https://other.test:8443/segmentation/info", body=b"[]")
    cave = storage(adapter)
    assert cave.get("info").content == b"{}"
    assert cave.head("info").size == 2
    assert authorization(rsps, 0) == authorization(rsps, 1) == "Bearer tok-host"
    assert storage(adapter, "https://other.test:8443").get("info").content == b"[]"
    assert authorization(rsps, 2) == "Bearer tok-all"


def test_a_port_is_part_of_the_per_server_file_name(directory, rsps):
    _token_file(directory, "cave.test:8443-cave-secret.json", "tok-port")
    rsps.get("https://cave.test:8443/segmentation/info", body=b"{}")
    storage(MiddleauthHttpsStorage, "https://cave.test:8443").get("info")
    assert authorization(rsps) == "Bearer tok-port"


def test_the_secrets_argument_wins(directory, rsps):
    _token_file(directory, "cave-secret.json", "tok-file")
    rsps.get(f"{HOST}/segmentation/info", body=b"{}")
    storage(MiddleauthHttpsStorage, secrets={"token": "tok-given"}).get("info")
    assert authorization(rsps) == "Bearer tok-given"
    _token_file(directory, "elsewhere.json", "tok-path")
    storage(MiddleauthHttpsStorage, secrets=str(directory / "elsewhere.json")).get("info")
    assert authorization(rsps, 1) == "Bearer tok-path"


@pytest.mark.parametrize("adapter", BEARER_STORAGES)
def test_a_missing_token_file_is_a_clear_credentials_error(directory, adapter):
    with pytest.raises(CredentialsError) as error:
        storage(adapter)
    message = str(error.value)
    assert str(directory / "cave.test-cave-secret.json") in message
    assert str(directory / "cave-secret.json") in message
    assert '"token"' in message


@pytest.mark.parametrize("content, why", [
    ({"access": "x"}, 'no "token"'),
    ({"token": ""}, 'no "token"'),
])
def test_a_token_file_without_a_token_is_a_credentials_error(directory, content, why):
    (directory / "cave-secret.json").write_text(json.dumps(content))
    with pytest.raises(CredentialsError, match=why) as error:
        storage(MiddleauthHttpsStorage)
    assert "cave-secret.json" in str(error.value)
    with pytest.raises(CredentialsError, match="must be a dict"):
        storage(MiddleauthHttpsStorage, secrets=42)


def test_a_refused_token_names_where_it_came_from(directory, rsps):
    _token_file(directory, "cave-secret.json", "tok-stale")
    rsps.get(f"{HOST}/segmentation/info", status=401)
    with pytest.raises(CredentialsError) as error:
        storage(MiddleauthHttpsStorage).get("info")
    assert str(directory / "cave-secret.json") in str(error.value)


def test_the_token_follows_redirects_on_its_host_only(directory, rsps):
    _token_file(directory, "cave-secret.json", "tok")
    rsps.get(f"{HOST}/segmentation/a", status=302, headers={"Location": "/segmentation/b"})
    rsps.get(f"{HOST}/segmentation/b", status=302,
             headers={"Location": "https://bucket.storage.test/signed?sig=1"})
    rsps.get("https://bucket.storage.test/signed?sig=1", body=b"data")
    assert storage(MiddleauthHttpsStorage).get("a").content == b"data"
    assert [authorization(rsps, i) for i in range(3)] == ["Bearer tok", "Bearer tok", None]


def test_plain_https_sends_no_token(directory, rsps):
    _token_file(directory, "cave-secret.json", "tok")
    rsps.get(f"{HOST}/segmentation/info", body=b"{}")
    storage(HttpsStorage).get("info")
    assert authorization(rsps) is None
