"""Turns HTTP error statuses into domain errors, the same way for every network adapter."""
from __future__ import annotations

from ..domain.errors import CredentialsError, StorageError, TransientStorageError
from ..domain.ports import HttpResponse

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


def raise_for_status(response: HttpResponse, what: str, code: str | None = None,
                     message: str | None = None, credentials_hint: str = "") -> None:
    """Raise the domain error for a failed response; do nothing for 2xx/3xx.

    `what` names the request (e.g. "GET s3://bucket/key"); `code`/`message` are the
    service's own error code and text when the adapter parsed them from the body.
    """
    status = response.status
    if status < 400:
        return
    detail = f"{what}: HTTP {status}"
    if code:
        detail += f" {code}"
    if message:
        detail += f": {message}"
    if status in RETRYABLE_STATUSES or status >= 500 or code in ("SlowDown", "RequestTimeout"):
        raise TransientStorageError(detail, status)
    if status in (401, 403):
        hint = f" ({credentials_hint})" if credentials_hint else ""
        raise CredentialsError(f"{_sentence(detail)} Access refused{hint}.")
    raise StorageError(detail, status, code)


def _sentence(text: str) -> str:
    """text ending with one full stop (a service's message may bring its own)."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else f"{text}."
