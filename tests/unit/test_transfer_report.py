"""What a transfer did: TransferRecorder, its summary line and chart, and cp's --summary and
--plot (cloudfiles/app/transfer_report.py, entrypoints/cli_report.py)."""
from __future__ import annotations

import sys

import pytest

from cloudfiles import CloudFiles
from cloudfiles.app.transfer_report import TransferRecorder, TransferSummary
from cloudfiles.entrypoints.cli_report import TransferReport, reported

pytest_plugins = ["tests.unit.cli_fixtures"]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class Clock:
    """A clock that moves only when told."""

    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def _result(path: str, size: int, error: Exception | None = None, **extra) -> dict:
    return {"path": path, "bytes": size, "error": error, **extra}


def test_recorder_bins_bytes_and_files_over_time_and_counts_sizes_in_powers_of_two():
    clock = Clock()
    recorder = TransferRecorder(resolution=0.5, clock=clock)

    def results():
        yield _result("a", 0)
        clock.now += 0.2
        yield _result("b", 3)
        clock.now += 1.0
        yield _result("c", 1000)
        yield _result("gone", 0, FileNotFoundError("gone"))
        yield _result("remote", 1024, finished=1000.1)  # stamped where it was copied

    passed = list(recorder.watch(results()))
    assert [r["path"] for r in passed] == ["a", "b", "c", "gone", "remote"]
    bytes_per_bin, files_per_bin = recorder.throughput()
    assert bytes_per_bin == [3 + 1024, 0, 1000]
    assert files_per_bin == [3, 0, 1]
    # classes: 0 bytes; [2, 4) holds 3; [512, 1024) holds 1000; [1024, 2048) holds 1024
    histogram = dict(recorder.size_histogram())
    assert histogram[0] == 1 and histogram[2] == 1 and histogram[512] == 1 \
        and histogram[1024] == 1
    assert sum(histogram.values()) == 4 and list(histogram) == sorted(histogram)
    assert recorder.summary() == TransferSummary(files=5, bytes=2027, seconds=pytest.approx(1.2),
                                                 errors=1)


def test_recorder_bins_double_in_width_instead_of_growing_past_max_bins():
    clock = Clock(0.0)
    recorder = TransferRecorder(resolution=1.0, clock=clock, max_bins=4)
    recorder.start()
    for second in (0, 1, 2, 3):
        clock.now = second + 0.5
        recorder.record(_result(f"f{second}", 10 * (second + 1)))
    assert recorder.throughput() == ([10, 20, 30, 40], [1, 1, 1, 1])
    clock.now = 9.5
    recorder.record(_result("late", 1))
    assert recorder.resolution == 4.0
    assert recorder.throughput() == ([100, 0, 1], [4, 0, 1])
    assert recorder.summary().seconds == 9.5


def test_summary_line_gives_files_bytes_seconds_rate_and_errors():
    line = TransferSummary(files=20000, bytes=81_920_000, seconds=3.2, errors=0).line()
    assert line == "20000 files, 81920000 bytes (79M) in 3.20 s, 25.60 MB/s, 0 errors"
    assert TransferSummary(1, 1, 0.0, 1).line() == \
        "1 file, 1 byte (1) in 0.00 s, 0.00 MB/s, 1 error"
    assert TransferRecorder().summary() == TransferSummary(0, 0, 0.0, 0)


def test_recorder_refuses_bins_it_cannot_keep():
    with pytest.raises(ValueError, match="resolution must be positive"):
        TransferRecorder(resolution=0)
    with pytest.raises(ValueError, match="max_bins must be at least 2"):
        TransferRecorder(max_bins=1)


def test_plot_draws_a_png_of_throughput_and_sizes(tmp_path):
    recorder = TransferRecorder()
    list(recorder.watch(_result(f"f{i}", 2 ** (i % 20)) for i in range(200)))
    recorder.plot(str(tmp_path / "t.png"))
    assert (tmp_path / "t.png").read_bytes().startswith(PNG_MAGIC)
    TransferRecorder().plot(str(tmp_path / "empty.png"))  # nothing recorded: still a chart
    assert (tmp_path / "empty.png").read_bytes().startswith(PNG_MAGIC)


def test_reported_records_one_stream_then_prints_the_summary_and_writes_the_plot(tmp_path,
                                                                                capsys):
    report = TransferReport("sync", plot_file=str(tmp_path / "s.png"), show_summary=True)
    results = (_result(f"f{i}", 10) for i in range(7))
    assert len(list(reported(results, report))) == 7
    err = capsys.readouterr().err
    assert err.startswith("cloudfiles: sync: 7 files, 70 bytes (70) in ") and \
        err.endswith(" MB/s, 0 errors\n")
    assert (tmp_path / "s.png").read_bytes().startswith(PNG_MAGIC)


@pytest.fixture
def source(tmp_path):
    cf = CloudFiles(f"file://{tmp_path}/src")
    cf.puts([(f"d/f{i}", b"x" * i) for i in range(1, 21)])
    return tmp_path / "src"


def test_cp_summary_goes_to_stderr_and_leaves_stdout_alone(run, source, tmp_path):
    result = run("cp", "-r", "--summary", str(source), str(tmp_path / "out"))
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cloudfiles: cp: 20 files, 210 bytes (210) in ")
    assert lines[0].endswith(" MB/s, 0 errors")
    assert (tmp_path / "out" / "d" / "f20").read_bytes() == b"x" * 20


def test_cp_prints_no_summary_unless_asked_and_none_under_q(run, source, tmp_path):
    assert run("cp", "-r", str(source), str(tmp_path / "a")).stderr == ""
    assert run("-q", "cp", "-r", "--summary", str(source), str(tmp_path / "b")).stderr == ""


def test_cp_summary_counts_failed_files_before_naming_them(run, source, tmp_path):
    result = run("cp", "--summary", str(source / "d" / "f1"), str(source / "d" / "nope"),
                 str(tmp_path / "c") + "/", code=1)
    lines = result.stderr.splitlines()
    assert lines[0].startswith("cloudfiles: cp: 2 files, 1 byte (1) in ")
    assert lines[0].endswith(", 1 error")
    assert lines[1:] == [f"cloudfiles: cp: file://{source}/d/nope: no such file",
                         "cloudfiles: cp: 1 of 2 file(s) failed."]


def test_cp_plot_writes_the_chart_and_the_summary(run, source, tmp_path):
    result = run("cp", "-r", "--plot", str(tmp_path / "cp.png"), str(source),
                 str(tmp_path / "out"))
    assert (tmp_path / "cp.png").read_bytes().startswith(PNG_MAGIC)
    assert "20 files" in result.stderr


def test_cp_plot_is_refused_before_copying_without_matplotlib(run, source, tmp_path,
                                                             monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)  # as if not installed
    result = run("cp", "-r", "--plot", str(tmp_path / "cp.png"), str(source),
                 str(tmp_path / "out"), code=2)
    assert "pip install cloudfiles[plot]" in result.stderr
    assert not (tmp_path / "out").exists()


def test_cp_plot_into_a_missing_directory_is_refused_before_copying(run, source, tmp_path):
    result = run("cp", "-r", "--plot", str(tmp_path / "no" / "cp.png"), str(source),
                 str(tmp_path / "out"), code=2)
    assert f"{tmp_path / 'no'} is not a directory" in result.stderr
    assert not (tmp_path / "out").exists()


def test_cp_dask_without_distributed_says_what_to_install(run, source, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    result = run("cp", "-r", "--dask", "tcp://127.0.0.1:8786", str(source),
                 str(tmp_path / "out"), code=1)
    assert result.stderr == "cloudfiles: cp: running on Dask needs the distributed package, " \
        "which is not installed: pip install cloudfiles[dask]\n"
    assert not (tmp_path / "out").exists()
