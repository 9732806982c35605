"""Charts of transfer recordings: rate over time, per-transfer flight times, and a transfer's
throughput with its histogram of file sizes (matplotlib).

matplotlib is an optional extra, imported only when a chart is drawn.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..domain.humanize import human_size
from ..domain.transmission import Flight, rate_unit

if TYPE_CHECKING:
    import numpy.typing as npt

PLOT_INSTALL_HINT = "pip install cloudfiles[plot]"


def require_matplotlib() -> None:
    """Raise ImportError (naming the extra to install) unless charts can be drawn; lets a
    command refuse --plot before it works rather than after."""
    _pyplot()


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            f"Plotting needs matplotlib, which is not installed: {PLOT_INSTALL_HINT}"
        ) from error
    return plt


def _finish(plt: Any, fig: Any, filename: str | None) -> None:
    fig.tight_layout()
    try:
        if filename is not None:
            fig.savefig(filename)
        else:
            plt.show()
    finally:
        plt.close(fig)


def plot_rates(
    series: Sequence[tuple[str, str, npt.NDArray[Any]]], resolution: float,
    title: str, filename: str | None = None,
) -> None:
    """Line chart of bit rates; each series is (label, color, bytes per `resolution` seconds).

    Saved to `filename` when given, else shown on screen.
    """
    plt = _pyplot()
    import numpy as np

    rates = [(label, color, np.asarray(counts, dtype=np.float64) * 8 / resolution)
             for label, color, counts in series]
    peak = max((float(bps.max()) for _, _, bps in rates if bps.size), default=0.0)
    unit, scale = rate_unit(peak)
    fig, ax = plt.subplots(figsize=(10, 6))
    for label, color, bps in rates:
        x = np.arange(bps.size) * resolution
        ax.plot(x, bps / scale, color=color, linewidth=1.5, alpha=0.8, label=label)
        ax.fill_between(x, 0, bps / scale, color=color, alpha=0.4)
    if len(rates) > 1:
        ax.legend()
    ax.set_title(title)
    ax.set_xlabel("Time (seconds)")
    ax.set_ylabel(unit)
    ax.grid(axis="y", linestyle="--", alpha=0.7)
    _finish(plt, fig, filename)


def plot_flights(
    flights: Sequence[Flight], origin: float, title: str,
    filename: str | None = None, show_size_labels: bool | None = None,
) -> None:
    """Gantt chart: one bar per transfer from its start to its end (seconds after `origin`).

    Bars are colored by size; failed transfers are red. Size labels are drawn when asked,
    or by default when there are fewer than 40 transfers.
    """
    plt = _pyplot()
    import numpy as np
    from matplotlib import colors
    from matplotlib.cm import ScalarMappable

    if show_size_labels is None:
        show_size_labels = len(flights) < 40
    sizes = np.array([flight.num_bytes for flight in flights], dtype=np.float64)
    smallest, largest = (sizes.min(), sizes.max()) if sizes.size else (0.0, 0.0)
    if smallest == largest:
        norm = colors.Normalize(vmin=0, vmax=max(largest, 1.0) * 1.1)
    else:
        norm = colors.Normalize(vmin=smallest, vmax=largest)
    cmap = plt.get_cmap("viridis")
    shade = norm(sizes)
    bar_colors = ["red" if flight.failed else cmap(value)
                  for flight, value in zip(flights, shade)]
    lefts = np.array([flight.start - origin for flight in flights], dtype=np.float64)
    widths = np.array([flight.end - flight.start for flight in flights], dtype=np.float64)
    rows = np.arange(len(flights))

    fig, ax = plt.subplots(figsize=(10, 5))
    if len(flights):
        ax.barh(rows, widths, left=lefts, height=1, color=bar_colors)
    if show_size_labels:
        for row, flight, left, width, value in zip(rows, flights, lefts, widths, shade):
            ax.text(left + width / 2, row, human_size(flight.num_bytes), ha="center",
                    va="center", fontsize=8, color="black" if value > 0.5 else "0.8")
    mappable = ScalarMappable(cmap=cmap, norm=norm)
    mappable.set_array([])
    fig.colorbar(mappable, ax=ax, label="File Size (bytes)")
    ax.set_title(title)
    ax.set_xlabel("Time (seconds)")
    ax.set_ylabel("Files in Flight")
    ax.set_yticks([])
    _finish(plt, fig, filename)


def plot_transfer(
    bytes_per_bin: Sequence[float], files_per_bin: Sequence[int], resolution: float,
    size_histogram: Sequence[tuple[int, int]], title: str, filename: str | None = None,
) -> None:
    """One transfer in two charts: MB/s and files/s per `resolution` seconds over time, and
    the number of files per size class (size_histogram: (smallest size, files) per power
    of two, as TransferRecorder.size_histogram gives). Saved to `filename` when given,
    else shown on screen."""
    plt = _pyplot()
    import numpy as np

    fig, (rate_ax, size_ax) = plt.subplots(2, 1, figsize=(10, 8))
    fig.suptitle(title, fontsize=10)
    megabytes = np.asarray(bytes_per_bin, dtype=np.float64) / 1e6 / resolution
    files = np.asarray(files_per_bin, dtype=np.float64) / resolution
    edges = np.arange(megabytes.size + 1) * resolution
    rate_ax.stairs(megabytes, edges, fill=True, color="tab:blue", alpha=0.4)
    rate_ax.stairs(megabytes, edges, color="tab:blue", linewidth=1.5)
    rate_ax.set_xlabel("Time (seconds)")
    rate_ax.set_ylabel("MB/s", color="tab:blue")
    rate_ax.grid(axis="y", linestyle="--", alpha=0.7)
    files_ax = rate_ax.twinx()
    files_ax.stairs(files, edges, color="tab:orange", linewidth=1, alpha=0.8)
    files_ax.set_ylabel("files/s", color="tab:orange")
    files_ax.set_ylim(bottom=0)
    rate_ax.set_title(f"Throughput (per {resolution:g} s)")

    floors = [floor for floor, _ in size_histogram]
    counts = [count for _, count in size_histogram]
    positions = np.arange(len(floors))
    size_ax.bar(positions, counts, color="tab:green", width=0.9)
    size_ax.set_xticks(positions, [human_size(floor) for floor in floors],
                       rotation=45 if len(floors) > 12 else 0)
    size_ax.set_xlabel("File size (at least, bytes; each bar spans a power of two)")
    size_ax.set_ylabel("Files")
    size_ax.set_title("File sizes")
    _finish(plt, fig, filename)
