"""gs:// checksums: md5 and crc32c as GCS writes them (base64), and checks of received bytes."""
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
    expected = hashes.get("md5")
    if expected is not None:
        actual = md5_base64(content)
        if actual != expected:
            raise MD5IntegrityError(
                f"{what}: md5 of the {len(content)} bytes received is {actual}, "
                f"the server stated {expected}."
            )
        return
    expected = hashes.get("crc32c")
    if expected is not None:
        actual = crc32c_base64(content)
        if actual != expected:
            raise CRC32CIntegrityError(
                f"{what}: crc32c of the {len(content)} bytes received is {actual}, "
                f"the server stated {expected}."
            )
