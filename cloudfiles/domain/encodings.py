"""Content encodings: naming, aliases and the file:// suffix convention."""
from __future__ import annotations

from .errors import UnsupportedCompressionType

GZIP, BROTLI, ZSTD = "gzip", "br", "zstd"
ENCODINGS = (GZIP, BROTLI, ZSTD)
SUFFIXES = {GZIP: ".gz", BROTLI: ".br", ZSTD: ".zstd"}
_ALIASES = {
    "gzip": GZIP, "gz": GZIP, "x-gzip": GZIP,
    "br": BROTLI, "brotli": BROTLI,
    "zstd": ZSTD, "zstandard": ZSTD,
}
_IDENTITY = (None, False, "", "identity", "none", "None")


def normalize_encoding(method: object) -> str | None:
    """Canonical encoding name for a `compress=` argument or Content-Encoding header.

    None/False/''/'identity'/'none' -> None; True -> 'gzip'; aliases like 'brotli' -> 'br'.
    """
    if method is True:
        return GZIP
    if method in _IDENTITY:
        return None
    if isinstance(method, str):
        canonical = _ALIASES.get(method.strip().lower())
        if canonical:
            return canonical
    raise UnsupportedCompressionType(
        f"Unknown compression {method!r}. Use one of: None, True, "
        + ", ".join(repr(e) for e in ENCODINGS) + "."
    )


def suffix_of(encoding: str | None) -> str:
    """The on-disk suffix for an encoding ('' for none)."""
    return SUFFIXES[encoding] if encoding else ""


def split_suffix(name: str) -> tuple[str, str | None]:
    """Split 'a/b.gz' into ('a/b', 'gzip'); names without a known suffix keep encoding None."""
    for encoding, suffix in SUFFIXES.items():
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], encoding
    return name, None
