"""The shared transport over a loopback server: pooled keep-alive, shared, timed out, green."""
from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from cloudfiles import CloudFiles
from cloudfiles.adapters.transport.requests_engine import shared_transport
from cloudfiles.domain.errors import TransientStorageError
from tests.engine_injection import opened_with
from tests.retries import retry_counter

from .fault_server import FaultServer, serve

FILES = {f"f{i:03d}": bytes([i % 256]) * (100 + i) for i in range(120)}


@pytest.fixture(autouse=True)
def requests_engine(monkeypatch):
    """These tests are about the requests/urllib3 engine's pools (curl's: test_curl_engine*)."""
    monkeypatch.setenv("CLOUDFILES_ENGINE", "requests")


@pytest.fixture
def server():
    with serve(FaultServer(files=dict(FILES))) as state:
        yield state


def test_two_cloudfiles_on_one_host_share_the_transport_and_its_pool(server, monkeypatch):
    first, transport, _ = opened_with(monkeypatch, server.url)
    second, other, _ = opened_with(monkeypatch, server.url + "/sub")
    assert other is transport
    assert transport.pool(server.url + "/a") is transport.pool(server.url + "/sub/b")
    assert first.get("f001") == FILES["f001"] and second.get("f002") is None  # sub/f002: 404
    assert first.get("f003") == FILES["f003"]
    assert server.connections == 1  # one keep-alive connection served all three requests


def test_pools_are_sized_to_the_thread_count(server, monkeypatch):
    _, transport, _ = opened_with(monkeypatch, server.url, num_threads=7)
    assert transport is shared_transport(7, 10.0, 60.0)
    assert transport.pool(server.url).pool.maxsize == 7
    assert opened_with(monkeypatch, server.url, num_threads=8)[1] is not transport


def test_a_threaded_batch_opens_no_more_connections_than_threads(server):
    cf = CloudFiles(server.url, num_threads=6)
    results = cf.get(list(FILES))
    assert {r["path"]: r["content"] for r in results} == FILES
    assert all(r["error"] is None for r in results)
    assert server.connections <= 6
    cf.exists(list(FILES))  # HEADs reuse the same connections too
    assert server.connections <= 6


def test_timeouts_reach_the_transport(server, monkeypatch):
    cf, transport, _ = opened_with(monkeypatch, server.url, connect_timeout=1.5,
                                   read_timeout=0.2, retries=0)
    assert transport.timeout == (1.5, 0.2)
    server.fault("f000", "hang", seconds=5)
    with pytest.raises(TransientStorageError, match="[Tt]imed out"):
        cf.get("f000")
    assert server.hits["f000"] == 1


def test_a_refused_connection_is_retryable_and_bounded(no_backoff, caplog):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    retries = retry_counter(caplog)
    result = CloudFiles(f"http://127.0.0.1:{port}").get(["a"], raise_errors=False)[0]
    assert isinstance(result["error"], TransientStorageError) and result["content"] is None
    assert retries() == 7


def test_green_batches_read_every_file(server):
    cf = CloudFiles(server.url, green=True, num_threads=5)
    results = cf.get(list(FILES)[:40])
    assert {r["path"]: r["content"] for r in results} == {k: FILES[k] for k in list(FILES)[:40]}


def test_forked_workers_get_their_own_connections(server):
    cf = CloudFiles(server.url, parallel=2)
    cf.get("f000")  # the parent holds a pooled connection the children must not share
    results = cf.get(list(FILES), parallel=2)
    assert {r["path"]: r["content"] for r in results} == FILES


GEVENT_SCRIPT = """
from gevent import monkey
monkey.patch_all()
import sys
from cloudfiles import CloudFiles
from cloudfiles.adapters.transport.requests_engine import shared_transport
from cloudfiles.entrypoints import wiring
url, count = sys.argv[1], int(sys.argv[2])
chosen, choose = [], wiring.transport_for
wiring.transport_for = lambda config: chosen.append(choose(config)) or chosen[-1]
cf = CloudFiles(url, green=True, num_threads=8)
results = cf.get([f"f{i:03d}" for i in range(count)], raise_errors=False)
assert all(r["error"] is None for r in results), [r["error"] for r in results if r["error"]]
sizes = sorted(len(r["content"]) for r in results)
assert sizes == [100 + i for i in range(count)], sizes
assert all(r["content"] == bytes([int(r["path"][1:]) % 256]) * len(r["content"])
           for r in results)
assert len(chosen) == 1 and chosen[0] is shared_transport(8, 10.0, 60.0)
print("green ok", len(results))
"""


def test_monkey_patched_gevent_batches_read_every_file(server):
    """In a child process, so the monkey-patching stays out of this one."""
    done = subprocess.run([sys.executable, "-c", GEVENT_SCRIPT, server.url, "120"],
                          check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "green ok 120" in done.stdout
    assert server.connections <= 8
