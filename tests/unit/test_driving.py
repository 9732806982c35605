"""The engine driver: operations run to their results, in batches, with the one retry rule."""
from __future__ import annotations

import random

import pytest

from cloudfiles.adapters.transport.mock import MockTransport
from cloudfiles.app import driving
from cloudfiles.app.retrying import Retrier
from cloudfiles.domain.errors import StorageError, TransientStorageError
from cloudfiles.domain.ports import Batch, HttpRequest, HttpResponse
from cloudfiles.domain.retry import RetryPolicy

NO_WAIT = Retrier(sleep=lambda seconds: None)


def echo(request: HttpRequest) -> HttpResponse:
    return HttpResponse(200, {}, request.url.encode())


def fetch(key: str):
    """An operation of two exchanges: one request, then two at once."""
    first = yield HttpRequest("GET", f"http://x/{key}")
    both = yield (HttpRequest("GET", f"http://x/{key}/a"), HttpRequest("GET", f"http://x/{key}/b"))
    return first.content + b"|" + b"|".join(r.content for r in both)


class ShuffledTransport(MockTransport):
    """Answers batches out of order, a few at a time, and counts what was in flight."""

    def __init__(self, handler):
        super().__init__(handler)
        self.most_in_flight = 0

    def batch(self, concurrency: int) -> Batch:
        transport = self

        class Shuffled(Batch):
            def __init__(self):
                self.queue = []

            def submit(self, tag, request):
                self.queue.append((tag, request))
                transport.most_in_flight = max(transport.most_in_flight, len(self.queue))

            def collect(self, timeout=None):
                random.shuffle(self.queue)
                done, self.queue = self.queue[:3], self.queue[3:]
                return [(tag, _answer(transport, request)) for tag, request in done]

            @property
            def in_flight(self):
                return len(self.queue)

        return Shuffled()


def _answer(transport, request):
    try:
        return transport.send(request)
    except Exception as error:  # noqa: BLE001 - as engines hand errors back
        return error


def test_run_drives_sequential_and_parallel_exchanges():
    transport = MockTransport(echo)
    assert driving.run(transport, lambda: fetch("k"), NO_WAIT) == \
        b"http://x/k|http://x/k/a|http://x/k/b"
    assert len(transport.requests) == 3


def test_a_failed_attempt_runs_a_fresh_operation_until_the_policy_gives_up():
    failures = {"count": 2}

    def flaky(request):
        if failures["count"]:
            failures["count"] -= 1
            raise TransientStorageError("reset")
        return echo(request)

    sleeps = []
    retrier = Retrier(sleep=sleeps.append)
    assert driving.run(MockTransport(flaky), lambda: fetch("k"), retrier).startswith(b"http")
    assert len(sleeps) == 2
    with pytest.raises(TransientStorageError):
        driving.run(MockTransport(lambda r: (_ for _ in ()).throw(TransientStorageError("x"))),
                    lambda: fetch("k"), Retrier(RetryPolicy(total=1), sleep=sleeps.append))
    with pytest.raises(StorageError, match="final"):  # not retryable: at once
        driving.run(MockTransport(lambda r: (_ for _ in ()).throw(StorageError("final"))),
                    lambda: fetch("k"), NO_WAIT)


def test_an_operation_may_catch_a_lost_response():
    def resilient():
        try:
            yield HttpRequest("GET", "http://x/lost")
        except TransientStorageError:
            again = yield HttpRequest("GET", "http://x/other")
            return again.content
        return b"unreachable"

    def lose(request):
        if request.url.endswith("lost"):
            raise TransientStorageError("reset")
        return echo(request)

    assert driving.run(MockTransport(lose), resilient, NO_WAIT) == b"http://x/other"
    [(_, result, error)] = driving.run_many(MockTransport(lose), [0], lambda _: resilient(),
                                            NO_WAIT, concurrency=2)
    assert (result, error) == (b"http://x/other", None)


def test_run_many_returns_every_result_with_bounded_operations_in_flight():
    transport = ShuffledTransport(echo)
    keys = [f"k{i}" for i in range(200)]
    outcomes = list(driving.run_many(transport, iter(keys), fetch, NO_WAIT, concurrency=5,
                                     max_in_flight=10))
    assert sorted(item for item, _, _ in outcomes) == sorted(keys)
    assert all(result == f"http://x/{k}|http://x/{k}/a|http://x/{k}/b".encode()
               for k, result, error in outcomes if error is None)
    assert all(error is None for _, _, error in outcomes)
    assert transport.most_in_flight <= 20  # 10 operations, at most 2 requests each


def test_run_many_retries_each_item_on_its_own_and_reports_the_rest():
    attempts: dict[str, int] = {}

    def handler(request):
        key = request.url.split("/")[3]
        attempts[key] = attempts.get(key, 0) + 1
        if key.startswith("flaky") and attempts[key] <= 2:
            return HttpResponse(503)
        if key.startswith("broken"):
            raise StorageError(f"{key} refused")
        return echo(request)

    def get(key):
        response = yield HttpRequest("GET", f"http://x/{key}")
        if response.status == 503:
            raise TransientStorageError("busy")
        return response.content

    def make_op(item):
        if not isinstance(item, str):
            raise TypeError(f"not a key: {item!r}")
        return get(item)

    items = ["ok1", "flaky1", "broken1", 42, "ok2", "flaky2"]
    outcomes = {repr(i): (r, e) for i, r, e in driving.run_many(
        ShuffledTransport(handler), items, make_op, NO_WAIT, concurrency=3)}
    assert outcomes["'ok1'"] == (b"http://x/ok1", None)
    assert outcomes["'flaky2'"][0] == b"http://x/flaky2" and attempts["flaky2"] == 3
    assert isinstance(outcomes["'broken1'"][1], StorageError) and attempts["broken1"] == 1
    assert isinstance(outcomes["42"][1], TypeError)
