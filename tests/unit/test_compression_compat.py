"""Compatibility with newer cloud-files: COMPRESSION_EXTENSIONS and .xz/.bz2 files on disk."""
from __future__ import annotations

import bz2
import gzip
import lzma

import pytest

from cloudfiles import CloudFiles, interfaces
from cloudfiles.domain.encodings import SUFFIXES, split_suffix

DATA = b"a chunk of a volume " * 64


def test_compression_extensions_are_cloud_files_tuple_from_the_one_table():
    assert interfaces.COMPRESSION_EXTENSIONS == ('.gz', '.br', '.zstd', '.bz2', '.xz')
    assert type(interfaces.COMPRESSION_EXTENSIONS) is tuple
    assert interfaces.COMPRESSION_EXTENSIONS == tuple(SUFFIXES.values())


def test_interfaces_offers_reset_connection_pools():
    import cloudfiles

    assert interfaces.reset_connection_pools is cloudfiles.reset_connection_pools
    interfaces.reset_connection_pools()


@pytest.mark.parametrize("extension", interfaces.COMPRESSION_EXTENSIONS)
def test_every_extension_is_recognized_as_a_suffix(extension):
    name, encoding = split_suffix("dir/chunk" + extension)
    assert name == "dir/chunk" and SUFFIXES[encoding] == extension


@pytest.mark.parametrize("compress, suffix, reader", [
    ("xz", ".xz", lzma.decompress), ("lzma", ".xz", lzma.decompress),
    ("bzip2", ".bz2", bz2.decompress), ("bz2", ".bz2", bz2.decompress),
])
def test_file_protocol_writes_plain_suffixes(tmp_path, compress, suffix, reader):
    cf = CloudFiles(f"file://{tmp_path}")
    cf.put("sub/chunk", DATA, compress=compress)
    on_disk = tmp_path / "sub" / f"chunk{suffix}"
    assert [p.name for p in (tmp_path / "sub").iterdir()] == [on_disk.name]
    assert reader(on_disk.read_bytes()) == DATA
    assert list(cf.list()) == ["sub/chunk"] and list(cf.list("sub/", flat=True)) == ["sub/chunk"]
    assert cf.size("sub/chunk") == on_disk.stat().st_size
    cf.delete("sub/chunk")
    assert not on_disk.exists()


@pytest.mark.parametrize("suffix, writer, encoding", [
    (".xz", lzma.compress, "xz"), (".bz2", bz2.compress, "bzip2"),
])
def test_files_written_by_newer_releases_read_back(tmp_path, suffix, writer, encoding):
    (tmp_path / f"chunk{suffix}").write_bytes(writer(DATA))
    cf = CloudFiles(f"file://{tmp_path}")
    assert cf.get("chunk") == DATA
    assert cf.get(["chunk"], raw=True)[0]["compress"] == encoding
    assert cf.head("chunk")["Content-Encoding"] == encoding
    assert cf.exists("chunk") and list(cf.list()) == ["chunk"]


def test_rewriting_in_another_encoding_leaves_one_twin(tmp_path):
    cf = CloudFiles(f"file://{tmp_path}")
    for compress in ("bz2", "xz", "gzip", None, "bzip2"):
        cf.put("chunk", DATA, compress=compress)
        assert len(list(tmp_path.iterdir())) == 1 and cf.get("chunk") == DATA
    assert [p.name for p in tmp_path.iterdir()] == ["chunk.bz2"]
    (tmp_path / "chunk.xz").write_bytes(lzma.compress(DATA))  # a twin left by another tool
    cf.delete("chunk")
    assert list(tmp_path.iterdir()) == []


def test_transcode_output_puts_raw_into_file_protocol(tmp_path):
    from cloudfiles.compression import transcode

    src = CloudFiles("mem://compat/transcode")
    src.puts([("a", DATA), ("b", DATA[:100])], compress="gzip")
    dest = CloudFiles(f"file://{tmp_path}")
    dest.puts(transcode(src.get(["a", "b"], raw=True), "xz"), compress="xz", raw=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xz", "b.xz"]
    assert lzma.decompress((tmp_path / "b.xz").read_bytes()) == DATA[:100]
    assert gzip.decompress(src.get("a", raw=True)) == dest.get("a")
