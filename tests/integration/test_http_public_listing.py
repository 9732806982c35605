"""Listing public buckets over http(s) against real S3 and GCS servers (moto, the emulator)."""
from __future__ import annotations

import uuid

import pytest

from cloudfiles import CloudFiles
from cloudfiles.domain.listing import filter_listing
from tests.integration.s3_fixtures import SpyTransport

KEYS = ["a", "b/c", "b/d/e", "b/d/f", "bz", "sp ace+plus%", "ü/文件"]
PREFIXES = ["", "b", "b/", "b/d/", "sp", "ü/", "zz"]


def check_listing(opened: tuple[CloudFiles, SpyTransport], pages: int) -> None:
    """Every listing form agrees with the shared rules; a whole listing takes `pages` pages.
    `opened`: a CloudFiles and the spy on its engine (the `spied` fixture)."""
    cf, spy = opened
    assert sorted(cf.list()) == sorted(KEYS)
    assert len(spy.requests) == pages
    for prefix in PREFIXES:
        assert sorted(cf.list(prefix)) == sorted(filter_listing(KEYS, prefix, False))
        assert sorted(cf.list(prefix, flat=True, dirs=True)) == sorted(filter_listing(KEYS, prefix, True))
    assert cf.isdir("b") and not cf.isdir("a")


@pytest.fixture
def s3_public(moto_s3):
    prefix = f"t{uuid.uuid4().hex[:12]}"
    client = moto_s3.boto()
    for key in KEYS:
        client.put_object(Bucket=moto_s3.public_bucket, Key=f"{prefix}/{key}",
                          Body=key.encode(), ACL="public-read")
    client.put_object(Bucket=moto_s3.public_bucket, Key=f"{prefix}-private/x", Body=b"x")
    return f"{moto_s3.endpoint}/{moto_s3.public_bucket}/{prefix}"


def test_s3_list_objects_v2_anonymously(s3_public, spied):
    check_listing(spied(s3_public, listing="s3", listing_page_size=2), pages=4)
    cf = CloudFiles(s3_public, listing="s3")
    assert cf.get("sp ace+plus%") == b"sp ace+plus%" and cf.get("ü/文件") == "ü/文件".encode()
    assert cf.get("missing") is None


def test_s3_private_objects_are_missing_only_where_told(s3_public):
    from cloudfiles.domain.errors import CredentialsError

    with pytest.raises(CredentialsError):
        CloudFiles(s3_public + "-private").get("x")
    assert CloudFiles(s3_public + "-private", forbidden_is_missing=True).get("x") is None
    assert list(CloudFiles(s3_public + "-private", listing="s3").list()) == ["x"]


@pytest.fixture
def gcs_public(gcs_emulator, gcs_env):
    from tests.integration.gcs_fixtures import GCS_BUCKET

    prefix = f"t{uuid.uuid4().hex[:12]}"
    CloudFiles(gcs_emulator.path(GCS_BUCKET, prefix)).puts([(k, k.encode()) for k in KEYS])
    return f"{gcs_emulator.endpoint}/{GCS_BUCKET}/{prefix}"


def test_gcs_json_api_listing_anonymously(gcs_public, spied):
    """The emulator ignores maxResults (one page; pages are tested with `responses`) and
    serves /BUCKET/KEY downloads too, though without GCS's Content-Encoding header."""
    check_listing(spied(gcs_public, listing="gcs", listing_page_size=2), pages=1)
    cf = CloudFiles(gcs_public, listing="gcs")
    assert cf.get("ü/文件") == "ü/文件".encode() and cf["b/d/e", 1:3] == b"/d"
    assert cf.get("missing") is None
