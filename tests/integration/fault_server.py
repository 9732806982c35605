"""A loopback HTTP server that serves generated files and misbehaves on purpose.

`FaultServer` serves `files` (path -> stored bytes) over HTTP/1.1 keep-alive on 127.0.0.1,
honouring `Range` (unless `honor_range` is False) and HEAD. A fault plan, per path or for
every path ("*"), makes chosen requests fail in one of these ways (`Fault.kind`):

- "status": answer `status` (e.g. 500, 503, 429) with a small body;
- "drop": send the headers and half the body, then reset the connection (RST);
- "truncate": send the headers with the full Content-Length, half the body, then close (FIN);
- "reset": reset the connection as soon as the request arrives (no response at all);
- "flip": send the whole body with one byte inverted (checksum headers keep the original's);
- "hang": send nothing for `seconds` (past the client's read timeout);
- "stall": send the headers and half the body, then nothing for `seconds`.

A fault applies to the first `times` requests of its path (every request when None).
With `checksums=True`, every full response carries `ETag: "<md5 hex>"` and
`x-goog-hash: crc32c=...,md5=...` of the ORIGINAL body, so adapters that verify catch flips
(the s3/gs adapters, and http when it talks to a GCS-style server).

Paths are served three ways, all naming the same file `BUCKET/KEY`: plain and S3 path-style
`/BUCKET/KEY`, and GCS JSON API `/storage/v1/b/BUCKET/o/QUOTED_KEY` (`?alt=media` for the
bytes, which also carry `x-goog-stored-content-encoding`; without it, the object's JSON
resource). So the same plan can fault the http, s3 and gs adapters.
"""
from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote

import crc32c
from attrs import define, field

FAULT_KINDS = ("status", "drop", "truncate", "reset", "flip", "hang", "stall")


@define
class Fault:
    """One way to fail, for the first `times` requests of a path (all of them when None)."""

    kind: str
    times: int | None = None
    status: int = 503
    seconds: float = 2.0

    def __attrs_post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"Unknown fault {self.kind!r}; one of {FAULT_KINDS}.")


@define
class FaultServer:
    """The server's state: files, headers, the fault plan and what it saw."""

    files: dict[str, bytes] = field(factory=dict)
    encodings: dict[str, str] = field(factory=dict)
    honor_range: bool = True
    checksums: bool = False
    plan: dict[str, Fault] = field(factory=dict)
    hits: Counter = field(factory=Counter)
    faults_served: Counter = field(factory=Counter)
    requests: list = field(factory=list)
    connections: int = 0
    url: str = ""
    _lock: threading.Lock = field(factory=threading.Lock)
    _stopping: threading.Event = field(factory=threading.Event)

    def fault(self, path: str, kind: str, times: int | None = None, **params) -> Fault:
        """Plan a fault for one path, or for every path with path '*'."""
        planned = self.plan[path] = Fault(kind, times, **params)
        return planned

    def clear(self) -> None:
        """Forget the fault plan and the counters."""
        with self._lock:
            self.plan.clear()
            self.hits.clear()
            self.faults_served.clear()
            self.requests.clear()

    def connected(self) -> None:
        """Count a new client connection."""
        with self._lock:
            self.connections += 1

    def pause(self, seconds: float) -> None:
        """Wait `seconds`, or less when the server stops meanwhile."""
        self._stopping.wait(seconds)

    def stop(self) -> None:
        """Cut every pause short: the server is shutting down."""
        self._stopping.set()

    def next_fault(self, path: str) -> Fault | None:
        """Count a request of path; the fault it must suffer, if any."""
        with self._lock:
            self.hits[path] += 1
            fault = self.plan.get(path) or self.plan.get("*")
            if fault is None:
                return None
            if fault.times is not None and self.faults_served[path] >= fault.times:
                return None
            self.faults_served[path] += 1
            return fault


def _checksum_headers(body: bytes) -> dict[str, str]:
    md5 = hashlib.md5(body)
    crc = base64.b64encode(struct.pack(">I", crc32c.crc32c(body))).decode()
    return {
        "ETag": f'"{md5.hexdigest()}"',
        "x-goog-hash": f"crc32c={crc},md5={base64.b64encode(md5.digest()).decode()}",
    }


def _file_path(raw_path: str) -> tuple[str, bool]:
    """(BUCKET/KEY, whether the request used the GCS JSON API) of a request path."""
    parts = raw_path.lstrip("/").split("/", 5)
    if len(parts) == 6 and parts[:2] == ["storage", "v1"] and parts[2] == "b" and \
            parts[4] == "o":
        return f"{unquote(parts[3])}/{unquote(parts[5])}", True
    return unquote(raw_path.lstrip("/")), False


def _gcs_resource(path: str, body: bytes, encoding: str | None) -> dict:
    bucket, _, name = path.partition("/")
    hashes = dict(part.split("=", 1) for part in _checksum_headers(body)["x-goog-hash"].split(","))
    resource = {"kind": "storage#object", "bucket": bucket, "name": name,
                "size": str(len(body)), "md5Hash": hashes["md5"], "crc32c": hashes["crc32c"],
                "contentType": "application/octet-stream", "generation": "1"}
    if encoding:
        resource["contentEncoding"] = encoding
    return resource


def _parse_range(header: str | None, size: int) -> tuple[int, int] | None | str:
    """(start, end inclusive), None for no/ignored range, 'unsatisfiable' for a 416."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[6:].partition("-")
    try:
        if first == "":
            count = int(last)
            return (max(0, size - count), size - 1) if count and size else "unsatisfiable"
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        return None
    if start >= size or end < start:
        return "unsatisfiable"
    return start, min(end, size - 1)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format, *args):  # quiet server
        pass

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms stalls
        self.server.state.connected()

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_PUT(self) -> None:
        self._send(405, b"read-only", {})

    def _serve(self, head: bool) -> None:
        state = self.server.state
        raw_path, _, query = self.path.partition("?")
        path, gcs = _file_path(raw_path)
        media = not gcs or parse_qs(query).get("alt") == ["media"]
        state.requests.append((self.command, path, dict(self.headers)))
        fault = state.next_fault(path)
        if fault is not None and fault.kind == "reset":
            self._reset()
            return
        if fault is not None and fault.kind == "hang":
            state.pause(fault.seconds)
            self.close_connection = True
            return
        if fault is not None and fault.kind == "status":
            self._send(fault.status, f"fault {fault.status}".encode(), {})
            return
        body = state.files.get(path)
        if body is None:
            self._send(404, b"not found", {})
            return
        if not media:
            resource = _gcs_resource(path, body, state.encodings.get(path))
            self._send(200, json.dumps(resource).encode(), {"Content-Type": "application/json"})
            return
        headers = {"Content-Type": "application/octet-stream", "Accept-Ranges": "bytes"}
        if path in state.encodings:
            headers["Content-Encoding"] = state.encodings[path]
        if gcs:
            headers["x-goog-stored-content-encoding"] = state.encodings.get(path, "identity")
        status, sent = 200, body
        wanted = _parse_range(self.headers.get("Range"), len(body)) if state.honor_range else None
        if wanted == "unsatisfiable":
            self._send(416, b"", {"Content-Range": f"bytes */{len(body)}"})
            return
        if wanted is not None:
            start, end = wanted
            status, sent = 206, body[start:end + 1]
            headers["Content-Range"] = f"bytes {start}-{end}/{len(body)}"
        elif state.checksums:
            headers.update(_checksum_headers(body))
        if fault is not None and fault.kind == "flip" and sent:
            at = len(sent) // 2
            sent = sent[:at] + bytes([sent[at] ^ 0xFF]) + sent[at + 1:]
        if head:
            self._send(status, b"", headers, length=len(sent))
            return
        if fault is not None and fault.kind in ("drop", "truncate", "stall"):
            self._send_partial(status, sent, headers, fault)
            return
        self._send(status, sent, headers)

    def _send(self, status: int, body: bytes, headers: dict, length: int | None = None) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def _send_partial(self, status: int, body: bytes, headers: dict, fault: Fault) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        if fault.kind == "stall":
            self.server.state.pause(fault.seconds)
        if fault.kind == "drop":
            self._reset()
        self.close_connection = True

    def _reset(self) -> None:
        """Close with RST instead of FIN, like a crashed peer or a middlebox."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    state: FaultServer

    def handle_error(self, request, client_address) -> None:  # clients hanging up: expected
        pass


@contextmanager
def serve(state: FaultServer | None = None) -> Iterator[FaultServer]:
    """Run a FaultServer on a free 127.0.0.1 port for the duration of the block."""
    state = state or FaultServer()
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = state
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.stop()
        server.shutdown()
        server.server_close()
        thread.join(5)
