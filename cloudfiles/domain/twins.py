"""Twins: one file:// key stored in more than one form ('x' and 'x.gz', written by other tools).

cloudfiles never makes twins itself (a put removes the other forms of its key), but another
tool may. A read then takes the newest form and warns once, naming every form.
"""
from __future__ import annotations

from collections.abc import Sequence


class TwinFilesWarning(UserWarning):
    """A file:// key is stored in more than one form; the newest was read."""


def newest_form(forms: Sequence[tuple[str, int]]) -> str:
    """The path of the most recently modified form, of (path, mtime_ns) pairs.

    On a tie the earliest pair wins (file:// passes them plain name first, then .gz, .br,
    .zstd, .bz2, .xz).
    """
    if not forms:
        raise ValueError("newest_form needs at least one (path, mtime_ns) pair.")
    newest = max(mtime for _, mtime in forms)
    return next(path for path, mtime in forms if mtime == newest)


def twins_message(key: str, read: str, others: Sequence[str]) -> str:
    """The one-line warning of a key read from `read` while `others` also hold it."""
    ignored = ", ".join(others)
    return (f"file:// key {key!r} is stored in {len(others) + 1} forms: read the newest, "
            f"{read}, and ignored {ignored}. Delete the form you do not want "
            "(writing the key through cloudfiles also replaces every form).")
