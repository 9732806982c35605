"""Fixtures of the in-process CLI tests: `run` (click's CliRunner on `cloudfiles`) and `mem`.

Test modules load them with `pytest_plugins = ["tests.unit.cli_fixtures"]`.
"""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from cloudfiles.entrypoints.cli import main
from cloudfiles.testing import unique_prefix


@pytest.fixture
def run():
    """run(*args, input=None, code=0) -> click Result, after checking the exit code."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, code: int = 0):
        result = runner.invoke(main, list(args), input=input, catch_exceptions=False)
        assert result.exit_code == code, (result.stdout, result.stderr)
        return result
    return invoke


@pytest.fixture
def mem():
    """A fresh mem:// bucket path."""
    return f"mem://{unique_prefix()}"
