"""The read-side contract on http (a loopback web server, with and without Range) and locally."""
from __future__ import annotations

import pytest

from cloudfiles import CloudFiles
from cloudfiles.testing import ReadableContract, unique_prefix
from tests.integration.fault_server import FaultServer, serve


def _publish_on(server: FaultServer):
    def publish(stored):
        root = unique_prefix()
        for key, (raw, encoding) in stored.items():
            server.files[f"{root}/{key}"] = raw
            if encoding:
                server.encodings[f"{root}/{key}"] = encoding
        return f"{server.url}/{root}"
    return publish


class TestHttpReadable(ReadableContract):
    @pytest.fixture
    def publish(self):
        with serve() as server:
            yield _publish_on(server)


class TestHttpIgnoringRangeReadable(ReadableContract):
    max_examples = 15

    @pytest.fixture
    def publish(self):
        with serve(FaultServer(honor_range=False)) as server:
            yield _publish_on(server)


def _publish_with_puts(base):
    def publish(stored):
        cf = CloudFiles(f"{base}/{unique_prefix()}")
        for key, (raw, encoding) in stored.items():
            cf.put(key, raw, compress=encoding, raw=True)
        return cf.cloudpath
    return publish


class TestMemReadable(ReadableContract):
    @pytest.fixture
    def publish(self):
        return _publish_with_puts("mem://readable")


class TestFileReadable(ReadableContract):
    @pytest.fixture
    def publish(self, tmp_path):
        return _publish_with_puts(f"file://{tmp_path}")
