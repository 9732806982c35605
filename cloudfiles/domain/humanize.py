"""Byte counts for people, as `du -h` prints them: 512, 1.5K, 20M, 3.0G."""
from __future__ import annotations

UNITS = "KMGTPEZY"


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def human_size(nbytes: int) -> str:
    """Size in powers of 1024, rounded up like `du -h`: one decimal below 10, else whole.

    Under 1024 the plain byte count is shown ('0', '1023'); rounding never shows less
    than the real size, so 1025 bytes is '1.1K' and 10239 bytes is '10K'.
    """
    if nbytes < 0:
        raise ValueError(f"A size cannot be negative: {nbytes}.")
    if nbytes < 1024:
        return str(nbytes)
    whole = 0
    for exponent, unit in enumerate(UNITS, start=1):
        scale = 1024 ** exponent
        tenths = _ceil_div(nbytes * 10, scale)
        if tenths < 100:
            return f"{tenths // 10}.{tenths % 10}{unit}"
        whole = _ceil_div(nbytes, scale)
        if whole < 1024 or unit == UNITS[-1]:
            return f"{whole}{unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def parse_human_size(text: str) -> float:
    """The byte count a human_size string stands for (the inverse, for checks and input)."""
    text = text.strip()
    if text and text[-1].upper() in UNITS:
        return float(text[:-1]) * 1024 ** (UNITS.index(text[-1].upper()) + 1)
    return float(text)
