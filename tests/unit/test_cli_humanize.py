"""Human readable sizes of `cloudfiles du -h` (cloudfiles.domain.humanize)."""
from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudfiles.domain.humanize import human_size, parse_human_size

SIZES = st.integers(min_value=0, max_value=2**75)


@pytest.mark.parametrize("nbytes, shown", [
    (0, "0"), (1, "1"), (1023, "1023"), (1024, "1.0K"), (1025, "1.1K"), (1536, "1.5K"),
    (10239, "10K"), (10240, "10K"), (10241, "11K"), (1024**2 - 1, "1.0M"),
    (20 * 1024**2, "20M"), (3 * 1024**3, "3.0G"), (1024**4, "1.0T"), (1024**8 * 2000, "2000Y"),
])
def test_like_du_h(nbytes, shown):
    assert human_size(nbytes) == shown


def test_negative_sizes_are_refused():
    with pytest.raises(ValueError):
        human_size(-1)


@given(SIZES)
def test_never_shows_less_than_the_size_and_at_most_one_step_more(nbytes):
    shown = human_size(nbytes)
    assert re.fullmatch(r"\d+(\.\d)?[KMGTPEZY]?", shown)
    value = parse_human_size(shown)
    assert value >= nbytes
    if shown[-1].isdigit():
        assert value == nbytes
    else:
        scale = 1024 ** ("KMGTPEZY".index(shown[-1]) + 1)
        step = scale / 10 if "." in shown else scale
        assert value - step < nbytes
        assert float(shown[:-1]) < 1024 or shown.endswith("Y")


@given(SIZES, SIZES)
def test_is_monotonic(a, b):
    low, high = sorted((a, b))
    assert parse_human_size(human_size(low)) <= parse_human_size(human_size(high))
