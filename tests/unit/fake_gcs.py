"""An in-memory Google Cloud Storage JSON API answering HttpRequests: the handler of a fake
engine, so gs:// operations run end to end with no socket.

It serves what gs:// uses: object media (ranges, stored encodings, x-goog-hash) and metadata,
bucket metadata, listings (prefix, delimiter, pages), multipart and resumable uploads
(checksums checked), single and batch deletes, and rewrites (in `rewrite_rounds` steps).
`lose_reply(request)` returning True drops that request's response after the server acted on
it, as a reset connection does.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from urllib.parse import parse_qs, unquote, urlsplit

from attrs import define, field

from cloudfiles.adapters.checksums import crc32c_base64, md5_base64
from cloudfiles.domain.errors import TransientStorageError
from cloudfiles.domain.ports import HttpRequest, HttpResponse

ENDPOINT = "https://storage.googleapis.com"
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?')


@define
class FakeObject:
    """Stored bytes and their metadata resource."""

    data: bytes
    resource: dict


def _error(status: int, message: str) -> HttpResponse:
    body = json.dumps({"error": {"code": status, "message": message,
                                 "errors": [{"reason": "fake", "message": message}]}})
    return HttpResponse(status, {"Content-Type": "application/json"}, body.encode())


def _json(value: dict, status: int = 200, **headers: str) -> HttpResponse:
    return HttpResponse(status, {"Content-Type": "application/json", **headers},
                        json.dumps(value).encode())


def _parts(body: bytes, content_type: str) -> list[tuple[str, bytes]]:
    """(headers text, content) of each part of a multipart body."""
    boundary = _BOUNDARY.search(content_type).group(1).encode()
    found = []
    for part in body.split(b"--" + boundary)[1:]:
        if part.startswith(b"--"):
            break
        head, _, content = part.partition(b"\r\n\r\n")
        found.append((head.decode("latin-1"), content.removesuffix(b"\r\n")))
    return found


@define
class FakeGcs:
    """Buckets of objects behind the JSON API; call it with an HttpRequest."""

    buckets: dict[str, dict[str, FakeObject]] = field(factory=lambda: {"bkt": {}})
    lose_reply: Callable[[HttpRequest], bool] = lambda request: False
    rewrite_rounds: int = 1
    sessions: dict[str, dict] = field(factory=dict)
    _generation: int = 0

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.answer(request)
        if self.lose_reply(request):
            raise TransientStorageError(f"{request.method} {request.url}: connection reset "
                                        "(fake: the reply was lost)")
        return response

    def answer(self, request: HttpRequest) -> HttpResponse:
        """The response to request, with no loss."""
        url = urlsplit(request.url)
        segments = [unquote(part) for part in url.path.split("/")[1:]]
        query = {name: values[0] for name, values in parse_qs(url.query).items()}
        route = (request.method, *segments[:3])
        if route == ("POST", "batch", "storage", "v1"):
            return self.batch(request)
        if segments[:3] == ["upload", "storage", "v1"]:
            return self.upload(request, segments[4], query)
        if segments[:3] != ["storage", "v1", "b"] or len(segments) < 4:
            return _error(404, f"No route for {request.method} {url.path}")
        bucket = self.buckets.get(segments[3])
        if bucket is None:
            return _error(404, "The specified bucket does not exist.")
        rest = segments[4:]
        if not rest and request.method == "GET":
            return _json({"name": segments[3]})
        if rest == ["o"] and request.method == "GET":
            return self.listing(bucket, query)
        if len(rest) == 2 and rest[0] == "o":
            return self.object(request, bucket, rest[1], query)
        if len(rest) == 7 and rest[2] == "rewriteTo" and request.method == "POST":
            return self.rewrite(bucket, rest[1], rest[4], rest[6], query)
        return _error(404, f"No route for {request.method} {url.path}")

    # -- objects -----------------------------------------------------------------------------
    def store(self, bucket: str, metadata: dict, data: bytes) -> dict:
        """Keep data under metadata['name'] in bucket; its resource."""
        self._generation += 1
        resource = {
            "kind": "storage#object", "bucket": bucket, "name": metadata["name"],
            "size": str(len(data)), "md5Hash": md5_base64(data), "crc32c": crc32c_base64(data),
            "generation": str(self._generation), "etag": f"E{self._generation}",
            "contentType": metadata.get("contentType", "application/octet-stream"),
            "storageClass": metadata.get("storageClass", "STANDARD"),
            "updated": "2024-05-01T12:00:00.000Z",
        }
        for name in ("contentEncoding", "cacheControl"):
            if name in metadata:
                resource[name] = metadata[name]
        self.buckets[bucket][metadata["name"]] = FakeObject(data, resource)
        return resource

    def object(self, request: HttpRequest, bucket: dict, name: str,
               query: dict) -> HttpResponse:
        stored = bucket.get(name)
        if stored is None:
            return _error(404, f"No such object: {name}")
        if request.method == "DELETE":
            del bucket[name]
            return HttpResponse(204)
        if request.method != "GET":
            return _error(405, "Method not allowed")
        if query.get("alt") != "media":
            return _json(stored.resource)
        return self.media(request, stored)

    def media(self, request: HttpRequest, stored: FakeObject) -> HttpResponse:
        resource = stored.resource
        headers = {"Content-Type": resource["contentType"],
                   "x-goog-hash": f"crc32c={resource['crc32c']},md5={resource['md5Hash']}",
                   "x-goog-stored-content-encoding": resource.get("contentEncoding", "identity")}
        if "contentEncoding" in resource:
            headers["Content-Encoding"] = resource["contentEncoding"]
        wanted = request.headers.get("Range")
        if wanted is None:
            return HttpResponse(200, headers, stored.data)
        data = stored.data
        first, _, last = wanted.removeprefix("bytes=").partition("-")
        if not first:  # bytes=-N: the last N bytes
            start, end = max(0, len(data) - int(last)), len(data)
        else:
            start, end = int(first), (int(last) + 1 if last else len(data))
        if start >= len(data):
            return _error(416, "Requested range not satisfiable")
        return HttpResponse(206, headers, data[start:end])

    def listing(self, bucket: dict, query: dict) -> HttpResponse:
        prefix, delimiter = query.get("prefix", ""), query.get("delimiter")
        entries: dict[str, dict | None] = {}
        for name in sorted(bucket):
            if not name.startswith(prefix):
                continue
            cut = name.find(delimiter, len(prefix)) if delimiter else -1
            if cut >= 0:
                entries[name[:cut + 1]] = None
            else:
                entries[name] = {"name": name, "size": bucket[name].resource["size"]}
        ordered = sorted(entries)
        start = int(query.get("pageToken", 0))
        size = int(query.get("maxResults", 1000))
        page = ordered[start:start + size]
        body: dict = {"items": [entries[e] for e in page if entries[e] is not None],
                      "prefixes": [e for e in page if entries[e] is None]}
        if start + size < len(ordered):
            body["nextPageToken"] = str(start + size)
        return _json({key: value for key, value in body.items() if value})

    def rewrite(self, source_bucket: dict, source: str, bucket: str, name: str,
                query: dict) -> HttpResponse:
        round_ = int(query.get("rewriteToken", "0").removeprefix("round-"))
        stored = source_bucket.get(source)
        if stored is None or bucket not in self.buckets:
            return _error(404, "No such object or bucket")
        if round_ + 1 < self.rewrite_rounds:
            return _json({"done": False, "rewriteToken": f"round-{round_ + 1}"})
        resource = self.store(bucket, {**stored.resource, "name": name}, stored.data)
        return _json({"done": True, "resource": resource})

    # -- uploads -----------------------------------------------------------------------------
    def upload(self, request: HttpRequest, bucket: str, query: dict) -> HttpResponse:
        if bucket not in self.buckets:
            return _error(404, "The specified bucket does not exist.")
        kind = query.get("uploadType")
        if request.method == "POST" and kind == "multipart":
            (_, meta), (_, data) = _parts(request.body, request.headers["Content-Type"])
            return self.finish(bucket, json.loads(meta), data)
        if request.method == "POST" and kind == "resumable":
            upload_id = f"S{len(self.sessions) + 1}"
            self.sessions[upload_id] = {"bucket": bucket, "metadata": json.loads(request.body),
                                        "data": b""}
            location = (f"{ENDPOINT}/upload/storage/v1/b/{bucket}/o?uploadType=resumable"
                        f"&upload_id={upload_id}")
            return HttpResponse(200, {"Location": location})
        if request.method == "PUT" and query.get("upload_id") in self.sessions:
            return self.chunk(request, query["upload_id"])
        return _error(404, "No such upload")

    def chunk(self, request: HttpRequest, upload_id: str) -> HttpResponse:
        session = self.sessions[upload_id]
        if "done" in session:  # a finished upload answers with its object
            return session["done"]
        span, _, total = request.headers["Content-Range"].removeprefix("bytes ").partition("/")
        if span != "*":
            start = int(span.partition("-")[0])
            if start > len(session["data"]):
                return _error(400, "Chunk past the persisted offset")
            session["data"] = session["data"][:start] + request.body
        if len(session["data"]) < int(total):
            held = len(session["data"])
            return HttpResponse(308, {"Range": f"bytes=0-{held - 1}"} if held else {})
        session["done"] = self.finish(session["bucket"], session["metadata"], session["data"])
        return session["done"]

    def finish(self, bucket: str, metadata: dict, data: bytes) -> HttpResponse:
        """Store an uploaded object once its stated checksums match."""
        actual = md5_base64(data)
        if metadata.get("md5Hash", actual) != actual:
            return _error(400, f"Provided MD5 hash \"{metadata['md5Hash']}\" doesn't match "
                               f"calculated MD5 hash \"{actual}\".")
        return _json(self.store(bucket, metadata, data))

    # -- batch -------------------------------------------------------------------------------
    def batch(self, request: HttpRequest) -> HttpResponse:
        replies = []
        for index, (_, inner) in enumerate(_parts(request.body, request.headers["Content-Type"])):
            line = inner.split(b"\r\n", 1)[0].decode()
            method, target, _ = line.split(" ")
            response = self.answer(HttpRequest(method, ENDPOINT + target))
            replies.append(
                f"--reply\r\nContent-Type: application/http\r\nContent-ID: <response-{index}>"
                f"\r\n\r\nHTTP/1.1 {response.status} X\r\nContent-Type: application/json\r\n\r\n"
                f"{response.content.decode()}\r\n")
        body = ("".join(replies) + "--reply--\r\n").encode()
        return HttpResponse(200, {"Content-Type": "multipart/mixed; boundary=reply"}, body)
