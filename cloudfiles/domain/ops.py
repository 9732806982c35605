"""Sans-I/O operations: an adapter's plan of HTTP exchanges, driven by the app over an engine.

An operation is a generator. It yields what to send — one HttpRequest, or a tuple of them to
send concurrently — and receives the HttpResponse (or the tuple of responses, in order) as the
value of that yield. It returns its result, or raises a domain error from what it received.
It never sends anything itself, so the same plan runs on any engine, in a batch of thousands,
or against a fake engine in tests; and a retry is simply a new run of the same plan.

When a request gets no response (connection refused, reset, timed out), the error is thrown
into the operation at its yield: it may catch it (to try another way), or let it propagate and
the driver decides on a retry. In a tuple exchange the error stands in that request's place.

    def get_op(self, key):
        response = yield HttpRequest("GET", self.url(key))
        if response.status == 404:
            return None
        return StoredObject(response.content)
"""
from __future__ import annotations

from collections.abc import Generator
from typing import Any, TypeVar

from .ports import HttpRequest, HttpResponse

T = TypeVar("T")

#: What an operation yields: one request, or several to be sent at once.
Exchange = HttpRequest | tuple[HttpRequest, ...]
#: An operation returning T.
Op = Generator[Exchange, Any, T]


def finished(value: T) -> Op[T]:
    """An operation that needs no request: it returns value at once."""
    return value
    yield  # pragma: no cover - makes this function a generator


def no_request(function, *args: Any) -> Op[Any]:
    """An operation that runs a plain local function (no request) and returns its result."""
    return function(*args)
    yield  # pragma: no cover - makes this function a generator


def run_locally(op: Op[T], reply) -> T:
    """Drive op to its result with `reply(request) -> response` for each request it yields
    (tuples get a tuple of replies). For direct use, tests and fakes; no concurrency."""
    try:
        exchange = next(op)
        while True:
            if isinstance(exchange, tuple):
                exchange = op.send(tuple(_answer(reply, request) for request in exchange))
                continue
            try:
                response = reply(exchange)
            except Exception as error:  # noqa: BLE001 - thrown into the op, as drivers do
                exchange = op.throw(error)
            else:
                exchange = op.send(response)
    except StopIteration as stop:
        return stop.value


def _answer(reply, request: HttpRequest) -> Any:
    try:
        return reply(request)
    except Exception as error:  # noqa: BLE001 - stands in the request's place
        return error


__all__ = ["Exchange", "HttpRequest", "HttpResponse", "Op", "finished", "no_request",
           "run_locally"]
