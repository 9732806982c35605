"""The storage contract on gs://, against gcp-storage-emulator."""
from __future__ import annotations

import pytest

from tests.contract.storage_contract import StorageContract


class TestGcsContract(StorageContract):
    max_examples = 10

    @pytest.fixture
    def new_cloudpath(self, gcs_root):
        return gcs_root
