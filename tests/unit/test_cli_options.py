"""cp -r naming into existing directories, cat -r, --no-sign-request, -h and mv -r."""
from __future__ import annotations

import pytest

from cloudfiles import CloudFiles
from cloudfiles.entrypoints import cli_common
from tests.local_files import disk_files, write_files

pytest_plugins = ["tests.unit.cli_fixtures"]  # the `run` and `mem` fixtures

TREE = {"x": b"X", "y/z": b"Z"}


@pytest.mark.parametrize("source_slash", ["", "/"])
def test_cp_r_into_an_existing_local_directory_lands_under_the_source_name(
        run, tmp_path, source_slash):
    write_files(tmp_path / "src", TREE)
    (tmp_path / "dest").mkdir()
    run("cp", "-r", f"{tmp_path}/src{source_slash}", str(tmp_path / "dest"))
    assert disk_files(tmp_path / "dest") == {"src/x": b"X", "src/y/z": b"Z"}


@pytest.mark.parametrize("dest_slash", ["", "/"])
def test_cp_r_into_a_missing_directory_makes_it_the_copy(run, tmp_path, dest_slash):
    write_files(tmp_path / "src", TREE)
    run("cp", "-r", str(tmp_path / "src"), f"{tmp_path}/new{dest_slash}")
    assert disk_files(tmp_path / "new") == {"x": b"X", "y/z": b"Z"}
    run("cp", "-r", str(tmp_path / "src"), f"{tmp_path}/new{dest_slash}")  # now it exists
    assert disk_files(tmp_path / "new" / "src") == {"x": b"X", "y/z": b"Z"}


def test_a_cloud_directory_exists_when_its_prefix_holds_an_object(run, mem):
    cf = CloudFiles(mem)
    cf.puts([("src/x", b"X"), ("src/y/z", b"Z"), ("full/k", b"K"), ("fullness", b"F")])
    run("cp", "-r", f"{mem}/src", f"{mem}/full")     # full/ holds an object: into full/src
    run("cp", "-r", f"{mem}/src", f"{mem}/empty/")   # nothing under empty/: empty is the copy
    run("cp", "-r", f"{mem}/src/", f"{mem}/fullness")  # a file 'fullness', no 'fullness/'
    assert sorted(cf.list(prefix="full/")) == ["full/k", "full/src/x", "full/src/y/z"]
    assert sorted(cf.list(prefix="empty/")) == ["empty/x", "empty/y/z"]
    assert sorted(cf.list(prefix="fullness/")) == ["fullness/x", "fullness/y/z"]


def test_cp_r_of_a_cloud_tree_into_a_local_directory(run, mem, tmp_path):
    CloudFiles(f"{mem}/tree").puts(list(TREE.items()))
    (tmp_path / "have").mkdir()
    run("cp", "-r", f"{mem}/tree/", str(tmp_path / "have"))
    assert disk_files(tmp_path / "have") == {"tree/x": b"X", "tree/y/z": b"Z"}


def test_cat_r_prints_a_byte_range(run, mem):
    cf = CloudFiles(mem)
    cf.put("f", b"0123456789")
    cf.put("g", b"abcdefghij", compress="gzip")
    assert run("cat", "-r", "2-5", f"{mem}/f").stdout == "234"
    assert run("cat", "--range", "-3", f"{mem}/f").stdout == "012"
    assert run("cat", "-r", "7-", f"{mem}/f").stdout == "789"
    assert run("cat", "-r", "1-4", f"{mem}/g").stdout == "bcd"  # of the decoded content


@pytest.mark.parametrize("bad", ["x", "3", "1-2-3", "5-2", "a-b"])
def test_cat_r_refuses_what_is_not_a_range(run, mem, bad):
    CloudFiles(mem).put("f", b"0123456789")
    result = run("cat", "-r", bad, f"{mem}/f", code=2)
    assert "range" in result.stderr.lower() and "Traceback" not in result.output


def test_cat_r_takes_a_single_file_and_reports_a_missing_one(run, mem):
    CloudFiles(mem).puts([("f", b"1"), ("g", b"2")])
    result = run("cat", "-r", "0-1", f"{mem}/f", f"{mem}/g", code=2)
    assert "single file" in result.stderr
    assert "no such file" in run("cat", "-r", "0-1", f"{mem}/nope", code=1).stderr


def test_no_sign_request_is_accepted_where_the_latest_release_has_it(run, mem):
    cf = CloudFiles(mem)
    cf.put("f", b"data")
    run("cp", "--no-sign-request", f"{mem}/f", f"{mem}/copy")
    run("mv", "--no-sign-request", f"{mem}/copy", f"{mem}/moved")
    assert run("cat", "--no-sign-request", f"{mem}/moved").stdout == "data"
    run("touch", "--no-sign-request", f"{mem}/t")
    assert sorted(cf.list()) == ["f", "moved", "t"]


@pytest.fixture
def opened(monkeypatch):
    """[(cloudpath, kwargs)] of every CloudFiles the commands open."""
    calls = []

    class Recording(CloudFiles):
        def __init__(self, cloudpath, **kwargs):
            calls.append((cloudpath, kwargs))
            super().__init__(cloudpath, **kwargs)
    monkeypatch.setattr(cli_common, "CloudFiles", Recording)
    return calls


@pytest.mark.parametrize("command", [["cp"], ["mv"], ["cp", "-r"]])
def test_no_sign_request_reaches_cloudfiles_for_the_source_only(run, mem, opened, command):
    CloudFiles(f"{mem}/src").puts([("f", b"1"), ("d/g", b"2")])
    source = f"{mem}/src" if "-r" in command else f"{mem}/src/f"
    run(*command, "--no-sign-request", source, f"{mem}/dst/")
    unsigned = {path for path, kwargs in opened if kwargs.get("no_sign_request") is True}
    signed = {path for path, kwargs in opened if "no_sign_request" not in kwargs}
    assert f"{mem}/src" in unsigned  # the source (and its parent, asked whether src is a dir)
    assert not any(path.startswith(f"{mem}/dst") for path in unsigned)
    assert any(path.startswith(f"{mem}/dst") for path in signed)


def test_no_sign_request_reaches_cloudfiles_for_cat_and_touch(run, mem, opened):
    CloudFiles(mem).put("f", b"1")
    run("cat", "--no-sign-request", f"{mem}/f")
    run("touch", "--no-sign-request", f"{mem}/t")
    assert [kwargs.get("no_sign_request") for _, kwargs in opened] == [True, True]
    opened.clear()
    run("cat", f"{mem}/f")
    assert [kwargs.get("no_sign_request") for _, kwargs in opened] == [None]


@pytest.mark.parametrize("command", ["", "cp", "ls", "rm", "cat", "mv", "head", "touch", "license",
                                     "alias", "alias ls"])
def test_h_is_help_everywhere(run, command):
    out = run(*command.split(), "-h").stdout
    assert out.startswith("Usage: ") and "-h, --help" in out
    assert out == run(*command.split(), "--help").stdout


def test_du_keeps_h_for_human_readable_sizes(run, mem):
    CloudFiles(mem).put("f", b"x" * 2048)
    assert run("du", "-h", f"{mem}/f").stdout == f"2.0K\t{mem}/f\n"
    assert "-h, --human-readable" in run("du", "--help").stdout


def test_mv_r_moves_a_tree_and_removes_the_local_source(run, tmp_path):
    write_files(tmp_path / "src", TREE)
    (tmp_path / "dest").mkdir()
    run("mv", "-r", str(tmp_path / "src"), str(tmp_path / "dest"))
    assert disk_files(tmp_path / "dest") == {"src/x": b"X", "src/y/z": b"Z"}
    assert not (tmp_path / "src").exists()


def test_mv_r_on_cloud_paths_follows_cp_r_naming(run, mem):
    cf = CloudFiles(mem)
    cf.puts([("src/x", b"X"), ("src/y/z", b"Z")])
    run("mv", "-r", f"{mem}/src", f"{mem}/new")
    assert sorted(cf.list()) == ["new/x", "new/y/z"]
    cf.put("other/k", b"K")
    run("mv", "-r", f"{mem}/new", f"{mem}/other")
    assert sorted(cf.list()) == ["other/k", "other/new/x", "other/new/y/z"]
