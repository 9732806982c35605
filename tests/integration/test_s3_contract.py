"""The storage contracts on s3://: against a moto S3 server, and against moto's in-process
mock of Amazon S3 (plain s3://bucket paths on the default AWS endpoint); through CloudFiles
and on the port itself."""
from __future__ import annotations

import pytest

from cloudfiles.testing import PortContract, StorageContract, open_storage, unique_prefix


class TestS3ServerContract(StorageContract):
    max_examples = 10

    @pytest.fixture
    def new_cloudpath(self, moto_s3):
        return moto_s3.path


class TestS3MockAwsContract(StorageContract):
    max_examples = 5

    @pytest.fixture
    def new_cloudpath(self, mock_s3):
        return lambda: f"s3://{mock_s3}/{unique_prefix()}"


class TestS3ServerPort(PortContract):
    max_examples = 10

    @pytest.fixture
    def new_storage(self, moto_s3):
        return lambda: open_storage(moto_s3.path())


class TestS3MockAwsPort(PortContract):
    max_examples = 5

    @pytest.fixture
    def new_storage(self, mock_s3):
        return lambda: open_storage(f"s3://{mock_s3}/{unique_prefix()}")
