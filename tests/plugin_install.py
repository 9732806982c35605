"""Installing a plugin for one test the way users install one: a distribution on sys.path
declaring an entry point in the `cloudfiles.adapters` group. Undone with the monkeypatch."""
from __future__ import annotations

from pathlib import Path

from cloudfiles.entrypoints.registry import GROUP


def install_plugin(monkeypatch, root: Path, name: str, entry_point: str) -> None:
    """Make distribution `name` (its metadata written under root) declare `entry_point`,
    e.g. 'proto = package.module:StorageClass', for the rest of this test."""
    dist = root / f"{name}-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[{GROUP}]\n{entry_point}\n")
    monkeypatch.syspath_prepend(str(root))
