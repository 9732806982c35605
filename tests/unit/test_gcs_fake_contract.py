"""The storage contract on gs:// through CloudFiles, with a fake engine in place of the
network: the composition root hands GcsStorage a transport answered by an in-memory GCS."""
from __future__ import annotations

import pytest

from cloudfiles.adapters.transport.mock import MockTransport
from cloudfiles.testing import StorageContract, unique_prefix
from tests.engine_injection import serve_every_cloudfiles_with
from tests.unit.fake_gcs import FakeGcs
from tests.unit.gcs_helpers import isolate_google_env, refuse_network, reset_google_state


class TestGcsOnAFakeEngine(StorageContract):
    @pytest.fixture
    def new_cloudpath(self, monkeypatch, tmp_path):
        isolate_google_env(monkeypatch, tmp_path)
        refuse_network(monkeypatch)
        serve_every_cloudfiles_with(monkeypatch, MockTransport(FakeGcs()))
        yield lambda: f"gs://bkt/{unique_prefix()}"
        reset_google_state()
