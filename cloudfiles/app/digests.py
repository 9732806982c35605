"""Checksums computed from objects' stored bytes, read in bounded memory.

Small objects are read whole, many at once through the storage's batch, each batch holding
at most `budget` bytes; bigger ones a range of `chunk` bytes at a time. An encoded object
cannot be read by range (ranges apply to decoded bytes), so its storage answers whole.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from attrs import frozen

from ..domain.buffers import byte_view
from ..domain.byteranges import ByteRange
from ..domain.checksum_rules import Checksums, Digester, Wanted, checksums_of
from ..domain.objects import StoredObject
from .store import Store

MiB = 1024 * 1024
#: Bytes read at once from a big object.
CHUNK = 8 * MiB
#: Bytes of small objects held at once by one batch of reads.
BUDGET = 64 * MiB


class VanishedError(FileNotFoundError):
    """An object listed a moment ago is gone."""


@frozen
class DigestJob:
    """One object to read: the name the caller knows it by, its key in the store, its listed
    size and what to compute."""

    name: str
    key: str
    size: int
    wanted: Wanted


def digest_many(store: Store, jobs: Iterable[DigestJob], chunk: int | None = None,
                budget: int | None = None) -> Iterator[tuple[DigestJob, Checksums | None,
                                                                Exception | None]]:
    """(job, checksums computed, error) for each job, as they finish; chunk and budget
    default to CHUNK and BUDGET."""
    chunk, budget = chunk or CHUNK, budget or BUDGET
    small: list[DigestJob] = []
    held = 0
    for job in jobs:
        if job.size > chunk:
            yield _digest_big(store, job, chunk)
            continue
        if small and held + job.size > budget:
            yield from _digest_small(store, small)
            small, held = [], 0
        small.append(job)
        held += job.size
    if small:
        yield from _digest_small(store, small)


def _digest_small(store: Store, jobs: list[DigestJob]):
    for job, stored, error in store.do_many("get", jobs, lambda job: (job.key, None),
                                            progress=False):
        if error is None and stored is None:
            error = VanishedError(f"{job.key!r} is gone")
        if error is not None:
            yield job, None, error
            continue
        yield job, checksums_of(byte_view(stored.content), job.wanted), None


def _digest_big(store: Store, job: DigestJob, chunk: int):
    """One object read a chunk at a time (whole, if its storage answers whole)."""
    digester = Digester(job.wanted)
    try:
        start = 0
        while True:
            stored = _read(store, job.key, ByteRange(start, start + chunk))
            content = byte_view(stored.content)
            digester.update(content)
            start += len(content)
            if not stored.partial or len(content) < chunk:
                break
    except Exception as error:  # noqa: BLE001 - reported per object
        return job, None, error
    return job, digester.result(), None


def _read(store: Store, key: str, byte_range: ByteRange) -> StoredObject:
    """The stored bytes of a range of key (all of them when it is encoded)."""
    stored = store.do("get", key, byte_range)
    if stored is not None and stored.partial and stored.encoding is not None:
        stored = store.do("get", key, None)  # an encoded object is only read whole
    if stored is None:
        raise VanishedError(f"{key!r} is gone")
    return stored
