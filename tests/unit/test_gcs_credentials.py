"""gs:// credentials: lookup order, token exchange, thread-safe refresh, clear refusals."""
from __future__ import annotations

import json
import re
import threading
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import google.auth
import google.auth.exceptions
import pytest
import responses

from cloudfiles import CloudFiles
from cloudfiles.adapters.gcs import credentials as gcs_credentials
from cloudfiles.adapters.transport.mock import MockTransport
from cloudfiles.domain.errors import CredentialsError
from cloudfiles.domain.objects import StorageConfig
from cloudfiles.testing import open_storage
from tests.engine_injection import serve_every_cloudfiles_with
from tests.retries import retry_at_once
from tests.unit.fake_gcs import FakeGcs
from tests.unit.gcs_helpers import (
    isolate_google_env,
    reset_google_state,
    service_account,
    write_key,
)

OBJ = re.compile(r"https://storage\.googleapis\.com/storage/v1/b/[^/]+/o/.*")
TOKEN = re.compile(r"https://oauth2\.test/token-(\w+)")


@pytest.fixture
def secrets_dir(monkeypatch, tmp_path):
    directory = isolate_google_env(monkeypatch, tmp_path)
    yield directory
    reset_google_state()


@pytest.fixture
def mock():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        def token(request):
            name = TOKEN.match(request.url).group(1)
            form = parse_qs(request.body if isinstance(request.body, str)
                            else request.body.decode())
            assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
            return 200, {}, json.dumps({"access_token": f"tok-{name}", "expires_in": 3600,
                                        "token_type": "Bearer"})

        rsps.add_callback(responses.POST, TOKEN, callback=token)
        rsps.get(OBJ, json={"name": "x", "size": "1"})
        yield rsps


def bearer(mock) -> str | None:
    """Authorization header of the last request sent to GCS."""
    calls = [c for c in mock.calls if "storage.googleapis.com" in c.request.url]
    return calls[-1].request.headers.get("Authorization")


def token_requests(mock) -> int:
    return len([c for c in mock.calls if "oauth2.test" in c.request.url])


def test_lookup_order(mock, secrets_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", write_key(tmp_path / "adc.json", "adc"))
    CloudFiles("gs://bkt/p").head("x")
    assert bearer(mock) == "Bearer tok-adc"

    write_key(secrets_dir / "google-secret.json", "default", project="proj-default")
    cf = CloudFiles("gs://bkt/p")
    cf.head("x")
    assert bearer(mock) == "Bearer tok-default"
    assert open_storage("gs://bkt/p").client.auth.project_id == "proj-default"

    write_key(secrets_dir / "bkt-google-secret.json", "perbucket")
    CloudFiles("gs://bkt/p").head("x")
    assert bearer(mock) == "Bearer tok-perbucket"
    CloudFiles("gs://otherbkt/p").head("x")
    assert bearer(mock) == "Bearer tok-default"  # per-bucket keys apply to their bucket only

    CloudFiles("gs://bkt/p", secrets=service_account("explicit")).head("x")
    assert bearer(mock) == "Bearer tok-explicit"
    path = write_key(tmp_path / "given.json", "givenpath")
    CloudFiles("gs://bkt/p", secrets=path).head("x")
    assert bearer(mock) == "Bearer tok-givenpath"


def test_anonymous_when_nothing_is_found_and_adc_is_not_probed(mock, secrets_dir, monkeypatch):
    def no_probe(*args, **kwargs):
        raise AssertionError("google.auth.default() must not be called without an ADC source")

    monkeypatch.setattr(google.auth, "default", no_probe)
    cf = CloudFiles("gs://public/p")
    cf.head("x")
    assert bearer(mock) is None and token_requests(mock) == 0
    assert "anonymous" in open_storage("gs://public/p").client.auth.source


def test_tokens_are_cached_and_refreshed_once_under_threads(mock, secrets_dir):
    write_key(secrets_dir / "google-secret.json", "shared")
    auth = gcs_credentials.find_credentials("bkt")
    assert gcs_credentials.find_credentials("bkt") is auth  # one per key file
    barrier = threading.Barrier(8)
    headers: list[dict] = []

    def worker():
        barrier.wait()
        headers.append(auth.headers("bkt"))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert token_requests(mock) == 1
    assert all(h["authorization"] == "Bearer tok-shared" for h in headers)


def test_refused_request_names_bucket_and_key_file(mock, secrets_dir):
    key = write_key(secrets_dir / "google-secret.json", "weak")
    mock.replace(responses.GET, OBJ, status=403, json={"error": {
        "code": 403, "message": "weak@proj-test.iam.gserviceaccount.com does not have "
        "storage.objects.get access", "errors": [{"reason": "forbidden"}]}})
    with pytest.raises(CredentialsError) as raised:
        CloudFiles("gs://locked/p").get("x")
    message = str(raised.value)
    assert "gs://locked" in message and key in message and "weak@" in message


def test_failed_token_exchange_is_a_credentials_error(mock, secrets_dir):
    mock.replace(responses.POST, TOKEN, status=400,
                 json={"error": "invalid_grant", "error_description": "Invalid JWT"})
    key = write_key(secrets_dir / "google-secret.json", "revoked")
    with pytest.raises(CredentialsError) as raised:
        CloudFiles("gs://bkt/p").head("x")
    assert "gs://bkt" in str(raised.value) and key in str(raised.value)


def test_malformed_secrets_are_reported(secrets_dir):
    (secrets_dir / "google-secret.json").write_text("{not json")
    with pytest.raises(CredentialsError, match="google-secret.json"):
        CloudFiles("gs://bkt/p")
    with pytest.raises(CredentialsError, match="type 'nonsense'"):
        CloudFiles("gs://bkt/p", secrets={"type": "nonsense"})
    with pytest.raises(CredentialsError, match="must be a dict"):
        CloudFiles("gs://bkt/p", secrets=42)


def test_emulator_variable_means_anonymous_unless_secrets_given(secrets_dir, monkeypatch):
    write_key(secrets_dir / "google-secret.json", "ignored")
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", "localhost:9023")
    storage = open_storage("gs://bkt/p")
    assert storage.client.endpoint == "http://localhost:9023" and storage.client.auth.anonymous
    storage = open_storage("gs://bkt/p", config=StorageConfig(secrets=service_account("given")))
    assert not storage.client.auth.anonymous


def test_endpoint_precedence(secrets_dir, monkeypatch):
    engine = MockTransport(FakeGcs())  # answers whatever host a request names
    serve_every_cloudfiles_with(monkeypatch, engine)

    def hosts_asked(cloudpath: str, **kwargs) -> set[str]:
        """Where the requests of CloudFiles(cloudpath, **kwargs).exists() went."""
        del engine.requests[:]
        assert CloudFiles(cloudpath, **kwargs).exists("x") is False
        return {request.url.split("/storage/v1/")[0] for request in engine.requests}

    monkeypatch.setenv("STORAGE_EMULATOR_HOST", "http://emulator:1")
    assert hosts_asked("gs://bkt/p") == {"http://emulator:1"}
    assert hosts_asked("gs://http://path-host:2/bkt/p") == {"http://path-host:2"}
    assert hosts_asked("gs://bkt/p", endpoint="https://private.example/") == \
        {"https://private.example"}
    monkeypatch.delenv("STORAGE_EMULATOR_HOST")
    assert hosts_asked("gs://bkt/p") == {"https://storage.googleapis.com"}


def test_a_refused_token_is_refreshed_once(mock, secrets_dir, monkeypatch):
    write_key(secrets_dir / "google-secret.json", "rotating")
    issued = []

    def fresh_token(request):
        issued.append(f"tok-{len(issued)}")
        return 200, {}, json.dumps({"access_token": issued[-1], "expires_in": 3600})

    mock.replace(responses.POST, TOKEN, body="")
    mock.remove(responses.POST, TOKEN)
    mock.add_callback(responses.POST, TOKEN, callback=fresh_token)
    unauthorized = {"status": 401, "json": {"error": {"code": 401, "message": "Invalid Credentials"}}}
    mock.replace(responses.GET, OBJ, **unauthorized)
    mock.add(responses.GET, OBJ, json={"name": "x", "size": "3"})
    retry_at_once(monkeypatch)
    cf = CloudFiles("gs://bkt/p")
    assert cf.size("x") == 3
    assert issued == ["tok-0", "tok-1"]  # the refused token was replaced
    assert bearer(mock) == "Bearer tok-1"
    mock.replace(responses.GET, OBJ, **unauthorized)
    mock.add(responses.GET, OBJ, **unauthorized)
    with pytest.raises(CredentialsError, match="Invalid Credentials"):
        cf.size("y")
    assert issued == ["tok-0", "tok-1", "tok-2"]  # refused again right after: give up


class CountingCredentials:
    """google.auth-like credentials counting refreshes and validity checks; `fail` makes the
    token server refuse."""

    def __init__(self):
        self.token = None
        self.expiry = None
        self.refreshes = self.validity_checks = 0
        self.fail = False

    @property
    def valid(self) -> bool:
        self.validity_checks += 1
        return self.token is not None and self.expiry > utcnow()

    def refresh(self, request) -> None:
        self.refreshes += 1
        if self.fail:
            raise google.auth.exceptions.RefreshError("the token server said no")
        self.token, self.expiry = f"t{self.refreshes}", utcnow() + timedelta(hours=1)

    def apply(self, headers: dict) -> None:
        headers["authorization"] = f"Bearer {self.token}"


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # naive UTC, as google-auth keeps it


def counting_auth():
    clock = [1000.0]
    credentials = CountingCredentials()
    auth = gcs_credentials.GcsAuth(credentials, "counting credentials", clock=lambda: clock[0])
    return auth, credentials, clock


def test_the_header_is_built_once_per_token_not_per_request(secrets_dir):
    auth, credentials, clock = counting_auth()
    first = auth.headers("bkt")
    assert first == {"authorization": "Bearer t1"} and credentials.refreshes == 1
    checks = credentials.validity_checks
    clock[0] += 3000  # well within the hour
    assert all(auth.headers("bkt") is first for _ in range(1000))
    assert credentials.refreshes == 1 and credentials.validity_checks == checks


def eventually(check, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def test_a_token_about_to_expire_is_refreshed_early_once_off_the_requests_path(secrets_dir):
    auth, credentials, clock = counting_auth()
    auth.headers("bkt")
    credentials.expiry = utcnow() + timedelta(seconds=120)  # still valid, but not for long
    clock[0] += 3600
    # requests go on with the token that still serves while a thread fetches the next one
    assert auth.headers("bkt")["authorization"] in ("Bearer t1", "Bearer t2")
    assert eventually(lambda: auth.headers("bkt") == {"authorization": "Bearer t2"})
    assert [auth.headers("bkt") for _ in range(3)] == [{"authorization": "Bearer t2"}] * 3
    assert credentials.refreshes == 2


def test_a_token_with_under_a_minute_left_is_refreshed_by_the_request(secrets_dir):
    auth, credentials, clock = counting_auth()
    auth.headers("bkt")
    credentials.expiry = utcnow() + timedelta(seconds=30)
    clock[0] += 3600
    assert auth.headers("bkt") == {"authorization": "Bearer t2"}
    assert credentials.refreshes == 2


def test_a_failed_early_refresh_keeps_the_token_that_still_serves(secrets_dir):
    auth, credentials, clock = counting_auth()
    auth.headers("bkt")
    credentials.expiry = utcnow() + timedelta(seconds=120)
    credentials.fail = True
    clock[0] += 3600
    assert auth.headers("bkt") == {"authorization": "Bearer t1"}
    assert eventually(lambda: credentials.refreshes == 2)
    assert auth.headers("bkt") == {"authorization": "Bearer t1"}  # asked again only later
    assert credentials.refreshes == 2
    clock[0] += 60
    credentials.expiry = utcnow() - timedelta(seconds=1)  # now it is gone: the error shows
    with pytest.raises(CredentialsError, match="the token server said no"):
        auth.headers("bkt")
