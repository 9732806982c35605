"""Drives sans-I/O operations (domain.ops) over a transport, with the one retry decision.

`run` drives one operation to its result. `run_many` keeps up to `max_in_flight` operations
going at once in a single thread: it submits what each yields to one engine batch, feeds each
response back as it arrives, and schedules a failed operation's next attempt after its backoff
without blocking the others. Results come back as they finish, lazily, so a batch of millions
of keys holds only what is in flight.
"""
from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from attrs import define, field

from ..domain.ops import Op
from ..domain.ports import HttpRequest, Transport
from ..domain.retry import RetryPolicy
from .retrying import Retrier

T = TypeVar("T")
Item = TypeVar("Item")


def run(transport: Transport, make_op: Callable[[], Op[T]], retrier: Retrier) -> T:
    """make_op()'s result, each request sent in turn; a failed attempt runs a new op."""
    policy = retrier.policy
    while True:
        try:
            return _run_once(transport, make_op())
        except Exception as error:  # noqa: BLE001 - after_failure re-raises what is final
            policy, wait = retrier.after_failure(policy, error)
            retrier.sleep(wait)


def _run_once(transport: Transport, op: Op[T]) -> T:
    try:
        exchange = next(op)
        while True:
            if isinstance(exchange, tuple):
                exchange = op.send(_send_together(transport, exchange))
                continue
            try:
                response = transport.send(exchange)
            except Exception as error:  # noqa: BLE001 - the op may handle it; else it fails
                exchange = op.throw(error)
            else:
                exchange = op.send(response)
    except StopIteration as stop:
        return stop.value
    finally:
        op.close()


def _send_together(transport: Transport, requests: tuple[HttpRequest, ...]) -> tuple:
    """Answers to requests sent at once, in their order: a response, or the exception that
    kept that request from having one (the op decides what to do about it)."""
    batch = transport.batch(len(requests))
    try:
        for index, request in enumerate(requests):
            batch.submit(index, request)
        answers: dict[int, Any] = {}
        while batch.in_flight:
            answers.update(batch.collect())
        return tuple(answers[index] for index in range(len(requests)))
    finally:
        batch.close()


@define
class _Running:
    """One item's operation in flight: its current attempt and what it waits for."""

    item: Any
    op: Op[Any]
    policy: RetryPolicy
    waiting: int = 0  # responses still expected for the current exchange
    answers: list = field(factory=list)
    single: bool = True  # the exchange was one request, not a tuple


def run_many(transport: Transport, items: Iterable[Item], make_op: Callable[[Item], Op[T]],
             retrier: Retrier, concurrency: int,
             max_in_flight: int | None = None) -> Iterator[tuple[Item, T | None, Exception | None]]:
    """(item, result, error) for each item, as operations finish; errors are the ones left
    after retries (or not worth retrying). At most max_in_flight operations are open at once
    (default 4 x concurrency) and at most `concurrency` requests on the wire."""
    limit = max(1, max_in_flight or 4 * concurrency)
    source = iter(items)
    batch = transport.batch(max(1, concurrency))
    running: dict[int, _Running] = {}
    delayed: list[tuple[float, int, _Running]] = []  # (when, id, run) for retries
    ids = itertools.count()
    exhausted = False

    def start(run: _Running) -> tuple | None:
        """Advance a fresh op to its first exchange; a finished op's outcome otherwise."""
        return advance(run, lambda: next(run.op))

    def advance(run: _Running, step: Callable[[], Any]) -> tuple | None:
        try:
            exchange = step()
        except StopIteration as stop:
            return run.item, stop.value, None
        except Exception as error:  # noqa: BLE001 - retried or reported per item
            return fail(run, error)
        key = next(ids)
        running[key] = run
        run.single = not isinstance(exchange, tuple)
        requests = (exchange,) if run.single else exchange
        run.waiting, run.answers = len(requests), [None] * len(requests)
        for index, request in enumerate(requests):
            batch.submit((key, index), request)
        if not requests:  # an empty tuple: answer at once
            running.pop(key)
            return advance(run, lambda: run.op.send(()))
        return None

    def fail(run: _Running, error: Exception) -> tuple | None:
        run.op.close()
        try:
            run.policy, wait = retrier.after_failure(run.policy, error)
        except Exception as final:  # noqa: BLE001 - reported with its item
            return run.item, None, final
        fresh = _Running(run.item, make_op(run.item), run.policy)
        heapq.heappush(delayed, (time.monotonic() + retrier.delay(wait), next(ids), fresh))
        return None

    try:
        while True:
            while not exhausted and len(running) + len(delayed) < limit:
                item = next(source, _END)
                if item is _END:
                    exhausted = True
                    break
                try:
                    op = make_op(item)
                except Exception as error:  # noqa: BLE001 - a bad item is its own error
                    yield item, None, error
                    continue
                outcome = start(_Running(item, op, retrier.policy))
                if outcome is not None:
                    yield outcome
            now = time.monotonic()
            while delayed and delayed[0][0] <= now:
                outcome = start(heapq.heappop(delayed)[2])
                if outcome is not None:
                    yield outcome
            if not running and not delayed:
                if exhausted:
                    return
                continue
            timeout = max(0.0, delayed[0][0] - time.monotonic()) if delayed else None
            if not batch.in_flight:
                time.sleep(timeout or 0.0)  # only retries are waiting: until the first is due
                continue
            for (key, index), answer in batch.collect(timeout):
                run = running.get(key)
                if run is None:
                    continue  # an exchange abandoned after one of its requests failed
                if isinstance(answer, Exception) and run.single:
                    running.pop(key)  # thrown into the op: it may handle it, else it fails
                    outcome = advance(run, lambda run=run, error=answer: run.op.throw(error))
                    if outcome is not None:
                        yield outcome
                    continue
                run.answers[index] = answer  # in a tuple, an exception stands in its place
                run.waiting -= 1
                if run.waiting:
                    continue
                running.pop(key)
                reply = run.answers[0] if run.single else tuple(run.answers)
                outcome = advance(run, lambda run=run, reply=reply: run.op.send(reply))
                if outcome is not None:
                    yield outcome
    finally:
        batch.close()
        for run in running.values():
            run.op.close()


_END = object()
