"""Signs one S3 REST request with AWS Signature Version 4, through botocore's own signer."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest


def sign_s3_request(method: str, url: str, headers: Mapping[str, str], body: bytes | None,
                    keys: Any, region: str, unsigned_payload: bool = False) -> dict[str, str]:
    """The request's headers plus X-Amz-Date, X-Amz-Content-SHA256 and Authorization.

    `url` must already be percent-encoded exactly as it will be sent (S3 signs the path as
    is). `keys` has access_key/secret_key/token (botocore's ReadOnlyCredentials).
    `unsigned_payload` skips hashing the body (only honoured over https with Content-MD5,
    as botocore does for PutObject/UploadPart).
    """
    request = AWSRequest(method=method, url=url, headers=dict(headers), data=body or b"")
    if unsigned_payload:
        request.context["has_streaming_input"] = True
    S3SigV4Auth(keys, "s3", region).add_auth(request)
    return dict(request.headers.items())
