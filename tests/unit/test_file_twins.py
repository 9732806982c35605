"""file:// twins: one key stored as 'x' and 'x.gz' (or .br/.zstd/.bz2/.xz) by another tool.

Listing gives the key once; get, head, size, transfer and the CLI read the newest form and
warn once, naming every form.
"""
from __future__ import annotations

import gzip
import lzma
import os
import warnings

import pytest

from cloudfiles import CloudFiles
from cloudfiles.domain.twins import TwinFilesWarning, newest_form

pytest_plugins = ["tests.unit.cli_fixtures"]

SECOND = 1_000_000_000  # ns


def write(path, content: bytes, age: int) -> None:
    """Write a file directly (as another tool would), modified `age` seconds ago."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    modified = 1_700_000_000 * SECOND - age * SECOND
    os.utime(path, ns=(modified, modified))


@pytest.fixture
def twins(tmp_path):
    """src/ holding x (plain, older), x.gz (newer), an ordinary y and d/z with z.xz (newer)."""
    src = tmp_path / "src"
    write(src / "x", b"old plain", age=20)
    write(src / "x.gz", gzip.compress(b"new gzip"), age=10)
    write(src / "y", b"only one form", age=30)
    write(src / "d" / "z", b"old z", age=50)
    write(src / "d" / "z.xz", lzma.compress(b"new z"), age=5)
    return src


def twin_warnings(caught) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, TwinFilesWarning)]


def test_list_gives_each_key_once(twins):
    cf = CloudFiles(f"file://{twins}")
    assert sorted(cf.list()) == ["d/z", "x", "y"]
    assert sorted(cf.list(flat=True)) == ["x", "y"]
    assert sorted(cf.list("d/", flat=True)) == ["d/z"]
    assert sorted(cf.list(flat=True, dirs=True)) == ["d/", "x", "y"]
    with pytest.warns(TwinFilesWarning):  # sizes are those of the forms a get reads
        assert sorted(cf.list(size=True)) == [
            ("d/z", os.path.getsize(twins / "d" / "z.xz")),
            ("x", os.path.getsize(twins / "x.gz")), ("y", 13)]


def test_get_reads_the_newest_form_and_warns_once_naming_both(twins):
    cf = CloudFiles(f"file://{twins}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")  # Python's own default: each message once
        assert cf.get("x") == b"new gzip"
        assert cf.get("x") == b"new gzip"
        assert cf.get("y") == b"only one form"
    [message] = twin_warnings(caught)
    assert f"{twins}/x.gz" in message and f"{twins}/x," not in message
    assert message.endswith(f"read the newest, {twins}/x.gz, and ignored {twins}/x. "
                            "Delete the form you do not want (writing the key through "
                            "cloudfiles also replaces every form).")


def test_the_plain_form_is_read_when_it_is_the_newer(tmp_path):
    write(tmp_path / "x.gz", gzip.compress(b"old gzip"), age=10)
    write(tmp_path / "x", b"new plain", age=1)
    cf = CloudFiles(f"file://{tmp_path}")
    with pytest.warns(TwinFilesWarning, match=r"read the newest, .*/x, and ignored .*/x\.gz"):
        assert cf.get("x") == b"new plain"
    with pytest.warns(TwinFilesWarning):
        assert cf["x", 4:7] == b"pla"  # ranges read the same form


def test_three_forms_are_all_named(tmp_path):
    write(tmp_path / "k", b"plain", age=30)
    write(tmp_path / "k.gz", gzip.compress(b"gzip"), age=20)
    write(tmp_path / "k.xz", lzma.compress(b"xz"), age=1)
    cf = CloudFiles(f"file://{tmp_path}")
    with pytest.warns(TwinFilesWarning, match="stored in 3 forms") as caught:
        assert cf.get("k") == b"xz"
    message = twin_warnings(caught)[0]
    assert all(f"{tmp_path}/{name}" in message for name in ("k", "k.gz", "k.xz"))
    assert list(cf.list()) == ["k"]


def test_head_size_and_batches_agree_with_get(twins):
    cf = CloudFiles(f"file://{twins}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinFilesWarning)  # warning: test_get_reads_the_newest
        head = cf.head("x")
        assert head["Content-Encoding"] == "gzip"
        assert head["Content-Length"] == cf.size("x") == os.path.getsize(twins / "x.gz")
        assert cf.get(["x", "d/z"], return_dict=True) == {"x": b"new gzip", "d/z": b"new z"}
        assert cf.get("x", raw=True) == (twins / "x.gz").read_bytes()
    with pytest.warns(TwinFilesWarning, match=r"'x' .* read the newest, .*/x\.gz"):
        cf.head("x")
    assert cf.exists("x") and cf.exists(["x", "d/z"]) == {"x": True, "d/z": True}


def test_transfer_copies_what_get_reads_and_warns(twins, tmp_path):
    with pytest.warns(TwinFilesWarning) as caught:
        assert CloudFiles(f"file://{twins}").transfer_to(f"file://{tmp_path}/out") == 3
    assert {message.split("'")[1] for message in twin_warnings(caught)} == {"x", "d/z"}
    out = tmp_path / "out"
    assert sorted(os.listdir(out)) == ["d", "x.gz", "y"] and os.listdir(out / "d") == ["z.xz"]
    copy = CloudFiles(f"file://{out}")
    assert copy.get(["x", "y", "d/z"], return_dict=True) == {
        "x": b"new gzip", "y": b"only one form", "d/z": b"new z"}


def test_a_directory_beside_a_form_is_no_twin(tmp_path):
    write(tmp_path / "x" / "inner", b"in the directory", age=1)
    write(tmp_path / "x.gz", gzip.compress(b"the file"), age=5)
    cf = CloudFiles(f"file://{tmp_path}")
    with warnings.catch_warnings():
        warnings.simplefilter("error", TwinFilesWarning)
        assert cf.get("x") == b"the file" and cf.size("x") > 0
        assert sorted(cf.list()) == ["x", "x/inner"]


def test_delete_removes_every_form_and_put_replaces_them(twins):
    cf = CloudFiles(f"file://{twins}")
    cf.put("d/z", b"written by cloudfiles")
    assert sorted(os.listdir(twins / "d")) == ["z"]
    cf.delete("x")
    assert sorted(os.listdir(twins)) == ["d", "y"]


def test_cli_ls_once_cp_r_copies_the_newest_and_warns_on_stderr(run, twins, tmp_path):
    listed = run("ls", f"{twins}/").stdout.split()
    assert listed == [f"file://{twins}/{key}" for key in ("d/z", "x", "y")]
    result = run("cp", "-r", str(twins), str(tmp_path / "copy"))
    warned = result.stderr.splitlines()
    assert len(warned) == 2 and all(line.startswith("cloudfiles: warning: file:// key ")
                                    for line in warned)
    assert f"{twins}/x.gz" in result.stderr and f"{twins}/d/z.xz" in result.stderr
    assert sorted(os.listdir(tmp_path / "copy")) == ["d", "x.gz", "y"]
    assert run("-q", "cat", f"{twins}/x").stderr == ""


def test_newest_form_breaks_ties_by_order():
    assert newest_form([("x", 5), ("x.gz", 9), ("x.br", 9)]) == "x.gz"
    with pytest.raises(ValueError):
        newest_form([])
