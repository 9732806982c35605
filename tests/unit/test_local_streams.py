"""Local files as byte sources and write targets: ranges, copies, and checksums computed as
parts arrive in any order."""
from __future__ import annotations

import base64
import hashlib
import os
import random
import threading

import crc32c
import pytest

from cloudfiles.adapters.local.streams import FileSource, FileTarget, PrefixHasher
from cloudfiles.domain.streams import Digests

DATA = random.Random(3).randbytes(5 * 1024 * 1024 + 77)


def digests_of(data: bytes) -> Digests:
    return Digests(base64.b64encode(hashlib.md5(data).digest()).decode(),
                   base64.b64encode(crc32c.crc32c(data).to_bytes(4, "big")).decode())


def new_target(tmp_path, hashed=True) -> FileTarget:
    path = str(tmp_path / ".part")
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL)
    return FileTarget(path, fd, str(tmp_path / "final"), hashed=hashed)


def parts(size: int, step: int) -> list[tuple[int, int]]:
    return [(start, min(start + step, size)) for start in range(0, size, step)]


def test_parts_written_in_any_order_are_hashed_as_the_prefix_grows(tmp_path):
    target = new_target(tmp_path)
    shuffled = parts(len(DATA), 300_001)
    random.Random(1).shuffle(shuffled)
    for start, end in shuffled:
        sink = target.sink_at(start)
        for chunk_start in range(start, end, 65_536):  # as a transport writes a body
            sink.write(DATA[chunk_start:min(end, chunk_start + 65_536)])
    assert target.digests() == digests_of(DATA)
    target.commit()
    assert (tmp_path / "final").read_bytes() == DATA
    assert not (tmp_path / ".part").exists()


def test_a_part_written_again_after_it_was_hashed_is_read_back(tmp_path):
    target = new_target(tmp_path)
    for start, end in parts(len(DATA), 1 << 20):
        target.write_at(start, DATA[start:end])
    target.digests()  # all hashed
    target.write_at(0, b"X" * 10)  # a retried part, different bytes
    assert target.digests() == digests_of(b"X" * 10 + DATA[10:])
    target.abort()
    assert os.listdir(tmp_path) == []


def test_an_unhashed_target_refuses_digests(tmp_path):
    target = new_target(tmp_path, hashed=False)
    target.write_at(0, DATA)
    with pytest.raises(ValueError, match="without hashing"):
        target.digests()
    target.abort()


def test_a_file_source_reads_ranges_and_copies_kernel_to_kernel(tmp_path):
    (tmp_path / "src").write_bytes(DATA)
    with open(tmp_path / "src", "rb") as handle:
        handle.seek(1000)
        source = FileSource(str(tmp_path / "src"), fd=os.dup(handle.fileno()), base=1000)
    assert source.size == len(DATA) - 1000
    assert source[5:10] == DATA[1005:1010]
    assert source.read(source.size - 3, source.size + 50) == DATA[-3:]
    target = new_target(tmp_path)
    target.copy_from(source)
    assert target.digests() == digests_of(DATA[1000:])
    target.commit()
    source.close()
    assert (tmp_path / "final").read_bytes() == DATA[1000:]


def test_the_hasher_stops_its_thread(tmp_path):
    fd = os.open(tmp_path / "f", os.O_RDWR | os.O_CREAT)
    hasher = PrefixHasher(fd)
    os.pwrite(fd, b"abc", 0)
    hasher.wrote(0, 3)
    assert hasher.digests(3) == digests_of(b"abc")
    hasher.stop()
    assert "cloudfiles-hash" not in {thread.name for thread in threading.enumerate()}
    os.close(fd)
