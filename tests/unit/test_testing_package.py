"""cloudfiles.testing: importable without the test extras, clear when they are missing, and
open_storage opens the adapter a cloud path names."""
from __future__ import annotations

import subprocess
import sys

import pytest

import cloudfiles.testing
from cloudfiles.adapters.local.mem import MemStorage
from cloudfiles.adapters.s3.storage import S3Storage
from cloudfiles.adapters.transport.mock import MockTransport
from cloudfiles.domain.objects import PutOptions
from cloudfiles.testing import PortContract, open_storage, unique_prefix

WITHOUT_EXTRAS = """
import sys
sys.modules["pytest"] = sys.modules["hypothesis"] = None  # as if not installed
import cloudfiles.testing as testing
storage = testing.open_storage("mem://no-extras/" + testing.unique_prefix())
print(type(storage).__name__)
try:
    testing.StorageContract
except ImportError as error:
    print(error)
"""


def test_the_package_imports_without_pytest_or_hypothesis_and_names_them_when_used():
    done = subprocess.run([sys.executable, "-c", WITHOUT_EXTRAS], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    kind, message = done.stdout.splitlines()
    assert kind == "MemStorage"
    assert "pytest and hypothesis" in message and "cloudfiles[test]" in message


def test_the_suites_load_on_first_use():
    assert cloudfiles.testing.PortContract is PortContract
    assert {"PortContract", "StorageContract", "ReadableContract"} <= set(dir(cloudfiles.testing))
    with pytest.raises(AttributeError, match="NoSuchContract"):
        cloudfiles.testing.NoSuchContract  # noqa: B018


def test_open_storage_opens_the_protocols_adapter_on_that_root():
    root = f"mem://open-storage/{unique_prefix()}"
    storage = open_storage(root)
    assert isinstance(storage, MemStorage)
    storage.put("k", b"v", PutOptions())
    assert open_storage(root).get("k").content == b"v"  # the same root, seen again
    assert open_storage(root + "/other").get("k") is None


def test_open_storage_hands_network_storages_the_engine_given():
    engine = MockTransport(lambda request: None)
    storage = open_storage("s3://http://s3.test/bkt/p", engine)
    assert isinstance(storage, S3Storage) and storage.transport is engine
    with pytest.raises(TypeError, match="mem:// .*takes no engine"):
        open_storage("mem://b/p", engine)
