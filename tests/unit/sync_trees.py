"""Trees of files for the verify and sync tests, on file:// or mem://."""
from __future__ import annotations

from cloudfiles import CloudFiles
from tests.local_files import write_files

#: A small tree whose keys sort differently by whole key and by tree order.
FILES = {
    "a.txt": b"alpha",
    "a/b": b"in a",
    "a/c/d.bin": bytes(range(256)) * 3,
    "a-1": b"",
    "z": b"last one",
}


def tree(kind: str, tmp_path, mem: str, name: str, files: dict[str, bytes] = FILES) -> str:
    """The files at a fresh path: a directory below tmp_path ('file') or below the mem://
    bucket `mem` ('mem'; {} makes nothing there)."""
    if kind == "file":
        root = tmp_path / name
        root.mkdir()
        write_files(root, files)
        return str(root)
    path = f"{mem}/{name}"
    if files:
        CloudFiles(path).puts(list(files.items()), compress=None)
    return path
