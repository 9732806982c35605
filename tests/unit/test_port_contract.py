"""The Storage port contract (cloudfiles.testing.PortContract) on every adapter that runs
without a server: mem://, file://, the example plugin, and s3:// and gs:// on fake engines
(an in-memory S3 and GCS behind the Transport port)."""
from __future__ import annotations

import pytest

from cloudfiles.adapters.transport.mock import MockTransport
from cloudfiles.domain.objects import StorageConfig
from cloudfiles.testing import PortContract, open_storage, unique_prefix
from tests.unit.fake_gcs import FakeGcs
from tests.unit.fake_s3 import ENDPOINT, KEYS, FakeS3
from tests.unit.gcs_helpers import isolate_google_env, refuse_network, reset_google_state


class TestMemPort(PortContract):
    @pytest.fixture
    def new_storage(self):
        return lambda: open_storage(f"mem://port/{unique_prefix()}")


class TestFilePort(PortContract):
    @pytest.fixture
    def new_storage(self, tmp_path):
        return lambda: open_storage(f"file://{tmp_path / unique_prefix()}")


class TestPluginPort(PortContract):
    @pytest.fixture
    def new_storage(self):
        return lambda: open_storage(f"plug://port/{unique_prefix()}")


class TestS3PortOnAFakeEngine(PortContract):
    @pytest.fixture
    def new_storage(self, monkeypatch):
        refuse_network(monkeypatch)
        engine, config = FakeS3(), StorageConfig(secrets=KEYS)
        return lambda: open_storage(f"s3://{ENDPOINT}/bkt/{unique_prefix()}", engine, config)


class TestGcsPortOnAFakeEngine(PortContract):
    @pytest.fixture
    def new_storage(self, monkeypatch, tmp_path):
        isolate_google_env(monkeypatch, tmp_path)
        refuse_network(monkeypatch)
        engine = MockTransport(FakeGcs())
        yield lambda: open_storage(f"gs://bkt/{unique_prefix()}", engine)
        reset_google_state()
