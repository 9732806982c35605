"""A small in-memory S3 behind the Transport port, for tests of the s3:// adapter off the network.

It answers path-style requests (`http://fake-s3.test/bucket/key`) the way S3 does for what
the adapter uses: objects (GET with ranges, HEAD, PUT with Content-MD5, CopyObject, DELETE),
ListObjectsV2 (prefix, delimiter, max-keys, continuation, url encoding, sizes), DeleteObjects,
HeadBucket and multipart uploads. Every signed request is checked with a SigV4 verifier
written here, independently of botocore, against the secret of its access key; a request
whose signature, body hash or Content-MD5 does not match is refused as S3 would refuse it.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import threading
from collections.abc import Callable
from urllib.parse import parse_qsl, quote, unquote, urlsplit
from xml.etree import ElementTree

from attrs import define, field

from cloudfiles.domain.ports import HttpRequest, HttpResponse, Transport

ENDPOINT = "http://fake-s3.test"
KEYS = {"AWS_ACCESS_KEY_ID": "AKIDFAKE", "AWS_SECRET_ACCESS_KEY": "fake-secret"}
_UNSIGNED = "UNSIGNED-PAYLOAD"
_STORED_HEADERS = ("Content-Type", "Content-Encoding", "Cache-Control", "x-amz-storage-class")


def _error(status: int, code: str, message: str = "") -> HttpResponse:
    body = f"<Error><Code>{code}</Code><Message>{message or code}</Message></Error>"
    return HttpResponse(status, {"Content-Type": "application/xml"}, body.encode())


def _md5_hex(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def _kept_headers(request: HttpRequest) -> dict[str, str]:
    """The metadata headers of a PUT or multipart initiate, as the object keeps them."""
    sent = {name.lower(): value for name, value in request.headers.items()}
    return {name: sent[name.lower()] for name in _STORED_HEADERS if name.lower() in sent}


def signature_problem(request: HttpRequest, secrets: dict[str, str]) -> str | None:
    """Why a SigV4-signed S3 request is not validly signed with `secrets` (access key id ->
    secret key), None when it is. The canonical request is rebuilt from what is sent."""
    headers = {name.lower(): value for name, value in request.headers.items()}
    scheme, _, fields_text = headers["authorization"].partition(" ")
    if scheme != "AWS4-HMAC-SHA256":
        return f"unknown scheme {scheme!r}"
    fields = dict(part.strip().split("=", 1) for part in fields_text.split(","))
    access_key, day, region, service, terminal = fields["Credential"].split("/")
    if access_key not in secrets:
        return f"unknown access key {access_key!r}"
    names = fields["SignedHeaders"].split(";")
    unsigned = {n for n in headers if n.startswith("x-amz-") or n == "content-md5"} - set(names)
    if unsigned or not {"host", "x-amz-date", "x-amz-content-sha256"} <= set(names):
        return f"headers not signed: {sorted(unsigned)} (signed: {names})"
    url = urlsplit(request.url)
    headers["host"] = url.netloc
    pairs = sorted(pair.partition("=")[::2] for pair in url.query.split("&") if pair)
    canonical = "\n".join([
        request.method, url.path, "&".join(f"{k}={v}" for k, v in pairs),
        "".join(f"{name}:{' '.join(headers[name].split())}\n" for name in names),
        ";".join(names), headers["x-amz-content-sha256"],
    ])
    scope = f"{day}/{region}/{service}/{terminal}"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", headers["x-amz-date"], scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = f"AWS4{secrets[access_key]}".encode()
    for part in (day, region, service, terminal):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return None if hmac.compare_digest(expected, fields["Signature"]) else "signature mismatch"


@define
class StoredObject:
    """An object in the fake: its bytes, metadata headers and ETag."""

    content: bytes
    headers: dict[str, str]
    etag: str


@define
class FakeS3(Transport):
    """The fake server as a Transport; `buckets` holds its state, `requests` what was sent.

    `fault(request)` may answer instead (an HttpResponse) or fail the sending (an exception
    is raised as an engine would). With `anonymous_reads`, unsigned GET/HEAD are served.
    """

    name = "fake-s3"
    buckets: dict[str, dict[str, StoredObject]] = field(factory=lambda: {"bkt": {}})
    secrets: dict[str, str] = field(
        factory=lambda: {KEYS["AWS_ACCESS_KEY_ID"]: KEYS["AWS_SECRET_ACCESS_KEY"]})
    fault: Callable[[HttpRequest], HttpResponse | Exception | None] | None = None
    anonymous_reads: bool = False
    requests: list[HttpRequest] = field(factory=list)
    uploads: dict[str, tuple[dict[int, bytes], dict[str, str]]] = field(factory=dict)
    _ids: itertools.count = field(factory=itertools.count)
    _lock: threading.Lock = field(factory=threading.Lock)

    def send(self, request: HttpRequest) -> HttpResponse:
        with self._lock:
            self.requests.append(request)
            if self.fault is not None:
                answer = self.fault(request)
                if isinstance(answer, Exception):
                    raise answer
                if answer is not None:
                    return answer
            refused = self._refusal(request)
            return refused or self._answer(request)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        headers = {name.lower(): value for name, value in request.headers.items()}
        body = request.body or b""
        if "content-md5" in headers and \
                base64.b64encode(hashlib.md5(body).digest()).decode() != headers["content-md5"]:
            return _error(400, "BadDigest", "The Content-MD5 you specified did not match")
        if "authorization" not in headers:
            if self.anonymous_reads and request.method in ("GET", "HEAD"):
                return None
            return _error(403, "AccessDenied", "Anonymous access is refused")
        declared = headers.get("x-amz-content-sha256")
        if declared != _UNSIGNED and declared != hashlib.sha256(body).hexdigest():
            return _error(400, "XAmzContentSHA256Mismatch", f"body hash {declared}")
        problem = signature_problem(request, self.secrets)
        return None if problem is None else _error(403, "SignatureDoesNotMatch", problem)

    # -- routing -------------------------------------------------------------------------------
    def _answer(self, request: HttpRequest) -> HttpResponse:
        url = urlsplit(request.url)
        if f"{url.scheme}://{url.netloc}" != ENDPOINT:
            return _error(400, "InvalidURI", f"not this server: {request.url}")
        bucket_name, _, key = url.path[1:].partition("/")
        key = unquote(key)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        bucket = self.buckets.get(bucket_name)
        if bucket is None:
            return _error(404, "NoSuchBucket") if request.method != "HEAD" else HttpResponse(404)
        method = request.method
        if not key:
            if method == "HEAD":
                return HttpResponse(200)
            if method == "GET" and query.get("list-type") == "2":
                return self._list(bucket, query)
            if method == "POST" and "delete" in query:
                return self._delete_objects(bucket, request.body or b"")
            return _error(405, "MethodNotAllowed")
        if method == "POST" and "uploads" in query:
            upload_id = f"upload-{next(self._ids)}"
            self.uploads[upload_id] = ({}, _kept_headers(request))
            return HttpResponse(200, {}, f"<InitiateMultipartUploadResult><UploadId>{upload_id}"
                                         "</UploadId></InitiateMultipartUploadResult>".encode())
        if "uploadId" in query:
            return self._multipart(bucket, key, method, query, request)
        if method == "PUT":
            return self._put(bucket, key, request)
        if method == "DELETE":
            bucket.pop(key, None)
            return HttpResponse(204)
        if method in ("GET", "HEAD"):
            return self._read(bucket, key, method, request.headers)
        return _error(405, "MethodNotAllowed")

    # -- objects -------------------------------------------------------------------------------
    def _put(self, bucket: dict, key: str, request: HttpRequest) -> HttpResponse:
        headers = {name.lower(): value for name, value in request.headers.items()}
        source = headers.get("x-amz-copy-source")
        if source is not None:
            source_bucket, _, source_key = unquote(source).lstrip("/").partition("/")
            found = self.buckets.get(source_bucket, {}).get(source_key)
            if found is None:
                return _error(404, "NoSuchKey")
            bucket[key] = StoredObject(found.content, dict(found.headers), found.etag)
            return HttpResponse(200, {}, f"<CopyObjectResult><ETag>\"{found.etag}\"</ETag>"
                                         "</CopyObjectResult>".encode())
        content = request.body or b""
        bucket[key] = StoredObject(content, _kept_headers(request), _md5_hex(content))
        return HttpResponse(200, {"ETag": f'"{bucket[key].etag}"'})

    def _read(self, bucket: dict, key: str, method: str, sent: dict) -> HttpResponse:
        found = bucket.get(key)
        if found is None:
            return _error(404, "NoSuchKey") if method == "GET" else HttpResponse(404)
        headers = {**found.headers, "ETag": f'"{found.etag}"',
                   "Last-Modified": "Wed, 01 May 2024 00:00:00 GMT"}
        content, status = found.content, 200
        asked = next((value for name, value in sent.items() if name.lower() == "range"), None)
        if asked and method == "GET":
            start_text, _, end_text = asked.removeprefix("bytes=").partition("-")
            size = len(content)
            if start_text == "":
                start, end = max(0, size - int(end_text)), size
            else:
                start, end = int(start_text), size if end_text == "" else int(end_text) + 1
            if start >= size:
                return _error(416, "InvalidRange")
            content, status = content[start:min(end, size)], 206
        headers["Content-Length"] = str(len(found.content) if method == "HEAD" else len(content))
        return HttpResponse(status, headers, b"" if method == "HEAD" else content)

    # -- listing and batch delete ----------------------------------------------------------------
    def _list(self, bucket: dict, query: dict) -> HttpResponse:
        prefix, delimiter = query.get("prefix", ""), query.get("delimiter")
        limit = int(query.get("max-keys", 1000))
        token = query.get("continuation-token")
        after = base64.urlsafe_b64decode(token).decode() if token else ""
        entries: list[tuple[str, int | None]] = []
        for key in sorted(bucket):
            if not key.startswith(prefix):
                continue
            rest = key[len(prefix):]
            if delimiter and delimiter in rest:
                common = prefix + rest.split(delimiter, 1)[0] + delimiter
                if not entries or entries[-1][0] != common:
                    entries.append((common, None))
            else:
                entries.append((key, len(bucket[key].content)))
        entries = [entry for entry in entries if entry[0] > after]
        page, more = entries[:limit], len(entries) > limit
        parts = ["<ListBucketResult><EncodingType>url</EncodingType>",
                 f"<IsTruncated>{'true' if more else 'false'}</IsTruncated>"]
        for name, size in page:
            encoded = quote(name, safe="/")
            if size is None:
                parts.append(f"<CommonPrefixes><Prefix>{encoded}</Prefix></CommonPrefixes>")
            else:
                parts.append(f"<Contents><Key>{encoded}</Key><Size>{size}</Size></Contents>")
        if more:
            token = base64.urlsafe_b64encode(page[-1][0].encode()).decode()
            parts.append(f"<NextContinuationToken>{token}</NextContinuationToken>")
        parts.append("</ListBucketResult>")
        return HttpResponse(200, {"Content-Type": "application/xml"}, "".join(parts).encode())

    def _delete_objects(self, bucket: dict, body: bytes) -> HttpResponse:
        document = ElementTree.fromstring(body)
        keys = [element.text or "" for element in document.iter("Key")]
        if len(keys) > 1000:
            return _error(400, "MalformedXML", "more than 1000 keys")
        for key in keys:
            bucket.pop(key, None)
        return HttpResponse(200, {}, b"<DeleteResult></DeleteResult>")

    # -- multipart -----------------------------------------------------------------------------
    def _multipart(self, bucket: dict, key: str, method: str, query: dict,
                   request: HttpRequest) -> HttpResponse:
        upload = self.uploads.get(query["uploadId"])
        if upload is None:
            return _error(404, "NoSuchUpload")
        parts, headers = upload
        if method == "PUT":
            body = request.body or b""
            parts[int(query["partNumber"])] = body
            return HttpResponse(200, {"ETag": f'"{_md5_hex(body)}"'})
        if method == "DELETE":
            del self.uploads[query["uploadId"]]
            return HttpResponse(204)
        document = ElementTree.fromstring(request.body or b"")
        numbers = [int(element.text or 0) for element in document.iter("PartNumber")]
        content = b"".join(parts[number] for number in numbers)
        del self.uploads[query["uploadId"]]
        bucket[key] = StoredObject(content, headers, f"{_md5_hex(content)}-{len(numbers)}")
        return HttpResponse(200, {}, b"<CompleteMultipartUploadResult/>")
