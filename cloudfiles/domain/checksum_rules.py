"""Checksums as storages state them, and when two of them tell whether objects are equal.

Every checksum here is of an object's stored (maybe compressed) bytes:

- md5: base64, as GCS states `md5Hash`; an S3 ETag of an object uploaded whole is its hex md5.
- multipart ETag: S3's "<hex>-<parts>" for an object uploaded in parts, the md5 of the
  concatenated binary md5s of its parts. Recomputing it needs the uploader's part size.
- crc32c: base64 of the big-endian value, as GCS states it (composite objects have no md5).

Local storages (file://, mem://) state none: their objects are compared by computing md5.
"""
from __future__ import annotations

import base64
import enum
import hashlib
import re
from collections.abc import Iterable

import attrs
from attrs import field, frozen

from .objects import ObjectInfo

MiB = 1024 * 1024
#: S3 allows at most this many parts; uploaders grow their part size to stay within it.
MAX_PARTS = 10_000
#: Part sizes of common uploaders, first the likeliest: 8 MiB (aws cli, boto3, and ours:
#: adapters/s3/multipart.py), 5 MiB (S3's minimum: rclone, many SDKs), 15 MiB (s3cmd),
#: 16 MiB, 50 MiB (s5cmd), 64 MiB and 100 MiB.
COMMON_PART_SIZES = (8 * MiB, 5 * MiB, 15 * MiB, 16 * MiB, 50 * MiB, 64 * MiB, 100 * MiB)
#: Protocols whose objects never carry a checksum (their heads are not worth asking).
NO_STORED_CHECKSUMS = frozenset({"file", "mem"})
#: The protocols whose ETag of a multipart upload is a multipart ETag (an ETag is opaque
#: elsewhere; an md5 ETag reaches us through the adapter's `ObjectInfo.digests`, which leaves
#: out those of encrypted objects).
MULTIPART_ETAGS = frozenset({"s3"})

_MULTIPART_ETAG = re.compile(r"^([0-9a-fA-F]{32})-([1-9][0-9]*)$")


class Verdict(enum.Enum):
    """What two objects' checksums say about them."""

    EQUAL = "equal"
    DIFFERENT = "different"
    UNKNOWN = "unknown"  # no checksum the two sides share: only their bytes can tell


@frozen
class Checksums:
    """What is known of one object's stored bytes (nothing by default).

    `multiparts` holds multipart ETags ("<hex>-<parts>"): the one S3 states, or those
    computed from the bytes for candidate part sizes.
    """

    md5: str | None = None
    crc32c: str | None = None
    multiparts: frozenset[str] = field(default=frozenset(), converter=frozenset)

    @property
    def empty(self) -> bool:
        """Whether nothing is known."""
        return self.md5 is None and self.crc32c is None and not self.multiparts

    def merged(self, other: Checksums) -> Checksums:
        """What both tell (self's values first)."""
        if other.empty or self.empty:
            return other if self.empty else self
        return Checksums(self.md5 or other.md5, self.crc32c or other.crc32c,
                         self.multiparts | other.multiparts)

    def describe(self) -> str:
        """A short text for reports: 'md5:... crc32c:... etag:...', or '-' when empty."""
        parts = [f"md5:{self.md5}"] if self.md5 else []
        parts += [f"crc32c:{self.crc32c}"] if self.crc32c else []
        parts += [f"etag:{etag}" for etag in sorted(self.multiparts)]
        return " ".join(parts) or "-"


def parse_multipart_etag(etag: str | None) -> tuple[str, int] | None:
    """(hex digest, number of parts) of a multipart ETag; None for any other ETag."""
    match = _MULTIPART_ETAG.match((etag or "").strip('"'))
    return None if match is None else (match.group(1).lower(), int(match.group(2)))


def stored_checksums(protocol: str, info: ObjectInfo | None) -> Checksums:
    """The checksums a head of an object of `protocol` states (nothing for None): the md5
    and crc32c its adapter vouches for (`ObjectInfo.digests`), and on S3 a multipart ETag."""
    if info is None:
        return Checksums()
    stated = Checksums(md5=info.digests.md5, crc32c=info.digests.crc32c)
    if protocol in MULTIPART_ETAGS:
        multipart = parse_multipart_etag(info.etag)
        if multipart is not None:
            stated = attrs.evolve(stated, multiparts={f"{multipart[0]}-{multipart[1]}"})
    return stated


def verdict(a: Checksums, b: Checksums) -> Verdict:
    """Whether two objects of the same size are equal, as far as their checksums tell.

    md5s decide when both have one, else crc32cs; a multipart ETag both share says equal
    (different multipart ETags may be the same bytes cut into other parts: unknown).
    """
    if a.md5 is not None and b.md5 is not None:
        return Verdict.EQUAL if a.md5 == b.md5 else Verdict.DIFFERENT
    if a.crc32c is not None and b.crc32c is not None:
        return Verdict.EQUAL if a.crc32c == b.crc32c else Verdict.DIFFERENT
    if a.multiparts & b.multiparts:
        return Verdict.EQUAL
    return Verdict.UNKNOWN


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def candidate_part_sizes(size: int, parts: int, hints: Iterable[int] = ()) -> tuple[int, ...]:
    """Part sizes that cut `size` bytes into exactly `parts` parts, likeliest first.

    Tried: the hints (a part size the user knows), the common uploaders' sizes (each also
    grown, as uploaders do, to fit S3's 10,000 parts), and size/parts rounded up to a
    whole MiB and to a byte. One part: the whole object is the part.
    """
    if parts < 1 or size < 0:
        return ()
    if parts == 1:
        return (max(size, 1),)
    even = _ceil_div(size, parts)
    tried = [*hints]
    for common in COMMON_PART_SIZES:
        tried += [common, max(common, _ceil_div(size, MAX_PARTS))]
    tried += [_ceil_div(even, MiB) * MiB, even]
    found: list[int] = []
    for part_size in tried:
        if part_size > 0 and part_size not in found and _ceil_div(size, part_size) == parts:
            found.append(part_size)
    return tuple(found)


def multipart_etag(part_md5s: Iterable[bytes]) -> str:
    """The multipart ETag of an object whose parts have these binary md5 digests."""
    digests = list(part_md5s)
    return f"{hashlib.md5(b''.join(digests)).hexdigest()}-{len(digests)}"


@frozen
class Wanted:
    """What to compute from one side's stored bytes: its md5 and/or its multipart ETags
    for these part sizes."""

    md5: bool = False
    part_sizes: tuple[int, ...] = ()


#: Nothing known.
NOTHING = Checksums()


@frozen
class DigestPlan:
    """The stored bytes to read to decide a pair whose checksums could not: per side, what to
    compute (None: that side is not read)."""

    source: Wanted | None
    dest: Wanted | None

    def unread(self) -> DigestPlan | None:
        """md5 of the sides this plan leaves unread (for a second look when what it computed
        did not decide); None when it reads both."""
        if self.source is not None and self.dest is not None:
            return None
        return DigestPlan(_MD5 if self.source is None else None,
                          _MD5 if self.dest is None else None)


_MD5 = Wanted(md5=True)
_READ_DEST_MD5 = DigestPlan(None, _MD5)
_READ_SOURCE_MD5 = DigestPlan(_MD5, None)
_READ_BOTH_MD5 = DigestPlan(_MD5, _MD5)


def digest_plan(source: Checksums, dest: Checksums, size: int,
                part_size_hints: Iterable[int] = ()) -> DigestPlan:
    """Read as little as may decide the pair: one side's bytes checked against the other
    side's md5 or multipart ETag (their md5 computed too, should no candidate part size be
    the uploader's: see DigestPlan.unread), else both sides' md5s."""
    if source.md5 is not None:
        return _READ_DEST_MD5
    if dest.md5 is not None:
        return _READ_SOURCE_MD5
    hints = tuple(part_size_hints)
    source_parts = _part_sizes_for(source, size, hints)
    if source_parts:  # the destination's bytes cut as the source's were
        return DigestPlan(None, Wanted(md5=True, part_sizes=source_parts))
    dest_parts = _part_sizes_for(dest, size, hints)
    if dest_parts:
        return DigestPlan(Wanted(md5=True, part_sizes=dest_parts), None)
    return _READ_BOTH_MD5


def _part_sizes_for(stated: Checksums, size: int, hints: tuple[int, ...]) -> tuple[int, ...]:
    sizes: list[int] = []
    for etag in sorted(stated.multiparts):
        parsed = parse_multipart_etag(etag)
        if parsed is not None:
            sizes += [s for s in candidate_part_sizes(size, parsed[1], hints) if s not in sizes]
    return tuple(sizes)


def checksums_of(content: bytes | memoryview, wanted: Wanted) -> Checksums:
    """What a Wanted asks, computed from an object's whole stored bytes."""
    if wanted == _MD5:  # the common case, kept short
        return Checksums(md5=_base64(hashlib.md5(content).digest()))
    digester = Digester(wanted)
    digester.update(content)
    return digester.result()


def _base64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


class Digester:
    """Computes what a Wanted asks from an object's bytes fed in order, in any chunk sizes."""

    def __init__(self, wanted: Wanted):
        self._md5 = hashlib.md5() if wanted.md5 else None
        self._parts = [_PartHasher(size) for size in wanted.part_sizes]

    def update(self, chunk: bytes | memoryview) -> None:
        """Feed the next bytes of the object."""
        if self._md5 is not None:
            self._md5.update(chunk)
        for parts in self._parts:
            parts.update(chunk)

    def result(self) -> Checksums:
        """The checksums of everything fed."""
        md5 = None if self._md5 is None else _base64(self._md5.digest())
        return Checksums(md5=md5, multiparts={parts.etag() for parts in self._parts})


class _PartHasher:
    """md5s of consecutive parts of one size, for one candidate multipart ETag."""

    def __init__(self, part_size: int):
        self.part_size = part_size
        self.digests: list[bytes] = []
        self.current = hashlib.md5()
        self.filled = 0

    def update(self, chunk: bytes | memoryview) -> None:
        view = memoryview(chunk)
        while len(view):
            take = min(len(view), self.part_size - self.filled)
            self.current.update(view[:take])
            self.filled += take
            view = view[take:]
            if self.filled == self.part_size:
                self._close_part()

    def _close_part(self) -> None:
        self.digests.append(self.current.digest())
        self.current = hashlib.md5()
        self.filled = 0

    def etag(self) -> str:
        """The multipart ETag of the bytes fed so far (a last, short part included)."""
        last = [self.current.digest()] if self.filled or not self.digests else []
        return multipart_etag(self.digests + last)
