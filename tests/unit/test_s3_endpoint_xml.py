"""S3 addressing (virtual-hosted/path style, key quoting) and the XML the adapter reads."""
from __future__ import annotations

import pytest

from cloudfiles.adapters.s3.endpoint import S3Endpoint, resolve_endpoint
from cloudfiles.adapters.s3.xml_bodies import (
    complete_multipart_body,
    delete_objects_body,
    is_xml_safe,
    parse_delete_failures,
    parse_error,
    parse_list_page,
    parse_upload_id,
)

NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'


@pytest.mark.parametrize("bucket, region, url", [
    ("bkt", "us-east-1", "https://bkt.s3.amazonaws.com/a%20b/c%2Bd"),
    ("bkt", "eu-west-1", "https://bkt.s3.eu-west-1.amazonaws.com/a%20b/c%2Bd"),
    ("dotted.bucket", "us-east-1", "https://s3.amazonaws.com/dotted.bucket/a%20b/c%2Bd"),
    ("Upper_Case", "us-west-2", "https://s3.us-west-2.amazonaws.com/Upper_Case/a%20b/c%2Bd"),
])
def test_aws_addressing(bucket, region, url):
    assert S3Endpoint(bucket, region).url("a b/c+d") == url


def test_custom_endpoints_use_path_style():
    endpoint = resolve_endpoint("bkt", "us-east-1", None, "http://127.0.0.1:9000/")
    assert endpoint.url("x/../y%?#ü") == "http://127.0.0.1:9000/bkt/x/../y%25%3F%23%C3%BC"
    assert resolve_endpoint("bkt", "r", "minio.local").url() == "https://minio.local/bkt/"
    assert resolve_endpoint("bkt", "r", None, None).aws


def test_query_strings_are_encoded_and_bare_names_kept():
    url = S3Endpoint("b", "us-east-1", "http://h").url(None, [("delete", None), ("prefix", "a b/")])
    assert url == "http://h/b/?delete&prefix=a%20b%2F"


def test_list_pages_decode_url_encoded_names():
    page = parse_list_page(f"""<?xml version="1.0"?><ListBucketResult {NS}>
        <EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
        <Contents><Key>a+b%2Bc%25</Key><Size>12</Size></Contents>
        <Contents><Key>%C3%BC</Key></Contents>
        <CommonPrefixes><Prefix>dir%20x/</Prefix></CommonPrefixes>
        <NextContinuationToken>tok==</NextContinuationToken></ListBucketResult>""".encode())
    assert page.keys == ("a b+c%", "ü")
    assert page.sizes == (12, None)  # a server that leaves Size out: unknown, not 0
    assert page.prefixes == ("dir x/",)
    assert page.next_token == "tok=="
    last = parse_list_page(b"<ListBucketResult><IsTruncated>false</IsTruncated>"
                           b"<NextContinuationToken>x</NextContinuationToken></ListBucketResult>")
    assert last.next_token is None and last.keys == ()


def test_errors_and_other_documents():
    error = parse_error(f"<Error {NS}><Code>NoSuchKey</Code><Message>gone</Message></Error>"
                        .encode())
    assert (error.code, error.message) == ("NoSuchKey", "gone")
    assert parse_error(b"").code is None and parse_error(b"<html>oops").code is None
    assert parse_upload_id(b"<InitiateMultipartUploadResult><UploadId>u-1</UploadId>"
                           b"</InitiateMultipartUploadResult>") == "u-1"
    with pytest.raises(ValueError):
        parse_list_page(b"<Other/>")


def test_request_bodies_escape_keys():
    assert complete_multipart_body([(2, '"b"'), (1, '"a"')]) == (
        b"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"a\"</ETag></Part>"
        b"<Part><PartNumber>2</PartNumber><ETag>\"b\"</ETag></Part></CompleteMultipartUpload>")
    assert b"<Key>a&amp;b&lt;c</Key>" in delete_objects_body(["a&b<c"])
    assert not is_xml_safe("bell\x07") and is_xml_safe("tab\tü")
    failures = parse_delete_failures(
        b"<DeleteResult><Deleted><Key>ok</Key></Deleted><Error><Key>k</Key><Code>C</Code>"
        b"<Message>M</Message></Error></DeleteResult>")
    assert [(f.key, f.code, f.message) for f in failures] == [("k", "C", "M")]
