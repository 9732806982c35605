"""Protocol aliases: official ones, process ones, the persistent alias file and `cloudfiles alias`."""
from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from cloudfiles import paths
from cloudfiles.adapters.s3.storage import S3Storage
from cloudfiles.adapters.secret_files import CLOUD_FILES_DIR_ENV
from cloudfiles.domain import paths as domain_paths
from cloudfiles.domain.aliases import OFFICIAL_TABLE, Alias, AliasTable, parse_alias
from cloudfiles.domain.protocols import FORMATS, PROTOCOLS
from cloudfiles.entrypoints import aliases, registry
from cloudfiles.entrypoints.cli_alias import alias as alias_cli
from cloudfiles.entrypoints.wiring import parse_path
from cloudfiles.exceptions import UnsupportedProtocolError
from cloudfiles.paths import ExtractedPath, ascloudpath, extract
from tests.plugin_install import install_plugin
from tests.unit.alias_helpers import alias_dir  # noqa: F401  (fixture)

OFFICIAL = {
    "matrix": "https://s3-hpcrc.rc.princeton.edu",
    "tigerdata": "https://td.princeton.edu",
    "nokura": "https://c10s.pni.princeton.edu",
}
EXAMPLE = "s3://https://example.com/"

pytestmark = pytest.mark.usefixtures("alias_dir")


def _stored(directory) -> dict:
    return json.loads((directory / "aliases.json").read_text())


# -- official aliases ---------------------------------------------------------------------------
@pytest.mark.parametrize("name, host", sorted(OFFICIAL.items()))
def test_official_aliases_are_s3_endpoints(name, host):
    epath = extract(f"{name}://bucket/dir")
    assert epath == ExtractedPath("precomputed", "s3", "bucket", "dir", host, name)
    assert ascloudpath(epath._replace(format="")) == f"{name}://bucket/dir"
    assert paths.ALIASES[name] == f"s3://{host}/"
    assert paths.OFFICIAL_ALIASES[name] == f"s3://{host}/"
    assert name in paths.ALLOWED_PROTOCOLS and name not in paths.BASE_ALLOWED_PROTOCOLS


def test_alias_paths_reach_the_s3_adapter():
    epath = parse_path("matrix://bucket/dir")
    assert (epath.protocol, epath.alias) == ("s3", "matrix")
    assert registry.adapter_for(epath.protocol) is S3Storage


def test_official_aliases_cannot_be_removed():
    with pytest.raises(ValueError, match="official alias"):
        paths.remove_alias("matrix")
    with pytest.raises(ValueError, match="official alias"):
        paths.remove_persistent_alias("nokura")
    assert extract("nokura://b").alias == "nokura"


def test_resolve_alias():
    assert paths.resolve_alias("matrix://b/x") == (
        "matrix", "s3://https://s3-hpcrc.rc.princeton.edu/b/x")
    assert paths.resolve_alias("zarr://tigerdata://b") == (
        "tigerdata", "zarr://s3://https://td.princeton.edu/b")
    assert paths.resolve_alias("gs://b/x") == (None, "gs://b/x")
    assert paths.resolve_alias("dataset/layer") == (None, "dataset/layer")


# -- process aliases ----------------------------------------------------------------------------
def test_add_alias_lasts_for_the_process_only(alias_dir):  # noqa: F811
    paths.add_alias("example", "s3://https://example.com:9000")
    epath = extract("example://b/x")
    assert epath == ExtractedPath("precomputed", "s3", "b", "x", "https://example.com:9000",
                                  "example")
    assert ascloudpath(epath) == "precomputed://example://b/x"
    assert paths.ALIASES["example"] == "s3://https://example.com:9000/"
    assert paths.to_https_protocol("example://b/x") == "https://example.com:9000/b/x"
    assert not alias_dir.exists()
    paths.remove_alias("example")
    with pytest.raises(UnsupportedProtocolError, match="Unsupported protocol 'example'"):
        extract("example://b/x")
    paths.remove_alias("example")  # removing an absent alias does nothing


@pytest.mark.parametrize("target, cloudpath, expected", [
    ("gs://http://localhost:4443/", "emu://b/k",
     ("gs", "b", "k", "http://localhost:4443")),
    ("https://example.com/", "web://dir/f", ("https", None, "dir/f", "https://example.com")),
    ("middleauth+https://auth.org", "ma://d/f", ("middleauth+https", None, "d/f",
                                                 "https://auth.org")),
    ("mem://", "scratch://a/b", ("mem", None, "a/b", None)),
])
def test_aliases_of_other_stores(target, cloudpath, expected):
    name = cloudpath.partition("://")[0]
    paths.add_alias(name, target)
    epath = extract(cloudpath)
    assert (epath.protocol, epath.bucket, epath.path, epath.host) == expected
    assert epath.alias == name and ascloudpath(epath) == f"precomputed://{cloudpath}"


@pytest.mark.parametrize("name, target, message", [
    ("gs", EXAMPLE, "built-in protocol"),
    ("zarr2", EXAMPLE, "data format"),
    ("bad name", EXAMPLE, "must be a letter"),
    ("1x", EXAMPLE, "must be a letter"),
    ("x", "ftp://example.com/", "not a protocol an alias can stand for"),
    ("x", "file:///tmp/", "not a protocol an alias can stand for"),
    ("x", "example.com", "not a protocol an alias can stand for"),
    ("x", "s3://https://example.com/bucket/", "no path"),
    ("x", "s3://example.com", "http\\(s\\)://HOST"),
    ("x", "mem://bucket/", "takes no endpoint or bucket"),
    ("x", "https://", "names a host"),
    ("x", "https://example.com/dir/", "names a host"),
    ("x", None, "must be a str"),
])
def test_bad_aliases_are_refused_with_the_reason(name, target, message):
    with pytest.raises(ValueError, match=message):
        paths.add_alias(name, target)
    assert paths.ALIASES == {n: f"s3://{h}/" for n, h in OFFICIAL.items()}


def test_an_installed_adapter_protocol_cannot_become_an_alias(monkeypatch, tmp_path):
    install_plugin(monkeypatch, tmp_path, "fakeproto_plugin", "fakeproto = cloudfiles.adapters.local.mem:MemStorage")
    with pytest.raises(ValueError, match="installed adapter"):
        paths.add_alias("fakeproto", EXAMPLE)
    paths.add_alias("viaplugin", "fakeproto://")  # an alias may stand for a plugin's protocol
    assert extract("viaplugin://b/x")[:4] == ("precomputed", "fakeproto", None, "b/x")


# -- the persistent alias file ------------------------------------------------------------------
def test_the_alias_file_lives_in_cloud_files_dir(alias_dir, monkeypatch, tmp_path):  # noqa: F811
    assert paths.ALIAS_FILE == str(alias_dir / "aliases.json")
    monkeypatch.delenv(CLOUD_FILES_DIR_ENV)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert paths.ALIAS_FILE == str(tmp_path / "home" / ".cloudfiles" / "aliases.json")


def test_persistent_aliases_are_written_and_read_back(alias_dir):  # noqa: F811
    paths.add_persistent_alias("example", EXAMPLE)
    assert _stored(alias_dir) == {"example": {"host": EXAMPLE}}
    assert extract("example://b/x").host == "https://example.com"
    aliases.reset_aliases()  # as a new process
    assert extract("example://b/x").alias == "example"
    paths.remove_persistent_alias("example")
    assert _stored(alias_dir) == {}
    with pytest.raises(UnsupportedProtocolError):
        extract("example://b/x")
    aliases.reset_aliases()
    with pytest.raises(UnsupportedProtocolError):
        extract("example://b/x")


def test_update_aliases_from_file_reads_the_file_once(alias_dir):  # noqa: F811
    alias_dir.mkdir()
    (alias_dir / "aliases.json").write_text(json.dumps({"lab": {"host": EXAMPLE}}))
    paths.update_aliases_from_file()
    assert extract("lab://b/x").host == "https://example.com"
    (alias_dir / "aliases.json").write_text("{}")
    paths.update_aliases_from_file()
    assert extract("lab://b/x").alias == "lab"


def test_the_file_may_override_an_official_alias_until_removed(alias_dir):  # noqa: F811
    paths.add_persistent_alias("matrix", "s3://https://moved.example.org/")
    assert extract("matrix://b").host == "https://moved.example.org"
    aliases.reset_aliases()
    assert extract("matrix://b").host == "https://moved.example.org"
    paths.remove_persistent_alias("matrix")
    assert extract("matrix://b").host == OFFICIAL["matrix"]
    assert _stored(alias_dir) == {}


@pytest.mark.parametrize("content, message", [
    ("not json", "is not of the form"),
    ('{"x": "s3://https://example.com/"}', "is not of the form"),
    ('{"gs": {"host": "s3://https://example.com/"}}', "holds a bad alias"),
])
def test_a_broken_alias_file_is_named_in_the_error(alias_dir, content, message):  # noqa: F811
    alias_dir.mkdir()
    (alias_dir / "aliases.json").write_text(content)
    with pytest.raises(ValueError, match=message) as info:
        extract("gs://b")
    assert str(alias_dir / "aliases.json") in str(info.value)


def test_an_empty_alias_file_holds_no_aliases(alias_dir):  # noqa: F811
    alias_dir.mkdir()
    (alias_dir / "aliases.json").write_text("")
    assert paths.ALIASES == {n: f"s3://{h}/" for n, h in OFFICIAL.items()}


# -- the alias table as a value ------------------------------------------------------------------
def test_alias_tables_are_values():
    added = OFFICIAL_TABLE.with_alias(Alias("x", "mem"))
    assert "x" in added.names and "x" not in OFFICIAL_TABLE.names
    assert added.without("x") == OFFICIAL_TABLE
    replaced = added.with_alias(Alias("x", "s3", "https://h.org"))
    assert replaced.get("x").target == "s3://https://h.org/" and len(replaced.entries) == 4
    with pytest.raises(AttributeError):
        OFFICIAL_TABLE.entries = ()


ALIAS_NAMES = st.from_regex(r"[a-z][a-z0-9.\-]{0,7}", fullmatch=True).filter(
    lambda n: n not in PROTOCOLS and n not in FORMATS)
LABELS = st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True)
KEYS = st.lists(st.from_regex(r"[a-z0-9_\-]{1,6}", fullmatch=True), max_size=3).map("/".join)


@given(ALIAS_NAMES, st.sampled_from(["http", "https"]), LABELS, st.none() | st.integers(1, 65535),
       LABELS, KEYS)
def test_any_endpoint_alias_round_trips(name, scheme, host, port, bucket, key):
    endpoint = f"{scheme}://{host}.org" + (f":{port}" if port else "")
    table = AliasTable((parse_alias(name, f"s3://{endpoint}/"),))
    cloudpath = f"{name}://{bucket}/{key}".rstrip("/")
    epath = domain_paths.extract(cloudpath, aliases=table)
    assert epath == ExtractedPath("precomputed", "s3", bucket, key, endpoint, name)
    assert domain_paths.asprotocolpath(epath) == cloudpath
    resolved = f"s3://{endpoint}/{bucket}/{key}".rstrip("/")
    assert domain_paths.resolve_alias(cloudpath, table) == (name, resolved)


# -- cloudfiles alias ---------------------------------------------------------------------------
@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args: str, code: int = 0):
        result = runner.invoke(alias_cli, list(args), catch_exceptions=False)
        assert result.exit_code == code, (result.stdout, result.stderr)
        return result
    return invoke


def test_cli_alias_add_ls_rm(cli, alias_dir):  # noqa: F811
    listed = cli("ls").stdout.splitlines()
    assert listed == [f"{name + '://':15} -> s3://{host}/ (official)"
                      for name, host in OFFICIAL.items()]
    cli("add", "example", EXAMPLE)
    assert _stored(alias_dir) == {"example": {"host": EXAMPLE}}
    aliases.reset_aliases()  # the next command runs in a new process
    assert f"{'example://':15} -> {EXAMPLE}" in cli("ls").stdout.splitlines()
    assert extract("example://b").host == "https://example.com"
    cli("rm", "example")
    assert _stored(alias_dir) == {}
    assert "example" not in cli("ls").stdout


def test_cli_alias_refusals(cli, alias_dir):  # noqa: F811
    assert "built-in protocol" in cli("add", "gs", EXAMPLE, code=1).stderr
    assert "already exists" in cli("add", "matrix", EXAMPLE, code=1).stderr
    assert "no path" in cli("add", "x", "s3://https://h.org/bucket", code=1).stderr
    assert "an official alias" in cli("rm", "matrix", code=1).stderr
    assert "not in the alias file" in cli("rm", "nothere", code=1).stderr
    cli("add", "twice", EXAMPLE)
    assert "already exists" in cli("add", "twice", EXAMPLE, code=1).stderr
    assert _stored(alias_dir) == {"twice": {"host": EXAMPLE}}


def test_cli_alias_ls_names_a_broken_file(cli, alias_dir):  # noqa: F811
    os.makedirs(alias_dir)
    (alias_dir / "aliases.json").write_text("[1, 2]")
    assert "aliases.json is not of the form" in cli("ls", code=1).stderr
