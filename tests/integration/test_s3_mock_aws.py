"""Plain s3://bucket paths (the default Amazon endpoint) against moto's in-process mock_aws.

mock_aws intercepts `requests` through the `responses` library, and our pooled transport
sends through requests' HTTPAdapter, so no server is needed.
"""
from __future__ import annotations

import boto3

from cloudfiles import CloudFiles


def test_default_endpoint_is_virtual_hosted(mock_s3, spied):
    cf, requests = spied(f"s3://{mock_s3}/dir")
    cf.put("a b/c", b"hello", compress="gzip")
    assert requests.requests[0].url == f"https://{mock_s3}.s3.amazonaws.com/dir/a%20b/c"
    assert cf.get("a b/c") == b"hello"
    assert list(cf.list()) == ["a b/c"]
    assert list(CloudFiles(f"s3://{mock_s3}").list(flat=True, dirs=True)) == ["dir/"]
    head = boto3.client("s3", region_name="us-east-1").head_object(Bucket=mock_s3,
                                                                   Key="dir/a b/c")
    assert head["ContentEncoding"] == "gzip"


def test_dotted_buckets_use_path_style(mock_s3, spied):
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="dotted.bucket.name")
    cf, requests = spied("s3://dotted.bucket.name/x")
    cf.put("k", b"1")
    assert requests.requests[0].url == "https://s3.amazonaws.com/dotted.bucket.name/x/k"
    assert cf.get("k") == b"1"


def test_region_from_the_secrets_picks_the_regional_endpoint(mock_s3, spied):
    boto3.client("s3", region_name="eu-west-1").create_bucket(
        Bucket="euro-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    secrets = {"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s",
               "AWS_DEFAULT_REGION": "eu-west-1"}
    cf, requests = spied("s3://euro-bucket/x", secrets=secrets)
    cf.put("k", b"1")
    assert requests.requests[0].url.startswith("https://euro-bucket.s3.eu-west-1.amazonaws.com/")
    assert "/eu-west-1/s3/aws4_request" in requests.requests[0].headers["Authorization"]
    assert cf.get("k") == b"1"


def test_multipart_on_the_default_endpoint(mock_s3):
    threshold = 5 * 1024 * 1024
    cf = CloudFiles(f"s3://{mock_s3}/mp", multipart_threshold=threshold,
                    multipart_part_size=threshold)
    content = b"0123456789abcdef" * (threshold // 8)  # two full parts
    cf.put("big", content)
    assert cf.get("big") == content
    head = boto3.client("s3", region_name="us-east-1").head_object(Bucket=mock_s3, Key="mp/big")
    assert head["ETag"].endswith('-2"')
