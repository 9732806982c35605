"""Credentials under their cloud-files names, found by the same lookups the adapters use.

The directory constants are read once, at import, like cloud-files'; the functions read the
environment at every call (see cloudfiles.adapters.secret_files for the search order).
"""
from __future__ import annotations

import os
from typing import Any

from .adapters.gcs.credentials import key_file_credentials as _key_file_credentials
from .adapters.http.bearer_token import cave_secrets as _cave_secrets
from .adapters.s3.credentials import find_credentials as _find_aws_credentials
from .adapters.secret_files import cloud_files_secrets_dir, secretpath, secrets_dir

HOME = os.path.expanduser("~")
#: The preferred secrets directory (~/.cloudvolume/secrets unless CLOUDFILES_SECRETS_DIR or
#: CLOUD_VOLUME_DIR moves it); cloud-files 3.1.1 names it CLOUD_VOLUME_DIR.
CLOUD_VOLUME_DIR = CLOUD_VOLUME_SECRETS_DIR = secrets_dir()
#: The older secrets directory, ~/.cloudfiles/secrets ($CLOUD_FILES_DIR/secrets).
CLOUD_FILES_DIR = CLOUD_FILES_SECRETS_DIR = cloud_files_secrets_dir()

#: (project, credentials) already found per bucket; callers may seed it, as with cloud-files.
GOOGLE_CREDENTIALS_CACHE: dict[str, tuple[str | None, Any]] = {}


def google_credentials(bucket: str = "") -> tuple[str | None, Any]:
    """(project id, google.auth credentials) from `{bucket}-google-secret.json`, else from
    `google-secret.json`; (None, None) when neither exists (Google's defaults then apply)."""
    if bucket in GOOGLE_CREDENTIALS_CACHE:
        return GOOGLE_CREDENTIALS_CACHE[bucket]
    found = _key_file_credentials(bucket)
    if found[1] is not None:
        GOOGLE_CREDENTIALS_CACHE[bucket] = found
    return found


def aws_credentials(bucket: str = "", service: str = "aws",
                    skip_files: bool = False) -> dict[str, str]:
    """The keys s3:// (service 'aws' or 's3') or an alias (e.g. 'matrix') uses for bucket, as
    a dict with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY[, AWS_SESSION_TOKEN],
    AWS_DEFAULT_REGION; {} when none are found. skip_files ignores the secrets directory."""
    name = "aws" if service == "s3" else service
    return _find_aws_credentials(bucket, None, name, use_files=not skip_files).as_secrets()


def cave_credentials(server: str = "") -> dict[str, Any] | None:
    """The json of `{server}-cave-secret.json`, else `cave-secret.json` (None: neither), where
    the bearer token of middleauth+https:// servers is found."""
    return _cave_secrets(server)


__all__ = [
    "CLOUD_FILES_DIR", "CLOUD_FILES_SECRETS_DIR", "CLOUD_VOLUME_DIR", "CLOUD_VOLUME_SECRETS_DIR",
    "GOOGLE_CREDENTIALS_CACHE", "HOME", "aws_credentials", "cave_credentials",
    "google_credentials", "secretpath",
]
