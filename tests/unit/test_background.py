"""in_background: an iterator produced on its own thread, errors and early stops included."""
from __future__ import annotations

import itertools
import threading

import pytest

from cloudfiles.app.background import in_background


def test_items_come_through_in_order_from_another_thread():
    seen_on = set()

    def produce():
        for i in range(100):
            seen_on.add(threading.current_thread().name)
            yield i

    assert list(in_background(produce(), 3)) == list(range(100))
    assert seen_on == {"cloudfiles-prefetch"}


def test_the_producers_error_is_raised_in_the_consumer_after_its_items():
    def produce():
        yield 1
        yield 2
        raise ValueError("broken source")

    items = in_background(produce(), 1)
    assert [next(items), next(items)] == [1, 2]
    with pytest.raises(ValueError, match="broken source"):
        next(items)


def test_a_consumer_stopping_early_stops_an_endless_producer():
    produced = itertools.count()
    stopped = threading.Event()

    def produce():
        try:
            yield from produced
        finally:
            stopped.set()

    items = in_background(produce(), 2)
    assert list(itertools.islice(items, 5)) == [0, 1, 2, 3, 4]
    items.close()
    assert stopped.wait(2)  # the producer's thread ended and let go of its generator
    assert next(produced) <= 5 + 2 + 2  # it got no further than the queue ahead
