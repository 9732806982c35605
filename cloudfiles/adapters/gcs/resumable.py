"""gs:// resumable uploads: big objects go up in chunks through an upload session.

Chunks go up one after another. When a chunk's response is lost (a dropped connection), the
upload asks the session how many bytes it persisted (`Content-Range: bytes */TOTAL`) and goes
on from there, a bounded number of times. The session URL is also remembered (per endpoint,
bucket, name, size and md5) when an attempt fails, so the app's next attempt resumes it
instead of starting over.
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any

from ...domain.errors import (
    IntegrityError,
    RetryableError,
    TransientStorageError,
    is_retryable,
)
from ...domain.ops import Op
from ...domain.ports import HttpRequest, HttpResponse
from .api import GcsClient

QUANTUM = 256 * 1024
DEFAULT_THRESHOLD = 100 * 1024 * 1024
DEFAULT_CHUNK_SIZE = 16 * 1024 * 1024
#: Lost responses an upload attempt recovers from itself (asking the session where it
#: stands) before it fails and leaves the app's next attempt to resume the session.
MAX_DROPS = 5
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
           what: str) -> Op[str]:
    """Operation: open an upload session; its URL."""
    headers = {
        "Content-Type": "application/json; charset=UTF-8",
        "X-Upload-Content-Type": content_type,
        "X-Upload-Content-Length": str(total),
    }
    body = json.dumps(metadata).encode("utf8")
    response = yield from client.exchange("POST", client.upload_url(uploadType="resumable"),
                                          headers, body)
    client.check(response, what)
    location = response.header("Location")
    if not location:
        raise TransientStorageError(f"{what}: no upload session URL in the response.")
    return location


def _status_request(client: GcsClient, url: str, total: int) -> HttpRequest:
    """The question 'how many bytes do you hold?' to a session."""
    return client.request("PUT", url, {"Content-Range": f"bytes */{total}"}, b"")


def _chunk_request(client: GcsClient, url: str, content: bytes, offset: int,
                   chunk: int) -> HttpRequest:
    """The chunk of content starting at offset ('*' range: all was sent, finalize)."""
    total = len(content)
    end = min(offset + chunk, total)
    span = f"{offset}-{end - 1}" if end > offset else "*"
    return client.request("PUT", url, {"Content-Range": f"bytes {span}/{total}"},
                          content[offset:end])


def _session_state(client: GcsClient, response: HttpResponse,
                   what: str) -> HttpResponse | None:
    """A status answer: the 308 (offset in Range) or the finished object; None if gone."""
    if response.status in (404, 410):
        return None
    if response.status != _RESUME_INCOMPLETE:
        client.check(response, what)
    return response


def upload(client: GcsClient, name: str, content: bytes, metadata: dict[str, Any],
           content_type: str, chunk: int, sessions: SessionStore = SESSIONS
           ) -> Op[dict[str, Any]]:
    """Operation: upload content to name through a (possibly resumed) session; the object's
    resource. A session left by a failed earlier attempt is resumed where it stopped."""
    total = len(content)
    key = (client.endpoint, client.bucket, name, total, metadata.get("md5Hash"))
    what = f"PUT {client.uri(name)} (resumable upload)"
    try:
        return (yield from _Upload(client, content, chunk, what, sessions, key)
                .run(metadata, content_type))
    except IntegrityError:
        sessions.drop(key)  # a session that failed its checksum cannot be finished
        raise
    except RetryableError:
        raise  # keep the session: the next attempt resumes it
    except Exception:
        sessions.drop(key)
        raise


class _Upload:
    """One attempt at a resumable upload, one chunk after another. When a request gets no
    response (the error is thrown in at its yield), the session is asked where it stands and
    the upload goes on from there, at most MAX_DROPS times per attempt."""

    def __init__(self, client: GcsClient, content: bytes, chunk: int, what: str,
                 sessions: SessionStore, key: tuple):
        self.client, self.content, self.chunk, self.what = client, content, chunk, what
        self.sessions, self.key = sessions, key

    def run(self, metadata: dict[str, Any], content_type: str) -> Op[dict[str, Any]]:
        client, total, what = self.client, len(self.content), self.what
        url = self.sessions.get(self.key)
        ask = url is not None  # a session of an earlier attempt: ask where it stands first
        offset = drops = 0
        while True:
            if url is None:
                url = yield from _start(client, metadata, content_type, total, what)
                self.sessions.put(self.key, url)
                offset, ask = 0, False
            request = _status_request(client, url, total) if ask else \
                _chunk_request(client, url, self.content, offset, self.chunk)
            try:
                answer = yield request
            except Exception as error:  # no response: connection dropped, timed out
                drops += 1
                if not is_retryable(error) or drops > MAX_DROPS:
                    raise
                ask = True
                continue
            response = client.received(request, answer)
            if ask:
                state = _session_state(client, response, what)
                if state is None:  # the session expired: a new one starts from 0
                    self.sessions.drop(self.key)
                    url = None
                elif state.status == _RESUME_INCOMPLETE:
                    offset, ask = _persisted(state), False
                else:
                    return self._finished(state)
                continue
            if response.status == _RESUME_INCOMPLETE:
                persisted = _persisted(response)
                if persisted <= offset:
                    raise TransientStorageError(
                        f"{what}: the session kept no byte of the chunk at {offset}.")
                offset = persisted
                continue
            if response.status in (404, 410):
                self.sessions.drop(self.key)
                raise TransientStorageError(f"{what}: the upload session expired; starting over.")
            return self._finished(response)

    def _finished(self, response: HttpResponse) -> dict[str, Any]:
        resource = self.client.json(response, self.what)
        self.sessions.drop(self.key)
        return resource

