"""A Store: one storage, the codecs and the retry and scheduling rules used with it.

Services call storage through the Store. Plain storages (file, mem, plugins) are called under
the retry loop; sans-I/O storages (OpStorage) have their operations driven over their
transport, one at a time or many at once in one engine batch (app.driving).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from attrs import define, field

from ..domain.codecs import CodecRegistry
from ..domain.op_storage import OpStorage, page_sizes
from ..domain.ports import Storage
from . import driving
from .encoded_keys import EncodedKeys
from .retrying import Retrier
from .scheduler import Schedule, progress_bar

T = TypeVar("T")


@define
class Store:
    """What every service needs to act on one storage root."""

    storage: Storage
    codecs: CodecRegistry
    retrier: Retrier = field(factory=Retrier)
    schedule: Schedule = field(factory=Schedule)

    #: Keys last seen stored encoded: ranged reads of them fetch whole at once.
    encoded_keys: EncodedKeys = field(factory=EncodedKeys)

    #: Whether calls are operations driven here over the storage's transport (set once).
    drives_ops: bool = field(init=False, default=False)

    def __attrs_post_init__(self) -> None:
        self.drives_ops = isinstance(self.storage, OpStorage)

    @property
    def uploads_in_parts(self) -> bool:
        """Whether a put here takes a ByteSource and reads it a part at a time (network
        storages and local files); others need its bytes."""
        return self.drives_ops or self.storage.streams_files

    def call(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """A storage call under the retry policy."""
        return self.retrier.call(fn, *args, **kwargs)

    def do(self, name: str, *args: Any) -> Any:
        """storage.<name>(*args) under the retry policy: its operation `<name>_op` driven
        over the transport where the storage has one, else the plain call."""
        if self.drives_ops:
            make_op = getattr(self.storage, f"{name}_op")
            return driving.run(self.storage.transport, lambda: make_op(*args), self.retrier)
        return self.call(getattr(self.storage, name), *args)

    def do_many(self, name: str, items: Iterable[Any], args_of: Callable[[Any], tuple],
                total: int | None = None, progress: bool | str | None = None,
                desc: str = "", max_in_flight: int | None = None,
                ) -> Iterator[tuple[Any, Any, Exception | None]]:
        """(item, storage.<name>(*args_of(item)), error) for each item, as they finish.

        Operations share one engine batch (num_threads requests on the wire); plain storages
        run on the batch schedule's threads. A bad item (args_of raises) is its own error.
        """
        if not self.drives_ops:
            method = getattr(self.storage, name)

            def one(item: Any) -> tuple[Any, Any, Exception | None]:
                try:
                    return item, self.call(method, *args_of(item)), None
                except Exception as error:  # noqa: BLE001 - reported per item
                    return item, None, error

            schedule = self.batch_schedule(progress)
            return schedule.run(one, items, total, desc, max_in_flight=max_in_flight)
        return self._drive_many(name, items, args_of, total, progress, desc, max_in_flight)

    def _drive_many(self, name, items, args_of, total, progress, desc, max_in_flight):
        make = getattr(self.storage, f"{name}_op")

        def make_op(item: Any):
            return make(*args_of(item))

        if total is None and hasattr(items, "__len__"):
            total = len(items)
        shown = self.schedule.progress if progress is None else progress
        bar = progress_bar(shown, total, desc)
        concurrency = max(1, self.schedule.num_threads)
        try:
            for outcome in driving.run_many(self.storage.transport, items, make_op,
                                            self.retrier, concurrency, max_in_flight):
                bar.update(1)
                yield outcome
        finally:
            bar.close()

    def list(self, prefix: str, flat: bool) -> Iterator[str]:
        """Keys under prefix, lazily, each page under the retry policy."""
        if not self.drives_ops:
            return self.storage.list(prefix, flat)
        return (entry for page in self._pages(prefix, flat) for entry in page.entries)

    def list_sizes(self, prefix: str, flat: bool) -> Iterator[tuple[str, int | None]]:
        """(key, stored size) under prefix, lazily."""
        if not self.drives_ops:
            return self.storage.list_sizes(prefix, flat)
        return (pair for page in self._pages(prefix, flat)
                for pair in page_sizes(page, lambda key: self.do("size", key)))

    def _pages(self, prefix: str, flat: bool):
        transport = self.storage.transport
        return self.storage.pages(
            prefix, flat, lambda make_op: driving.run(transport, make_op, self.retrier))

    def batch_schedule(self, progress: bool | str | None = None) -> Schedule:
        """The schedule for a batch: serial on local storages, else the configured threads."""
        threads = 0 if self.storage.local else self.schedule.num_threads
        shown = self.schedule.progress if progress is None else progress
        return Schedule(num_threads=threads, green=self.schedule.green and threads > 0,
                        progress=shown)
