"""Samples of a machine's cumulative network byte counters, and the rates they imply.

Pure: samples (time, received, sent) are handed in; a bounded ring keeps the newest ones.
"""
from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from .transmission import as_byte_counts, spread_histogram, whole_bins


class SampleRing:
    """The newest `capacity` samples of (time, bytes received, bytes sent). Not thread-safe."""

    def __init__(self, capacity: int) -> None:
        if capacity < 2:
            raise ValueError(f"A sample ring needs room for at least 2 samples, got {capacity}.")
        self._times = np.zeros(capacity, dtype=np.float64)
        self._rx = np.zeros(capacity, dtype=np.int64)
        self._tx = np.zeros(capacity, dtype=np.int64)
        self._appended = 0

    @property
    def capacity(self) -> int:
        """How many samples the ring holds before the oldest are overwritten."""
        return self._times.size

    def __len__(self) -> int:
        return min(self._appended, self.capacity)

    def append(self, at: float, bytes_received: int, bytes_sent: int) -> None:
        """Add a sample, overwriting the oldest once the ring is full."""
        slot = self._appended % self.capacity
        self._times[slot] = at
        self._rx[slot] = bytes_received
        self._tx[slot] = bytes_sent
        self._appended += 1

    def arrays(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64],
                              npt.NDArray[np.float64]]:
        """Copies of (received, sent, times), oldest sample first."""
        held = len(self)
        order = (np.arange(held) + self._appended - held) % self.capacity
        return self._rx[order], self._tx[order], self._times[order]


def current_rate(times: npt.NDArray[np.float64], counts: npt.NDArray[np.int64],
                 look_back_sec: float) -> float:
    """Bits per second from the newest sample back to the newest one `look_back_sec` older.

    When no sample is that old, the oldest one is used; under 0.1 ms of history gives 0.
    """
    if times.size < 2:
        return 0.0
    first = max(int(np.searchsorted(times, times[-1] - look_back_sec, side="right")) - 1, 0)
    elapsed = times[-1] - times[first]
    if elapsed < 1e-4:
        return 0.0
    return float(counts[-1] - counts[first]) / elapsed * 8


def peak_rate(times: npt.NDArray[np.float64], counts: npt.NDArray[np.int64],
              window: float) -> float:
    """Highest bits per second over any stretch of at least `window` seconds between samples.

    Each stretch runs from a sample to the first sample `window` or more later; a recording
    shorter than `window` gives its overall rate.
    """
    if times.size < 2:
        return 0.0
    ends = np.searchsorted(times, times + window, side="left")
    usable = ends < times.size
    if not usable.any():
        elapsed = times[-1] - times[0]
        return float(counts[-1] - counts[0]) / elapsed * 8 if elapsed > 0 else 0.0
    starts = np.flatnonzero(usable)
    ends = ends[usable]
    rates = (counts[ends] - counts[starts]) / (times[ends] - times[starts]) * 8
    return float(np.max(rates))


def counter_histogram(times: npt.NDArray[np.float64], counts: npt.NDArray[np.int64],
                      resolution: float) -> npt.NDArray[np.uint64]:
    """Bytes counted per `resolution` seconds from the first sample on.

    Each increase between two samples is spread evenly over the time between them; a
    counter that went backwards (reset) adds nothing.
    """
    if times.size < 2:
        return np.array([], dtype=np.uint64)
    increases = np.maximum(np.diff(counts), 0)
    num_bins = whole_bins(times[-1] - times[0], resolution)
    bins = spread_histogram(times[:-1], times[1:], increases, times[0], resolution, num_bins)
    return as_byte_counts(bins)


def buffer_capacity(buffer_sec: float, interval: float) -> int:
    """Samples needed to keep `buffer_sec` seconds of history taken every `interval` seconds."""
    if not (buffer_sec > 0 and interval > 0):
        raise ValueError(
            f"Buffer and interval must be positive. buffer sec: {buffer_sec}, "
            f"interval: {interval}"
        )
    return max(math.ceil(buffer_sec / interval) + 1, 2)
