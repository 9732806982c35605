"""Size routing: GETs of directories whose bodies lately were big go to the threaded engine,
everything else to the default one; what is learnt comes from the answers themselves."""
from __future__ import annotations

from cloudfiles.adapters.transport.mock import MockTransport
from cloudfiles.adapters.transport.size_routing import BIG_BODY, SizeRoutedTransport
from cloudfiles.adapters.transport.thread_batch import ThreadBatch
from cloudfiles.domain.ports import HttpRequest, HttpResponse

BIG = b"x" * BIG_BODY


def answer(request: HttpRequest) -> HttpResponse:
    body = BIG if "/big/" in request.url else b"small"
    if request.method == "HEAD":
        body = b""
    return HttpResponse(200, {"Content-Length": str(len(body))}, body)


class Threaded(MockTransport):
    def batch(self, concurrency: int) -> ThreadBatch:
        return ThreadBatch(self, concurrency)


def routed() -> tuple[SizeRoutedTransport, MockTransport, MockTransport]:
    engine, threaded = Threaded(answer), Threaded(answer)
    return SizeRoutedTransport(engine, threaded), engine, threaded


def get(url: str) -> HttpRequest:
    return HttpRequest("GET", url)


def test_a_directory_of_big_bodies_moves_to_threads_after_its_first_answer():
    transport, engine, threaded = routed()
    transport.send(get("http://h/big/1"))
    transport.send(get("http://h/big/2"))
    transport.send(get("http://h/small/1"))
    transport.send(get("http://h/small/2"))
    assert [r.url for r in engine.requests] == ["http://h/big/1", "http://h/small/1",
                                                "http://h/small/2"]
    assert [r.url for r in threaded.requests] == ["http://h/big/2"]


def test_only_gets_are_routed_and_other_hosts_are_their_own():
    transport, engine, threaded = routed()
    transport.send(get("http://h/big/1"))
    transport.send(HttpRequest("PUT", "http://h/big/3", body=BIG))
    transport.send(HttpRequest("HEAD", "http://h/big/4"))
    transport.send(get("http://other/big/1?x=1"))
    assert threaded.requests == []
    assert len(engine.requests) == 4


def test_a_batch_learns_as_it_goes_and_hands_back_every_answer_with_its_tag():
    transport, engine, threaded = routed()
    batch = transport.batch(4)
    batch.submit("first", get("http://h/big/0"))
    found = {}
    while batch.in_flight:
        for tag, response in batch.collect(1.0):
            found[tag] = response
    for i in range(1, 6):
        batch.submit(i, get(f"http://h/big/{i}"))
        batch.submit(f"s{i}", get(f"http://h/small/{i}"))
    while batch.in_flight:
        for tag, response in batch.collect(1.0):
            found[tag] = response
    batch.close()
    assert sorted(map(str, found)) == sorted(["first", *map(str, range(1, 6)),
                                              *(f"s{i}" for i in range(1, 6))])
    assert all(found[i].content == BIG for i in range(1, 6))
    assert {r.url for r in threaded.requests} == {f"http://h/big/{i}" for i in range(1, 6)}
    assert "http://h/big/0" in {r.url for r in engine.requests}


def test_failures_teach_nothing_and_pass_through():
    def failing(request):
        return HttpResponse(500, {"Content-Length": str(BIG_BODY)}, BIG)
    engine, threaded = Threaded(failing), Threaded(failing)
    transport = SizeRoutedTransport(engine, threaded)
    assert transport.send(get("http://h/big/1")).status == 500
    transport.send(get("http://h/big/2"))
    assert threaded.requests == []
