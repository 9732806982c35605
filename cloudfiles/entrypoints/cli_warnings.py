"""Warnings of a `cloudfiles` command on stderr: one `cloudfiles: warning: ...` line each.

Two kinds reach the user: the WARNING records of the `cloudfiles` logger (each retry) and
TwinFilesWarning (a file:// key stored in several forms). `-q` silences both; errors still show.
"""
from __future__ import annotations

import contextlib
import logging
import sys
import warnings
from collections.abc import Iterator

from ..domain.twins import TwinFilesWarning

LOGGER = "cloudfiles"
PREFIX = "cloudfiles: warning: "


def _one_line(text: str) -> str:
    """text on one line: its lines joined by single spaces."""
    return " ".join(line.strip() for line in str(text).splitlines() if line.strip())


class OneLineFormatter(logging.Formatter):
    """`cloudfiles: warning: <message>`, on one line whatever the message holds."""

    def format(self, record: logging.LogRecord) -> str:
        return PREFIX + _one_line(record.getMessage())


class _StderrHandler(logging.Handler):
    """Writes records to the sys.stderr of the moment (a test runner may swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # noqa: BLE001 - logging's own policy for a failing handler
            self.handleError(record)


@contextlib.contextmanager
def warnings_on_stderr(quiet: bool = False) -> Iterator[None]:
    """While a command runs: retry records and twin warnings on stderr, one line each
    (nothing with quiet); other warnings as Python shows them. All is restored afterwards."""
    logger = logging.getLogger(LOGGER)
    handler = _StderrHandler(logging.ERROR if quiet else logging.WARNING)
    handler.setFormatter(OneLineFormatter())
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings():
            shown = warnings.showwarning

            def show(message, category, filename, lineno, file=None, line=None) -> None:
                if not issubclass(category, TwinFilesWarning):
                    shown(message, category, filename, lineno, file, line)
                elif not quiet:
                    sys.stderr.write(f"{PREFIX}{_one_line(str(message))}\n")

            warnings.showwarning = show
            yield
    finally:
        logger.removeHandler(handler)
