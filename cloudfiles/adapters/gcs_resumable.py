"""gs:// resumable uploads: big objects go up in chunks through an upload session.

The session URL is remembered (per endpoint, bucket, name, size and md5) when an attempt
fails, so the app's next attempt asks the session how many bytes it persisted
(`Content-Range: bytes */TOTAL`) and continues from there instead of starting over.
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any

from ..domain.errors import IntegrityError, RetryableError, TransientStorageError
from ..domain.ports import HttpResponse
from .gcs_api import GcsClient

QUANTUM = 256 * 1024
DEFAULT_THRESHOLD = 100 * 1024 * 1024
DEFAULT_CHUNK_SIZE = 16 * 1024 * 1024
_RESUME_INCOMPLETE = 308


def chunk_size(requested: int | None) -> int:
    """A chunk size GCS accepts: a positive multiple of 256 KiB (rounded up)."""
    if requested is None:
        return DEFAULT_CHUNK_SIZE
    requested = int(requested)
    return max(1, -(-requested // QUANTUM)) * QUANTUM


class SessionStore:
    """Upload session URLs of unfinished uploads, bounded, safe under threads."""

    def __init__(self, limit: int = 1024):
        self._limit = limit
        self._sessions: OrderedDict[tuple, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> str | None:
        """The session URL of an unfinished upload, if one is known."""
        with self._lock:
            return self._sessions.get(key)

    def put(self, key: tuple, url: str) -> None:
        """Remember a session URL."""
        with self._lock:
            self._sessions[key] = url
            while len(self._sessions) > self._limit:
                self._sessions.popitem(last=False)

    def clear(self) -> None:
        """Forget every session."""
        with self._lock:
            self._sessions.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def drop(self, key: tuple) -> None:
        """Forget a session (finished, expired or failed for good)."""
        with self._lock:
            self._sessions.pop(key, None)


SESSIONS = SessionStore()


def _persisted(response: HttpResponse) -> int:
    """Bytes a 308 response says the session holds (`Range: bytes=0-N`; none: 0)."""
    value = response.header("Range")
    if not value or "-" not in value:
        return 0
    return int(value.rpartition("-")[2]) + 1


def _start(client: GcsClient, metadata: dict[str, Any], content_type: str, total: int,
           what: str) -> str:
    headers = {
        "Content-Type": "application/json; charset=UTF-8",
        "X-Upload-Content-Type": content_type,
        "X-Upload-Content-Length": str(total),
    }
    body = json.dumps(metadata).encode("utf8")
    response = client.send("POST", client.upload_url(uploadType="resumable"), headers, body)
    client.check(response, what)
    location = response.header("Location")
    if not location:
        raise TransientStorageError(f"{what}: no upload session URL in the response.")
    return location


def _status(client: GcsClient, url: str, total: int, what: str) -> HttpResponse | None:
    """The session's state: a 308 (offset in Range) or the finished object; None if gone."""
    response = client.send("PUT", url, {"Content-Range": f"bytes */{total}"}, b"")
    if response.status in (404, 410):
        return None
    if response.status != _RESUME_INCOMPLETE:
        client.check(response, what)
    return response


def upload(client: GcsClient, name: str, content: bytes, metadata: dict[str, Any],
           content_type: str, chunk: int, sessions: SessionStore = SESSIONS) -> dict[str, Any]:
    """Upload content to name through a (possibly resumed) session; the object's resource."""
    total = len(content)
    key = (client.endpoint, client.bucket, name, total, metadata.get("md5Hash"))
    what = f"PUT {client.uri(name)} (resumable upload)"
    offset = 0
    url = sessions.get(key)
    if url is not None:
        state = _status(client, url, total, what)
        if state is None:
            sessions.drop(key)
            url = None
        elif state.status != _RESUME_INCOMPLETE:
            sessions.drop(key)
            return client.json(state, what)
        else:
            offset = _persisted(state)
    if url is None:
        url = _start(client, metadata, content_type, total, what)
        sessions.put(key, url)
    try:
        return _send_chunks(client, url, content, offset, chunk, what, key, sessions)
    except IntegrityError:
        sessions.drop(key)  # a session that failed its checksum cannot be finished
        raise
    except RetryableError:
        raise  # keep the session: the next attempt resumes it
    except Exception:
        sessions.drop(key)
        raise


def _send_chunks(client: GcsClient, url: str, content: bytes, offset: int, chunk: int,
                 what: str, key: tuple, sessions: SessionStore) -> dict[str, Any]:
    total = len(content)
    while True:
        end = min(offset + chunk, total)
        span = f"{offset}-{end - 1}" if end > offset else "*"  # '*': all sent, finalize
        headers = {"Content-Range": f"bytes {span}/{total}"}
        response = client.send("PUT", url, headers, content[offset:end])
        if response.status == _RESUME_INCOMPLETE:
            persisted = _persisted(response)
            if persisted <= offset:
                raise TransientStorageError(
                    f"{what}: the session kept no byte of the chunk at {offset}."
                )
            offset = persisted
            continue
        if response.status in (404, 410):
            sessions.drop(key)
            raise TransientStorageError(f"{what}: the upload session expired; starting over.")
        resource = client.json(response, what)
        sessions.drop(key)
        return resource
