"""The storage contract on gs:// through CloudFiles, with a fake engine in place of the
network: the composition root hands GcsStorage a transport answered by an in-memory GCS."""
from __future__ import annotations

import pytest

from cloudfiles.adapters.transport.mock import MockTransport
from cloudfiles.entrypoints import wiring
from tests.contract.storage_contract import StorageContract, unique_prefix
from tests.unit.fake_gcs import FakeGcs
from tests.unit.gcs_helpers import isolate_google_env, refuse_network, reset_google_state


class TestGcsOnAFakeEngine(StorageContract):
    @pytest.fixture
    def new_cloudpath(self, monkeypatch, tmp_path):
        isolate_google_env(monkeypatch, tmp_path)
        refuse_network(monkeypatch)
        engine = MockTransport(FakeGcs())
        monkeypatch.setattr(wiring, "transport_for", lambda config: engine)
        yield lambda: f"gs://bkt/{unique_prefix()}"
        reset_google_state()
