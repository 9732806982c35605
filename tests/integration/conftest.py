"""Fixture modules shared by the integration tests (one import line per storage)."""
from tests.integration.gcs_fixtures import *
from tests.integration.s3_fixtures import *
