"""TransmissionMonitor: records each transfer's flight time and size, reports throughput.

The recording itself is the domain's TransferLog; this adds the clock, flight ids, rate
units and charts. Usage around one request:

    flight_id = monitor.start_io(num_bytes)      # 0 when the size is not known yet
    try:
        ...transfer...
    except Exception:
        monitor.end_error(flight_id)
        raise
    finally:
        monitor.end_io(flight_id, bytes_moved)
"""
from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..domain.transmission import IOEnum, TransferLog
from . import rate_plots

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

Clock = Callable[[], float]


class TransmissionMonitor:
    """Records transfers (start, end, bytes) in one direction; thread-safe and picklable.

    Times are seconds on `clock` (monotonic by default); `wall_clock` only anchors them to
    unix time for start_unix_time/end_unix_time. Both may be injected for tests.
    """

    def __init__(self, direction: IOEnum, clock: Clock = time.monotonic,
                 wall_clock: Clock = time.time) -> None:
        if not isinstance(direction, IOEnum):
            raise TypeError(f"direction must be IOEnum.RX or IOEnum.TX, got {direction!r}.")
        self._direction = direction
        self._clock = clock
        self._unix_offset = wall_clock() - clock()
        self._log = TransferLog()
        self._new_ids()

    def _new_ids(self) -> None:
        # One random uuid4 per monitor, then a counter in its low bits: unique across
        # monitors and processes (so merge can tell transfers apart) at a fraction of the
        # cost of a uuid4 per transfer. next() on itertools.count is atomic in CPython.
        self._id_base = uuid.uuid4().int
        self._issued = itertools.count()

    @property
    def direction(self) -> IOEnum:
        """IOEnum.RX for downloads, IOEnum.TX for uploads."""
        return self._direction

    @classmethod
    def merge(cls, tms: Sequence[TransmissionMonitor]) -> TransmissionMonitor:
        """One monitor with the finished transfers and failures of all of `tms`.

        Direction, clock and unix anchor come from the first; an empty list gives an empty
        upload (TX) monitor.
        """
        tms = list(tms)
        if not tms:
            return cls(IOEnum.TX)
        first = tms[0]
        merged = cls.__new__(cls)
        merged.__dict__.update(first.__dict__)
        merged._log = TransferLog.merged([tm._log for tm in tms])
        merged._new_ids()
        return merged

    def start_io(self, num_bytes: int, start_time: float | None = None) -> uuid.UUID:
        """Begin recording a transfer of about `num_bytes` (0 if unknown); returns its flight id.

        `start_time` is on this monitor's clock (time.monotonic() by default); now if omitted.
        """
        flight_id = uuid.UUID(int=self._id_base ^ next(self._issued))
        self._log.begin(flight_id, num_bytes, self._now(start_time))
        return flight_id

    def end_io(self, flight_id: uuid.UUID, num_bytes: int,
               end_time: float | None = None) -> None:
        """Finish the transfer `flight_id`, which moved `num_bytes` (now, unless `end_time`)."""
        self._log.finish(flight_id, num_bytes, self._now(end_time))

    def end_error(self, flight_id: uuid.UUID) -> None:
        """Mark transfer `flight_id` as failed (shown red in plot_gantt); still call end_io."""
        self._log.fail(flight_id)

    def _now(self, at: float | None) -> float:
        return self._clock() if at is None else float(at)

    def in_flight_bytes(self) -> int:
        """Bytes announced by start_io for transfers not yet ended."""
        return self._log.in_flight_bytes()

    def total_bytes(self) -> int:
        """Sum of bytes of all finished transfers."""
        return self._log.total_bytes()

    def total_bps(self) -> float:
        """Average bits per second from the first transfer's start to the last one's end."""
        span = self._log.span()
        if span is None or span[1] <= span[0]:
            return 0.0
        return self._log.total_bytes() * 8 / (span[1] - span[0])

    def current_bps(self, look_back_sec: float = 2.0) -> float:
        """Bits per second landed in the last `look_back_sec` seconds (or since the first start).

        Transfers straddling the window's start count for the part inside it.
        """
        if not look_back_sec > 0:
            raise ValueError(f"look_back_sec must be positive, got {look_back_sec}.")
        span = self._log.span()
        if span is None:
            return 0.0
        now = self._clock()
        window = min(look_back_sec, now - span[0])
        if window <= 0:
            return 0.0
        return self._log.bytes_between(now - window, now) * 8 / window

    def peak_bps(self) -> float:
        """Highest bits per second in any one-second bin of the histogram (0 if empty)."""
        bins = self.histogram(resolution=1.0)
        return float(bins.max()) * 8 if bins.size else 0.0

    def histogram(self, resolution: float = 1.0) -> npt.NDArray[np.uint64]:
        """Bytes moved per `resolution` seconds, each transfer spread evenly over its flight."""
        return self._log.histogram(resolution)

    def total_Mbps(self) -> float:
        """The average rate in megabits per second."""
        return self.total_bps() / 1e6

    def total_Gbps(self) -> float:
        """The average rate in gigabits per second."""
        return self.total_bps() / 1e9

    def total_MBps(self) -> float:
        """The average rate in megabytes per second."""
        return self.total_bps() / 8e6

    def total_GBps(self) -> float:
        """The average rate in gigabytes per second."""
        return self.total_bps() / 8e9

    def current_Mbps(self, look_back_sec: float = 2.0) -> float:
        """The current rate in megabits per second."""
        return self.current_bps(look_back_sec) / 1e6

    def current_Gbps(self, look_back_sec: float = 2.0) -> float:
        """The current rate in gigabits per second."""
        return self.current_bps(look_back_sec) / 1e9

    def current_MBps(self, look_back_sec: float = 2.0) -> float:
        """The current rate in megabytes per second."""
        return self.current_bps(look_back_sec) / 8e6

    def current_GBps(self, look_back_sec: float = 2.0) -> float:
        """The current rate in gigabytes per second."""
        return self.current_bps(look_back_sec) / 8e9

    def start_unix_time(self) -> float:
        """Unix time at which the first finished transfer started (0.0 if none)."""
        span = self._log.span()
        return span[0] + self._unix_offset if span else 0.0

    def end_unix_time(self) -> float:
        """Unix time at which the last finished transfer ended (0.0 if none)."""
        span = self._log.span()
        return span[1] + self._unix_offset if span else 0.0

    def _direction_text(self) -> str:
        return "Upload" if self._direction == IOEnum.TX else "Download"

    def plot_histogram(self, resolution: float = 1.0, filename: str | None = None) -> None:
        """Chart the rate over time in `resolution`-second bins; saved to `filename` or shown.

        Needs matplotlib: pip install cloudfiles[plot].
        """
        rate_plots.plot_rates(
            [(self._direction_text(), "dodgerblue", self.histogram(resolution))],
            resolution, f"Estimated Data {self._direction_text()} Rate", filename,
        )

    def plot_gantt(self, filename: str | None = None, title: str | None = None,
                   show_size_labels: bool | None = None) -> None:
        """Chart each transfer as a bar over its flight time; saved to `filename` or shown.

        Needs matplotlib: pip install cloudfiles[plot].
        """
        span = self._log.span()
        rate_plots.plot_flights(
            self._log.flights(), span[0] if span else 0.0,
            title or f"File {self._direction_text()} Recording", filename, show_size_labels,
        )

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        del state["_id_base"], state["_issued"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._new_ids()  # a copy issues ids of its own, so copies can be merged back
