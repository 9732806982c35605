"""What a transfer command shows of its work: a one-line summary on stderr and `--plot FILE`.

For any command that streams per-file transfer results (cp, xfer execute, sync):

    @plot_option
    @summary_option
    def command(..., plot_file, summary, progress): ...
        report = transfer_report("sync", plot_file, summary, progress)
        for result in reported(results, report): ...

or report.watch(...) around each of several streams, then report.finish() once.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import click

from ..app import rate_plots
from ..app.transfer_report import TransferRecorder
from .cli_common import CliError


def _checked_plot_file(ctx: click.Context, param: click.Parameter,
                       value: str | None) -> str | None:
    """--plot's file, refused before any work when it could not be drawn or written."""
    if value is None:
        return None
    try:
        rate_plots.require_matplotlib()
    except ImportError as error:
        raise click.BadParameter(str(error), ctx, param) from None
    directory = os.path.dirname(os.path.abspath(value))
    if not os.path.isdir(directory):
        raise click.BadParameter(f"{directory} is not a directory.", ctx, param)
    return value


#: --plot FILE.png: throughput over time and a histogram of file sizes, drawn at the end.
plot_option = click.option(
    "--plot", "plot_file", metavar="FILE.png", default=None, callback=_checked_plot_file,
    help="Draw throughput over time and a histogram of file sizes into FILE.png "
         f"(the format follows the suffix; needs {rate_plots.PLOT_INSTALL_HINT}).")

#: --summary: the one-line summary at the end, also without --progress or --plot.
summary_option = click.option(
    "--summary", is_flag=True,
    help="Print files, bytes, seconds, MB/s and errors on stderr at the end "
         "(also done by --progress and --plot; -q prints none).")


def _quiet() -> bool:
    """Whether the group was given -q."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.find_root().params.get("quiet"))


class TransferReport:
    """A command's transfers, recorded as their results stream by; finish() prints the
    summary line (when `show_summary`) and writes the chart (when `plot_file`)."""

    def __init__(self, command: str, plot_file: str | None = None,
                 show_summary: bool = False):
        self.command = command
        self.plot_file = plot_file
        self.show_summary = show_summary
        self.recorder = TransferRecorder()

    def watch(self, results: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
        """The results, recorded as they pass."""
        return self.recorder.watch(results)

    def finish(self) -> None:
        """Print the summary and write the chart of everything watched."""
        if self.show_summary:
            click.echo(f"cloudfiles: {self.command}: {self.recorder.summary().line()}",
                       err=True)
        if self.plot_file is not None:
            try:
                self.recorder.plot(self.plot_file, title=f"cloudfiles {self.command}")
            except (OSError, ValueError) as error:
                raise CliError(f"{self.command}: cannot write the plot "
                               f"{self.plot_file}: {error}") from None


def transfer_report(command: str, plot_file: str | None = None, summary: bool = False,
                    progress: bool = False) -> TransferReport:
    """The report of a command given --plot/--summary/--progress: the summary line shows
    with any of them, unless the group was given -q."""
    shown = bool(summary or progress or plot_file) and not _quiet()
    return TransferReport(command, plot_file, shown)


def reported(results: Iterable[Mapping[str, Any]],
             report: TransferReport) -> Iterator[Mapping[str, Any]]:
    """The results, recorded as they pass; the summary and chart follow the last one."""
    yield from report.watch(results)
    report.finish()
