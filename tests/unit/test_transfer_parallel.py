"""CloudFiles.transfer_to across processes (parallel=N), as `cloudfiles -p N cp` uses it."""
from __future__ import annotations

import pytest

from cloudfiles import CloudFiles
from cloudfiles.exceptions import BatchError


def test_parallel_transfer_copies_everything_and_names_missing_files(tmp_path):
    source = CloudFiles(f"file://{tmp_path}/src", parallel=2)
    files = {f"d{i % 3}/f{i}": f"content {i}".encode() for i in range(300)}
    source.puts(files.items(), compress="gzip")
    dest = CloudFiles(f"file://{tmp_path}/dest")
    assert source.transfer_to(dest, reencode="br") == 300
    assert dest.get(list(files), return_dict=True) == files
    assert all(info["Content-Encoding"] == "br" for info in dest.head(list(files)).values())

    paths = [{"path": "d0/f0", "dest_path": "renamed"}, "missing", "d1/f1"]
    with pytest.raises(BatchError) as caught:
        source.transfer_to(f"file://{tmp_path}/other", paths=paths)
    assert list(caught.value.errors) == ["missing"]
    assert isinstance(caught.value.errors["missing"], FileNotFoundError)
    assert CloudFiles(f"file://{tmp_path}/other").get(["renamed", "d1/f1"], return_dict=True) \
        == {"renamed": files["d0/f0"], "d1/f1": files["d1/f1"]}
