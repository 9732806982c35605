"""`cloudfiles sync` and `cloudfiles.entrypoints.comparing.sync` on file:// and mem://."""
from __future__ import annotations

import gzip
import os

import pytest

from cloudfiles import CloudFiles
from cloudfiles.app import transfer as transfer_module
from cloudfiles.entrypoints.comparing import NotComparableError, SourceNotFoundError, sync, verify
from tests.local_files import disk_files, write_files
from tests.unit.sync_trees import FILES, tree

pytest_plugins = ["tests.unit.cli_fixtures"]  # the `run` and `mem` fixtures


def contents(path: str) -> dict[str, bytes]:
    cf = CloudFiles(path)
    return cf.get(list(cf.list()), return_dict=True, raw=True)


@pytest.fixture
def copies(monkeypatch):
    """Every (source, dest) key the transfer service is asked to copy."""
    asked = []
    real = transfer_module.transfer

    def counting(source, dest, items, *args, **kwargs):
        items = list(items)
        asked.extend((item["path"], item["dest_path"]) for item in items)
        return real(source, dest, items, *args, **kwargs)

    monkeypatch.setattr("cloudfiles.app.sync.transfer", counting)
    return asked


@pytest.mark.parametrize(("src_kind", "dest_kind"),
                         [("file", "file"), ("file", "mem"), ("mem", "file"), ("mem", "mem")])
def test_sync_copies_everything_once_and_a_second_run_copies_nothing(
        run, tmp_path, mem, copies, src_kind, dest_kind):
    src = tree(src_kind, tmp_path, mem, "src")
    dest = tree(dest_kind, tmp_path, mem, "dest", {}) if dest_kind == "mem" \
        else str(tmp_path / "dest")
    report = sync(src, dest)
    assert report.copied == len(FILES) and report.ok
    assert contents(dest) == FILES
    assert verify(src, dest, md5=True).equal

    copies.clear()
    again = sync(src, dest)
    assert (again.copied, again.unchanged, copies) == (0, len(FILES), [])
    assert run("sync", src, dest).stdout == f"sync: copied 0, deleted 0, {len(FILES)} unchanged.\n"
    assert copies == []


def test_a_second_sync_writes_no_file(tmp_path, mem):
    src = tree("file", tmp_path, mem, "src")
    sync(src, str(tmp_path / "dest"))
    before = {path: os.stat(tmp_path / "dest" / path).st_mtime_ns for path in FILES}
    assert sync(src, str(tmp_path / "dest")).copied == 0
    assert {path: os.stat(tmp_path / "dest" / path).st_mtime_ns for path in FILES} == before


def test_a_change_of_the_same_size_is_found_by_checksum_not_by_size(run, tmp_path, mem, copies):
    src = tree("file", tmp_path, mem, "src")
    dest = tree("mem", tmp_path, mem, "dest")
    write_files(tmp_path / "src", {"a/b": b"IN A", "z": b"a longer last one"})
    report = sync(src, dest, size_only=True)
    assert [key for key, _ in copies] == ["z"] and report.unchanged == 4
    assert contents(dest)["a/b"] == b"in a"
    copies.clear()
    assert run("sync", src, dest).stdout == "sync: copied 1, deleted 0, 4 unchanged.\n"
    assert copies == [("a/b", "a/b")]
    assert contents(dest)["a/b"] == b"IN A"


def test_delete_removes_what_only_the_destination_has(run, tmp_path, mem):
    src = tree("mem", tmp_path, mem, "src")
    dest = tree("file", tmp_path, mem, "dest", {**FILES, "old/x": b"x", "zz": b"zz"})
    out = run("sync", src, dest).stdout
    assert out == (f"sync: copied 0, deleted 0, {len(FILES)} unchanged.\n"
                   f"sync: 2 file(s) only at file://{dest} left there (--delete removes them).\n")
    assert set(disk_files(tmp_path / "dest")) == set(FILES) | {"old/x", "zz"}
    out = run("sync", "--delete", src, dest).stdout
    assert out == f"sync: copied 0, deleted 2, {len(FILES)} unchanged.\n"
    assert disk_files(tmp_path / "dest") == FILES


def test_dry_run_prints_the_plan_and_changes_nothing(run, tmp_path, mem):
    src = tree("mem", tmp_path, mem, "src")
    dest = tree("mem", tmp_path, mem, "dest",
                {"a/b": b"IN A", "a.txt": b"alpha", "extra": b"e"})
    out = run("sync", "--dry-run", "--delete", src, dest).stdout
    assert out == ("would copy: a/b (different)\nwould copy: a/c/d.bin (missing)\n"
                   "would copy: a-1 (missing)\nwould copy: z (missing)\n"
                   "would delete: extra\n"
                   "sync (dry run): 4 to copy, 1 to delete, 1 unchanged.\n")
    assert contents(dest) == {"a/b": b"IN A", "a.txt": b"alpha", "extra": b"e"}
    report = sync(src, dest, delete=True, dry_run=True)
    assert report.dry_run and report.plan.deletes == ("extra",) and report.copied == 0


def test_stored_encodings_are_kept(tmp_path, mem):
    packed = gzip.compress(b"content " * 50, mtime=0)
    write_files(tmp_path / "src", {"x.gz": packed})
    write_files(tmp_path / "dest", {"x": b"content " * 50})  # the same, stored plain
    sync(str(tmp_path / "src"), str(tmp_path / "dest"))
    assert disk_files(tmp_path / "dest") == {"x.gz": packed}  # the plain twin replaced
    sync(str(tmp_path / "src"), f"{mem}/m")
    assert CloudFiles(f"{mem}/m").head("x")["Content-Encoding"] == "gzip"
    assert CloudFiles(f"{mem}/m").get("x") == b"content " * 50
    assert sync(f"{mem}/m", str(tmp_path / "src")).copied == 0


def test_one_file_syncs_to_another_name(run, tmp_path, mem, copies):
    write_files(tmp_path, {"one": b"1"})
    assert run("sync", str(tmp_path / "one"), f"{mem}/copy").stdout == \
        "sync: copied 1, deleted 0, 0 unchanged.\n"
    assert copies == [("one", "copy")]
    assert CloudFiles(mem).get("copy") == b"1"
    assert sync(str(tmp_path / "one"), f"{mem}/copy").copied == 0


def test_bad_pairs_are_refused_clearly(run, tmp_path, mem):
    src = tree("file", tmp_path, mem, "src")
    with pytest.raises(NotComparableError, match="one directory holds the other"):
        sync(src, f"{src}/a")
    assert "one directory holds the other" in run("sync", "--delete", f"{src}/a", src,
                                                  code=1).stderr
    assert "is a file and" in run("sync", f"{src}/z", src, code=1).stderr
    with pytest.raises(SourceNotFoundError):
        sync(f"{mem}/nothing", f"{mem}/else")
    assert sync(src, src).copied == 0  # the same tree: nothing to do


def test_files_that_cannot_be_copied_are_named_and_exit_non_zero(run, tmp_path, mem):
    src = tree("mem", tmp_path, mem, "src")
    dest = tree("file", tmp_path, mem, "dest", {"z/in-the-way": b"a directory named z"})
    result = run("sync", src, dest, code=1)
    assert f"cloudfiles: sync: {src}/z: " in result.stderr
    assert "sync: 1 of 5 file(s) failed." in result.stderr
    assert "sync: copied 4" in result.stdout
    assert {key: value for key, value in disk_files(tmp_path / "dest").items()
            if key != "z/in-the-way"} == {k: v for k, v in FILES.items() if k != "z"}


def test_sync_prints_the_summary_and_draws_the_plot(run, tmp_path):
    write_files(tmp_path / "src", FILES)
    plot = tmp_path / "sync.png"
    result = run("sync", "--summary", "--plot", str(plot), str(tmp_path / "src"),
                 str(tmp_path / "dest"))
    assert result.stderr.startswith(f"cloudfiles: sync: {len(FILES)} files, ")
    assert result.stderr.rstrip().endswith(" 0 errors")
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert disk_files(tmp_path / "dest") == FILES
