"""examples/quickstart.py runs to the end and leaves no file or folder behind."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

QUICKSTART = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "quickstart.py")


@pytest.mark.parametrize("given_directory", [False, True])
def test_quickstart_cleans_up_after_itself(tmp_path, given_directory):
    temp = tmp_path / "temp"
    temp.mkdir()
    args = [str(tmp_path / "temp")] if given_directory else []
    env = {**os.environ, "TMPDIR": str(temp)}  # where a temporary directory would go
    done = subprocess.run([sys.executable, QUICKSTART, *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "verified every byte" in done.stdout
    assert os.listdir(temp) == []
