"""The public module names of cloud-files 3.x stay importable."""
from __future__ import annotations

import importlib

import pytest

NAMES = {
    "cloudfiles": ["CloudFiles", "dl"],
    "cloudfiles.paths": ["extract", "ExtractedPath", "ascloudpath", "asbucketpath",
                         "asprotocolpath", "to_https_protocol", "get_protocol", "toabs"],
    "cloudfiles.compression": ["compress", "decompress", "transcode"],
    "cloudfiles.exceptions": ["UnsupportedProtocolError", "DecompressionError",
                              "CompressionError", "UnsupportedCompressionType",
                              "IntegrityError", "MD5IntegrityError", "CRC32CIntegrityError"],
    "cloudfiles.lib": ["mkdir", "touch", "toabs", "sip", "first", "jsonify"],
}


@pytest.mark.parametrize("module", sorted(NAMES))
def test_reference_names_import(module):
    loaded = importlib.import_module(module)
    missing = [name for name in NAMES[module] if not hasattr(loaded, name)]
    assert missing == []


def test_lib_helpers(tmp_path):
    from cloudfiles.lib import mkdir, sip, touch

    target = tmp_path / "a" / "b"
    assert mkdir(str(target)) == str(target) and target.is_dir()
    touch(str(target / "f"))
    assert (target / "f").exists()
    assert list(sip(range(5), 2)) == [[0, 1], [2, 3], [4]]
