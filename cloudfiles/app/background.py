"""An iterator run on a thread of its own, so its work overlaps with the consumer's."""
from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

_DONE = object()
#: Seconds between looks at the stop flag while the queue is full.
_POLL = 0.1
#: Seconds the consumer waits, when it stops, for the producer to end.
_JOIN = 2.0


class _Failed:
    """The producer's exception, carried to the consumer."""

    def __init__(self, error: BaseException):
        self.error = error


def in_background(items: Iterable[T], depth: int) -> Iterator[T]:
    """The items of `items`, produced on a background thread at most `depth` ahead.

    An exception of the producer is raised in the consumer; a consumer that stops early (the
    generator closed) stops the producer at its next item.
    """
    handoff: queue.Queue[Any] = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def offer(value: Any) -> bool:
        while not stop.is_set():
            try:
                handoff.put(value, timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer(item):
                    return
            offer(_DONE)
        except BaseException as error:  # noqa: BLE001 - handed to the consumer
            offer(_Failed(error))

    thread = threading.Thread(target=produce, name="cloudfiles-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            value = handoff.get()
            if value is _DONE:
                return
            if isinstance(value, _Failed):
                raise value.error
            yield value
    finally:
        stop.set()
        # A producer stopped early may be inside a slow request: it ends on its own (daemon,
        # stops at its next item); an interrupted program must not wait for it.
        thread.join(timeout=_JOIN)
