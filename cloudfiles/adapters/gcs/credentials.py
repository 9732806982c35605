"""gs:// credentials: which ones to use for a bucket, and their request header, refreshed
once per token lifetime (thread-safe), off the per-request path.

Lookup order: `secrets=` (a dict, a path to a JSON key, or a google.auth Credentials);
`{bucket}-google-secret.json`, then `google-secret.json`, in the secrets directory (see
secret_files); Application Default Credentials, asked only when a source of them exists so the
lookup never waits on an absent metadata server; else anonymous access (public buckets).
With STORAGE_EMULATOR_HOST set, only `secrets=` is used.
"""
from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import google.auth
import google.auth.credentials
import google.auth.exceptions
import google.auth.transport.requests
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account

from ...domain.errors import CredentialsError, TransientStorageError
from ..secret_files import (
    SECRETS_DIR_ENV,  # noqa: F401 - tests point it at a tmp dir
    SecretSearch,
    find_secret_file,
    read_json_object,
)

SCOPES = ("https://www.googleapis.com/auth/devstorage.full_control",)
_METADATA_ENVS = ("GCE_METADATA_HOST", "GCE_METADATA_ROOT", "GCE_METADATA_IP")
_GCE_PRODUCT_FILE = "/sys/class/dmi/id/product_name"
_REFRESH_TIMEOUT = 30.0
_METADATA_TIMEOUT = 2.0
#: Tokens are refreshed this many seconds before they expire (google-auth itself calls a
#: token invalid 3 min 45 s early), so requests never wait on the token server in between.
_REFRESH_EARLY = 300.0
#: A token with less than this many seconds left is refreshed by the request that needs it;
#: with more, on a thread of its own while requests go on with it.
_INLINE_BELOW = 60.0
#: After an early refresh failed while the token is still good: try again this much later.
_RETRY_EARLY = 10.0
_NO_HEADERS: Mapping[str, str] = {}


class GcsAuth:
    """Credentials for requests to one or more buckets, or none (anonymous).

    `source` says in words where they came from; it is quoted when a request is refused.
    `clock` (monotonic seconds) times the reuse of the request header; tests inject a fake.
    """

    def __init__(self, credentials: Any, source: str, project_id: str | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.credentials = credentials
        self.source = source
        self.project_id = project_id
        self.clock = clock
        self._lock = threading.Lock()
        self._request: Any = None
        self._renewing = False  # the token was refused: the next refresh is a renewal
        self._renewed: str | None = None  # token obtained by the last renewal
        self._headers: Mapping[str, str] = _NO_HEADERS
        self._fresh_until = float("-inf")  # clock() time when the header must be renewed

    @property
    def anonymous(self) -> bool:
        """True when requests carry no Authorization header."""
        return self.credentials is None

    def describe(self, bucket: str) -> str:
        """Which credentials were used for bucket, for error messages."""
        project = f", project {self.project_id}" if self.project_id else ""
        return f"gs://{bucket} was accessed with {self.source}{project}"

    def headers(self, bucket: str) -> Mapping[str, str]:
        """The Authorization header (and quota project) for a request; empty when anonymous.

        Built once per token and reused: the token is refreshed (once, under a lock, whatever
        the number of threads) only when it has expired or is about to, so building a request
        costs a clock read, not google-auth's validity checks. Do not modify the mapping.
        """
        if self.credentials is None:
            return _NO_HEADERS
        if self.clock() >= self._fresh_until:
            with self._lock:
                if self.clock() >= self._fresh_until:
                    if self._serves_a_while():
                        self._renew_in_background(bucket)
                    else:
                        self._renew(bucket)
        return self._headers

    def _serves_a_while(self) -> bool:
        """Whether the current token stays good long enough to be refreshed meanwhile."""
        return self._headers is not _NO_HEADERS and self.credentials.valid and \
            _seconds_left(self.credentials) > _INLINE_BELOW

    def _renew_in_background(self, bucket: str) -> None:
        """Refresh on a thread of its own while requests keep the token that still serves:
        an engine driving thousands of requests never waits on the token server."""
        self._fresh_until = float("inf")  # one refresh at a time; it sets the next time

        def renew() -> None:
            with self._lock:
                try:
                    self._renew(bucket)
                except Exception:  # noqa: BLE001 - the next request refreshes and reports
                    self._fresh_until = float("-inf")

        threading.Thread(target=renew, name="cloudfiles-gcs-token", daemon=True).start()

    def _renew(self, bucket: str) -> None:
        """Refresh the token if it is invalid or expires soon; rebuild the cached header."""
        credentials = self.credentials
        if not credentials.valid or _seconds_left(credentials) <= _REFRESH_EARLY:
            try:
                self._refresh(bucket)
            except (CredentialsError, TransientStorageError):
                if not credentials.valid:
                    raise  # an early refresh may fail while the old token still serves
        headers: dict[str, str] = {}
        credentials.apply(headers)
        left = _seconds_left(credentials)
        wait = left - _REFRESH_EARLY if left > _REFRESH_EARLY else min(left / 2, _RETRY_EARLY)
        self._headers = headers
        self._fresh_until = self.clock() + wait

    def reject(self, authorization: str | None) -> bool:
        """Note a 401 for a request's token; True when a retry with a new token makes sense.

        A token can be revoked or expire early: it is dropped and the next request gets a
        fresh one. When the token a renewal just obtained is refused too, give up.
        """
        if self.credentials is None or not authorization:
            return False
        with self._lock:
            if self._renewed is not None and authorization.endswith(f" {self._renewed}"):
                return False
            if self.credentials.token and authorization.endswith(f" {self.credentials.token}"):
                self.credentials.token = None  # no longer valid: refreshed on next use
                self._renewing = True
                self._fresh_until = float("-inf")
            return True

    def confirm(self) -> None:
        """A request was not refused: a later 401 is worth a renewal again."""
        if self._renewed is not None:
            self._renewed = None

    def _refresh(self, bucket: str) -> None:
        if self._request is None:
            self._request = _TimeoutRequest(google.auth.transport.requests.Request(),
                                            _REFRESH_TIMEOUT)
        try:
            self.credentials.refresh(self._request)
            if self._renewing:
                self._renewing, self._renewed = False, self.credentials.token
        except google.auth.exceptions.TransportError as error:
            raise TransientStorageError(
                f"Could not reach the token server for gs://{bucket} ({self.source}): {error}"
            ) from error
        except google.auth.exceptions.GoogleAuthError as error:
            if getattr(error, "retryable", False):
                raise TransientStorageError(
                    f"Token refresh for gs://{bucket} failed ({self.source}): {error}"
                ) from error
            raise CredentialsError(
                f"Could not get an access token for gs://{bucket} with {self.source}: {error}"
            ) from error


def _seconds_left(credentials: Any) -> float:
    """Seconds until the token of credentials expires (infinite when it does not say)."""
    expiry = getattr(credentials, "expiry", None)
    if expiry is None:
        return float("inf")
    if expiry.tzinfo is None:  # google-auth keeps naive UTC datetimes
        expiry = expiry.replace(tzinfo=UTC)
    return (expiry - datetime.now(UTC)).total_seconds()


class _TimeoutRequest:
    """A google.auth transport request with an upper bound on every timeout."""

    def __init__(self, request: Any, timeout: float):
        self._request = request
        self._timeout = timeout

    def __call__(self, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        bounded = self._timeout if timeout is None else min(timeout, self._timeout)
        return self._request(*args, timeout=bounded, **kwargs)


_CACHE: dict[tuple, GcsAuth] = {}
_CACHE_LOCK = threading.Lock()


def clear_cache() -> None:
    """Forget loaded credentials (tests; after key files change in place)."""
    with _CACHE_LOCK:
        _CACHE.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=clear_cache)  # a lock held at fork time stays held


def _cached(key: tuple, load: Any) -> GcsAuth:
    with _CACHE_LOCK:
        auth = _CACHE.get(key)
    if auth is None:
        auth = load()
        with _CACHE_LOCK:
            auth = _CACHE.setdefault(key, auth)
    return auth


def from_info(info: dict, source: str) -> GcsAuth:
    """Credentials from the parsed JSON of a service account key (or gcloud user credentials)."""
    kind = info.get("type", "service_account")
    try:
        if kind == "service_account":
            credentials = service_account.Credentials.from_service_account_info(
                info, scopes=SCOPES
            )
            email = info.get("client_email")
            described = f"{source} (service account {email})" if email else source
            return GcsAuth(credentials, described, info.get("project_id"))
        if kind == "authorized_user":
            credentials = user_credentials.Credentials.from_authorized_user_info(info, SCOPES)
            return GcsAuth(credentials, f"{source} (user credentials)", info.get("quota_project_id"))
    except (ValueError, KeyError, TypeError) as error:
        raise CredentialsError(f"The Google credentials in {source} are malformed: {error}") \
            from error
    raise CredentialsError(
        f"The Google credentials in {source} have type {kind!r}; expected 'service_account' or "
        "'authorized_user' (point GOOGLE_APPLICATION_CREDENTIALS at other kinds)."
    )


def from_file(path: str, source: str) -> GcsAuth:
    """Credentials from a JSON key file, cached while the file stays unchanged."""
    try:
        stat = os.stat(path)
    except OSError as error:
        raise CredentialsError(f"Cannot read Google credentials from {source}: {error}") \
            from error

    def load() -> GcsAuth:
        return from_info(read_json_object(path), source)

    return _cached(("file", os.path.abspath(path), stat.st_mtime_ns, stat.st_size), load)


def from_secrets(secrets: Any) -> GcsAuth:
    """Credentials from a `secrets=` argument: dict, path or google.auth Credentials."""
    if isinstance(secrets, dict):
        key = ("dict", json.dumps(secrets, sort_keys=True, default=str))
        return _cached(key, lambda: from_info(secrets, "the secrets= dict"))
    if isinstance(secrets, (str, os.PathLike)):
        path = os.path.expanduser(os.fspath(secrets))
        return from_file(path, f"the secrets= file {path}")
    if hasattr(secrets, "apply") and hasattr(secrets, "refresh"):
        return GcsAuth(secrets, f"the secrets= {type(secrets).__name__} object")
    raise CredentialsError(
        f"secrets= for gs:// must be a dict, a path to a JSON key file or google.auth "
        f"credentials, not {type(secrets).__name__}."
    )


def _adc_may_exist() -> bool:
    """Whether google.auth.default() has something to find without a long network wait."""
    if os.environ.get("GOOGLE_APPLICATION_CREDENTIALS"):
        return True
    if os.path.isfile(_gcloud_adc_path()):
        return True
    if os.environ.get("NO_GCE_CHECK", "").lower() == "true":
        return False
    if any(os.environ.get(name) for name in _METADATA_ENVS):
        return True
    try:
        with open(_GCE_PRODUCT_FILE, encoding="utf8") as handle:
            return handle.read().strip().startswith("Google")
    except OSError:
        return False


def _gcloud_adc_path() -> str:
    config = os.environ.get("CLOUDSDK_CONFIG")
    if not config:
        if os.name == "nt":
            config = os.path.join(os.environ.get("APPDATA", ""), "gcloud")
        else:
            config = os.path.join(os.path.expanduser("~"), ".config", "gcloud")
    return os.path.join(config, "application_default_credentials.json")


def _load_adc() -> GcsAuth | None:
    request = _TimeoutRequest(google.auth.transport.requests.Request(), _METADATA_TIMEOUT)
    try:
        credentials, project_id = google.auth.default(scopes=SCOPES, request=request)
    except google.auth.exceptions.GoogleAuthError:
        return None
    where = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    source = "Application Default Credentials" + (f" ({where})" if where else "")
    return GcsAuth(credentials, source, project_id)


def application_default() -> GcsAuth | None:
    """Application Default Credentials, or None when there are none (looked up once)."""
    if not _adc_may_exist():
        return None
    key = ("adc", os.environ.get("GOOGLE_APPLICATION_CREDENTIALS"), _gcloud_adc_path())
    auth = _cached(key, lambda: _load_adc() or GcsAuth(None, ""))
    return None if auth.anonymous else auth


def _search_key_file(bucket: str) -> SecretSearch:
    names = [f"{bucket}-google-secret.json"] if bucket else []
    return find_secret_file([*names, "google-secret.json"])


def _from_key_file(search: SecretSearch) -> GcsAuth | None:
    return None if search.path is None else from_file(search.path, f"the key file {search.path}")


def key_file_credentials(bucket: str = "") -> tuple[str | None, Any]:
    """(project id, unscoped google.auth credentials) of bucket's key file; (None, None) if none.

    The credentials are unscoped like cloud-files' own, so other Google clients apply theirs.
    """
    auth = _from_key_file(_search_key_file(bucket))
    if auth is None:
        return None, None
    credentials = auth.credentials
    if isinstance(credentials, google.auth.credentials.Scoped):
        credentials = credentials.with_scopes(None)
    return auth.project_id, credentials


def find_credentials(bucket: str, secrets: Any = None, emulator: bool = False) -> GcsAuth:
    """The credentials gs://bucket is accessed with, following the lookup order above."""
    if secrets is not None:
        return from_secrets(secrets)
    if emulator:
        return GcsAuth(None, "anonymous access (STORAGE_EMULATOR_HOST is set)")
    search = _search_key_file(bucket)
    auth = _from_key_file(search) or application_default()
    if auth is not None:
        return auth
    return GcsAuth(None, (
        "anonymous access: no credentials found (no secrets=, no "
        f"{' or '.join(search.searched)}, no Application Default Credentials)"
    ))
