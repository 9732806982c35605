"""Globs on the command line against a real S3 server (moto): ls, cp, mv, rm and du list through
the glob's fixed prefix and act on what its pattern picks."""
from __future__ import annotations

from cloudfiles import CloudFiles
from tests.local_files import disk_files

pytest_plugins = ["tests.unit.cli_fixtures"]  # the `run` fixture

FILES = {"a/10": b"ten", "a/11": b"eleven", "a/2": b"two", "a/sub/s.txt": b"s",
         "a/sub/t/u.txt": b"u", "b/10": b"other"}


def s3_tree(moto_s3) -> str:
    path = moto_s3.path()
    CloudFiles(path).puts(list(FILES.items()))
    return path


def test_ls_cp_mv_rm_du_take_globs_on_s3(run, moto_s3, tmp_path):
    tree = s3_tree(moto_s3)
    ls = run("ls", "--shortpath", f"{tree}/a/1*").stdout.split()
    assert ls == ["10", "11"]
    assert run("ls", "--shortpath", f"{tree}/a/**/*.txt").stdout.split() == \
        ["sub/s.txt", "sub/t/u.txt"]
    run("cp", f"{tree}/*/10", str(tmp_path / "tens"))
    assert disk_files(tmp_path / "tens") == {"a/10": b"ten", "b/10": b"other"}
    du = run("du", "-s", f"{tree}/a/1?").stdout.split()
    assert du[0] == str(len(b"ten") + len(b"eleven"))
    run("mv", f"{tree}/a/2*", f"{tree}/moved/")
    run("rm", f"{tree}/a/sub/**/*.txt")
    left = sorted(CloudFiles(tree).list())
    assert left == ["a/10", "a/11", "b/10", "moved/2"]


def test_a_glob_matching_nothing_on_s3_says_so_and_exits_non_zero(run, moto_s3):
    tree = s3_tree(moto_s3)
    result = run("ls", f"{tree}/a/zz*", code=1)
    assert "no matches found" in result.stderr
