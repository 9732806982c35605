"""cloudfiles.monitoring: TransmissionMonitor (injected times), IOSampler (loopback traffic)."""
from __future__ import annotations

import itertools
import pickle
import socket
import sys
import threading
import time

import numpy as np
import pytest

from cloudfiles.domain.counter_samples import (
    SampleRing,
    counter_histogram,
    current_rate,
    peak_rate,
)
from cloudfiles.domain.transmission import TransferLog, rate_unit, spread_histogram
from cloudfiles.monitoring import IOEnum, IOSampler, TransmissionMonitor


class FakeClock:
    """A clock the test sets by hand (module level, so monitors using it pickle)."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def monitor(direction: IOEnum = IOEnum.RX, now: float = 0.0, wall: float = 1000.0):
    clock = FakeClock(now)
    return TransmissionMonitor(direction, clock=clock, wall_clock=FakeClock(wall)), clock


def record(tm: TransmissionMonitor, start: float, end: float, num_bytes: int):
    flight_id = tm.start_io(num_bytes, start_time=start)
    tm.end_io(flight_id, num_bytes, end_time=end)
    return flight_id


def two_flights() -> tuple[TransmissionMonitor, FakeClock]:
    tm, clock = monitor()
    record(tm, 0.0, 2.0, 1000)
    record(tm, 1.0, 3.0, 3000)
    clock.now = 3.0
    return tm, clock


# ---- TransmissionMonitor: totals, windows, peak, histogram -------------------------------

def test_totals_over_the_whole_session():
    tm, _ = two_flights()
    assert tm.total_bytes() == 4000
    assert tm.total_bps() == pytest.approx(4000 * 8 / 3)
    assert tm.total_Mbps() == pytest.approx(tm.total_bps() / 1e6)
    assert tm.total_Gbps() == pytest.approx(tm.total_bps() / 1e9)
    assert tm.total_MBps() == pytest.approx(4000 / 3 / 1e6)
    assert tm.total_GBps() == pytest.approx(4000 / 3 / 1e9)


def test_an_empty_monitor_reports_zero_rather_than_failing():
    tm, _ = monitor()
    assert (tm.total_bytes(), tm.total_bps(), tm.current_bps(), tm.peak_bps()) == (0, 0, 0, 0)
    assert tm.histogram().size == 0
    assert tm.start_unix_time() == tm.end_unix_time() == 0.0


def test_current_rate_counts_only_the_part_of_a_transfer_inside_the_window():
    tm, _ = two_flights()
    # Window [2, 3]: the first flight ended at 2, half of the second (1500 B) landed.
    assert tm.current_bps(look_back_sec=1.0) == pytest.approx(1500 * 8)
    assert tm.current_Mbps(1.0) == pytest.approx(1500 * 8 / 1e6)
    assert tm.current_MBps(1.0) == pytest.approx(1500 / 1e6)
    assert tm.current_Gbps(1.0) == pytest.approx(1500 * 8 / 1e9)
    assert tm.current_GBps(1.0) == pytest.approx(1500 / 1e9)


def test_current_window_is_cut_to_the_time_since_the_first_start():
    tm, _ = two_flights()
    assert tm.current_bps(look_back_sec=10.0) == pytest.approx(4000 * 8 / 3)


def test_current_rate_falls_to_zero_after_traffic_stops():
    tm, clock = two_flights()
    clock.now = 10.0
    assert tm.current_bps(2.0) == 0.0
    with pytest.raises(ValueError, match="look_back_sec"):
        tm.current_bps(0)


def test_histogram_spreads_each_transfer_over_its_flight_time():
    tm, _ = monitor()
    record(tm, 0.5, 2.0, 1500)  # 1000 B/s: 500 B in [0,1), 1000 B in [1,2)
    record(tm, 2.0, 2.0, 100)  # instantaneous, on the last edge: lands in the last bin
    assert tm.histogram(1.0).tolist() == [500, 1100]
    assert tm.histogram(0.5).tolist() == [0, 500, 500, 600]
    assert tm.histogram(5.0).tolist() == [1600]
    with pytest.raises(ValueError, match="Resolution must be positive"):
        tm.histogram(0)


def test_histogram_conserves_bytes_and_covers_whole_seconds():
    tm, _ = monitor()
    rng = np.random.default_rng(7)
    for start, length, size in zip(rng.uniform(10.3, 40, 500), rng.uniform(0, 5, 500),
                                   rng.integers(0, 10**6, 500)):
        record(tm, start, start + length, int(size))
    bins = tm.histogram(1.0)
    begin, end = tm._log.span()
    assert bins.size == int(np.ceil(end)) - int(np.floor(begin))
    assert abs(int(bins.sum()) - tm.total_bytes()) <= bins.size


def test_peak_is_the_busiest_second():
    tm, _ = monitor()
    record(tm, 0.0, 4.0, 4000)  # 1000 B/s
    record(tm, 2.0, 3.0, 5000)  # + 5000 B in [2, 3)
    assert tm.peak_bps() == pytest.approx(6000 * 8)


def test_late_arrivals_keep_the_recent_window_correct():
    tm, clock = monitor()
    record(tm, 0.0, 9.0, 900)
    record(tm, 0.0, 5.0, 500)  # ends before the one already recorded
    record(tm, 8.5, 9.5, 100)
    clock.now = 10.0
    # Window [8, 10]: 100 B of the first, none of the second, all of the third.
    assert tm.current_bps(2.0) == pytest.approx(200 * 8 / 2)
    assert tm._log._ends == [5.0, 9.0, 9.5]
    assert [f.num_bytes for f in tm._log.flights()] == [500, 900, 100]  # by start, then end


def test_an_instant_transfer_counts_whole_in_the_window_holding_it():
    tm, clock = monitor()
    record(tm, 0.0, 1.0, 10)
    record(tm, 9.0, 9.0, 400)
    clock.now = 10.0
    assert tm.current_bps(2.0) == pytest.approx(400 * 8 / 2)
    clock.now = 12.0
    assert tm.current_bps(2.0) == 0.0


def test_start_and_end_are_reported_in_unix_time():
    tm, _ = monitor(now=50.0, wall=1_700_000_000.0)  # clock 50 is unix 1.7e9
    record(tm, 51.0, 53.5, 10)
    assert tm.start_unix_time() == pytest.approx(1_700_000_001.0)
    assert tm.end_unix_time() == pytest.approx(1_700_000_003.5)


def test_the_default_clock_records_real_flights():
    tm = TransmissionMonitor(IOEnum.TX)
    flight_id = tm.start_io(2048)
    assert tm.in_flight_bytes() == 2048
    tm.end_io(flight_id, 2048)
    assert tm.in_flight_bytes() == 0
    assert tm.start_unix_time() == pytest.approx(time.time(), abs=5)
    assert tm.direction is IOEnum.TX


# ---- errors ---------------------------------------------------------------------------------

def test_failed_transfers_are_marked_and_still_counted():
    tm, _ = monitor()
    flight_id = tm.start_io(0, start_time=0.0)
    tm.end_error(flight_id)
    tm.end_io(flight_id, 0, end_time=1.0)
    ok = record(tm, 0.5, 1.5, 10)
    flights = {f.flight_id: f for f in tm._log.flights()}
    assert flights[flight_id].failed and not flights[ok].failed
    assert tm.total_bytes() == 10
    tm.end_error(ok)  # a finished transfer can be marked failed afterwards too
    assert all(f.failed for f in tm._log.flights())


def test_misuse_raises_clear_errors():
    tm, _ = monitor()
    with pytest.raises(TypeError, match="IOEnum"):
        TransmissionMonitor("RX")
    with pytest.raises(KeyError, match="not in flight"):
        tm.end_io("nope", 1)
    with pytest.raises(KeyError, match="never begun"):
        tm.end_error("nope")
    with pytest.raises(ValueError, match="negative"):
        tm.start_io(-1)
    with pytest.raises(TypeError, match="int"):
        tm.start_io(1.5)
    flight_id = tm.start_io(1, start_time=5.0)
    with pytest.raises(ValueError, match="before it began"):
        tm.end_io(flight_id, 1, end_time=4.0)
    tm.end_io(flight_id, 1, end_time=6.0)
    with pytest.raises(KeyError, match="not in flight"):
        tm.end_io(flight_id, 1, end_time=7.0)


# ---- merge and pickling ---------------------------------------------------------------------

def test_merge_unions_transfers_totals_and_failures():
    a, _ = monitor(IOEnum.RX)
    b, _ = monitor(IOEnum.TX)
    record(a, 0.0, 1.0, 100)
    failed = b.start_io(0, start_time=1.0)
    b.end_error(failed)
    b.end_io(failed, 0, end_time=2.0)
    record(b, 1.0, 3.0, 300)
    merged = TransmissionMonitor.merge([a, b, a])  # a twice: its transfers count once
    assert merged.direction is IOEnum.RX
    assert merged.total_bytes() == 400
    assert merged.total_bps() == pytest.approx(400 * 8 / 3)
    assert merged.histogram().tolist() == [100, 150, 150]
    assert [f.failed for f in merged._log.flights()] == [False, True, False]
    assert a.total_bytes() == 100 and b.total_bytes() == 300  # inputs untouched


def test_merge_of_nothing_is_an_empty_upload_monitor():
    merged = TransmissionMonitor.merge([])
    assert merged.direction is IOEnum.TX and merged.total_bytes() == 0


def test_pickling_round_trip_keeps_the_recording_and_stays_usable():
    tm, _ = two_flights()
    open_flight = tm.start_io(77, start_time=2.5)
    copy = pickle.loads(pickle.dumps(tm))
    assert copy.total_bytes() == 4000
    assert copy.histogram().tolist() == tm.histogram().tolist()
    assert copy.current_bps(1.0) == pytest.approx(tm.current_bps(1.0))
    assert copy.start_unix_time() == tm.start_unix_time()
    assert copy.in_flight_bytes() == 77
    copy.end_io(open_flight, 77, end_time=3.0)  # a fresh lock: recording goes on
    assert copy.total_bytes() == 4077 and tm.total_bytes() == 4000
    record(copy, 3.0, 4.0, 5)
    record(tm, 3.0, 4.0, 5)  # shared history counts once, new ids differ
    assert TransmissionMonitor.merge([tm, copy]).total_bytes() == 4000 + 77 + 5 + 5


# ---- threads and scale ----------------------------------------------------------------------

def test_concurrent_recording_loses_nothing():
    tm = TransmissionMonitor(IOEnum.TX)
    threads, per_thread = 8, 2000
    barrier = threading.Barrier(threads, timeout=10)

    def work(seed: int) -> None:
        barrier.wait()
        for i in range(per_thread):
            flight_id = tm.start_io(i)
            tm.end_io(flight_id, seed + i)

    workers = [threading.Thread(target=work, args=(seed,)) for seed in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    expected = sum(seed + i for seed in range(threads) for i in range(per_thread))
    assert tm.total_bytes() == expected
    assert len(tm._log) == threads * per_thread
    assert tm.in_flight_bytes() == 0
    ends = tm._log._ends
    assert all(a <= b for a, b in itertools.pairwise(ends))
    assert abs(int(tm.histogram(0.01).sum()) - expected) <= tm.histogram(0.01).size


def test_a_hundred_thousand_transfers_are_cheap():
    tm = TransmissionMonitor(IOEnum.RX)
    began = time.perf_counter()
    for _ in range(100_000):
        tm.end_io(tm.start_io(0), 1000)
    recorded = time.perf_counter() - began
    tm.current_bps(), tm.histogram(0.001), tm.peak_bps()
    summarised = time.perf_counter() - began - recorded
    assert tm.total_bytes() == 10**8
    assert recorded < 5.0 and summarised < 5.0  # ~0.5 s and ~0.1 s on one core


# ---- the pure pieces ------------------------------------------------------------------------

def test_spread_histogram_clamps_into_the_edge_bins():
    bins = spread_histogram([-1.0, 3.0], [0.5, 9.0], [100, 60], origin=0.0,
                            resolution=1.0, num_bins=4)
    assert bins.sum() == pytest.approx(160)
    assert bins[0] == pytest.approx(100)  # all of the first flight: its start is clamped in
    assert bins[3] == pytest.approx(60)


def test_rate_units():
    assert rate_unit(999) == ("bps", 1.0)
    assert rate_unit(1500) == ("Kbps", 1e3)
    assert rate_unit(2e6) == ("Mbps", 1e6)
    assert rate_unit(3e10) == ("Gbps", 1e9)


def test_transfer_log_merge_drops_transfers_still_in_flight():
    log = TransferLog()
    log.begin("a", 5, 0.0)
    log.begin("b", 5, 0.0)
    log.finish("a", 5, 1.0)
    merged = TransferLog.merged([log])
    assert len(merged) == 1 and merged.in_flight_bytes() == 0


def test_sample_ring_keeps_the_newest_samples_oldest_first():
    ring = SampleRing(3)
    for i in range(5):
        ring.append(float(i), 10 * i, 100 * i)
    rx, tx, times = ring.arrays()
    assert times.tolist() == [2.0, 3.0, 4.0]
    assert rx.tolist() == [20, 30, 40] and tx.tolist() == [200, 300, 400]
    assert len(ring) == 3
    with pytest.raises(ValueError, match="at least 2"):
        SampleRing(1)


def test_counter_rates_current_peak_and_histogram():
    times = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0])
    counts = np.array([0, 100, 200, 1200, 2200, 2300, 2400])  # busy in [1, 2]
    assert current_rate(times, counts, 1.0) == pytest.approx(200 * 8)
    assert current_rate(times, counts, 100.0) == pytest.approx(2400 * 8 / 3)
    assert peak_rate(times, counts, 1.0) == pytest.approx(2000 * 8)
    assert peak_rate(times, counts, 10.0) == pytest.approx(2400 * 8 / 3)
    assert counter_histogram(times, counts, 1.0).tolist() == [200, 2000, 200]
    assert counter_histogram(times[:1], counts[:1], 1.0).size == 0
    assert current_rate(times[:1], counts[:1], 1.0) == peak_rate(times[:1], counts[:1], 1) == 0


def test_a_counter_reset_adds_nothing():
    times = np.array([0.0, 1.0, 2.0])
    assert counter_histogram(times, np.array([500, 10, 20]), 1.0).tolist() == [0, 10]


# ---- IOSampler ------------------------------------------------------------------------------

def _loopback_traffic(total_bytes: int) -> int:
    """Send `total_bytes` through a TCP connection on 127.0.0.1; returns bytes received."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        received = []

        def drain() -> None:
            connection, _ = server.accept()
            with connection:
                count = 0
                while chunk := connection.recv(1 << 16):
                    count += len(chunk)
                received.append(count)

        reader = threading.Thread(target=drain)
        reader.start()
        with socket.create_connection(server.getsockname()) as client:
            block = b"x" * (1 << 20)
            for _ in range(total_bytes // len(block)):
                client.sendall(block)
        reader.join(timeout=10)
    return received[0]


def test_sampler_sees_loopback_traffic_and_stops_by_itself():
    sampler = IOSampler(buffer_sec=10, interval=0.05)
    sampler.start_sampling(duration=1.5)
    assert sampler.is_sampling()
    time.sleep(0.2)
    sent = _loopback_traffic(16 << 20)
    deadline = time.monotonic() + 5
    while sampler.is_sampling() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not sampler.is_sampling()
    assert sent == 16 << 20

    rx, tx, times = sampler.samples()
    assert 15 <= times.size <= 60 and np.all(np.diff(times) > 0)
    assert times[-1] - times[0] == pytest.approx(1.5, abs=0.3)
    assert sampler.num_samples() == times.size
    assert (sampler.start_time(), sampler.end_time()) == (times[0], times[-1])
    assert rx[-1] - rx[0] >= sent and tx[-1] - tx[0] >= sent  # loopback counts both ways
    assert int(sampler.histogram_rx(0.25).sum()) >= sent
    assert int(sampler.histogram_tx(0.25).sum()) >= sent
    peak_rx, peak_tx = sampler.peak_bps(window=0.2)
    assert peak_rx >= sent * 8 / 2 and peak_tx >= sent * 8 / 2  # at least the mean rate
    assert all(rate >= 0 for rate in sampler.current_bps())


def test_sampler_as_a_context_manager_takes_a_first_and_last_sample():
    with IOSampler(interval=0.05) as sampler:
        assert sampler.is_sampling()
        sampler.start_sampling()  # already sampling: no restart
        time.sleep(0.12)
    assert not sampler.is_sampling()
    assert sampler.num_samples() >= 3
    copy = pickle.loads(pickle.dumps(sampler))
    assert copy.num_samples() == sampler.num_samples() and not copy.is_sampling()
    assert copy.samples()[2].tolist() == sampler.samples()[2].tolist()


def test_sampler_with_injected_counters_and_a_ring_that_wraps():
    counts = iter(range(0, 10**9, 1000))

    def counters() -> tuple[int, int]:
        value = next(counts)
        return value, 2 * value

    sampler = IOSampler(buffer_sec=0.1, interval=0.02, counters=counters)
    sampler.start_sampling(duration=0.5)
    while sampler.is_sampling():
        time.sleep(0.02)
    rx, tx, times = sampler.samples()
    assert times.size == 6  # buffer of 0.1 s at 0.02 s: the newest 6 of ~26 samples
    assert np.all(np.diff(rx) == 1000) and np.all(tx == 2 * rx)


def test_sampler_rejects_bad_settings_and_a_broken_counter_source():
    with pytest.raises(ValueError, match="must be positive"):
        IOSampler(buffer_sec=0)
    with pytest.raises(ValueError, match="must be positive"):
        IOSampler(interval=-1)

    def broken() -> tuple[int, int]:
        raise OSError("no counters here")

    sampler = IOSampler(counters=broken)
    with pytest.raises(OSError, match="no counters"):
        sampler.start_sampling()
    assert not sampler.is_sampling()
    with pytest.raises(ValueError, match="higher resolution than the sample rate"):
        IOSampler(interval=0.5).plot_histogram(resolution=0.1)
    with pytest.raises(ValueError, match="duration"):
        IOSampler().start_sampling(duration=0)


# ---- charts ---------------------------------------------------------------------------------

def test_plots_without_matplotlib_name_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    tm, _ = two_flights()
    for draw in (tm.plot_histogram, tm.plot_gantt, IOSampler().plot_histogram):
        with pytest.raises(ImportError, match=r"pip install cloudfiles\[plot\]"):
            draw(filename="unused.png")


def test_plots_are_saved_as_png(tmp_path):
    pytest.importorskip("matplotlib", reason="the plot extra is not installed")
    tm, _ = two_flights()
    failed = tm.start_io(0, start_time=0.5)
    tm.end_error(failed)
    tm.end_io(failed, 0, end_time=1.0)
    with IOSampler(interval=0.05) as sampler:
        time.sleep(0.15)
    charts = {
        "rate.png": lambda path: tm.plot_histogram(resolution=0.5, filename=path),
        "gantt.png": lambda path: tm.plot_gantt(filename=path, title="t"),
        "machine.png": lambda path: sampler.plot_histogram(filename=path),
        "empty.png": lambda path: TransmissionMonitor(IOEnum.RX).plot_gantt(filename=path),
    }
    for name, draw in charts.items():
        draw(str(tmp_path / name))
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
