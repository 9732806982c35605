"""Third-party adapters through the `cloudfiles.adapters` entry point group."""
from __future__ import annotations

import sys
from importlib.metadata import entry_points

import pytest

from cloudfiles import CloudFiles
from cloudfiles.exceptions import UnsupportedProtocolError
from cloudfiles.testing import StorageContract, unique_prefix
from tests.plugin_install import install_plugin


def test_the_example_plugin_is_installed_through_its_entry_point():
    names = {ep.name: ep.value for ep in entry_points(group="cloudfiles.adapters")}
    assert names.get("plug") == "cloudfiles_plugin_example:DictStorage", (
        "install it: pip install -e tests/plugin_adapter")
    assert {"mem", "file"} <= set(names)  # built-ins register the same way


def test_the_plugin_serves_its_protocol():
    cf = CloudFiles(f"plug://bucket/{unique_prefix()}")
    cf.put("a", b"hello", compress="br")
    assert cf.get("a") == b"hello" and list(cf) == ["a"]


class TestPluginContract(StorageContract):
    @pytest.fixture
    def new_cloudpath(self):
        return lambda: f"plug://contract/{unique_prefix()}"


def test_a_broken_plugin_fails_only_its_own_protocol(tmp_path, monkeypatch):
    (tmp_path / "broken_plugin.py").write_text("raise ImportError('missing dependency xyz')\n")
    install_plugin(monkeypatch, tmp_path, "broken_plugin", "broken = broken_plugin:Storage")
    with pytest.raises(UnsupportedProtocolError, match="broken://.*missing dependency xyz"):
        CloudFiles("broken://bucket/x")
    assert CloudFiles(f"mem://{unique_prefix()}").get("x") is None
    assert "broken_plugin" not in sys.modules


def test_an_unknown_protocol_names_the_installed_ones():
    with pytest.raises(UnsupportedProtocolError, match="Unsupported protocol 'nope'"):
        CloudFiles("nope://bucket/x")
