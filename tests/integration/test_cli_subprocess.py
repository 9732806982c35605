"""The real `cloudfiles` console script in subprocesses: file:// trees, and s3:// on moto.

Every call starts a Python process (~0.4 s), so each one here does a real piece of work.
"""
from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import time

import pytest

from cloudfiles import CloudFiles
from cloudfiles.domain.humanize import human_size
from tests.local_files import disk_files as on_disk

SCRIPT = os.path.join(os.path.dirname(sys.executable), "cloudfiles")
CLI = [SCRIPT] if os.path.exists(SCRIPT) else [sys.executable, "-m", "cloudfiles"]
SUFFIXES = {"gzip": ".gz", "br": ".br", "zstd": ".zstd", "none": ""}


def cli(*args: str, code: int = 0, input: str | None = None, env: dict | None = None,
        cwd=None) -> subprocess.CompletedProcess:
    """Run `cloudfiles ARGS...`, check its exit code, return the finished process."""
    done = subprocess.run([*CLI, *map(str, args)], check=False, capture_output=True, text=True,
                          input=input, env={**os.environ, **(env or {})}, cwd=cwd, timeout=120)
    assert done.returncode == code, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def make_tree(root, count: int = 100) -> dict[str, bytes]:
    """count files over nested directories, one of them empty; {key: content}."""
    files = {}
    for i in range(count):
        key = f"d{i % 4}/s{i % 3}/f{i}.txt" if i % 5 else f"f{i}.txt"
        files[key] = b"" if i == 7 else f"line {i}\n".encode() * (i + 1)
    for key, content in files.items():
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_bytes(content)
    return files


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """(directory, files) of a 100-file tree shared by the tests of this module."""
    root = tmp_path_factory.mktemp("cli") / "src"
    return root, make_tree(root)


def test_recursive_copies_with_each_compression_then_back_in_two_processes(tree, tmp_path):
    src, files = tree
    for compression, suffix in SUFFIXES.items():
        cli("cp", "-r", "-c", compression, f"{src}/", tmp_path / f"out_{compression}")
        stored = on_disk(tmp_path / f"out_{compression}")
        assert set(stored) == {key + suffix for key in files}
        decoded = CloudFiles(f"file://{tmp_path}/out_{compression}")
        assert decoded.get(list(files), return_dict=True) == files

    outs = [tmp_path / f"out_{compression}" for compression in SUFFIXES]
    cli("-p", "2", "cp", "-r", "-c", "none", *outs, f"{tmp_path}/back/")
    for compression in SUFFIXES:
        assert on_disk(tmp_path / "back" / f"out_{compression}") == files


def test_paths_from_stdin_as_find_prints_them(tree, tmp_path):
    src, files = tree
    command = f"find {shlex.quote(str(src))} | {shlex.join(CLI)} cp -c gzip - {tmp_path}/in/"
    done = subprocess.run(command, shell=True, check=False, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert set(on_disk(tmp_path / "in")) == {key + ".gz" for key in files}
    assert CloudFiles(f"file://{tmp_path}/in").get(list(files), return_dict=True) == files


def test_du_totals_of_a_known_tree(tree, tmp_path):
    src, files = tree
    cli("cp", "-r", "-c", "gzip", f"{src}/", tmp_path / "gz")
    gz_size = sum(len(content) for content in on_disk(tmp_path / "gz").values())
    raw_size = sum(len(content) for content in files.values())
    assert gz_size < raw_size
    out = cli("du", "-s", "-c", src, tmp_path / "gz").stdout.splitlines()
    assert out == [f"{raw_size}\t{src}", f"{gz_size}\t{tmp_path / 'gz'}",
                   f"{raw_size + gz_size}\ttotal"]
    lines = cli("du", "-h", src).stdout.splitlines()
    assert len(lines) == len(files)
    assert f"{human_size(len(files['d1/s1/f1.txt']))}\tfile://{src}/d1/s1/f1.txt" in lines


def test_ls_expressions_and_cat(tree):
    src, files = tree
    out = cli("ls", "-e", f"{src}/d[13]/s[0-2]/f[13]").stdout.split()
    prefixes = [f"d{d}/s{s}/f{f}" for d in "13" for s in "012" for f in "13"]
    expected = [f"file://{src}/{key}" for prefix in prefixes
                for key in sorted(k for k in files if k.startswith(prefix))]
    assert out == expected and len(out) == 10  # twelve prefixes, some match nothing
    assert cli("cat", src / "f0.txt", src / "d1/s1/f1.txt").stdout.encode() == \
        files["f0.txt"] + files["d1/s1/f1.txt"]


def test_rm_r_deletes_the_directory_and_its_key_but_not_lookalikes(tmp_path):
    for path in ["test/a", "test/sub/b", "test2/c", "testing", "test.gz"]:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(b"x")
    cli("rm", "-r", "test", cwd=tmp_path)  # a plain relative path is a local file path
    assert sorted(on_disk(tmp_path)) == ["test2/c", "testing"]
    assert (tmp_path / "test" / "sub").is_dir()  # directories stay, emptied, as in 3.1.1


def test_rm_of_a_directory_without_r_names_it_and_deletes_nothing(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "f").write_bytes(b"f")
    (tmp_path / "g").write_bytes(b"g")
    done = cli("rm", "g", "d", cwd=tmp_path)
    assert done.stdout == "cloudfiles: d: is a directory.\n" and done.stderr == ""
    assert sorted(on_disk(tmp_path)) == ["d/f", "g"]


def test_globs_reach_the_command_unexpanded_by_the_shell(tree, tmp_path):
    src, files = tree
    cli("cp", f"{src}/d1/s1/*", tmp_path / "flat")
    assert on_disk(tmp_path / "flat") == {k.split("/")[-1]: v for k, v in files.items()
                                          if k.startswith("d1/s1/")}
    cli("cp", f"{src}/**/f1*.txt", tmp_path / "deep")
    assert set(on_disk(tmp_path / "deep")) == {k for k in files
                                               if k.split("/")[-1].startswith("f1")}
    done = cli("ls", f"{src}/nothing*", code=1)
    assert done.stderr == f"cloudfiles: ls: {src}/nothing*: no matches found\n"


def test_cat_byte_range_and_h_for_help(tree):
    src, files = tree
    assert cli("cat", "-r", "5-12", src / "f0.txt").stdout.encode() == files["f0.txt"][5:12]
    assert cli("cp", "-h").stdout.startswith("Usage: cloudfiles cp")


def test_failures_exit_non_zero_after_copying_the_rest(tree, tmp_path):
    src, _ = tree
    done = cli("cp", src / "f0.txt", src / "missing.txt", src / "d0", src / "f5.txt",
               f"{tmp_path}/dest/", code=1)
    assert sorted(on_disk(tmp_path / "dest")) == ["f0.txt", "f5.txt"]
    assert done.stderr.splitlines() == [
        f"cloudfiles: cp: file://{src}/d0: is a directory (not copied; use -r to copy directories)",
        f"cloudfiles: cp: file://{src}/missing.txt: no such file",
        "cloudfiles: cp: 2 of 4 file(s) failed.",
    ]
    done = cli("ls", "nope://bucket/dir", code=1)
    assert done.stderr.count("\n") == 1 and "Unsupported protocol 'nope'" in done.stderr


def test_a_tree_through_s3_and_back(tree, tmp_path, moto_s3):
    src, files = tree
    remote = moto_s3.path()
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    cli("cp", "-r", "-c", "br", f"{src}/", f"{remote}/tree/", env=env)
    client = moto_s3.boto()
    key = remote.split(f"/{moto_s3.bucket}/", 1)[1] + "/tree/d1/s1/f1.txt"
    assert client.head_object(Bucket=moto_s3.bucket, Key=key)["ContentEncoding"] == "br"

    (tmp_path / "back").mkdir()  # an existing directory receives back/tree
    cli("-p", "2", "cp", "-r", f"{remote}/tree", f"{tmp_path}/back", env=env)
    assert set(on_disk(tmp_path / "back" / "tree")) == {k + ".br" for k in files}
    back = CloudFiles(f"file://{tmp_path}/back/tree")
    assert back.get(list(files), return_dict=True) == files

    cf = CloudFiles(remote)
    cf.puts([("test", b"1"), ("test2/x", b"2"), ("testing", b"3")])
    cli("rm", "-r", f"{remote}/test", f"{remote}/tree/d0", env=env)
    left = set(cf.list())
    assert {"test2/x", "testing"} <= left and "test" not in left
    assert not any(k.startswith("tree/d0/") for k in left)
    assert any(k.startswith("tree/d1/") for k in left)


def test_a_tree_through_gcs_and_back(tree, tmp_path, gcs_root):
    src, files = tree
    remote = gcs_root()  # gs://http://127.0.0.1:PORT/bucket/prefix on the emulator
    cli("cp", "-r", "-c", "gzip", f"{src}/", f"{remote}/tree/")
    cf = CloudFiles(remote)
    assert cf.head("tree/d1/s1/f1.txt")["Content-Encoding"] == "gzip"
    cf.puts([("test", b"1"), ("test2/x", b"2")])
    cli("cp", "-r", f"{remote}/tree/", f"{tmp_path}/back/")
    cli("rm", "-r", f"{remote}/test")
    assert set(on_disk(tmp_path / "back")) == {k + ".gz" for k in files}
    assert CloudFiles(f"file://{tmp_path}/back").get(list(files), return_dict=True) == files
    assert sorted(cf.list(prefix="test")) == ["test2/x"]


@pytest.fixture
def closed_port():
    """A 127.0.0.1 port nothing listens on (connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("path", ["http://127.0.0.1:{port}/dir/x",
                                  "s3://http://127.0.0.1:{port}/bucket/x"])
def test_a_refused_connection_warns_once_per_retry_and_fails_in_one_line(closed_port, path):
    path = path.format(port=closed_port)
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    loud = cli("--retries", "1", "cat", path, code=1, env=env).stderr.splitlines()
    assert len(loud) == 2
    assert loud[0].startswith("cloudfiles: warning: retry 1 of 1 in ")
    assert loud[1].startswith("cloudfiles: cat: ") and f"127.0.0.1:{closed_port}" in loud[1]
    assert "connect" in loud[1].lower()  # refused, in the words of either engine
    quiet = cli("-q", "--retries", "1", "cat", path, code=1, env=env).stderr.splitlines()
    assert quiet == loud[1:]
    started = time.monotonic()
    assert cli("--retries", "0", "cat", path, code=1, env=env).stderr.splitlines() == loud[1:]
    assert time.monotonic() - started < 3


def test_progress_totals_on_a_pipe(tree, tmp_path):
    src, files = tree
    names = [src / key for key in sorted(files) if "/" not in key]
    done = cli("cp", "--progress", *names, f"{tmp_path}/flat/")
    assert re.findall(r"Transferring:[^\r\n]*?(\d+/\d+)", done.stderr)[-1] == \
        f"{len(names)}/{len(names)}"
    done = cli("du", "-s", "--progress", src)
    assert re.findall(r"size:[^\r\n]*?(\d+/\d+)", done.stderr)[-1] == f"{len(files)}/{len(files)}"
    done = cli("mv", "--progress", f"{tmp_path}/flat", f"{tmp_path}/moved")
    assert re.findall(r"Deleting:[^\r\n]*?(\d+/\d+)", done.stderr)[-1] == \
        f"{len(names)}/{len(names)}"
