"""Bytes-like content (bytearray, memoryview, array.array, numpy arrays) on mem:// and file://."""
from __future__ import annotations

import array
import uuid

import pytest

from cloudfiles.adapters.local.file import FileStorage
from cloudfiles.adapters.local.mem import MemStorage
from cloudfiles.domain.buffers import byte_view
from cloudfiles.domain.objects import PutOptions, StorageConfig
from cloudfiles.paths import extract

NUMBERS = array.array("H", range(500))


@pytest.fixture(params=["mem", "file"])
def storage(request, tmp_path):
    if request.param == "mem":
        return MemStorage(extract(f"mem://bytes-like/{uuid.uuid4().hex}"), StorageConfig())
    return FileStorage(extract(f"file://{tmp_path}"), StorageConfig())


def test_byte_view_shares_memory_and_counts_bytes():
    data = b"immutable"
    assert byte_view(data) is data
    buffer = bytearray(b"abcdef")
    view = byte_view(buffer)
    buffer[0:1] = b"z"
    assert bytes(view) == b"zbcdef"  # a view, not a copy
    grid = memoryview(NUMBERS).cast("B").cast("H", [20, 25])
    assert len(byte_view(grid)) == NUMBERS.itemsize * len(NUMBERS)
    assert bytes(byte_view(memoryview(b"0123456789")[::2])) == b"02468"
    with pytest.raises(TypeError) as info:
        byte_view("text")
    assert "bytes-like" in str(info.value) and "str" in str(info.value)


@pytest.mark.parametrize("content", [
    bytearray(NUMBERS.tobytes()), memoryview(NUMBERS.tobytes()), NUMBERS,
    memoryview(NUMBERS).cast("B").cast("H", [20, 25]),
], ids=["bytearray", "memoryview", "array", "2d-memoryview"])
def test_adapters_store_the_bytes_of_any_buffer(storage, content):
    storage.put("k", content, PutOptions())
    stored = storage.get("k")
    assert type(stored.content) is bytes and stored.content == NUMBERS.tobytes()
    assert storage.size("k") == len(NUMBERS.tobytes())


def test_mem_keeps_an_immutable_copy_and_never_copies_bytes():
    storage = MemStorage(extract(f"mem://bytes-like/{uuid.uuid4().hex}"), StorageConfig())
    source = bytearray(b"original")
    storage.put("mutable", source, PutOptions())
    source[:] = b"changed!"
    assert storage.get("mutable").content == b"original"
    data = b"x" * 1000
    storage.put("bytes", data, PutOptions())
    assert storage.get("bytes").content is data


def test_adapters_refuse_what_is_not_bytes_like(storage):
    with pytest.raises(TypeError) as info:
        storage.put("k", 12345, PutOptions())
    assert "int" in str(info.value)
    assert storage.get("k") is None


def test_fortran_ordered_numpy_arrays_are_stored_in_memory_order(storage):
    numpy = pytest.importorskip("numpy")
    block = numpy.asfortranarray(numpy.arange(60, dtype=numpy.uint32).reshape(3, 4, 5))
    storage.put("chunk", block, PutOptions())
    stored = storage.get("chunk").content
    assert bytes(byte_view(stored)) == block.tobytes("F")  # what CloudVolume's decoder reads
    restored = numpy.frombuffer(byte_view(stored), dtype=numpy.uint32).reshape(block.shape,
                                                                     order="F")
    assert (restored == block).all()
    if storage.keeps_buffers:  # mem:// hands the array back, read-only, as cloud-files does
        assert isinstance(stored, numpy.ndarray) and not stored.flags.writeable
        block[0, 0, 0] = 99  # the caller's array stays the caller's
        assert storage.get("chunk").content[0, 0, 0] == 0
