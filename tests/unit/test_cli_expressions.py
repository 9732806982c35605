"""Generative expressions of `cloudfiles ls -e` (cloudfiles.domain.expressions)."""
from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudfiles.domain.expressions import (
    Bracket,
    ExpressionError,
    expand,
    has_expression,
    parse,
    split_brackets,
)
from cloudfiles.exceptions import CloudFilesError

LITERAL = st.text(alphabet="abc/:._0", max_size=4)
BODY = st.text(alphabet="xyz0129", min_size=1, max_size=4)


def test_the_readme_example():
    assert list(expand("gs://bucket/prefix[ab]")) == ["gs://bucket/prefixa", "gs://bucket/prefixb"]


def test_several_brackets_give_the_cartesian_product_leftmost_slowest():
    assert list(expand("x[ab]-[12]")) == ["xa-1", "xa-2", "xb-1", "xb-2"]


@pytest.mark.parametrize("text, expected", [
    ("d[0-3]", ["d0", "d1", "d2", "d3"]),
    ("[-a]", ["-", "a"]),
    ("[a-]", ["a", "-"]),
    ("[aab]", ["a", "b"]),
    ("[]", ["[]"]),
    ("a[b", ["a[b"]),
    ("a]b", ["a]b"]),
    ("[a[b]", ["[ab"]),
    ("", [""]),
])
def test_ranges_and_literal_brackets(text, expected):
    assert list(expand(text)) == expected


def test_a_reversed_range_is_a_domain_error():
    with pytest.raises(ExpressionError) as caught:
        list(expand("x[9-0]"))
    assert isinstance(caught.value, CloudFilesError) and "[9-0]" in str(caught.value)


def test_expansion_is_lazy():
    first = next(expand("[0-9]" * 8))
    assert first == "00000000"


@given(st.text(alphabet=st.characters(blacklist_characters="[")))
def test_text_without_brackets_is_itself(text):
    assert list(expand(text)) == [text]
    assert not has_expression(text)


@given(st.lists(st.tuples(LITERAL, BODY), max_size=3), LITERAL)
def test_expansion_is_the_product_of_each_brackets_characters(pieces, tail):
    text = "".join(f"{literal}[{body}]" for literal, body in pieces) + tail
    choices = [[literal] for literal, _ in pieces]
    sets = [list(dict.fromkeys(body)) for _, body in pieces]
    expected = ["".join(parts) + tail for parts in itertools.product(
        *[x for pair in zip(choices, sets) for x in pair])]
    assert list(expand(text)) == expected
    assert has_expression(text) == bool(pieces)
    assert sum(isinstance(piece, tuple) for piece in parse(text)) == len(pieces)


def test_brackets_are_found_once_for_expressions_and_globs():
    assert split_brackets("a[bc]d[e-g]*[") == ["a", Bracket("bc"), "d", Bracket("e-g"), "*["]
