"""The storage contract, run on mem:// and file://."""
from __future__ import annotations

import pytest

from tests.contract.storage_contract import StorageContract, unique_prefix


class TestMemContract(StorageContract):
    @pytest.fixture
    def new_cloudpath(self):
        return lambda: f"mem://contract/{unique_prefix()}"


class TestFileContract(StorageContract):
    @pytest.fixture
    def new_cloudpath(self, tmp_path):
        return lambda: f"file://{tmp_path / unique_prefix()}"
