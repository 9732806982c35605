"""The storage contract suites, shipped with cloudfiles for adapter authors (and run on every
built-in adapter by cloudfiles' own tests).

Three suites, each a pytest class to subclass in a test module of yours:

- `PortContract` drives the `Storage` port itself (get, put, head, exists, size, delete,
  delete_many, list, list_sizes; ranges, empty objects, missing keys, flat listings), both
  call by call and through the app's driver, as CloudFiles will. Provide a `new_storage`
  fixture: a function returning a fresh, empty storage (a new root) on each call.
- `StorageContract` does the same through the `CloudFiles` API. Provide `new_cloudpath`: a
  function returning a fresh, empty cloud path on each call.
- `ReadableContract` is the read side only, for read-only storages. Provide `publish`: a
  function taking {key: (stored bytes, encoding)} and returning a cloud path where exactly
  those objects can be read.

A plugin serving `myproto://` (registered in the `cloudfiles.adapters` entry point group)
runs them like this, after `pip install 'cloudfiles[test]'` (pytest and hypothesis):

    import pytest
    from cloudfiles.testing import PortContract, StorageContract, open_storage, unique_prefix

    class TestMyPort(PortContract):
        @pytest.fixture
        def new_storage(self):
            return lambda: open_storage(f"myproto://bucket/{unique_prefix()}")

    class TestMyCloudFiles(StorageContract):
        max_examples = 20  # fewer hypothesis examples for a slow storage

        @pytest.fixture
        def new_cloudpath(self):
            return lambda: f"myproto://bucket/{unique_prefix()}"

`open_storage(cloudpath, engine=...)` hands a sans-I/O storage (an OpStorage) the transport of
your choice, e.g. a fake server behind the Transport port, so the suites run with no network.

Importing this package needs neither pytest nor hypothesis; the suites import them when first
used, and say what to install when they are missing.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

from .storages import open_storage, unique_prefix

#: Where each suite lives; loaded on first use, so importing this package needs no test extras.
_SUITES = {
    "PortContract": "port_contract",
    "StorageContract": "storage_contract",
    "ReadableContract": "readable_contract",
}


def __getattr__(name: str) -> Any:
    module = _SUITES.get(name)
    if module is None:
        raise AttributeError(f"module 'cloudfiles.testing' has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_SUITES])


__all__ = ["PortContract", "ReadableContract", "StorageContract", "open_storage",
           "unique_prefix"]
