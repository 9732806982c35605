"""Checksums as object stores state them (base64 md5 and crc32c), and checks of received bytes.

Shared by gs:// (x-goog-hash, md5Hash, crc32c), http(s):// (GCS-style servers) and s3://
(Content-MD5).
"""
from __future__ import annotations

import base64
import hashlib

import crc32c

from ..domain.errors import CRC32CIntegrityError, MD5IntegrityError


def md5_base64(data: bytes) -> str:
    """The md5 of data as GCS states it (`md5Hash`, `x-goog-hash: md5=`)."""
    return base64.b64encode(hashlib.md5(data).digest()).decode("ascii")


def crc32c_base64(data: bytes) -> str:
    """The crc32c of data as GCS states it: base64 of the big-endian 32-bit value."""
    return base64.b64encode(crc32c.crc32c(data).to_bytes(4, "big")).decode("ascii")


def parse_goog_hash(value: str | None) -> dict[str, str]:
    """{'md5': ..., 'crc32c': ...} from `x-goog-hash` (repeated headers arrive comma-joined)."""
    hashes: dict[str, str] = {}
    for part in (value or "").split(","):
        name, sep, digest = part.strip().partition("=")
        if sep and digest and digest != "None":
            hashes[name.strip().lower()] = digest.strip()
    return hashes


def verify(content: bytes, hashes: dict[str, str], what: str) -> None:
    """Raise an IntegrityError when content does not match the md5 (or else crc32c) stated.

    Objects without an md5 (composite objects) are checked with crc32c; no hash, no check.
    """
    for name, digest, error in _CHECKS:
        expected = hashes.get(name)
        if expected is None:
            continue
        actual = digest(content)
        if actual != expected:
            raise error(
                f"{what}: {name} of the {len(content)} bytes received is {actual}, "
                f"the server stated {expected}."
            )
        return


_CHECKS = (("md5", md5_base64, MD5IntegrityError), ("crc32c", crc32c_base64, CRC32CIntegrityError))


class RunningDigests:
    """md5 and crc32c of bytes fed in order, a chunk at a time."""

    def __init__(self) -> None:
        self._md5 = hashlib.md5()
        self._crc = 0

    def update(self, chunk: bytes) -> None:
        """Feed the next chunk."""
        self._md5.update(chunk)
        self._crc = crc32c.crc32c(chunk, self._crc)

    @property
    def md5(self) -> str:
        """base64 md5 of what was fed."""
        return base64.b64encode(self._md5.digest()).decode("ascii")

    @property
    def crc32c(self) -> str:
        """base64 big-endian crc32c of what was fed."""
        return base64.b64encode(self._crc.to_bytes(4, "big")).decode("ascii")


def digests_of(source) -> RunningDigests:
    """md5 and crc32c of a ByteSource, read a chunk at a time."""
    digests = RunningDigests()
    for start in range(0, len(source), SOURCE_CHUNK):
        digests.update(source[start:start + SOURCE_CHUNK])
    return digests


#: Bytes of a source hashed at once.
SOURCE_CHUNK = 8 * 1024 * 1024
