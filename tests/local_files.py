"""Local trees for tests: write {relative path: content} and read it back."""
from __future__ import annotations

import os


def write_files(root, files: dict[str, bytes]) -> None:
    """Write {relative path: content} under a local directory."""
    for key, content in files.items():
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_bytes(content)


def disk_files(root) -> dict[str, bytes]:
    """{relative path as stored on disk ('/'-separated): content} for every file under root."""
    found = {}
    for directory, _, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            with open(path, "rb") as handle:
                found[os.path.relpath(path, root).replace(os.sep, "/")] = handle.read()
    return found
