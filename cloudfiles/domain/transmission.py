"""Transfer recordings: when each transfer flew, how many bytes it carried, and rates from that.

Pure bookkeeping: every time is handed in by the caller (seconds on any one clock), so the
log is deterministic under test. Finished transfers are kept in lists sorted by end time:
a transfer that lands after the last one (the usual case with a real clock) is appended in
O(1), a slightly late one is inserted near the end, and the recent-window query is a bisect.
"""
from __future__ import annotations

import bisect
import enum
import math
import operator
import threading
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING

from attrs import frozen

if TYPE_CHECKING:  # numpy is imported where it is used: recording needs none of it
    import numpy as np
    import numpy.typing as npt


class IOEnum(enum.Enum):
    """Direction of a recording: RX is download (receive), TX is upload (transmit)."""

    RX = 1
    TX = 2


@frozen
class Flight:
    """One finished transfer: its id, start and end time (seconds), bytes, and whether it failed."""

    flight_id: Hashable
    start: float
    end: float
    num_bytes: int
    failed: bool = False


def _check_byte_count(num_bytes: int) -> int:
    try:
        num_bytes = operator.index(num_bytes)
    except TypeError:
        raise TypeError(
            f"A byte count must be an int, got {type(num_bytes).__name__}."
        ) from None
    if num_bytes < 0:
        raise ValueError(f"A byte count cannot be negative: {num_bytes}.")
    return num_bytes


def _check_resolution(resolution: float) -> float:
    if not resolution > 0:
        raise ValueError(f"Resolution must be positive. Got: {resolution}")
    return float(resolution)


def spread_histogram(
    starts: npt.ArrayLike, ends: npt.ArrayLike, sizes: npt.ArrayLike,
    origin: float, resolution: float, num_bins: int,
) -> npt.NDArray[np.float64]:
    """Bytes per time bin, each transfer's bytes spread evenly over its duration.

    Bin k covers [origin + k*resolution, origin + (k+1)*resolution); a transfer ending
    exactly on a bin edge adds nothing to the next bin, and one of zero duration lands
    whole in the bin holding its instant. Times outside the bins are clamped into the
    first or last bin, so the bins always add up to the sum of sizes.
    """
    import numpy as np

    resolution = _check_resolution(resolution)
    if num_bins < 1:
        raise ValueError(f"A histogram needs at least one bin, got {num_bins}.")
    begin = (np.asarray(starts, dtype=np.float64) - origin) / resolution
    end = (np.asarray(ends, dtype=np.float64) - origin) / resolution
    sizes = np.asarray(sizes, dtype=np.float64)
    last = num_bins - 1
    first_bin = np.clip(np.floor(begin), 0, last).astype(np.int64)
    last_bin = np.clip(np.ceil(end) - 1, first_bin, last).astype(np.int64)
    bins = np.zeros(num_bins, dtype=np.float64)

    whole = first_bin == last_bin
    bins += np.bincount(first_bin[whole], weights=sizes[whole], minlength=num_bins)

    split = ~whole
    fb, lb = first_bin[split], last_bin[split]
    b, e, per_unit = begin[split], end[split], sizes[split] / (end[split] - begin[split])
    bins += np.bincount(fb, weights=per_unit * (fb + 1 - b), minlength=num_bins)
    bins += np.bincount(lb, weights=per_unit * (e - lb), minlength=num_bins)
    # Bins strictly between the first and last get per_unit each: a difference array.
    steps = np.bincount(fb + 1, weights=per_unit, minlength=num_bins + 1)
    steps -= np.bincount(lb, weights=per_unit, minlength=num_bins + 1)
    bins += np.cumsum(steps)[:num_bins]
    return bins


def whole_bins(span: float, resolution: float) -> int:
    """How many bins of `resolution` seconds cover `span` seconds (at least one)."""
    return max(1, math.ceil(span / _check_resolution(resolution)))


def as_byte_counts(bins: npt.ArrayLike) -> npt.NDArray[np.uint64]:
    """Fractional bytes per bin rounded to whole non-negative counts."""
    import numpy as np

    return np.maximum(np.round(np.asarray(bins, dtype=np.float64)), 0).astype(np.uint64)


def bytes_in_window(starts: npt.ArrayLike, ends: npt.ArrayLike, sizes: npt.ArrayLike,
                    since: float, until: float) -> float:
    """Bytes of the transfers landed within [since, until], each spread over its flight.

    A transfer of zero duration counts whole when its instant is in (since, until].
    """
    import numpy as np

    starts = np.asarray(starts, dtype=np.float64)
    ends = np.asarray(ends, dtype=np.float64)
    sizes = np.asarray(sizes, dtype=np.float64)
    instant = ends == starts
    landed = sizes[instant & (since < ends) & (ends <= until)].sum()
    spread = ~instant
    starts, ends, sizes = starts[spread], ends[spread], sizes[spread]
    overlap = np.minimum(ends, until) - np.maximum(starts, since)
    landed += (sizes * np.clip(overlap, 0, None) / (ends - starts)).sum()
    return float(landed)


class TransferLog:
    """A thread-safe record of transfers: begun (in flight), finished, and failed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight: dict[Hashable, tuple[float, int]] = {}
        self._failed: set[Hashable] = set()
        self._ends: list[float] = []
        self._starts: list[float] = []
        self._sizes: list[int] = []
        self._ids: list[Hashable] = []
        self._total_bytes = 0
        self._earliest_start = math.inf

    def begin(self, flight_id: Hashable, num_bytes: int, at: float) -> None:
        """Note that transfer `flight_id` of about `num_bytes` (0 if unknown) began at `at`."""
        num_bytes = _check_byte_count(num_bytes)
        entry = (float(at), num_bytes)
        with self._lock:
            if self._in_flight.setdefault(flight_id, entry) is not entry:
                raise ValueError(f"Transfer {flight_id!r} has already begun.")

    def finish(self, flight_id: Hashable, num_bytes: int, at: float) -> None:
        """Note that transfer `flight_id` ended at `at` having moved `num_bytes`."""
        num_bytes = _check_byte_count(num_bytes)
        at = float(at)
        with self._lock:
            begun = self._in_flight.pop(flight_id, None)
            if begun is None:
                raise KeyError(f"Transfer {flight_id!r} is not in flight: begin it first.")
            if at < begun[0]:
                self._in_flight[flight_id] = begun
                raise ValueError(f"Transfer {flight_id!r} cannot end ({at}) before it began "
                                 f"({begun[0]}).")
            self._insert(flight_id, begun[0], at, num_bytes)

    def fail(self, flight_id: Hashable) -> None:
        """Mark transfer `flight_id` (in flight or finished) as failed; it still needs finish()."""
        with self._lock:
            if flight_id not in self._in_flight and flight_id not in self._ids:
                raise KeyError(f"Transfer {flight_id!r} was never begun.")
            self._failed.add(flight_id)

    def _insert(self, flight_id: Hashable, start: float, end: float, num_bytes: int) -> None:
        ends = self._ends
        if not ends or end >= ends[-1]:
            ends.append(end)
            self._starts.append(start)
            self._sizes.append(num_bytes)
            self._ids.append(flight_id)
        else:
            at = bisect.bisect_right(ends, end)
            ends.insert(at, end)
            self._starts.insert(at, start)
            self._sizes.insert(at, num_bytes)
            self._ids.insert(at, flight_id)
        self._total_bytes += num_bytes
        self._earliest_start = min(self._earliest_start, start)

    def in_flight_bytes(self) -> int:
        """Bytes announced by transfers begun but not finished."""
        with self._lock:
            return sum(num_bytes for _, num_bytes in self._in_flight.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._ends)

    def total_bytes(self) -> int:
        """Bytes moved by all finished transfers."""
        with self._lock:
            return self._total_bytes

    def span(self) -> tuple[float, float] | None:
        """(earliest start, latest end) of the finished transfers; None if there are none."""
        with self._lock:
            if not self._ends:
                return None
            return self._earliest_start, self._ends[-1]

    def bytes_between(self, since: float, until: float) -> float:
        """Bytes landed within [since, until], pro-rated for transfers overlapping an edge."""
        with self._lock:
            first = bisect.bisect_right(self._ends, since)
            recent = self._starts[first:], self._ends[first:], self._sizes[first:]
        return bytes_in_window(*recent, since, until)

    def histogram(self, resolution: float = 1.0) -> npt.NDArray[np.uint64]:
        """Bytes moved per `resolution` seconds, from the whole second before the first start."""
        resolution = _check_resolution(resolution)
        with self._lock:
            if not self._ends:
                return as_byte_counts([])
            starts, ends, sizes = list(self._starts), list(self._ends), list(self._sizes)
            origin = math.floor(self._earliest_start)
            num_bins = whole_bins(math.ceil(self._ends[-1]) - origin, resolution)
        return as_byte_counts(spread_histogram(starts, ends, sizes, origin, resolution, num_bins))

    def flights(self) -> list[Flight]:
        """The finished transfers, in order of start time."""
        with self._lock:
            rows = zip(self._ids, self._starts, self._ends, self._sizes)
            flights = [Flight(fid, start, end, size, fid in self._failed)
                       for fid, start, end, size in rows]
        return sorted(flights, key=lambda flight: flight.start)

    @classmethod
    def merged(cls, logs: Sequence[TransferLog]) -> TransferLog:
        """One log holding the finished transfers of all `logs` (each id once) and their failures.

        Transfers still in flight are not carried over.
        """
        merged = cls()
        seen: set[Hashable] = set()
        rows: list[tuple[float, float, int, Hashable]] = []
        for log in logs:
            with log._lock:
                merged._failed.update(log._failed)
                for row in zip(log._ends, log._starts, log._sizes, log._ids):
                    if row[3] not in seen:
                        seen.add(row[3])
                        rows.append(row)
        rows.sort(key=lambda row: row[0])
        for end, start, num_bytes, flight_id in rows:
            merged._insert(flight_id, start, end, num_bytes)
        return merged

    def __getstate__(self) -> dict:
        with self._lock:
            state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()


def rate_unit(peak_bps: float) -> tuple[str, float]:
    """(label, divisor) to show bit rates up to `peak_bps`: bps, Kbps, Mbps or Gbps."""
    for label, scale in (("Gbps", 1e9), ("Mbps", 1e6), ("Kbps", 1e3)):
        if peak_bps >= scale:
            return label, scale
    return "bps", 1.0

