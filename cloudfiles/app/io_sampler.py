"""IOSampler: a background thread sampling the machine's network byte counters.

Measures all traffic of the machine (every interface, loopback included), not only ours.
The counters come from psutil by default; any callable returning (bytes received, bytes
sent) may be injected instead.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Self

import numpy as np
import numpy.typing as npt

from ..domain.counter_samples import (
    SampleRing,
    buffer_capacity,
    counter_histogram,
    current_rate,
    peak_rate,
)
from . import rate_plots

Counters = Callable[[], tuple[int, int]]


def machine_network_counters() -> tuple[int, int]:
    """(bytes received, bytes sent) by this machine on all interfaces, from psutil."""
    try:
        import psutil
    except ImportError as error:
        raise ImportError("IOSampler reads network counters with psutil: pip install psutil"
                          ) from error
    counters = psutil.net_io_counters(nowrap=True)
    return counters.bytes_recv, counters.bytes_sent


class IOSampler:
    """Samples network counters every `interval` seconds, keeping the last `buffer_sec` seconds.

    Start with start_sampling() (or use as a context manager) and read rates at any time.
    """

    def __init__(self, buffer_sec: float = 600.0, interval: float = 0.25,
                 counters: Counters = machine_network_counters,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._ring = SampleRing(buffer_capacity(buffer_sec, interval))
        self._interval = interval
        self._counters = counters
        self._clock = clock
        self._sample_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def interval(self) -> float:
        """Seconds between samples."""
        return self._interval

    def start_sampling(self, force: bool = False, duration: float | None = None) -> None:
        """Start the sampling thread, clearing old samples; no-op if sampling (unless `force`).

        With `duration` (seconds) sampling stops by itself after that long. The first sample
        is taken before returning, so a broken counter source fails here.
        """
        if duration is not None and not duration > 0:
            raise ValueError(f"duration must be positive, got {duration}.")
        if self.is_sampling() and not force:
            return
        self.stop_sampling()
        with self._sample_lock:
            self._ring = SampleRing(self._ring.capacity)
        self._stop = threading.Event()
        started = self._sample()
        deadline = None if duration is None else started + duration
        self._thread = threading.Thread(
            target=self._sample_loop, args=(self._stop, started, deadline),
            name="cloudfiles-io-sampler", daemon=True,
        )
        self._thread.start()

    def stop_sampling(self) -> None:
        """Stop the sampling thread (taking a last sample) and wait for it to end."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def is_sampling(self) -> bool:
        """Whether the sampling thread is running."""
        return self._thread is not None and self._thread.is_alive()

    def _sample(self) -> float:
        bytes_received, bytes_sent = self._counters()
        at = self._clock()
        with self._sample_lock:
            self._ring.append(at, bytes_received, bytes_sent)
        return at

    def _sample_loop(self, stop: threading.Event, started: float,
                     deadline: float | None) -> None:
        last = next_tick = started
        while True:
            next_tick += self._interval
            if deadline is not None:
                next_tick = min(next_tick, deadline)
            if stop.wait(max(next_tick - self._clock(), 0.0)):
                break
            last = self._sample()
            if deadline is not None and last >= deadline:
                return
        if self._clock() - last > self._interval / 2:
            self._sample()

    def num_samples(self) -> int:
        """How many samples are held (at most the buffer's capacity)."""
        with self._sample_lock:
            return len(self._ring)

    def samples(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64],
                               npt.NDArray[np.float64]]:
        """(bytes received, bytes sent, times) of the held samples, oldest first.

        Byte counts are the machine's cumulative counters; times are seconds on the clock.
        """
        with self._sample_lock:
            return self._ring.arrays()

    def start_time(self) -> float:
        """Time of the oldest held sample (0.0 if none)."""
        times = self.samples()[2]
        return float(times[0]) if times.size else 0.0

    def end_time(self) -> float:
        """Time of the newest sample (0.0 if none)."""
        times = self.samples()[2]
        return float(times[-1]) if times.size else 0.0

    def peak_bps(self, window: float = 1.0) -> tuple[float, float]:
        """(download, upload) peak bits per second over stretches of at least `window` seconds."""
        rx, tx, times = self.samples()
        return peak_rate(times, rx, window), peak_rate(times, tx, window)

    def current_bps(self, look_back_sec: float = 2.0) -> tuple[float, float]:
        """(download, upload) bits per second over about the last `look_back_sec` seconds."""
        rx, tx, times = self.samples()
        return current_rate(times, rx, look_back_sec), current_rate(times, tx, look_back_sec)

    def histogram_rx(self, resolution: float = 1.0) -> npt.NDArray[np.uint64]:
        """Bytes received per `resolution` seconds since the oldest sample."""
        rx, _, times = self.samples()
        return counter_histogram(times, rx, resolution)

    def histogram_tx(self, resolution: float = 1.0) -> npt.NDArray[np.uint64]:
        """Bytes sent per `resolution` seconds since the oldest sample."""
        _, tx, times = self.samples()
        return counter_histogram(times, tx, resolution)

    def plot_histogram(self, resolution: float | None = None,
                       filename: str | None = None) -> None:
        """Chart download and upload rates; saved to `filename` or shown.

        `resolution` (default 1 s) cannot be finer than the sampling interval.
        Needs matplotlib: pip install cloudfiles[plot].
        """
        if resolution is None:
            resolution = 1.0
        elif resolution < self._interval:
            raise ValueError(
                f"Can't create histogram bins at a higher resolution than the sample rate. "
                f"Got: {resolution} Sample Rate: {self._interval}"
            )
        rate_plots.plot_rates(
            [("Download", "dodgerblue", self.histogram_rx(resolution)),
             ("Upload", "salmon", self.histogram_tx(resolution))],
            resolution, "Measured Data Transfer Rate", filename,
        )

    def __enter__(self) -> Self:
        self.start_sampling()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop_sampling()

    def __del__(self) -> None:
        stop = getattr(self, "_stop", None)
        if stop is not None:
            stop.set()

    def __getstate__(self) -> dict:
        with self._sample_lock:
            state = self.__dict__.copy()
        for unpicklable in ("_sample_lock", "_stop", "_thread"):
            del state[unpicklable]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._sample_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None
