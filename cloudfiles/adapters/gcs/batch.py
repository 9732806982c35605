"""gs:// batch requests: up to 100 object deletions in one multipart/mixed HTTP request."""
from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from urllib.parse import urlsplit

from ...domain.errors import TransientStorageError
from ...domain.ports import HttpResponse
from ..http_errors import RETRYABLE_STATUSES
from .api import GcsClient

MAX_CALLS = 100
_STATUS_RE = re.compile(rb"^HTTP/\d(?:\.\d)?\s+(\d{3})", re.MULTILINE)
_CONTENT_ID_RE = re.compile(rb"^Content-ID:\s*<response-([^>]*)>", re.MULTILINE | re.IGNORECASE)
_BOUNDARY_RE = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)


def delete_request(client: GcsClient, names: Sequence[str]) -> tuple[dict[str, str], bytes]:
    """(headers, body) of one batch request deleting every name (at most MAX_CALLS)."""
    boundary = f"cloudfiles_batch_{secrets.token_hex(12)}"
    parts = []
    for index, name in enumerate(names):
        url = urlsplit(client.object_url(name))
        target = url.path + (f"?{url.query}" if url.query else "")
        parts.append(
            f"--{boundary}\r\nContent-Type: application/http\r\n"
            f"Content-Transfer-Encoding: binary\r\nContent-ID: <{index}>\r\n\r\n"
            f"DELETE {target} HTTP/1.1\r\n\r\n"
        )
    body = ("".join(parts) + f"--{boundary}--\r\n").encode("utf8")
    return {"Content-Type": f"multipart/mixed; boundary={boundary}"}, body


def part_responses(response: HttpResponse, count: int) -> list[HttpResponse]:
    """The inner responses of a batch response, in request order."""
    match = _BOUNDARY_RE.search(response.header("Content-Type") or "")
    if match is None:
        raise TransientStorageError("Batch response without a multipart boundary.")
    delimiter = b"--" + match.group(1).encode("latin-1")
    found: dict[int, HttpResponse] = {}
    for order, part in enumerate(response.content.split(delimiter)[1:]):
        if part.startswith(b"--"):
            break
        status = _STATUS_RE.search(part)
        if status is None:
            continue
        content_id = _CONTENT_ID_RE.search(part)
        index = int(content_id.group(1)) if content_id and content_id.group(1).isdigit() \
            else order
        start, end = part.find(b"{"), part.rfind(b"}")
        body = part[start:end + 1] if 0 <= start < end else b""
        found[index] = HttpResponse(int(status.group(1)), {}, body)
    if sorted(found) != list(range(count)):
        raise TransientStorageError(
            f"Batch response answered {len(found)} of {count} requests."
        )
    return [found[index] for index in range(count)]


def first_failure(names: Sequence[str],
                  responses: Sequence[HttpResponse]) -> tuple[str, HttpResponse, int] | None:
    """(name, response, number of failures) of the failure to report, retryable ones first."""
    failed = [(name, r) for name, r in zip(names, responses)
              if r.status >= 400 and r.status != 404]  # 404: already gone, as wanted
    if not failed:
        return None
    retryable = [f for f in failed if f[1].status in RETRYABLE_STATUSES or f[1].status >= 500]
    name, chosen = (retryable or failed)[0]
    return name, chosen, len(failed)
