"""The bearer token of middleauth+https:// and ngauth+https:// servers (CAVE), found like cloud-files.

Order: `secrets=` (a dict with a "token", or the path of a json file holding one); then the
"token" of `{server}-cave-secret.json`, else of `cave-secret.json`, in the secrets directory
(see secret_files), where server is the URL's host[:port], e.g. `minnie.microns-daf.com`.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from attrs import field, frozen

from ...domain.errors import CredentialsError
from ..secret_files import SecretSearch, find_secret_file, read_json_object, secrets_dir


@frozen
class BearerToken:
    """A token and, in words, where it came from (quoted when a server refuses it)."""

    token: str = field(repr=False)
    source: str

    def header(self) -> dict[str, str]:
        """The Authorization header carrying the token."""
        return {"Authorization": f"Bearer {self.token}"}


def server_name(host: str) -> str:
    """host[:port] of an endpoint URL such as https://host:port (the file name prefix)."""
    return urlsplit(host).netloc if "://" in host else host


def cave_secrets(server: str = "") -> dict[str, Any] | None:
    """The json of `{server}-cave-secret.json`, else of `cave-secret.json`; None if neither."""
    path = _search(server).path
    return None if path is None else read_json_object(path)


def _search(server: str) -> SecretSearch:
    names = [f"{server}-cave-secret.json"] if server else []
    return find_secret_file([*names, "cave-secret.json"])


def _token(values: Mapping[str, Any], source: str) -> BearerToken:
    token = values.get("token")
    if not isinstance(token, str) or not token:
        raise CredentialsError(f"{source} has no \"token\" string "
                               f"(it has: {', '.join(sorted(map(str, values))) or 'nothing'}).")
    return BearerToken(token, source)


def _from_argument(secrets: Any) -> BearerToken:
    if isinstance(secrets, Mapping):
        return _token(secrets, "the secrets argument")
    if isinstance(secrets, (str, os.PathLike)):
        path = os.path.expanduser(os.fspath(secrets))
        return _token(read_json_object(path), path)
    raise CredentialsError(
        'secrets= for a bearer-token server must be a dict with a "token" or the path of a '
        f"json file holding one, not {type(secrets).__name__}."
    )


def find_token(host: str, secrets: Any = None) -> BearerToken:
    """The token for requests to host (an endpoint URL); CredentialsError when there is none."""
    if secrets is not None:
        return _from_argument(secrets)
    server = server_name(host)
    search = _search(server)
    if search.path is None:
        raise CredentialsError(
            f"No token for {host}: none of {', '.join(search.searched)} exists. Save your token "
            f"as {{\"token\": \"...\"}} in {os.path.join(secrets_dir(), 'cave-secret.json')} "
            f"(or {server}-cave-secret.json for this server only), or pass "
            "secrets={'token': ...}."
        )
    return _token(read_json_object(search.path), search.path)
