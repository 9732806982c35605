"""Glob patterns of the commands (cloudfiles.domain.globs): matching and splitting, no I/O."""
from __future__ import annotations

import fnmatch

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudfiles.domain.expressions import ExpressionError
from cloudfiles.domain.globs import (
    Glob,
    GlobError,
    first_wildcard,
    glob_of,
    is_glob,
    matches,
)
from cloudfiles.domain.paths import extract


@pytest.mark.parametrize("pattern, key, expected", [
    ("*", "a.txt", True),
    ("*", "d/a.txt", False),           # `*` stays within one name
    ("**", "d/e/a.txt", True),         # `**` crosses '/'
    ("1*", "10", True),
    ("1*", "21", False),
    ("?.txt", "1.txt", True),
    ("?.txt", "12.txt", False),
    ("?", "/", False),
    ("f[0-2].txt", "f1.txt", True),
    ("f[0-2].txt", "f3.txt", False),
    ("f[!0-2].txt", "f3.txt", True),
    ("f[^0-2].txt", "f1.txt", False),
    ("f[!0-2].txt", "f/.txt", False),  # no bracket matches '/'
    ("a/**/b", "a/b", True),           # `**/` may match no directory
    ("a/**/b", "a/x/y/b", True),
    ("a/**/b", "a/xb", False),
    ("**/*.txt", "top.txt", True),
    ("**/*.txt", "d/e/f.txt", True),
    ("d*/s?/*.txt", "d1/s2/f.txt", True),
    ("d*/s?/*.txt", "d1/s2/x/f.txt", False),
    ("a.b", "axb", False),             # regex characters are literal
    ("(a)+", "(a)+", True),
    ("x[", "x[", True),                # an unclosed bracket is literal, as in expressions
    ("[]", "[]", True),
])
def test_matching(pattern, key, expected):
    assert matches(pattern, key) is expected


def test_a_reversed_range_is_the_expression_error():
    with pytest.raises(ExpressionError, match=r"\[9-0\]"):
        matches("x[9-0]", "x5")


PATTERN_PIECES = ["a", "b", ".", "-", "!", "*", "?", "[ab]", "[!a]", "[a-b]", "[.-]", "[^b]"]


@given(st.lists(st.sampled_from(PATTERN_PIECES), max_size=5).map("".join),
       st.text(alphabet="ab.-!", max_size=6))
def test_within_one_name_globs_match_as_fnmatch_does(pattern, name):
    expected = fnmatch.fnmatchcase(name, pattern.replace("[^", "[!"))
    assert matches(pattern, name) is expected


@given(st.text(alphabet="ab/._-", max_size=12))
def test_text_without_wildcards_is_no_glob_and_matches_only_itself(text):
    assert not is_glob(text) and first_wildcard(text) is None
    assert matches(text, text)
    assert not matches(text, text + "x")


@pytest.mark.parametrize("text, position", [
    ("abc", None), ("a*", 1), ("ab?c*", 2), ("x[12]*", 1), ("x[*", 2), ("[]?", 2),
])
def test_first_wildcard(text, position):
    assert first_wildcard(text) == position


@pytest.mark.parametrize("path, directory, pattern, prefix, flat", [
    ("gs://b/a/1*", "gs://b/a", "1*", "1", True),
    ("gs://b/a/*", "gs://b/a", "*", "", True),
    ("gs://b/a/**", "gs://b/a", "**", "", False),
    ("gs://b/a*/x", "gs://b", "a*/x", "a", False),
    ("gs://b/*", "gs://b", "*", "", True),
    ("gs://b/d/x[0-9]y", "gs://b/d", "x[0-9]y", "x", True),
    ("gs://b/d/s?/", "gs://b/d", "s?/", "s", True),
    ("mem://m/d/f*.txt", "mem://m/d", "f*.txt", "f", True),
    ("mem://m/*", "mem://m", "*", "", True),
    ("file:///tmp/x/*/y", "file:///tmp/x", "*/y", "", False),
    ("file:///t*", "file:///", "t*", "t", True),
    ("s3://http://127.0.0.1:9000/bkt/d/k*", "s3://http://127.0.0.1:9000/bkt/d", "k*", "k",
     True),
])
def test_glob_of_splits_at_the_last_slash_before_the_first_wildcard(
        path, directory, pattern, prefix, flat):
    glob = glob_of(extract(path))
    assert glob == Glob(directory, pattern)
    assert (glob.prefix, glob.flat) == (prefix, flat)


@pytest.mark.parametrize("path", ["gs://b/a/1", "gs://b/a/", "https://h.org/x?y=1*",
                                  "http://h.org/[ab]"])
def test_plain_paths_and_urls_are_no_globs(path):
    assert glob_of(extract(path)) is None


def test_a_wildcard_in_a_mem_bucket_name_is_refused():
    with pytest.raises(GlobError, match="bucket"):
        glob_of(extract("mem://buck*/x"))


@pytest.mark.parametrize("pattern, key, picked", [
    ("1*", "10", "10"),                  # a file it matches: the key
    ("1*", "1x/", "1x/"),                # a directory entry of a flat listing
    ("*", "sub/f", "sub/"),              # the shortest directory it matches
    ("d*/s*", "d1/s1/f.txt", "d1/s1/"),
    ("d*/", "d1/f", "d1/"),              # a trailing '/' matches directories only
    ("d*/", "d1", None),
    ("**", "a/b/c", "a/b/c"),
    ("x*", "a/x", None),
])
def test_what_a_glob_picks_of_a_key(pattern, key, picked):
    assert Glob("gs://b", pattern).match(key) == picked
