"""The secrets directory: the one place every adapter (and cloudfiles.secrets) finds *-secret.json.

`$CLOUDFILES_SECRETS_DIR`, when set, is the only directory searched. Otherwise, as in
cloud-files, a file is looked for in `$CLOUD_VOLUME_DIR/secrets` (~/.cloudvolume/secrets,
the preferred place), then in `/` and `$CLOUD_FILES_DIR/secrets` (~/.cloudfiles/secrets), the
older places. The environment is read at every lookup, so a changed variable takes effect.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import Any

from attrs import frozen

from ..domain.errors import CredentialsError

SECRETS_DIR_ENV = "CLOUDFILES_SECRETS_DIR"
CLOUD_VOLUME_DIR_ENV = "CLOUD_VOLUME_DIR"
CLOUD_FILES_DIR_ENV = "CLOUD_FILES_DIR"


def _home_dir(variable: str, default: str) -> str:
    return os.path.expanduser(os.environ.get(variable) or os.path.join("~", default))


def cloud_volume_dir() -> str:
    """CloudVolume's directory: $CLOUD_VOLUME_DIR, by default ~/.cloudvolume."""
    return _home_dir(CLOUD_VOLUME_DIR_ENV, ".cloudvolume")


def cloud_files_dir() -> str:
    """cloud-files' directory (secrets, aliases.json): $CLOUD_FILES_DIR, by default ~/.cloudfiles."""
    return _home_dir(CLOUD_FILES_DIR_ENV, ".cloudfiles")


def cloud_volume_secrets_dir() -> str:
    """$CLOUD_VOLUME_DIR/secrets, by default ~/.cloudvolume/secrets."""
    return os.path.join(cloud_volume_dir(), "secrets")


def cloud_files_secrets_dir() -> str:
    """$CLOUD_FILES_DIR/secrets, by default ~/.cloudfiles/secrets."""
    return os.path.join(cloud_files_dir(), "secrets")


def secrets_dir() -> str:
    """The preferred directory: $CLOUDFILES_SECRETS_DIR, else ~/.cloudvolume/secrets."""
    configured = os.environ.get(SECRETS_DIR_ENV)
    return os.path.expanduser(configured) if configured else cloud_volume_secrets_dir()


def secret_dirs() -> tuple[str, ...]:
    """Every directory searched, the preferred first."""
    if os.environ.get(SECRETS_DIR_ENV):
        return (secrets_dir(),)
    return (cloud_volume_secrets_dir(), os.sep, cloud_files_secrets_dir())


def secretpath(filename: str) -> str:
    """Where filename is: the first directory holding it, else the preferred directory."""
    found = find_secret_file([filename]).path
    return found or os.path.join(secrets_dir(), filename)


@frozen
class SecretSearch:
    """The first secret file found (None: none) and every path looked at, in order."""

    path: str | None
    searched: tuple[str, ...]


def find_secret_file(filenames: Iterable[str]) -> SecretSearch:
    """The first of filenames (in their order of precedence) found in the secret directories."""
    searched: list[str] = []
    directories = secret_dirs()
    for filename in filenames:
        for directory in directories:
            path = os.path.join(directory, filename)
            searched.append(path)
            if os.path.isfile(path):
                return SecretSearch(path, tuple(searched))
    return SecretSearch(None, tuple(searched))


def read_json_object(path: str) -> dict[str, Any]:
    """The json object in a secrets file; CredentialsError naming the file when it is not one."""
    try:
        with open(path, encoding="utf8") as handle:
            values = json.load(handle)
    except OSError as error:
        raise CredentialsError(f"Cannot read the secrets file {path}: {error}") from error
    except ValueError as error:
        raise CredentialsError(f"The secrets file {path} is not valid json: {error}") from error
    if not isinstance(values, dict):
        raise CredentialsError(f"The secrets file {path} must hold a json object.")
    return values
