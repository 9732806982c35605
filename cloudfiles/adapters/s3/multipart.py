"""Multipart upload of one large object, as an operation: parts sent `threads` at a time,
a failed part sent again on its own, and the upload aborted cleanly on failure."""
from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping

from attrs import frozen

from ...domain.errors import StorageError, TransientStorageError, is_retryable
from ...domain.ops import Op
from ...domain.ports import HttpResponse
from ..checksums import md5_base64
from .client import S3Call, S3Client
from .xml_bodies import complete_multipart_body, parse_upload_id

logger = logging.getLogger(__name__)

MiB = 1024 * 1024
MAX_PARTS = 10_000
#: Times one part is sent within an upload before the whole upload fails (and is retried).
PART_ATTEMPTS = 3


@frozen
class MultipartSettings:
    """When and how to split uploads: objects over `threshold` bytes go in parts."""

    threshold: int = 100 * MiB
    part_size: int = 8 * MiB
    threads: int = 4

    def part_size_for(self, size: int) -> int:
        """The part size for an object, grown if needed to stay within S3's 10,000 parts."""
        return max(self.part_size, -(-size // MAX_PARTS))


def upload_op(client: S3Client, key: str, content: bytes, headers: Mapping[str, str],
              settings: MultipartSettings) -> Op[None]:
    """Operation: initiate, send every part, complete; on failure abort, then raise."""
    what = client.describe("POST", key) + " (initiate multipart upload)"
    response = yield from client.exchange(client.call("POST", key, [("uploads", None)], headers))
    client.check(response, what)
    try:
        upload_id = parse_upload_id(response.content)
    except ValueError as error:  # a cut or garbled answer: try the upload again
        raise TransientStorageError(f"{what}: {error}", response.status) from error
    try:
        etags = yield from _parts_op(client, key, upload_id, content, settings)
        yield from _complete_op(client, key, upload_id, etags)
    except GeneratorExit:  # abandoned by its driver: nothing more may be sent
        raise
    except BaseException:
        yield from _abort_op(client, key, upload_id)
        raise


def _groups(length: int, settings: MultipartSettings) -> Iterator[list[tuple[int, int, int]]]:
    """(part number, start, end) of every part of `length` bytes, `threads` parts a group."""
    size = settings.part_size_for(length)
    parts = [(number, start, start + size)
             for number, start in enumerate(range(0, max(length, 1), size), start=1)]
    step = max(1, settings.threads)
    for first in range(0, len(parts), step):
        yield parts[first:first + step]


def _parts_op(client: S3Client, key: str, upload_id: str, content: bytes,
              settings: MultipartSettings) -> Op[list[tuple[int, str]]]:
    """Operation: (part number, ETag) of every part, sent a group at a time; a part that
    fails in a way worth retrying is sent again alone, up to PART_ATTEMPTS times."""
    etags: list[tuple[int, str]] = []
    for group in _groups(len(content), settings):
        pending = {number: _part_call(client, key, upload_id, number, content[start:end])
                   for number, start, end in group}
        for attempt in range(1, PART_ATTEMPTS + 1):
            answers = yield tuple(client.signed(call) for call in pending.values())
            failed = {}
            for (number, call), answer in zip(pending.items(), answers):
                try:
                    etags.append((number, _part_etag(client, key, number, answer)))
                except Exception as error:
                    if attempt == PART_ATTEMPTS or not is_retryable(error):
                        raise
                    logger.warning("part %d of %r failed (%s), sending it again",
                                   number, key, error)
                    failed[number] = call
            pending = failed
            if not pending:
                break
    return etags


def _part_call(client: S3Client, key: str, upload_id: str, number: int, body: bytes) -> S3Call:
    query = [("partNumber", str(number)), ("uploadId", upload_id)]
    return client.call("PUT", key, query, {"Content-MD5": md5_base64(body)}, body,
                       unsigned_payload=True)


def _part_etag(client: S3Client, key: str, number: int,
               answer: HttpResponse | Exception) -> str:
    """The ETag S3 gave a part; raises the part's error (a failed send is an answer too)."""
    if isinstance(answer, Exception):
        raise answer
    client.check(answer, client.describe("PUT", key) + f" (part {number})")
    etag = answer.header("ETag")
    if not etag:
        raise StorageError(f"S3 sent no ETag for part {number} of {key!r}.")
    return etag


def _complete_op(client: S3Client, key: str, upload_id: str,
                 etags: list[tuple[int, str]]) -> Op[None]:
    what = client.describe("POST", key) + " (complete multipart upload)"
    call = client.call("POST", key, [("uploadId", upload_id)],
                       {"Content-Type": "application/xml"}, complete_multipart_body(etags))
    response = yield from client.exchange(call)
    client.check(response, what)
    client.check_body(response, what)


def _abort_op(client: S3Client, key: str, upload_id: str) -> Op[None]:
    """Operation: abort the upload (its stored parts are dropped); a failure is logged only,
    as the upload's own error is the one to report."""
    try:
        response = yield from client.exchange(
            client.call("DELETE", key, [("uploadId", upload_id)]))
        if response.status >= 300 and response.status != 404:
            client.check(response, client.describe("DELETE", key))
    except GeneratorExit:
        raise
    except Exception as error:  # noqa: BLE001 - the upload's own error is reported
        logger.warning("Could not abort multipart upload %s of %r: %s", upload_id, key, error)
