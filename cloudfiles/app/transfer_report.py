"""What a transfer did: its per-file results recorded as they stream by, for a one-line
summary and charts (throughput over time, histogram of file sizes).

Memory stays small at any number of files and any duration: bytes and files are added up
per time bin (bins double in width whenever they would exceed `max_bins`) and file sizes are
counted in powers of two; no per-file row is kept.
"""
from __future__ import annotations

import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from attrs import frozen

from ..domain.humanize import human_size
from . import rate_plots

#: Size classes: 0 holds empty files, k >= 1 holds sizes in [2**(k-1), 2**k).
SIZE_CLASSES = 65


def size_class_floor(size_class: int) -> int:
    """The smallest size (bytes) in a size class."""
    return 0 if size_class == 0 else 1 << (size_class - 1)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@frozen
class TransferSummary:
    """Totals of a transfer: files done (errors included), bytes written, seconds, errors."""

    files: int
    bytes: int
    seconds: float
    errors: int

    @property
    def megabytes_per_second(self) -> float:
        """Bytes written per second, in MB/s (10**6 bytes); 0 when no time passed."""
        return self.bytes / 1e6 / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        """e.g. '20000 files, 81920000 bytes (79M) in 3.21 s, 25.52 MB/s, 0 errors'."""
        return (f"{_plural(self.files, 'file')}, {_plural(self.bytes, 'byte')} "
                f"({human_size(self.bytes)}) in {self.seconds:.2f} s, "
                f"{self.megabytes_per_second:.2f} MB/s, {_plural(self.errors, 'error')}")


class TransferRecorder:
    """Records per-file transfer results ({'path', 'bytes', 'error'} dicts) as they pass.

    A result's time is its 'finished' entry (unix seconds, set where the file was copied
    in another process or machine), else the moment it is recorded. `clock` is injectable
    for tests. Bins start `resolution` seconds wide, counted from the first watch(); when a
    result lands past `max_bins` of them, neighbours merge and `resolution` doubles.
    """

    def __init__(self, resolution: float = 0.1, clock: Callable[[], float] = time.time,
                 max_bins: int = 2048):
        if not resolution > 0:
            raise ValueError(f"resolution must be positive, got {resolution!r}.")
        if max_bins < 2:
            raise ValueError(f"max_bins must be at least 2, got {max_bins!r}.")
        self.resolution = float(resolution)
        self.max_bins = max_bins
        self._clock = clock
        self.started: float | None = None
        self.ended: float | None = None
        self.files = self.bytes = self.errors = 0
        self._bytes_per_bin = array("d")
        self._files_per_bin = array("q")
        self._size_counts = [0] * SIZE_CLASSES

    def start(self) -> None:
        """Start the clock of the recording (once; later calls change nothing)."""
        if self.started is None:
            self.started = self.ended = self._clock()

    def watch(self, results: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
        """Each result, unchanged, recorded as it passes."""
        self.start()
        try:
            for result in results:
                self.record(result)
                yield result
        finally:
            self.ended = max(self.ended or 0.0, self._clock())

    def record(self, result: Mapping[str, Any]) -> None:
        """Count one file's result."""
        self.start()
        now = self._clock()
        self.ended = max(self.ended, now)
        self.files += 1
        if result.get("error") is not None:
            self.errors += 1
            return
        size = int(result.get("bytes") or 0)
        self.bytes += size
        self._size_counts[min(size.bit_length(), SIZE_CLASSES - 1)] += 1
        at = max(0.0, result.get("finished", now) - self.started)
        while at >= self.resolution * self.max_bins:
            self._merge_bins()
        index = int(at / self.resolution)
        if index >= len(self._files_per_bin):
            grow = index + 1 - len(self._files_per_bin)
            self._bytes_per_bin.extend([0.0] * grow)
            self._files_per_bin.extend([0] * grow)
        self._bytes_per_bin[index] += size
        self._files_per_bin[index] += 1

    def _merge_bins(self) -> None:
        """Each pair of neighbouring bins becomes one of twice the width."""
        for counts in (self._bytes_per_bin, self._files_per_bin):
            merged = [sum(counts[i:i + 2]) for i in range(0, len(counts), 2)]
            del counts[:]
            counts.extend(merged)
        self.resolution *= 2

    def summary(self) -> TransferSummary:
        """Totals so far."""
        seconds = 0.0 if self.started is None else self.ended - self.started
        return TransferSummary(self.files, self.bytes, seconds, self.errors)

    def throughput(self) -> tuple[list[float], list[int]]:
        """(bytes, files) written per bin of `resolution` seconds, from the start."""
        return list(self._bytes_per_bin), list(self._files_per_bin)

    def size_histogram(self) -> list[tuple[int, int]]:
        """(smallest size of the class, files) for each size class from the smallest to the
        largest one holding a file written; [] before any."""
        used = [k for k, count in enumerate(self._size_counts) if count]
        if not used:
            return []
        return [(size_class_floor(k), self._size_counts[k])
                for k in range(used[0], used[-1] + 1)]

    def plot(self, filename: str | None = None, title: str = "Transfer") -> None:
        """Throughput over time and the histogram of file sizes, saved to `filename`
        (shown on screen when None); needs matplotlib."""
        bytes_per_bin, files_per_bin = self.throughput()
        rate_plots.plot_transfer(bytes_per_bin, files_per_bin, self.resolution,
                                 self.size_histogram(), f"{title}: {self.summary().line()}",
                                 filename)
