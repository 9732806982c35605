"""Retries are logged, bounded by retries= / $CLOUDFILES_RETRIES, and fail fast at 0."""
from __future__ import annotations

import logging
import socket
import time

import pytest

from cloudfiles import CloudFiles
from cloudfiles.exceptions import CloudFilesError as StorageError
from tests.engine_injection import opened_with


@pytest.fixture
def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_zero_retries_fail_at_once_naming_the_host(closed_port):
    started = time.monotonic()
    with pytest.raises(StorageError, match=f"127.0.0.1:{closed_port}"):
        CloudFiles(f"http://127.0.0.1:{closed_port}/dir", retries=0).get("x")
    assert time.monotonic() - started < 3


def test_each_retry_logs_one_warning(closed_port, caplog):
    caplog.set_level(logging.WARNING, logger="cloudfiles")
    with pytest.raises(StorageError):
        CloudFiles(f"http://127.0.0.1:{closed_port}/dir", retries=2).exists("x")
    warnings = [r for r in caplog.records if r.name == "cloudfiles"]
    assert [r.getMessage().split(" in ")[0] for r in warnings] == ["retry 1 of 2", "retry 2 of 2"]
    assert all(f"127.0.0.1:{closed_port}" in r.getMessage() for r in warnings)


def test_the_environment_sets_retries_and_timeouts(closed_port, caplog, monkeypatch):
    monkeypatch.setenv("CLOUDFILES_RETRIES", "1")
    monkeypatch.setenv("CLOUDFILES_CONNECT_TIMEOUT", "0.5")
    caplog.set_level(logging.WARNING, logger="cloudfiles")
    cf, _, settings = opened_with(monkeypatch, f"http://127.0.0.1:{closed_port}/dir")
    assert settings.connect_timeout == 0.5
    with pytest.raises(StorageError):
        cf.size("x")
    assert len([r for r in caplog.records if r.name == "cloudfiles"]) == 1


def test_bad_settings_are_named(monkeypatch):
    with pytest.raises(ValueError, match="retries"):
        CloudFiles("mem://b/x", retries=-1)
    monkeypatch.setenv("CLOUDFILES_RETRIES", "many")
    with pytest.raises(ValueError, match="CLOUDFILES_RETRIES"):
        CloudFiles("mem://b/x")
