"""Left to choose (CLOUDFILES_ENGINE unset), GETs of a directory whose bodies were big go to
the requests engine's threads, small ones stay on libcurl; both deliver every byte."""
from __future__ import annotations

import random

import pytest

from cloudfiles import CloudFiles, reset_connection_pools

from .fault_server import FaultServer, serve

BIG = {f"data/big/{i}": random.Random(i).randbytes(2 * 1024 * 1024) for i in range(6)}
SMALL = {f"data/small/{i}": b"tiny %d" % i for i in range(6)}


@pytest.fixture
def server(monkeypatch):
    pytest.importorskip("pycurl")
    monkeypatch.delenv("CLOUDFILES_ENGINE", raising=False)
    reset_connection_pools()  # nothing learnt from earlier tests
    with serve(FaultServer(files={**BIG, **SMALL})) as state:
        yield state


def agents(server: FaultServer, directory: str) -> list[str]:
    return [headers.get("User-Agent", "").split("/")[0] for method, path, headers
            in server.requests if method == "GET" and path.startswith(directory)]


def test_big_bodies_move_to_threads_small_ones_stay_on_curl(server):
    big = CloudFiles(f"{server.url}/data/big")
    small = CloudFiles(f"{server.url}/data/small")
    keys = [str(i) for i in range(6)]
    for _ in range(2):
        assert big.get(keys, return_dict=True) == {k: BIG[f"data/big/{k}"] for k in keys}
        assert small.get(keys, return_dict=True) == {k: SMALL[f"data/small/{k}"] for k in keys}
    assert agents(server, "data/small") == ["PycURL"] * 12
    seen = agents(server, "data/big")
    assert seen[0] == "PycURL" and seen[-6:] == ["python-urllib3"] * 6
