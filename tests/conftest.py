"""Keeps every test away from the developer's own ~/.cloudfiles (aliases, locks); fixtures
every test may use."""
from __future__ import annotations

import importlib.util
import os
import tempfile

import pytest

from cloudfiles.adapters.secret_files import CLOUD_FILES_DIR_ENV
from tests.retries import retry_at_once

_HOME = tempfile.TemporaryDirectory(prefix="cloudfiles-tests-")

# Examples are judged on what they find, not how fast they run: on 2 shared cores a codec
# round trip can pass hypothesis' 200 ms deadline without anything being wrong. (The
# downstream venv runs without hypothesis.)
if importlib.util.find_spec("hypothesis") is not None:
    from hypothesis import settings

    settings.register_profile("cloudfiles", deadline=None)
    settings.load_profile("cloudfiles")


def pytest_configure(config) -> None:
    os.environ.setdefault(CLOUD_FILES_DIR_ENV, _HOME.name)

# The CloudVolume workflow runs where cloud-volume is installed over this package
# (tests/downstream/run does that in a venv of its own); elsewhere it is not collected.
collect_ignore = [] if importlib.util.find_spec("cloudvolume") else ["downstream"]


@pytest.fixture
def no_backoff(monkeypatch) -> None:
    """Retries follow at once, with the retry policy's bounds unchanged (see tests.retries)."""
    retry_at_once(monkeypatch)
