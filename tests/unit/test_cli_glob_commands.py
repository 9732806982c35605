"""Globs on the command line (ls, cp, mv, rm, du, cat, head) on mem:// and file://."""
from __future__ import annotations

import json
import os

import pytest

from cloudfiles import CloudFiles
from cloudfiles.adapters.local.mem import MemStorage
from tests.local_files import disk_files, write_files

pytest_plugins = ["tests.unit.cli_fixtures"]  # the `run` and `mem` fixtures

FILES = {"a/10": b"ten", "a/11": b"eleven", "a/2": b"two", "a/1x/deep": b"deep",
         "a/sub/s.txt": b"s", "a/sub/t/u.txt": b"u", "b/10": b"other"}


@pytest.fixture
def tree(mem):
    """A mem:// bucket holding FILES; returns its path."""
    CloudFiles(mem).puts(list(FILES.items()))
    return mem


@pytest.fixture
def listed(monkeypatch):
    """[(storage path + prefix, flat)] of every mem:// listing made during the test."""
    calls = []
    original = MemStorage.list

    def recording(self, prefix="", flat=False):
        base = self.location.path.strip("/").partition("/")[2]
        calls.append(((base + "/" if base else "") + prefix, flat))
        return original(self, prefix, flat)
    monkeypatch.setattr(MemStorage, "list", recording)
    return calls


def test_ls_globs_match_files_within_a_name_or_across_slashes(run, tree):
    def ls(*args):
        return run("ls", "--shortpath", *args).stdout.split()
    assert ls(f"{tree}/a/1*") == ["10", "11"]              # `*` stays in one name
    assert ls(f"{tree}/a/*") == ["10", "11", "2"]          # files of a only
    assert ls(f"{tree}/a/**") == sorted(k[2:] for k in FILES if k.startswith("a/"))
    assert ls(f"{tree}/a/?") == ["2"]
    assert ls(f"{tree}/a/1[!0]") == ["11"]
    assert ls(f"{tree}/*/10") == ["a/10", "b/10"]          # relative to the fixed directory
    assert ls(f"{tree}/a/**/*.txt") == ["sub/s.txt", "sub/t/u.txt"]
    assert run("ls", f"{tree}/a/1*").stdout.split() == [f"{tree}/a/10", f"{tree}/a/11"]


def test_ls_lists_only_the_fixed_prefix_before_the_first_wildcard(run, tree, listed):
    run("ls", f"{tree}/a/1*")
    assert listed == [("a/1", True)]
    listed.clear()
    run("ls", f"{tree}/a/s*/**")
    assert listed == [("a/s", False)]


def test_a_glob_matching_nothing_says_so_and_the_other_paths_still_list(run, tree):
    result = run("ls", f"{tree}/a/9*", f"{tree}/b/", code=1)
    assert result.stdout.split() == [f"{tree}/b/10"]
    assert result.stderr == f"cloudfiles: ls: {tree}/a/9*: no matches found\n"
    assert run("ls", f"{tree}/a/9").stdout == ""  # a plain prefix listing nothing is fine


def test_cp_glob_sources_copy_matches_into_dest_under_their_relative_names(run, tree):
    run("cp", f"{tree}/a/1*", f"{tree}/out1")              # files only without -r
    run("cp", f"{tree}/a/*", f"{tree}/out2/")
    run("cp", "-r", f"{tree}/a/*", f"{tree}/out3")         # -r: matched directories too
    run("cp", f"{tree}/a/**", f"{tree}/out4")              # `**`: everything, structure kept
    listing = CloudFiles(tree)
    assert sorted(listing.list(prefix="out1/")) == ["out1/10", "out1/11"]
    assert sorted(listing.list(prefix="out2/")) == ["out2/10", "out2/11", "out2/2"]
    below_a = sorted(k[2:] for k in FILES if k.startswith("a/"))
    assert sorted(listing.list(prefix="out3/")) == ["out3/" + k for k in below_a]
    assert sorted(listing.list(prefix="out4/")) == ["out4/" + k for k in below_a]
    assert listing.get("out4/sub/t/u.txt") == b"u"


def test_cp_glob_on_local_files_and_into_an_existing_file(run, tmp_path):
    write_files(tmp_path / "src", {"1a.txt": b"1a", "1b.bin": b"1b", "2.txt": b"2",
                                   "d/1c.txt": b"1c"})
    run("cp", f"{tmp_path}/src/*.txt", str(tmp_path / "dest"))
    assert disk_files(tmp_path / "dest") == {"1a.txt": b"1a", "2.txt": b"2"}
    run("cp", f"{tmp_path}/src/**/1*.txt", str(tmp_path / "deep"))
    assert disk_files(tmp_path / "deep") == {"1a.txt": b"1a", "d/1c.txt": b"1c"}
    (tmp_path / "file").write_bytes(b"")
    result = run("cp", f"{tmp_path}/src/*", str(tmp_path / "file"), code=1)
    assert "is not a directory" in result.stderr


def test_cp_reports_a_glob_matching_nothing_and_copies_the_rest(run, tree):
    result = run("cp", f"{tree}/a/9*", f"{tree}/a/2", f"{tree}/out/", code=1)
    assert result.stderr.splitlines() == [f"cloudfiles: cp: {tree}/a/9*: no matches found",
                                          "cloudfiles: cp: 1 of 2 file(s) failed."]
    assert list(CloudFiles(tree).list(prefix="out/")) == ["out/2"]


def test_cp_glob_into_its_own_directory_lists_before_writing(run, tree):
    run("cp", "-r", f"{tree}/a/*", f"{tree}/a/copy/")
    copied = sorted(CloudFiles(tree).list(prefix="a/copy/"))
    assert copied == sorted("a/copy/" + k[2:] for k in FILES if k.startswith("a/"))


def test_mv_glob_moves_matches_and_empties_local_directories_it_took(run, tmp_path):
    write_files(tmp_path / "src", {"1a": b"1a", "2": b"2", "d/x": b"x", "d/e/y": b"y"})
    (tmp_path / "src" / "empty").mkdir()
    run("mv", "-r", f"{tmp_path}/src/[1d]*", str(tmp_path / "dest"))
    assert disk_files(tmp_path / "dest") == {
        "1a": b"1a", "d/x": b"x", "d/e/y": b"y"}
    assert sorted(os.listdir(tmp_path / "src")) == ["2", "empty"]  # src and the rest stay


def test_rm_globs_delete_matches_and_with_r_whole_matched_directories(run, tree):
    cf = CloudFiles(tree)
    run("rm", f"{tree}/a/1*")
    assert "a/10" not in set(cf.list()) and {"a/1x/deep", "a/2", "b/10"} <= set(cf.list())
    run("rm", f"{tree}/a/*")                               # files of a, not its directories
    assert sorted(cf.list(prefix="a/")) == ["a/1x/deep", "a/sub/s.txt", "a/sub/t/u.txt"]
    run("rm", "-r", f"{tree}/a/s*")
    assert sorted(cf.list()) == ["a/1x/deep", "b/10"]
    result = run("rm", f"{tree}/a/zz*", f"{tree}/b/10", code=1)
    assert f"cloudfiles: rm: {tree}/a/zz*: no matches found" in result.stderr
    assert sorted(cf.list()) == ["a/1x/deep"]


def test_rm_glob_on_local_files(run, tmp_path):
    write_files(tmp_path, {"keep.bin": b"k", "x.txt": b"x", "d/y.txt": b"y"})
    run("rm", f"{tmp_path}/*.txt")
    assert disk_files(tmp_path) == {"keep.bin": b"k", "d/y.txt": b"y"}


def test_du_of_globs_counts_matched_files_and_matched_directories_whole(run, tree):
    lines = run("du", f"{tree}/a/1*").stdout.splitlines()
    assert lines == [f"3\t{tree}/a/10", f"6\t{tree}/a/11", f"4\t{tree}/a/1x/deep"]
    assert run("du", "-s", f"{tree}/*/10").stdout == f"8\t{tree}/*/10\n"
    result = run("du", f"{tree}/q*", code=1)
    assert f"{tree}/q*: no matches found" in result.stderr


def test_cat_and_head_take_globs(run, tree):
    assert run("cat", f"{tree}/a/1*").stdout == "teneleven"
    heads = json.loads(run("head", f"{tree}/*/10").stdout)
    assert set(heads) == {f"{tree}/a/10", f"{tree}/b/10"}
    assert "no matches found" in run("cat", f"{tree}/none*", code=1).stderr


def test_a_wildcard_in_a_bucket_name_is_a_clear_error(run):
    result = run("ls", "mem://buck*/x", code=1)
    assert result.stderr.startswith("cloudfiles: ls: Wildcards cannot stand in a bucket name")
