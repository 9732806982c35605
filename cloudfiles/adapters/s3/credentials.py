"""Finds the AWS-style keys (and region) for one bucket, in cloud-files' order of precedence.

1. the `secrets=` argument (a dict, a path to a json file, or botocore-like credentials);
2. `{bucket}-{name}-secret.json` in the secrets directory (see secret_files);
3. `{name}-secret.json` there (`aws-secret.json`; for an alias like matrix://, `matrix-secret.json`);
4. the AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN environment;
5. botocore's own chain (profiles, SSO, config files...) without the instance metadata service;
6. nobody: requests are sent unsigned (public buckets).
"""
from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import Any

from attrs import field, frozen

from ...domain.errors import CredentialsError
from ..secret_files import find_secret_file, read_json_object

DEFAULT_REGION = "us-east-1"
_KEY_ID, _SECRET, _TOKEN, _REGION = (
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION",
)
_CHAIN_ENV = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SHARED_CREDENTIALS_FILE",
              "AWS_CONFIG_FILE", "HOME", _KEY_ID, _SECRET, _TOKEN)


@frozen
class AwsCredentials:
    """The keys found for a bucket (None: anonymous), where they came from and where we looked."""

    keys: Any = field(default=None, repr=False)  # botocore Credentials (may refresh itself)
    source: str = "anonymous"
    region: str | None = None
    searched: tuple[str, ...] = ()

    @property
    def anonymous(self) -> bool:
        """True when requests go unsigned."""
        return self.keys is None

    def frozen_keys(self) -> Any:
        """A consistent (access_key, secret_key, token) snapshot for signing one request."""
        return self.keys.get_frozen_credentials()

    @property
    def access_key(self) -> str | None:
        """The access key id, which identifies the account (None when anonymous)."""
        return None if self.keys is None else self.frozen_keys().access_key

    def as_secrets(self) -> dict[str, str]:
        """The keys as a cloud-files secret file holds them ({} when anonymous)."""
        if self.keys is None:
            region = os.environ.get(_REGION)
            return {_REGION: region} if region else {}
        frozen = self.frozen_keys()
        values = {_KEY_ID: frozen.access_key, _SECRET: frozen.secret_key}
        if frozen.token:
            values[_TOKEN] = frozen.token
        if self.region:
            values[_REGION] = self.region
        return values

    def describe(self, bucket: str) -> str:
        """Words for error messages: which credentials were used for the bucket."""
        if self.anonymous and not self.searched:
            return f"the request for bucket {bucket!r} was sent unsigned ({self.source})"
        if self.anonymous:
            return (f"no credentials were found for bucket {bucket!r}, so the request was sent "
                    f"unsigned; looked in: {', '.join(self.searched)}")
        return f"credentials for bucket {bucket!r} came from {self.source}"


def _botocore_keys(access_key: str, secret_key: str, token: str | None) -> Any:
    from botocore.credentials import Credentials

    return Credentials(access_key, secret_key, token or None)


def from_mapping(values: Mapping[str, Any], source: str) -> AwsCredentials:
    """Credentials from a secrets dict; key names are matched ignoring case."""
    lowered = {str(k).upper(): v for k, v in values.items()}
    access, secret = lowered.get(_KEY_ID), lowered.get(_SECRET)
    if not access or not secret:
        raise CredentialsError(
            f"{source} lacks {_KEY_ID} and/or {_SECRET} "
            f"(it has: {', '.join(sorted(map(str, values))) or 'nothing'})."
        )
    keys = _botocore_keys(str(access), str(secret), lowered.get(_TOKEN))
    return AwsCredentials(keys, source, lowered.get(_REGION) or lowered.get("AWS_REGION"))


def from_file(path: str) -> AwsCredentials:
    """Credentials from a json secrets file."""
    return from_mapping(read_json_object(path), path)


def _from_argument(secrets: Any) -> AwsCredentials:
    if isinstance(secrets, Mapping):
        return from_mapping(secrets, "the secrets argument")
    if isinstance(secrets, (str, os.PathLike)):
        return from_file(os.path.expanduser(os.fspath(secrets)))
    if hasattr(secrets, "access_key") and hasattr(secrets, "secret_key"):
        if hasattr(secrets, "get_frozen_credentials"):
            return AwsCredentials(secrets, "the secrets argument")
        return AwsCredentials(
            _botocore_keys(secrets.access_key, secrets.secret_key, getattr(secrets, "token", None)),
            "the secrets argument",
        )
    raise CredentialsError(
        f"secrets= must be a dict with {_KEY_ID}/{_SECRET}, a path to such a json file, or "
        f"botocore credentials; got {type(secrets).__name__}."
    )


def _from_environment() -> AwsCredentials | None:
    access, secret = os.environ.get(_KEY_ID), os.environ.get(_SECRET)
    if not access or not secret:
        return None
    keys = _botocore_keys(access, secret, os.environ.get(_TOKEN))
    return AwsCredentials(keys, f"the {_KEY_ID}/{_SECRET} environment variables")


_CHAIN_CACHE: dict[tuple, Any] = {}
_CHAIN_LOCK = threading.Lock()


def _from_botocore_chain() -> AwsCredentials | None:
    """botocore's provider chain minus the instance metadata service (slow off EC2)."""
    state = tuple(os.environ.get(name) for name in _CHAIN_ENV)
    with _CHAIN_LOCK:
        if state not in _CHAIN_CACHE:
            _CHAIN_CACHE[state] = _load_botocore_chain()
        keys = _CHAIN_CACHE[state]
    if keys is None:
        return None
    return AwsCredentials(keys, f"botocore's credential chain ({keys.method})")


def _load_botocore_chain() -> Any:
    try:
        import botocore.session

        resolver = botocore.session.get_session().get_component("credential_provider")
        resolver.remove("iam-role")
        return resolver.load_credentials()
    except Exception:  # noqa: BLE001 - a broken profile must not break anonymous access
        return None


def find_credentials(bucket: str, secrets: Any = None, name: str = "aws",
                     use_files: bool = True) -> AwsCredentials:
    """The credentials for bucket, the first found in the order of the module docstring.

    `name` picks the secret files (`aws`, or an alias such as `matrix`); `use_files` False
    skips steps 2-3.
    """
    searched = ["the secrets argument"]
    found: AwsCredentials | None = None
    if secrets is not None:
        found = _from_argument(secrets)
    if found is None and use_files:
        names = [f"{bucket}-{name}-secret.json"] if bucket else []
        search = find_secret_file([*names, f"{name}-secret.json"])
        searched += search.searched
        found = None if search.path is None else from_file(search.path)
    if found is None:
        searched += [f"the {_KEY_ID} environment variable", "botocore's credential chain"]
        found = _from_environment() or _from_botocore_chain()
    if found is None:
        return AwsCredentials(searched=tuple(searched), region=_environment_region())
    return AwsCredentials(found.keys, found.source, found.region or _environment_region(),
                          tuple(searched))


def unsigned() -> AwsCredentials:
    """No credentials, none looked up: every request goes unsigned (no_sign_request=True)."""
    return AwsCredentials(source="no_sign_request=True", region=_environment_region())


def _environment_region() -> str:
    return os.environ.get(_REGION) or os.environ.get("AWS_REGION") or DEFAULT_REGION
