"""A private alias directory for tests: never the real ~/.cloudfiles."""
from __future__ import annotations

import pytest

from cloudfiles.adapters.secret_files import CLOUD_FILES_DIR_ENV
from cloudfiles.entrypoints import aliases


@pytest.fixture
def alias_dir(tmp_path, monkeypatch):
    """$CLOUD_FILES_DIR in a temporary directory, with the process aliases reset around the test."""
    directory = tmp_path / "cloudfiles-dir"
    monkeypatch.setenv(CLOUD_FILES_DIR_ENV, str(directory))
    aliases.reset_aliases()
    yield directory
    aliases.reset_aliases()
