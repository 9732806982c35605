"""Glob patterns on keys, matched as shells match file names, without I/O.

`*` matches any run of characters within one name (never '/'), `?` one character of a name,
`[...]` one character of a set (ranges like `a-z`; `[!...]` or `[^...]` for any other
character) and `**` any run of characters across '/' (`a/**/b` also matches `a/b`).
Brackets are found by the rules of generative expressions (cloudfiles.domain.expressions).

A path with wildcards splits into its fixed directory (everything before the last '/'
ahead of the first wildcard) and the pattern under it, so `gs://b/a/1*` is the pattern `1*`
in `gs://b/a`, and only keys starting with `1` there need listing.
"""
from __future__ import annotations

import re
from functools import lru_cache

from attrs import frozen

from .errors import CloudFilesError
from .expressions import Bracket, characters, split_brackets
from .paths import ExtractedPath
from .targets import store_depth, with_segments

#: Protocols whose paths are never globs: '?' starts the query of a URL.
LITERAL_PROTOCOLS = ("http", "https")


class GlobError(CloudFilesError, ValueError):
    """A glob that cannot be used (e.g. a wildcard in a bucket name)."""


class NoMatchError(CloudFilesError, LookupError):
    """A glob matched no file."""

    def __init__(self, path: str):
        super().__init__("no matches found")
        self.path = path


def _pieces_with_positions(pattern: str):
    """(position in pattern, piece) for each piece of split_brackets(pattern)."""
    position = 0
    for piece in split_brackets(pattern):
        yield position, piece
        position += len(piece) if isinstance(piece, str) else len(piece.body) + 2


def first_wildcard(text: str) -> int | None:
    """Where the first wildcard of text stands ('*', '?' or a bracket); None without one."""
    for position, piece in _pieces_with_positions(text):
        if isinstance(piece, Bracket):
            return position
        found = [index for index in (piece.find("*"), piece.find("?")) if index >= 0]
        if found:
            return position + min(found)
    return None


def is_glob(text: str) -> bool:
    """Whether text holds a wildcard."""
    return first_wildcard(text) is not None


def _bracket_regex(body: str, pattern: str) -> str:
    negated = len(body) > 1 and body[0] in "!^"
    chars = [c for c in characters(body[1:] if negated else body, pattern) if c != "/"]
    members = "".join(re.escape(c) for c in chars)
    if negated:
        return f"[^/{members}]"
    return f"[{members}]" if members else "(?!)"


def _literal_regex(run: str, start: int, pattern: str) -> str:
    """The regex of a literal run of the pattern that begins at `start`."""
    out: list[str] = []
    i = 0
    while i < len(run):
        if run.startswith("**", i):
            end = i
            while end < len(run) and run[end] == "*":
                end += 1
            whole_name = start + i == 0 or pattern[start + i - 1] == "/"
            if whole_name and run.startswith("/", end):
                out.append("(?:.*/)?")  # `**/` also matches no directory at all
                end += 1
            else:
                out.append(".*")
            i = end
        elif run[i] == "*":
            out.append("[^/]*")
            i += 1
        elif run[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(run[i]))
            i += 1
    return "".join(out)


@lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> re.Pattern:
    """The regular expression of a glob pattern, matched whole with fullmatch."""
    parts = [_bracket_regex(piece.body, pattern) if isinstance(piece, Bracket)
             else _literal_regex(piece, position, pattern)
             for position, piece in _pieces_with_positions(pattern)]
    return re.compile("".join(parts), re.DOTALL)


def matches(pattern: str, key: str) -> bool:
    """Whether the glob pattern matches the whole key."""
    return compile_pattern(pattern).fullmatch(key) is not None


@frozen
class Glob:
    """A path with wildcards: `directory` is the cloud path before them, `pattern` the rest."""

    directory: str
    pattern: str

    @property
    def prefix(self) -> str:
        """The literal start of the pattern: listing this prefix finds every match."""
        return self.pattern[: first_wildcard(self.pattern)]

    @property
    def flat(self) -> bool:
        """Whether one level of listing finds every match (no '/' after a wildcard, no '**')."""
        rest = self.pattern[len(self.prefix):].rstrip("/")
        literal = "".join(piece for piece in split_brackets(rest) if isinstance(piece, str))
        return "/" not in literal and "**" not in literal

    def match(self, key: str) -> str | None:
        """What the glob picks out of a key relative to `directory`.

        The key itself when the pattern matches it; else the shortest directory holding the
        key that the pattern matches, as 'dir/'; None when neither. A key of a flat listing
        that ends in '/' is a directory.
        """
        regex = compile_pattern(self.pattern)
        if regex.fullmatch(key):
            return key
        for index, char in enumerate(key):
            if char == "/" and (regex.fullmatch(key[:index]) or regex.fullmatch(key[:index + 1])):
                return key[:index + 1]
        return None


def glob_of(epath: ExtractedPath) -> Glob | None:
    """The glob a path spells, or None when its path has no wildcard (http(s) never has)."""
    if epath.protocol in LITERAL_PROTOCOLS:
        return None
    first = first_wildcard(epath.path)
    if first is None:
        return None
    cut = epath.path.rfind("/", 0, first) + 1
    fixed = [segment for segment in epath.path[:cut].split("/") if segment]
    if len(fixed) < store_depth(epath):
        raise GlobError(f"Wildcards cannot stand in a bucket name: {epath.path!r}.")
    return Glob(with_segments(epath, fixed), epath.path[cut:])
