"""The `cloudfiles` commands in-process (click's CliRunner) on mem:// and file://.

mem:// lives in the memory of one process, so these tests cannot use a subprocess;
tests/integration/test_cli_subprocess.py runs the real console script on file://.
"""
from __future__ import annotations

import json
import os

import pytest

from cloudfiles import CloudFiles
from cloudfiles.domain.errors import CredentialsError
from cloudfiles.domain.ports import Storage
from cloudfiles.entrypoints import registry
from tests.local_files import disk_files

pytest_plugins = ["tests.unit.cli_fixtures"]  # the `run` and `mem` fixtures

ENCODINGS = {"gzip": ".gz", "br": ".br", "zstd": ".zstd", "none": ""}


def make_tree(root, count: int = 100) -> dict[str, bytes]:
    """count files over nested directories (one empty); returns {relative key: content}."""
    files = {}
    for i in range(count):
        key = f"d{i % 4}/s{i % 3}/f{i}.txt" if i % 5 else f"f{i}.txt"
        files[key] = b"" if i == 7 else f"file {i} ".encode() * (i + 1)
    for key, content in files.items():
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return files


@pytest.mark.parametrize("compression", sorted(ENCODINGS))
def test_recursive_copy_of_a_tree_file_to_mem_and_back(run, mem, tmp_path, compression):
    files = make_tree(tmp_path / "src")
    run("cp", "-r", "-c", compression, f"{tmp_path}/src/", f"{mem}/tree/")
    cf = CloudFiles(f"{mem}/tree")
    assert sorted(cf.list()) == sorted(files)
    encoding = None if compression == "none" else compression
    heads = cf.head(list(files))
    assert {info["Content-Encoding"] for info in heads.values()} == {encoding}
    assert cf.get(list(files), return_dict=True) == files

    run("cp", "-r", f"{mem}/tree/", str(tmp_path / "back") + "/")  # -c same: raw bytes kept
    suffix = ENCODINGS[compression]
    assert set(disk_files(tmp_path / "back")) == {key + suffix for key in files}
    back = CloudFiles(f"file://{tmp_path}/back")
    assert back.get(list(files), return_dict=True) == files

    run("cp", "-r", "-c", "none", f"{mem}/tree/", str(tmp_path / "plain") + "/")
    assert disk_files(tmp_path / "plain") == files


def test_rm_r_deletes_the_directory_and_the_exact_key_never_siblings(run, mem):
    cf = CloudFiles(mem)
    keys = ["test", "test/a", "test/b/c", "test2/x", "testing", "other/test/y"]
    cf.puts([(key, b"x") for key in keys])
    run("rm", "-r", f"{mem}/test")
    assert sorted(cf.list()) == ["other/test/y", "test2/x", "testing"]
    run("rm", "-r", f"{mem}/other/")
    assert sorted(cf.list()) == ["test2/x", "testing"]


def test_rm_r_on_file_keeps_siblings_and_the_emptied_directories(run, tmp_path):
    (tmp_path / "test" / "sub").mkdir(parents=True)
    (tmp_path / "test" / "sub" / "a").write_bytes(b"a")
    (tmp_path / "test" / "b").write_bytes(b"b")
    (tmp_path / "test2").mkdir()
    (tmp_path / "test2" / "b").write_bytes(b"b")
    (tmp_path / "testing").write_bytes(b"c")
    run("rm", "-r", str(tmp_path / "test"))
    assert sorted(os.listdir(tmp_path)) == ["test", "test2", "testing"]  # as cloud-files 3.1.1
    assert disk_files(tmp_path / "test") == {} and (tmp_path / "test" / "sub").is_dir()
    assert disk_files(tmp_path / "test2") == {"b": b"b"}


def test_rm_without_r_names_each_directory_on_stdout_and_deletes_nothing(run, mem, tmp_path):
    cf = CloudFiles(mem)
    cf.puts([("a", b"1"), ("b", b"2"), ("dir/c", b"3")])
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "f").write_bytes(b"f")
    result = run("rm", f"{mem}/a", str(tmp_path / "d"), f"{mem}/dir/")
    assert result.stdout.splitlines() == [f"cloudfiles: {tmp_path / 'd'}: is a directory.",
                                          f"cloudfiles: {mem}/dir/: is a directory."]
    assert result.stderr == ""
    assert sorted(cf.list()) == ["a", "b", "dir/c"] and (tmp_path / "d" / "f").exists()
    run("rm", f"{mem}/a", f"{mem}/missing")  # missing files are not an error
    assert sorted(cf.list()) == ["b", "dir/c"]


def test_ls_full_paths_shortpaths_prefixes_flat_and_expressions(run, mem):
    CloudFiles(mem).puts([(k, b"") for k in ["pa/1", "pa/2", "pb/1", "pc/1", "q", "pa2"]])
    assert run("ls", f"{mem}/").stdout.split() == [
        f"{mem}/{k}" for k in ["pa/1", "pa/2", "pa2", "pb/1", "pc/1", "q"]]
    assert run("ls", "--shortpath", f"{mem}/pa").stdout.split() == ["pa/1", "pa/2", "pa2"]
    assert run("ls", "--shortpath", f"{mem}/pa/").stdout.split() == ["1", "2"]
    assert run("ls", "--flat", "--shortpath", mem).stdout.split() == ["pa2", "q"]  # files only
    assert run("ls", "-e", "--shortpath", f"{mem}/p[ca]/").stdout.split() == ["1", "1", "2"]
    assert run("ls", "-e", f"{mem}/p[bc]").stdout.split() == [f"{mem}/pb/1", f"{mem}/pc/1"]
    assert run("ls", f"{mem}/p[bc]/*").stdout.split() == [f"{mem}/pb/1", f"{mem}/pc/1"]  # a glob
    result = run("ls", f"{mem}/p[bc]", code=1)  # a glob matching directories only: no file
    assert result.stderr == f"cloudfiles: ls: {mem}/p[bc]: no matches found\n"


def test_du_sizes_as_stored_per_file_summarized_and_total(run, mem):
    cf = CloudFiles(mem)
    cf.puts([("d/a", b"x" * 1000), ("d/b", b"x" * 2000), ("e", b"x" * 1536)])
    cf.put("z", b"y" * 5000, compress="gzip")
    stored_z = cf.size("z")
    assert stored_z < 5000
    lines = run("du", f"{mem}/d", f"{mem}/z").stdout.splitlines()
    assert lines == [f"1000\t{mem}/d/a", f"2000\t{mem}/d/b", f"{stored_z}\t{mem}/z"]
    out = run("du", "-s", "-c", f"{mem}/d/", f"{mem}/e").stdout.splitlines()
    assert out == [f"3000\t{mem}/d/", f"1536\t{mem}/e", "4536\ttotal"]
    out = run("du", "-shc", f"{mem}/d", f"{mem}/e").stdout.splitlines()
    assert out == [f"3.0K\t{mem}/d", f"1.5K\t{mem}/e", "4.5K\ttotal"]
    result = run("du", f"{mem}/nothing", code=1)
    assert "no such file" in result.stderr


def test_zero_byte_files_copy_everywhere(run, mem, tmp_path):
    (tmp_path / "empty").write_bytes(b"")
    run("cp", str(tmp_path / "empty"), f"{mem}/a/")
    run("cp", "-c", "gzip", f"{mem}/a/empty", f"{mem}/b/")
    run("cp", f"{mem}/b/empty", f"{tmp_path}/out/")
    assert CloudFiles(mem).get(["a/empty", "b/empty"], return_dict=True) == {
        "a/empty": b"", "b/empty": b""}
    assert (tmp_path / "out" / "empty.gz").exists()
    assert CloudFiles(f"file://{tmp_path}/out").get("empty") == b""


def test_dest_naming_rules(run, mem):
    cf = CloudFiles(mem)
    cf.puts([("a.txt", b"A"), ("src/x", b"X"), ("src/y/z", b"Z"), ("have/k", b"K")])
    run("cp", f"{mem}/a.txt", f"{mem}/into/")            # trailing slash: into the directory
    run("cp", f"{mem}/a.txt", f"{mem}/renamed")          # no slash, nothing there: the new name
    run("cp", f"{mem}/a.txt", f"{mem}/have")             # an existing directory: into it
    run("cp", "-r", f"{mem}/src/", f"{mem}/contents")    # src/: what is under src
    run("cp", "-r", f"{mem}/src", f"{mem}/have/")        # src into have/: have/src/...
    run("cp", "-r", f"{mem}/src", f"{mem}/newname")      # src to a new name: the copy itself
    assert sorted(cf.list()) == sorted([
        "a.txt", "src/x", "src/y/z", "have/k", "into/a.txt", "renamed", "have/a.txt",
        "contents/x", "contents/y/z", "have/src/x", "have/src/y/z", "newname/x", "newname/y/z",
    ])


def test_non_recursive_copy_of_a_directory_is_refused_and_the_rest_copied(run, mem):
    cf = CloudFiles(mem)
    cf.puts([("dir/a", b"1"), ("f", b"2")])
    result = run("cp", f"{mem}/dir", f"{mem}/f", f"{mem}/out/", code=1)
    assert f"{mem}/dir: is a directory (not copied; use -r" in result.stderr
    assert "1 of 2 file(s) failed" in result.stderr
    assert sorted(cf.list(prefix="out/")) == ["out/f"]


def test_missing_sources_fail_alone_with_a_summary(run, mem):
    cf = CloudFiles(mem)
    cf.puts([("a", b"1"), ("b", b"2")])
    result = run("cp", f"{mem}/a", f"{mem}/missing", f"{mem}/b", f"{mem}/out/", code=1)
    assert sorted(cf.list(prefix="out/")) == ["out/a", "out/b"]
    lines = result.stderr.splitlines()
    assert lines == [f"cloudfiles: cp: {mem}/missing: no such file",
                     "cloudfiles: cp: 1 of 3 file(s) failed."]


def test_stdin_paths_keep_their_structure_under_dest(run, mem, tmp_path):
    files = make_tree(tmp_path / "src", count=12)
    lines = [str(tmp_path / "src")]  # `find` lists directories too: they are skipped
    lines += [str(tmp_path / "src" / key) for key in files]
    run("cp", "-", f"{mem}/in/", input="\n".join(lines) + "\n")
    assert CloudFiles(f"{mem}/in").get(list(files), return_dict=True) == files
    listed = run("ls", f"{mem}/in/").stdout
    run("cp", "-c", "br", "-", f"{mem}/again", input=listed)
    assert sorted(CloudFiles(f"{mem}/again").list()) == sorted(files)


def test_cat_cp_to_stdout_head_touch_and_mv(run, mem):
    cf = CloudFiles(mem)
    cf.put("a", b"hello ", compress="gzip")
    cf.put("b", b"world")
    assert run("cat", f"{mem}/a", f"{mem}/b").stdout == "hello world"
    assert run("cp", f"{mem}/a", "-").stdout == "hello "
    single = json.loads(run("head", f"{mem}/a").stdout)
    assert single["Content-Encoding"] == "gzip" and single["Content-Length"] == cf.size("a")
    many = json.loads(run("head", f"{mem}/a", f"{mem}/b").stdout)
    assert set(many) == {f"{mem}/a", f"{mem}/b"}
    result = run("cat", f"{mem}/nope", f"{mem}/b", code=1)
    assert result.stdout == "world" and f"{mem}/nope: no such file" in result.stderr

    run("touch", f"{mem}/t1", f"{mem}/b")
    assert cf.get("t1") == b"" and cf.get("b") == b"world"

    cf.puts([("dir/x", b"x"), ("dir/y/z", b"z")])
    run("mv", f"{mem}/dir", f"{mem}/a", f"{mem}/moved/")
    assert sorted(cf.list()) == ["b", "moved/a", "moved/dir/x", "moved/dir/y/z", "t1"]
    assert cf.head("moved/a")["Content-Encoding"] == "gzip"  # moved untouched
    result = run("mv", f"{mem}/b", f"{mem}/b", code=1)
    assert "same file" in result.stderr and cf.get("b") == b"world"


def test_bad_protocol_is_one_line_and_exit_code_1(run):
    result = run("cp", "nope://bucket/x", "mem://b/", code=1)
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("cloudfiles: cp: Unsupported protocol 'nope'.")
    assert "Traceback" not in result.output


def test_bad_compression_is_a_usage_error(run):
    result = run("cp", "-c", "lzma", "mem://b/x", "mem://b/y", code=2)
    assert "lzma" in result.stderr


class _LockedStorage(Storage):
    """A storage that refuses every request as if credentials were missing."""

    protocol = "locked"

    def get(self, key, byte_range=None):
        raise CredentialsError("No credentials found for locked://; set LOCKED_TOKEN.")

    def head(self, key):
        raise CredentialsError("No credentials found for locked://; set LOCKED_TOKEN.")

    def list(self, prefix="", flat=False):
        raise CredentialsError("No credentials found for locked://; set LOCKED_TOKEN.")


def test_missing_credentials_are_reported_once(run, mem):
    registry.register("locked", _LockedStorage)
    result = run("cat", "locked://b/x", code=1)
    assert result.stderr.splitlines()[0] == \
        "cloudfiles: cat: No credentials found for locked://; set LOCKED_TOKEN."
    result = run("cp", "locked://b/x", "locked://b/y", "locked://b/z", f"{mem}/", code=1)
    assert result.stderr.splitlines() == [
        "cloudfiles: cp: No credentials found for locked://; set LOCKED_TOKEN.",
        "cloudfiles: cp: 3 of 3 file(s) failed.",
    ]
    result = run("ls", "locked://b/", code=1)
    assert result.stderr == "cloudfiles: ls: No credentials found for locked://; set " \
                            "LOCKED_TOKEN.\n"


def test_parallel_option_works_with_a_storage_that_is_not_process_safe(run, mem, tmp_path):
    files = make_tree(tmp_path / "src", count=10)
    run("-p", "2", "cp", "-r", f"{tmp_path}/src/", f"{mem}/p/")
    assert CloudFiles(f"{mem}/p").get(list(files), return_dict=True) == files


def test_license(run):
    assert "BSD 3-Clause" in run("license").stdout
