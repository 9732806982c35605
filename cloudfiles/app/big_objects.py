"""Big objects in bounded memory: which ones stream, and downloads into local files as
parallel ranged GETs, checked against the checksums the storage states (uploads from local
files go through a storage's put, which reads a ByteSource a part at a time).

Memory per object is a few parts (uploads) or the engine's receive buffers (downloads),
whatever the object's size.
"""
from __future__ import annotations

import logging

from attrs import frozen

from ..domain.byteranges import ByteRange
from ..domain.errors import IntegrityError, StorageError, TransientStorageError
from ..domain.objects import ObjectInfo, PutOptions
from ..domain.streams import DOWNLOAD_PART, STREAM_FROM, check_digests
from .store import Store

logger = logging.getLogger("cloudfiles")
#: Downloads of one big object before a checksum mismatch is final.
INTEGRITY_ATTEMPTS = 3


@frozen
class StreamPlan:
    """How big objects move: those of at least `threshold` bytes stream, in `part`-byte
    ranged GETs when downloaded."""

    threshold: int = STREAM_FROM
    part: int = DOWNLOAD_PART

    def streams(self, size: int | None) -> bool:
        """Whether an object of this size (None: unknown) is streamed."""
        return size is not None and size >= self.threshold


DEFAULT_PLAN = StreamPlan()


def can_download_into(source: Store, dest: Store) -> bool:
    """Whether objects of source can be written straight into files of dest."""
    return source.drives_ops and dest.storage.streams_files


def can_upload_from(source: Store, dest: Store) -> bool:
    """Whether files of source can be uploaded to dest a part at a time."""
    return source.storage.streams_files and dest.uploads_in_parts


def download(source: Store, key: str, dest: Store, dest_key: str,
             content_type: str | None = None, plan: StreamPlan = DEFAULT_PLAN) -> int | None:
    """Copy an object of a network storage into a file of dest (file://), keeping its stored
    encoding: parallel ranged GETs where the server honours ranges, else one stream. Returns
    the bytes written, None when key does not exist. Nothing is left behind on failure.

    The whole file is checked against the checksums the storage states; a mismatch (a part
    corrupted on the way) downloads the object again, up to INTEGRITY_ATTEMPTS times.
    """
    info = source.do("head", key)
    if info is None:
        return None
    options = PutOptions(content_type or info.content_type, info.encoding)
    what = f"GET {key!r}"
    checked = not info.digests.empty  # plain web servers state no checksum
    for attempt in range(1, INTEGRITY_ATTEMPTS + 1):
        target = dest.storage.open_target(dest_key, options, hashed=checked)
        try:
            if not _fetch_into(source, key, target, info, plan):
                target.abort()
                return None
            written = target.size
            if written != info.size:
                raise TransientStorageError(
                    f"{what}: {written} bytes arrived, the object has {info.size} "
                    "(replaced while being read?)")
            if checked:
                check_digests(info.digests, target.digests(), what)
            target.commit()
            return written
        except IntegrityError as error:
            target.abort()
            if attempt == INTEGRITY_ATTEMPTS:
                raise
            logger.warning("%s; downloading it again (attempt %d of %d)", error, attempt + 1,
                           INTEGRITY_ATTEMPTS)
        except BaseException:
            target.abort()
            raise
    return None  # not reached: the last attempt returns or raises


def _fetch_into(source: Store, key: str, target, info: ObjectInfo, plan: StreamPlan) -> bool:
    """Write the object's bytes into target; False when it vanished."""
    size = info.size
    if size <= plan.part:
        return source.do("get_into", key, target.sink_at(0), None) is not None
    # The first part tells whether the server honours ranges (206); a server that does not
    # sends the whole object (200), which is then already written.
    first = source.do("get_into", key, target.sink_at(0), ByteRange(0, plan.part))
    if first is None:
        return False
    if not first.partial:
        return True
    parts = [ByteRange(start, min(start + plan.part, size))
             for start in range(plan.part, size, plan.part)]
    outcomes = source.do_many("get_into", parts,
                              lambda part: (key, target.sink_at(part.start), part),
                              progress=False)
    for part, stored, error in outcomes:
        if error is not None:
            raise error
        if stored is None:
            return False
        if not stored.partial:
            raise StorageError(f"GET {key!r}: the server ignored the range "
                               f"{part.http_header()} after honouring the first one.")
    return True

