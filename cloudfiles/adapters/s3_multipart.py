"""Multipart upload of one large object: parts sent in parallel, aborted cleanly on failure."""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from concurrent import futures
from typing import Any

from attrs import frozen

from ..domain.errors import StorageError
from .checksums import md5_base64
from .s3_client import S3Client
from .s3_xml import complete_multipart_body, parse_upload_id

logger = logging.getLogger(__name__)

MiB = 1024 * 1024
MAX_PARTS = 10_000


@frozen
class MultipartSettings:
    """When and how to split uploads: objects over `threshold` bytes go in parts."""

    threshold: int = 100 * MiB
    part_size: int = 8 * MiB
    threads: int = 4

    def part_size_for(self, size: int) -> int:
        """The part size for an object, grown if needed to stay within S3's 10,000 parts."""
        return max(self.part_size, -(-size // MAX_PARTS))


class MultipartUpload:
    """Uploads `content` to `key` in parts; `retry` is the app's retry loop, used per part."""

    def __init__(self, client: S3Client, key: str, settings: MultipartSettings,
                 retry: Callable[..., Any]):
        self.client = client
        self.key = key
        self.settings = settings
        self.retry = retry

    def run(self, content: bytes, headers: Mapping[str, str]) -> None:
        """Initiate, send every part, complete; on any failure abort and re-raise."""
        what = self.client.describe("POST", self.key) + " (initiate multipart upload)"
        response = self.client.send("POST", self.key, [("uploads", None)], headers)
        self.client.check(response, what)
        upload_id = parse_upload_id(response.content)
        try:
            etags = self._send_parts(upload_id, content)
            self._complete(upload_id, etags)
        except BaseException:
            self._abort(upload_id)
            raise

    def _send_parts(self, upload_id: str, content: bytes) -> list[tuple[int, str]]:
        size = self.settings.part_size_for(len(content))
        starts = range(0, max(len(content), 1), size)
        pool = futures.ThreadPoolExecutor(max_workers=max(1, self.settings.threads),
                                          thread_name_prefix="s3-multipart")
        try:
            jobs = [pool.submit(self.retry, self._send_part, upload_id, number, content,
                                start, start + size)
                    for number, start in enumerate(starts, start=1)]
            done, _ = futures.wait(jobs, return_when=futures.FIRST_EXCEPTION)
            for job in done:
                if job.exception() is not None:
                    raise job.exception()  # type: ignore[misc]
            return [job.result() for job in jobs]
        finally:
            # on failure: drop the parts not started, wait for those in flight, then abort
            pool.shutdown(wait=True, cancel_futures=True)

    def _send_part(self, upload_id: str, number: int, content: bytes, start: int,
                   end: int) -> tuple[int, str]:
        body = content[start:end]
        query = [("partNumber", str(number)), ("uploadId", upload_id)]
        response = self.client.send("PUT", self.key, query, {"Content-MD5": md5_base64(body)},
                                    body, unsigned_payload=True)
        self.client.check(response, self.client.describe("PUT", self.key) + f" (part {number})")
        etag = response.header("ETag")
        if not etag:
            raise StorageError(f"S3 sent no ETag for part {number} of {self.key!r}.")
        return number, etag

    def _complete(self, upload_id: str, etags: list[tuple[int, str]]) -> None:
        what = self.client.describe("POST", self.key) + " (complete multipart upload)"
        response = self.client.send("POST", self.key, [("uploadId", upload_id)],
                                    {"Content-Type": "application/xml"},
                                    complete_multipart_body(etags))
        self.client.check(response, what)
        self.client.check_body(response, what)

    def _abort(self, upload_id: str) -> None:
        try:
            response = self.client.send("DELETE", self.key, [("uploadId", upload_id)])
            if response.status >= 300 and response.status != 404:
                self.client.check(response, self.client.describe("DELETE", self.key))
        except Exception as error:  # noqa: BLE001 - the upload's own error is reported
            logger.warning("Could not abort multipart upload %s of %r: %s",
                           upload_id, self.key, error)
