"""Cloud path parsing and formatting (cloudfiles.paths, the cloud-files 3.1.1 contract)."""
from __future__ import annotations

import os
import pickle

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cloudfiles import paths
from cloudfiles.domain import paths as domain_paths
from cloudfiles.entrypoints.wiring import parse_path
from cloudfiles.exceptions import UnsupportedProtocolError
from cloudfiles.paths import (
    ExtractedPath,
    asbucketpath,
    ascloudpath,
    asprotocolpath,
    extract,
    normalize,
    to_https_protocol,
)
from tests.plugin_install import install_plugin
from tests.unit.alias_helpers import alias_dir  # noqa: F401  (fixture)

#: Every format the latest cloud-files release accepts.
LATEST_FORMATS = ["graphene", "precomputed", "boss", "n5", "zarr", "zarr2", "zarr3",
                  "brainmaps", "deepzoom", "nggraph", "render", "vtk", "nifti", "dvid"]

NAME = st.text(alphabet="abcxyz019_-.", min_size=1, max_size=8).filter(
    lambda s: s not in (".", "..") and not s.startswith(".")
)
PATHS = st.lists(NAME, max_size=4).map("/".join)
FORMATS = st.sampled_from(LATEST_FORMATS)
WEB = st.sampled_from(["http", "https", "middleauth+https", "ngauth+https"])


@pytest.fixture(autouse=True)
def _private_aliases(alias_dir):  # noqa: F811
    """Paths here see the official aliases only, never the user's alias file."""


# -- round trips --------------------------------------------------------------------------------
@given(FORMATS, st.sampled_from(["gs", "s3"]), NAME, PATHS)
def test_bucket_paths_round_trip(fmt, protocol, bucket, path):
    epath = ExtractedPath(fmt, protocol, bucket, path, None)
    assert extract(ascloudpath(epath)) == epath


@given(FORMATS, st.sampled_from(["http", "https"]), NAME, PATHS)
def test_endpoint_paths_round_trip(fmt, scheme, host, path):
    epath = ExtractedPath(fmt, "s3", host, path, f"{scheme}://{host}.org:9000")
    assert extract(ascloudpath(epath)) == epath


@given(FORMATS, WEB, NAME, PATHS)
def test_web_paths_round_trip(fmt, protocol, host, path):
    scheme = protocol.rpartition("+")[2]
    web = ExtractedPath(fmt, protocol, None, path, f"{scheme}://{host}.org")
    assert extract(ascloudpath(web)) == web


@given(FORMATS, PATHS)
def test_local_paths_round_trip(fmt, path):
    for epath in (ExtractedPath(fmt, "file", None, "/" + path, None),
                  ExtractedPath(fmt, "mem", None, path, None)):
        assert extract(ascloudpath(epath)) == epath


@given(st.sampled_from(["matrix", "tigerdata", "nokura"]), FORMATS, NAME, PATHS)
def test_alias_paths_round_trip(alias, fmt, bucket, path):
    host = paths.ALIASES[alias].removeprefix("s3://").rstrip("/")
    epath = ExtractedPath(fmt, "s3", bucket, path, host, alias)
    cloudpath = ascloudpath(epath)
    assert cloudpath == f"{fmt}://{alias}://" + "/".join(p for p in (bucket, path) if p)
    assert extract(cloudpath) == epath


# -- the 3.1.1 contract -------------------------------------------------------------------------
def test_examples_from_the_reference():
    for url in ("gs://bucket/dataset/layer", "gs://bucket/dataset/layer/"):
        epath = extract(url)
        assert (epath.format, epath.protocol, epath.bucket, epath.host) == (
            "precomputed", "gs", "bucket", None)
        assert epath.path in ("dataset/layer", "dataset/layer/")
    assert extract("graphene://http://localhost:8080/segmentation/1.0/testvol") == ExtractedPath(
        "graphene", "http", None, "segmentation/1.0/testvol", "http://localhost:8080")
    assert extract("precomputed://gs://fafb-ffn1-1234567") == ExtractedPath(
        "precomputed", "gs", "fafb-ffn1-1234567", "", None)
    assert extract("s3://https://s3emulator.com/coolguy/x") == ExtractedPath(
        "precomputed", "s3", "coolguy", "x", "https://s3emulator.com")
    assert extract("precomputed://s3://https://s3-hpcrc.rc.princeton.edu/hello/world") == (
        ExtractedPath("precomputed", "s3", "hello", "world", "https://s3-hpcrc.rc.princeton.edu"))
    assert extract("file:///tmp/dataset/layer") == ExtractedPath(
        "precomputed", "file", None, "/tmp/dataset/layer", None)
    assert extract("mem:///home/coolguy/").path == "/home/coolguy/"


def test_file_paths_are_made_absolute():
    assert extract("file://seunglab-test/dir").path == os.path.abspath("seunglab-test/dir")
    assert extract("file://~/x").path == os.path.expanduser("~/x")
    assert extract("file://../up").path == os.path.abspath("../up")
    assert extract("file:///tmp/dir/").path == "/tmp/dir/"  # a trailing '/' spells a directory
    assert extract("file://D:/data/../x").path == "D:/x"


@pytest.mark.parametrize("bare", ["dataset/layer", "./rel/dir", "/abs/dir", "~/x",
                                  "ou3bouqjsa fkj aojsf oaojf ojsaf", "C:\\Users\\me"])
def test_a_path_without_protocol_is_refused_by_extract(bare):
    with pytest.raises(UnsupportedProtocolError, match="No protocol was given"):
        extract(bare)


@pytest.mark.parametrize("bad", ["ftp://host/x", "s4://dataset/layer", "lucifer://b/d/l/",
                                 "gs://", "gs://///", "s3:///x", "gs://b/s3://c",
                                 "gs://bad bucket/x", "unknownformat://gs://b", "s3://https://",
                                 "middleauth+https://", "gs://b/x|nosuchformat:",
                                 "zarr2://gs://b/x|zarr3:", "matrix://"])
def test_malformed_paths_raise_with_the_accepted_form(bad):
    with pytest.raises(UnsupportedProtocolError) as info:
        extract(bad)
    assert "PROTOCOL://BUCKET/PATH" in str(info.value)
    assert repr(bad) in str(info.value)


def test_a_path_must_be_a_string():
    with pytest.raises(UnsupportedProtocolError, match="must be a str, not int"):
        extract(3)
    with pytest.raises(UnsupportedProtocolError, match="must be a str, not NoneType"):
        normalize(None)


def test_the_empty_path_extracts_to_empty_parts():
    assert extract("") == ("", "", "", "", "", None)


# -- windows ----------------------------------------------------------------------------------
def test_windows_file_paths_are_kept_as_written():
    assert extract(r"file://C:\wow\path", windows=True) == ExtractedPath(
        "precomputed", "file", None, "C:\\wow\\path", None)
    assert extract("file://C:\\wow\\path\\", windows=True).path == "C:\\wow\\path\\"
    assert extract("file://rel\\dir", windows=True).path == "rel\\dir"
    web = extract("precomputed://https://storage.googleapis.com/pub/kasthuri/gt", windows=True)
    assert web == ExtractedPath("precomputed", "https", None, "pub/kasthuri/gt",
                                "https://storage.googleapis.com")


def test_windows_false_makes_file_paths_absolute():
    assert extract("file://rel/dir", windows=False).path == os.path.abspath("rel/dir")
    default = extract("file://rel/dir").path
    assert default == ("rel/dir" if os.name == "nt" else os.path.abspath("rel/dir"))


# -- ExtractedPath ------------------------------------------------------------------------------
def test_extracted_path_keeps_the_311_fields_first():
    assert ExtractedPath._fields == ("format", "protocol", "bucket", "path", "host", "alias")
    epath = ExtractedPath("precomputed", "gs", "b", "p", None)
    assert epath.alias is None and epath == extract("gs://b/p")
    fmt, protocol, bucket, path, host = epath[:5]
    assert (fmt, protocol, bucket, path, host) == ("precomputed", "gs", "b", "p", None)


@given(st.sampled_from(["gs://b/x", "matrix://b/x", "file:///tmp/x", "https://h.org/x"]))
def test_extracted_path_pickles_and_replaces(cloudpath):
    epath = extract(cloudpath)
    assert pickle.loads(pickle.dumps(epath)) == epath
    moved = epath._replace(path="y")
    assert moved.path == "y" and moved[:3] == epath[:3] and moved.alias == epath.alias


# -- formats and normalize ----------------------------------------------------------------------
def test_allowed_formats_are_those_of_the_latest_release():
    assert paths.ALLOWED_FORMATS[:3] == ["graphene", "precomputed", "boss"]
    assert set(paths.ALLOWED_FORMATS) == set(LATEST_FORMATS)


@pytest.mark.parametrize("fmt", LATEST_FORMATS)
def test_every_format_parses_in_front_and_behind(fmt):
    expected = ExtractedPath(fmt, "gs", "bucket", "dataset/layer", None)
    assert extract(f"{fmt}://gs://bucket/dataset/layer") == expected
    assert extract(f"gs://bucket/dataset/layer|{fmt}:") == expected
    assert normalize(f"gs://bucket/dataset/layer|{fmt}:") == f"{fmt}://gs://bucket/dataset/layer"


def test_the_neuroglancer_precomputed_suffix_names_no_format():
    suffixed = "gs://bucket/dataset/layer|neuroglancer-precomputed:"
    assert extract(suffixed) == ExtractedPath("precomputed", "gs", "bucket", "dataset/layer", None)
    assert normalize(suffixed) == "gs://bucket/dataset/layer"


def test_normalize_keeps_the_format_and_adds_file_to_bare_paths():
    assert normalize("precomputed://gs://b/x") == "precomputed://gs://b/x"
    assert normalize("graphene://https://example.com/seg") == "graphene://https://example.com/seg"
    assert normalize("matrix://b/x") == "matrix://b/x"
    assert normalize("dataset/layer") == "file://" + os.path.abspath("dataset/layer")
    assert normalize("zarr://rel/dir/") == "zarr://file://" + os.path.abspath("rel/dir") + "/"
    assert normalize("~/x|n5:") == "n5://file://" + os.path.expanduser("~/x")
    assert normalize("") == ""


@given(st.sampled_from(["", "./", "/", "~/"]), PATHS, st.sampled_from(["", "zarr2://"]))
def test_bare_paths_normalize_to_absolute_file_paths(start, path, fmt):
    assume(start + path)
    bare = fmt + start + path
    normal = normalize(bare)
    assert normalize(normal) == normal
    epath = extract(normal)
    assert epath.protocol == "file" and epath.format == (fmt[:-3] or "precomputed")
    absolute = os.path.abspath(os.path.expanduser(start + path))
    assert epath.path in (absolute, absolute + "/")


def test_parse_path_accepts_bare_paths_and_normalizes_before_extracting():
    assert parse_path("rel/dir") == extract("file://" + os.path.abspath("rel/dir"))
    assert parse_path("zarr3://rel/dir/").path == os.path.abspath("rel/dir") + "/"
    assert parse_path("gs://b/x|zarr2:").format == "zarr2"
    assert parse_path("matrix://b/x", use_https=True) == ExtractedPath(
        "precomputed", "https", None, "b/x", "https://s3-hpcrc.rc.princeton.edu")
    with pytest.raises(UnsupportedProtocolError, match="Unsupported protocol 'nope'"):
        parse_path("nope://b/x")


# -- middleauth / ngauth ------------------------------------------------------------------------
@pytest.mark.parametrize("protocol", ["middleauth+https", "ngauth+https"])
def test_authenticated_https_keeps_its_protocol(protocol):
    epath = extract(f"{protocol}://example.com/wow/cool/")
    assert epath == ExtractedPath("precomputed", protocol, None, "wow/cool/",
                                  "https://example.com")
    assert asprotocolpath(epath) == f"{protocol}://example.com/wow/cool/"
    assert to_https_protocol(epath) == epath


# -- plugins ------------------------------------------------------------------------------------
def test_plugin_protocols_are_accepted(monkeypatch, tmp_path):
    with pytest.raises(UnsupportedProtocolError, match="Unsupported protocol 'fakeproto'"):
        extract("fakeproto://b/x")
    assert domain_paths.extract("fakeproto://b/x", protocols=("fakeproto",)).path == "b/x"
    install_plugin(monkeypatch, tmp_path, "fakeproto_plugin", "fakeproto = cloudfiles.adapters.local.mem:MemStorage")
    assert extract("fakeproto://b/x") == ExtractedPath("precomputed", "fakeproto", None, "b/x",
                                                       None)
    assert "fakeproto" in paths.ALLOWED_PROTOCOLS
    assert paths.get_protocol("zarr://fakeproto://b") == "fakeproto"


# -- helpers ------------------------------------------------------------------------------------
def test_asbucketpath_and_asprotocolpath():
    assert asbucketpath("gs://bucket/a/b") == "precomputed://gs://bucket"
    assert asbucketpath("matrix://bucket/a/b") == "precomputed://matrix://bucket"
    assert asbucketpath(extract("s3://http://h:9000/b/x")) == "precomputed://s3://http://h:9000/b"
    with pytest.raises(TypeError, match="str or ExtractedPath"):
        asbucketpath(5)
    assert asprotocolpath(extract("zarr://gs://b/x")) == "gs://b/x"
    assert ascloudpath(ExtractedPath(None, "gs", "my_bucket", "of/heaven", None)) == (
        "gs://my_bucket/of/heaven")
    assert ascloudpath(ExtractedPath("graphene", "https", "b", "x", "https://d.com")) == (
        "graphene://https://d.com/b/x")


def test_to_https_protocol():
    assert to_https_protocol("gs://b/c") == "https://storage.googleapis.com/b/c"
    assert to_https_protocol("s3://b/c") == "https://s3.amazonaws.com/b/c"
    assert to_https_protocol("precomputed://gs://b/c") == (
        "precomputed://https://storage.googleapis.com/b/c")
    assert to_https_protocol("matrix://b/c") == "https://s3-hpcrc.rc.princeton.edu/b/c"
    assert to_https_protocol("nokura://b/c") == "https://c10s.pni.princeton.edu/b/c"
    assert to_https_protocol("tigerdata://b/c") == "https://td.princeton.edu/b/c"
    for unchanged in ("file://b/c", "mem://b/c", "https://h.org/x"):
        assert to_https_protocol(unchanged) == unchanged
    # an explicit endpoint is read at that endpoint over https, as cloud-files does
    assert to_https_protocol("s3://https://host/b/c") == "https://host/b/c"
    assert to_https_protocol(extract("gs://b/c")) == extract("https://storage.googleapis.com/b/c")
    assert to_https_protocol(extract("matrix://b/c")) == extract(
        "https://s3-hpcrc.rc.princeton.edu/b/c")
    assert to_https_protocol(extract("s3://https://host/b/c")) == extract("https://host/b/c")


def test_get_protocol():
    assert paths.get_protocol("gs://b/x") == "gs"
    assert paths.get_protocol("precomputed://s3://b/x") == "s3"
    assert paths.get_protocol("matrix://b/x") == "matrix"
    assert paths.get_protocol("dataset/layer") is None
    assert paths.get_protocol("lucifer://b") is None


def test_dirname_basename_and_asfilepath():
    assert paths.dirname("gs://b/dir/file") == "gs://b/dir"
    assert paths.basename("gs://b/dir/file") == "file"
    assert paths.dirname(os.path.join("dir", "file")) == "dir"
    assert paths.basename(os.path.join("dir", "file")) == "file"
    assert paths.asfilepath("file:///tmp/x") == "/tmp/x"
    assert paths.asfilepath(extract("file://rel")) == os.path.abspath("rel")
    with pytest.raises(ValueError, match='gs protocol must be "file"'):
        paths.asfilepath("gs://b/x")
