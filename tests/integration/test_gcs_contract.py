"""The storage contracts on gs://, against gcp-storage-emulator: through CloudFiles and on
the port itself."""
from __future__ import annotations

import pytest

from cloudfiles.testing import PortContract, StorageContract, open_storage


class TestGcsContract(StorageContract):
    max_examples = 10

    @pytest.fixture
    def new_cloudpath(self, gcs_root):
        return gcs_root


class TestGcsPort(PortContract):
    max_examples = 10

    @pytest.fixture
    def new_storage(self, gcs_root):
        return lambda: open_storage(gcs_root())
