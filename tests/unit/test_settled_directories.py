"""file:// reads of settled directories: one stat instead of a lookup per stored form, and
never a missed file or twin."""
from __future__ import annotations

import os
import time
import warnings

import pytest

from cloudfiles import CloudFiles
from cloudfiles.adapters.local.settled import (
    ASKS_BEFORE_LISTING,
    SETTLED_SECONDS,
    SettledDirectories,
)
from cloudfiles.exceptions import TwinFilesWarning


def _age(directory, seconds: float = 10 * SETTLED_SECONDS) -> None:
    """Make a directory look unchanged for a while (its time stamp in the past)."""
    past = time.time() - seconds
    os.utime(directory, (past, past))


def test_a_directory_is_listed_only_once_settled_and_read_often(tmp_path):
    (tmp_path / "a").write_bytes(b"1")
    settled = SettledDirectories()
    for _ in range(ASKS_BEFORE_LISTING + 1):  # changed just now: never listed
        assert settled.names(str(tmp_path)) is None
    _age(tmp_path)
    answers = [settled.names(str(tmp_path)) for _ in range(ASKS_BEFORE_LISTING)]
    assert answers[:-1] == [None] * (ASKS_BEFORE_LISTING - 1)
    assert answers[-1] == frozenset({"a"})
    (tmp_path / "b").write_bytes(b"2")  # any change moves the time stamp: no longer settled
    assert settled.names(str(tmp_path)) is None
    assert settled.names(str(tmp_path / "missing")) is None


def test_reads_of_a_settled_directory_still_see_new_files_and_twins(tmp_path):
    cf = CloudFiles(f"file://{tmp_path}")
    cf.puts([(f"k{i}", b"plain") for i in range(5)])
    _age(tmp_path)
    for _ in range(ASKS_BEFORE_LISTING + 2):
        assert cf.get("k1") == b"plain"
    assert cf.get("k9") is None
    (tmp_path / "k9").write_bytes(b"new")  # written by another tool after the listing
    assert cf.get("k9") == b"new"
    _age(tmp_path)
    for _ in range(ASKS_BEFORE_LISTING + 2):
        cf.get("k1")
    import gzip
    (tmp_path / "k1.gz").write_bytes(gzip.compress(b"newer twin"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert cf.get("k1") == b"newer twin"
    assert any(issubclass(w.category, TwinFilesWarning) for w in caught)


def test_a_listed_file_removed_behind_our_back_is_looked_up_again(tmp_path, monkeypatch):
    cf = CloudFiles(f"file://{tmp_path}")
    cf.puts([("a", b"1"), ("b", b"2")])
    _age(tmp_path)
    for _ in range(ASKS_BEFORE_LISTING + 2):
        cf.get("a")
    mtime = os.stat(tmp_path).st_mtime_ns
    os.remove(tmp_path / "a")
    os.utime(tmp_path, ns=(mtime, mtime))  # a file system whose time stamp did not move
    assert cf.get("a") is None  # the read fails, the listing is dropped, lookups tell
    assert cf.get("b") == b"2"


@pytest.mark.parametrize("count", [1, 50])
def test_results_agree_with_lookups(tmp_path, count):
    cf = CloudFiles(f"file://{tmp_path}")
    files = {f"d/k{i}": bytes([i]) * 10 for i in range(count)}
    cf.puts(files.items(), compress="gzip")
    _age(tmp_path / "d")
    for _ in range(2):
        assert cf.get(list(files), return_dict=True) == files
        assert all(cf.exists(list(files)).values())
