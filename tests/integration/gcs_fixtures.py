"""Fixtures: an in-process gcp-storage-emulator on 127.0.0.1 (free port), stopped after.

The emulator's own server is single-threaded with a listen backlog of 5; it is served here
by the same handler on an HTTPServer with a deeper backlog, so 20 client threads queue
instead of being refused. Two emulator internals are adjusted for speed and fidelity:
its in-memory store refuses names with a '..' segment (GCS accepts them), and it rewrites
a JSON dump of all metadata on every write.
"""
from __future__ import annotations

import http.server
import threading
from functools import partial

import pytest
from gcp_storage_emulator import storage as emulator_storage
from gcp_storage_emulator.handlers.buckets import create_bucket
from gcp_storage_emulator.server import RequestHandler

from tests.unit.gcs_helpers import isolate_google_env, reset_google_state

__all__ = ["gcs_emulator", "gcs_env", "gcs_root"]

GCS_BUCKET = "cf-test"


class _QueuedServer(http.server.HTTPServer):
    request_queue_size = 256


def _lenient_norm(path: str) -> str:
    path = path.replace("\\", "/").strip("/")
    return "/".join(part for part in path.split("/") if part and part != ".")


class GcsEmulator:
    """A running emulator: `endpoint` (http://127.0.0.1:PORT), `storage`, `create_bucket`."""

    def __init__(self) -> None:
        self.storage = emulator_storage.Storage(use_memory_fs=True)
        self.storage._write_config_to_file = lambda: None  # in memory: nothing to persist
        self._httpd = _QueuedServer(("127.0.0.1", 0), partial(RequestHandler, self.storage))
        self.endpoint = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True,
                                        name="gcs-emulator")

    def start(self) -> GcsEmulator:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def create_bucket(self, name: str) -> str:
        create_bucket(name, self.storage)
        return name

    def path(self, bucket: str, prefix: str = "") -> str:
        """gs:// path addressing this emulator through the path's host part."""
        return f"gs://{self.endpoint}/{bucket}/{prefix}".rstrip("/")


@pytest.fixture(scope="session")
def gcs_emulator():
    """A started emulator holding bucket GCS_BUCKET."""
    original = emulator_storage._FileStore._norm
    emulator_storage._FileStore._norm = staticmethod(_lenient_norm)
    emulator = GcsEmulator().start()
    emulator.create_bucket(GCS_BUCKET)
    try:
        yield emulator
    finally:
        emulator.stop()
        emulator_storage._FileStore._norm = original


@pytest.fixture
def gcs_env(monkeypatch, tmp_path):
    """No ambient Google credentials: an empty secrets dir, no ADC, no emulator variable."""
    yield isolate_google_env(monkeypatch, tmp_path)
    reset_google_state()


@pytest.fixture
def gcs_root(gcs_emulator, gcs_env):
    """A function giving a fresh gs:// path on the emulator per call."""
    import uuid

    return lambda: gcs_emulator.path(GCS_BUCKET, f"t{uuid.uuid4().hex[:12]}")
