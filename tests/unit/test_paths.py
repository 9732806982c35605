"""Cloud path parsing and formatting."""
from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudfiles.exceptions import UnsupportedProtocolError
from cloudfiles.paths import ExtractedPath, asbucketpath, ascloudpath, extract, to_https_protocol

NAME = st.text(alphabet="abcxyz019_-.", min_size=1, max_size=8).filter(
    lambda s: s not in (".", "..") and not s.startswith(".")
)
PATHS = st.lists(NAME, max_size=4).map("/".join)
FORMATS = st.sampled_from(["precomputed", "graphene", "boss"])


@given(FORMATS, st.sampled_from(["gs", "s3", "matrix"]), NAME, PATHS)
def test_bucket_paths_round_trip(fmt, protocol, bucket, path):
    epath = ExtractedPath(fmt, protocol, bucket, path, None)
    assert extract(ascloudpath(epath)) == epath


@given(FORMATS, st.sampled_from(["http", "https"]), NAME, PATHS)
def test_web_paths_round_trip(fmt, scheme, host, path):
    epath = ExtractedPath(fmt, "s3", host, path, f"{scheme}://{host}.org:9000")
    assert extract(ascloudpath(epath)) == epath
    web = ExtractedPath(fmt, scheme, None, path, f"{scheme}://{host}.org")
    assert extract(ascloudpath(web)) == web


@given(FORMATS, PATHS)
def test_local_paths_round_trip(fmt, path):
    for epath in (ExtractedPath(fmt, "file", None, "/" + path, None),
                  ExtractedPath(fmt, "mem", None, path, None)):
        assert extract(ascloudpath(epath)) == epath


def test_examples_from_the_reference():
    assert extract("gs://bucket/dir/file") == ExtractedPath(
        "precomputed", "gs", "bucket", "dir/file", None)
    assert extract("s3://https://s3emulator.com/coolguy/x") == ExtractedPath(
        "precomputed", "s3", "coolguy", "x", "https://s3emulator.com")
    assert extract("graphene://https://example.com/image/em") == ExtractedPath(
        "graphene", "https", None, "image/em", "https://example.com")
    assert extract("matrix://b/c").protocol == "matrix"
    assert extract("mem:///home/coolguy/").path == "/home/coolguy/"


def test_relative_and_home_paths_become_absolute_file_paths():
    assert extract("./rel/dir") == ExtractedPath(
        "precomputed", "file", None, os.path.abspath("rel/dir"), None)
    assert extract("~/x").path == os.path.expanduser("~/x")
    assert extract("file://../up").path == os.path.abspath("../up")
    assert extract("file:///tmp/dir/").path == "/tmp/dir/"


def test_windows_paths_keep_their_drive():
    assert extract("C:\\Users\\me\\data").path == "C:/Users/me/data"
    assert extract("file://D:/data/../x").path == "D:/x"


@pytest.mark.parametrize("bad", ["ftp://host/x", "gs://", "s3:///x", "gs://b/s3://c",
                                 "gs://bad bucket/x", "unknownformat://gs://b"])
def test_malformed_paths_raise_with_the_accepted_form(bad):
    with pytest.raises(UnsupportedProtocolError) as info:
        extract(bad)
    assert "PROTOCOL://BUCKET/PATH" in str(info.value)
    assert repr(bad) in str(info.value)


def test_helpers():
    assert asbucketpath("gs://bucket/a/b") == "precomputed://gs://bucket"
    assert to_https_protocol("gs://b/c") == "https://storage.googleapis.com/b/c"
    assert to_https_protocol("s3://b/c") == "https://s3.amazonaws.com/b/c"
    assert to_https_protocol("s3://https://host/b/c") == "s3://https://host/b/c"
    assert to_https_protocol(extract("gs://b/c")).host == "https://storage.googleapis.com"
