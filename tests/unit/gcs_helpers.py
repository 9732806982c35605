"""Helpers for gs:// tests: an environment without ambient Google credentials or network,
fake keys."""
from __future__ import annotations

import json
import socket
from functools import lru_cache

from cloudfiles.adapters.gcs import credentials as gcs_credentials
from cloudfiles.adapters.gcs import resumable as gcs_resumable

AMBIENT = ("GOOGLE_APPLICATION_CREDENTIALS", "STORAGE_EMULATOR_HOST", "GCE_METADATA_HOST",
           "GCE_METADATA_ROOT", "GCE_METADATA_IP")


def isolate_google_env(monkeypatch, tmp_path):
    """Point the secrets dir at an empty tmp dir, hide ADC; returns the secrets dir."""
    secrets = tmp_path / "secrets"
    secrets.mkdir(exist_ok=True)
    monkeypatch.setenv(gcs_credentials.SECRETS_DIR_ENV, str(secrets))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setenv("NO_GCE_CHECK", "true")
    for name in AMBIENT:
        monkeypatch.delenv(name, raising=False)
    gcs_credentials.clear_cache()
    gcs_resumable.SESSIONS.clear()
    return secrets


def refuse_network(monkeypatch):
    """Make any attempt to open a connection fail the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("a test meant to stay off the network opened a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def reset_google_state():
    """Forget cached credentials and upload sessions."""
    gcs_credentials.clear_cache()
    gcs_resumable.SESSIONS.clear()


@lru_cache(maxsize=1)
def private_key_pem() -> str:
    """A fresh RSA private key (PEM), generated once per test run."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def service_account(name: str, project: str = "proj-test") -> dict:
    """A service account key whose token endpoint is https://oauth2.test/token-{name}."""
    return {
        "type": "service_account",
        "project_id": project,
        "private_key_id": f"kid-{name}",
        "private_key": private_key_pem(),
        "client_email": f"{name}@{project}.iam.gserviceaccount.com",
        "client_id": "1234567890",
        "token_uri": f"https://oauth2.test/token-{name}",
    }


def write_key(path, name: str, project: str = "proj-test") -> str:
    """Write a service account key file; returns its path."""
    path.write_text(json.dumps(service_account(name, project)))
    return str(path)
