"""A Store: one storage, the codecs and the retry and scheduling rules used with it."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from attrs import define, field

from ..domain.codecs import CodecRegistry
from ..domain.ports import Storage
from .retrying import Retrier
from .scheduler import Schedule

T = TypeVar("T")


@define
class Store:
    """What every service needs to act on one storage root."""

    storage: Storage
    codecs: CodecRegistry
    retrier: Retrier = field(factory=Retrier)
    schedule: Schedule = field(factory=Schedule)

    def __attrs_post_init__(self) -> None:
        self.storage.bind_retry(self.call)

    def call(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """A storage call under the retry policy."""
        return self.retrier.call(fn, *args, **kwargs)

    def batch_schedule(self, progress: bool | str | None = None) -> Schedule:
        """The schedule for a batch: serial on local storages, else the configured threads."""
        threads = 0 if self.storage.local else self.schedule.num_threads
        shown = self.schedule.progress if progress is None else progress
        return Schedule(num_threads=threads, green=self.schedule.green and threads > 0,
                        progress=shown)
