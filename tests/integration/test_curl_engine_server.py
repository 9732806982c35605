"""The libcurl engine against loopback servers: keep-alive, batches, bodies, headers, proxies,
TLS, every way a connection fails, and forked children."""
from __future__ import annotations

import datetime
import gzip
import ipaddress
import json
import os
import resource
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cloudfiles.adapters.transport.curl_engine import CurlTransport, shared_curl_transport
from cloudfiles.domain.errors import StorageError, TransientStorageError
from cloudfiles.domain.ports import HttpRequest, HttpResponse
from tests.forking import in_child

from .fault_server import FaultServer, serve

pytestmark = pytest.mark.timeout(60)

FILES = {f"d/f{i:03d}": os.urandom(100 + 37 * i) for i in range(500)}
BIG = os.urandom(32 << 20)


class _EchoHandler(BaseHTTPRequestHandler):
    """GET /big: 32 MiB; GET /headers: what arrived, with repeated and gzip'd fields back;
    any other method: the body back, with what arrived in X-* headers. A request whose
    target is an absolute URL (sent to a proxy) is answered with that URL."""

    protocol_version = "HTTP/1.1"
    server: _EchoServer

    def log_message(self, format, *args):
        pass

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.lock:
            self.server.connections += 1

    def _reply(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _received(self) -> str:
        return json.dumps(list(self.headers.items()))

    def do_GET(self) -> None:
        if self.path.startswith("http://"):
            self._reply(200, self.path.encode(), [("X-Proxied", "yes")])
        elif self.path == "/slow":
            time.sleep(0.1)
            self._reply(200, b"late but well within the read timeout", [])
        elif self.path == "/big":
            self._reply(200, BIG, [])
        elif self.path == "/headers":
            self._reply(200, gzip.compress(b"stored as gzip"), [
                ("X-Received", self._received()), ("Content-Encoding", "gzip"),
                ("X-Multi", "a"), ("X-Multi", "b"), ("x-multi", "c"), ("X-Empty", "")])
        else:
            self._reply(404, b"missing", [])

    do_HEAD = do_GET

    def _echo(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self._reply(200, body, [("X-Method", self.command), ("X-Received", self._received())])

    do_PUT = do_POST = do_DELETE = do_PATCH = _echo


class _EchoServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    connections = 0
    lock = threading.Lock()

    def handle_error(self, request, client_address) -> None:
        pass


@contextmanager
def _running(server: ThreadingHTTPServer) -> Iterator[ThreadingHTTPServer]:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def echo() -> Iterator[_EchoServer]:
    with _running(_EchoServer(("127.0.0.1", 0), _EchoHandler)) as server:
        server.url = f"http://127.0.0.1:{server.server_address[1]}"
        yield server


@pytest.fixture
def files() -> Iterator[FaultServer]:
    with serve(FaultServer(files=dict(FILES))) as state:
        yield state


@pytest.fixture
def transport() -> Iterator[CurlTransport]:
    engine = CurlTransport(20, connect_timeout=2.0, read_timeout=5.0)
    yield engine
    engine.close()


def _get(server, key: str) -> HttpRequest:
    return HttpRequest("GET", f"{server.url}/{key}")


def _drain(batch) -> dict:
    results = {}
    while batch.in_flight:
        for tag, result in batch.collect(timeout=10):
            assert tag not in results
            results[tag] = result
    return results


def _refused_url() -> str:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    return f"http://127.0.0.1:{port}/key"


# -- keep-alive and batches -------------------------------------------------------------------

def test_sequential_sends_and_batches_reuse_one_keep_alive_connection(files, transport):
    for key in list(FILES)[:30]:
        assert transport.send(_get(files, key)).content == FILES[key]
    for _ in range(3):  # batches of one at a time in a row: the same connection again
        batch = transport.batch(1)
        for key in list(FILES)[30:40]:
            batch.submit(key, _get(files, key))
        assert {k: r.content for k, r in _drain(batch).items()} == \
            {k: FILES[k] for k in list(FILES)[30:40]}
    assert files.connections == 1


def test_500_gets_through_one_batch_of_20_are_exact_on_at_most_20_connections(files, transport):
    batch = transport.batch(20)
    for key in FILES:
        batch.submit(key, _get(files, key))
    assert batch.in_flight == 500
    results = _drain(batch)
    assert all(isinstance(r, HttpResponse) and r.status == 200 for r in results.values())
    assert {key: r.content for key, r in results.items()} == FILES
    assert files.connections <= 20
    again = transport.batch(20)  # the next batch finds the connections warm
    for key in list(FILES)[:100]:
        again.submit(key, _get(files, key))
    assert len(_drain(again)) == 100 and files.connections <= 20


def test_a_batch_never_runs_more_than_its_concurrency(files, transport):
    server_seen = []
    batch = transport.batch(3)
    for key in list(FILES)[:60]:
        batch.submit(key, _get(files, key))
    while batch.in_flight:
        batch.collect()
        server_seen.append(files.connections)
    assert max(server_seen) <= 3


def test_errors_come_back_with_their_tags_beside_successes(files, transport):
    files.fault("d/f001", "status", status=503)
    files.fault("d/f002", "reset")
    batch = transport.batch(4)
    for key in ["d/f000", "d/f001", "d/f002", "d/f003"]:
        batch.submit(key, _get(files, key))
    batch.submit("refused", HttpRequest("GET", _refused_url()))
    results = _drain(batch)
    assert results["d/f000"].content == FILES["d/f000"]
    assert results["d/f001"].status == 503  # statuses are the caller's to judge
    assert isinstance(results["d/f002"], TransientStorageError)
    assert isinstance(results["refused"], TransientStorageError)
    assert results["d/f003"].content == FILES["d/f003"]


def test_collect_returns_empty_when_nothing_finished_in_time(files, transport):
    files.fault("d/f000", "hang", seconds=3)
    batch = transport.batch(2)
    assert batch.collect(timeout=5) == []  # nothing in flight: at once
    batch.submit("slow", _get(files, "d/f000"))
    start = time.monotonic()
    assert batch.collect(timeout=0.2) == []
    assert 0.15 <= time.monotonic() - start < 1.5
    assert batch.in_flight == 1
    batch.close()
    assert batch.in_flight == 0


def test_a_closed_batch_gives_its_connection_back(files, transport):
    batch = transport.batch(2)
    batch.submit("a", _get(files, "d/f000"))
    batch.submit("b", _get(files, "d/f001"))
    batch.close()
    assert transport.send(_get(files, "d/f002")).content == FILES["d/f002"]


# -- methods, bodies, headers ----------------------------------------------------------------

def test_head_has_the_length_and_no_body(files, transport):
    response = transport.send(HttpRequest("HEAD", f"{files.url}/d/f010"))
    assert response.status == 200 and response.content == b""
    assert response.header("content-length") == str(len(FILES["d/f010"]))
    assert transport.send(_get(files, "d/f010")).content == FILES["d/f010"]  # same handle


@pytest.mark.parametrize("method", ["PUT", "POST", "PATCH", "DELETE"])
def test_bodies_are_sent_whole_with_their_length_and_nothing_added(echo, transport, method):
    body = os.urandom(3 << 20)  # past libcurl's 1 MiB threshold for "Expect: 100-continue"
    response = transport.send(HttpRequest(method, f"{echo.url}/echo", {"X-A": "1"}, body))
    received = dict(json.loads(response.header("X-Received")))
    assert response.header("X-Method") == method and response.content == body
    assert received["Content-Length"] == str(len(body))
    assert "Expect" not in received and "Content-Type" not in received
    assert "Accept" not in received and "Accept-Encoding" not in received


def test_empty_and_missing_bodies(echo, transport):
    put = transport.send(HttpRequest("PUT", f"{echo.url}/echo", {}, None))
    assert dict(json.loads(put.header("X-Received")))["Content-Length"] == "0"
    delete = transport.send(HttpRequest("DELETE", f"{echo.url}/echo"))
    assert delete.header("X-Method") == "DELETE" and delete.content == b""
    post = transport.send(HttpRequest("POST", f"{echo.url}/echo", {"Content-Type": "a/b"}, b""))
    assert dict(json.loads(post.header("X-Received")))["Content-Type"] == "a/b"
    get = transport.send(HttpRequest("GET", f"{echo.url}/headers"))  # after POST: a GET again
    assert get.status == 200


def test_a_32_mib_body_arrives_exact(echo, transport):
    response = transport.send(HttpRequest("GET", f"{echo.url}/big"))
    assert response.status == 200 and len(response.content) == len(BIG)
    assert response.content == BIG


def test_headers_round_trip_and_bodies_stay_encoded(echo, transport):
    sent = {"X-Custom": "Value With Spaces", "x-lower": "ok", "X-Empty": "",
            "Authorization": "AWS4-HMAC-SHA256 Credential=a/b, Signature=c",
            "Content-Length": "999"}  # ignored: libcurl sends the real length
    response = transport.send(HttpRequest("GET", f"{echo.url}/headers", sent))
    received = json.loads(response.header("X-Received"))
    names = [name for name, _ in received]
    for name, value in sent.items():
        if name != "Content-Length":
            assert (name, value) in [tuple(pair) for pair in received]
    assert "Content-Length" not in names and "Accept-Encoding" not in names
    assert response.header("Content-Encoding") == "gzip"
    assert gzip.decompress(response.content) == b"stored as gzip"  # not decoded by libcurl
    assert response.headers["X-Multi"] == "a, b, c"  # repeated fields joined, any case
    assert response.headers["X-Empty"] == ""


def test_unsendable_requests_are_not_retryable(echo, transport):
    for request in (HttpRequest("GET", f"{echo.url}/x", {"X-Bad": "a\r\nInjected: 1"}),
                    HttpRequest("GET", f"{echo.url}/x", {"Bad:Name": "1"}),
                    HttpRequest("GET", f"{echo.url}/x", {"X-Text": "snowman \u2603"}),
                    HttpRequest("GET", "ftp://127.0.0.1/file"),
                    HttpRequest("GET", "http://[not a url/"),
                    HttpRequest("GET", f"{echo.url}/caf\u00e9")):
        with pytest.raises(StorageError) as raised:
            transport.send(request)
        assert not isinstance(raised.value, TransientStorageError), request
        assert request.method in str(raised.value)
    latin = transport.send(HttpRequest("GET", f"{echo.url}/headers", {"X-Name": "Andr\u00e9"}))
    assert ["X-Name", "Andr\u00e9"] in json.loads(latin.header("X-Received"))  # as http.client


# -- failures ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["drop", "truncate", "reset"])
def test_broken_responses_are_transient_and_never_partial(files, transport, kind):
    files.fault("d/f100", kind)
    with pytest.raises(TransientStorageError, match="GET .*/d/f100"):
        transport.send(_get(files, "d/f100"))
    assert transport.send(_get(files, "d/f101")).content == FILES["d/f101"]


def test_a_refused_connection_is_transient_and_named():
    url = _refused_url()
    with pytest.raises(TransientStorageError, match=f"GET {url}: connection failed"):
        CurlTransport(2, connect_timeout=2.0).send(HttpRequest("GET", url))


@pytest.mark.parametrize("kind", ["hang", "stall"])
def test_the_read_timeout_ends_a_silent_server(files, kind):
    files.fault("d/f200", kind, seconds=5)
    engine = CurlTransport(4, connect_timeout=2.0, read_timeout=0.3)
    start = time.monotonic()
    with pytest.raises(TransientStorageError, match="timed out"):
        engine.send(_get(files, "d/f200"))
    assert 0.25 <= time.monotonic() - start < 2.0
    assert engine.send(_get(files, "d/f201")).content == FILES["d/f201"]


def test_a_slow_caller_does_not_time_out_transfers_whose_bytes_wait(files):
    engine = CurlTransport(4, connect_timeout=2.0, read_timeout=0.3)
    batch = engine.batch(4)
    for key in list(FILES)[:8]:
        batch.submit(key, _get(files, key))
    results = {}
    while batch.in_flight:
        for tag, result in batch.collect():
            results[tag] = result
        time.sleep(0.4)  # the caller is busy past the read timeout; bytes wait
    assert {k: r.content for k, r in results.items()} == {k: FILES[k] for k in list(FILES)[:8]}


def test_a_response_that_arrived_while_the_caller_was_away_is_not_a_timeout(echo):
    engine = CurlTransport(2, connect_timeout=2.0, read_timeout=0.3)
    assert engine.send(HttpRequest("GET", f"{echo.url}/slow")).status == 200  # warm
    batch = engine.batch(1)
    batch.submit("slow", HttpRequest("GET", f"{echo.url}/slow"))
    assert batch.collect(timeout=0.02) == []  # sent; the answer comes 0.1 s later
    time.sleep(0.5)  # the caller is away past the read timeout
    [(tag, response)] = batch.collect()
    assert tag == "slow"
    assert response.content == b"late but well within the read timeout"


# -- proxies and TLS --------------------------------------------------------------------------

def test_proxies_come_from_the_environment_as_requests_reads_them(echo, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", echo.url)  # upper case: libcurl alone would ignore it
    monkeypatch.setenv("NO_PROXY", "skipped.invalid")
    engine = CurlTransport(2, connect_timeout=2.0, read_timeout=5.0)
    response = engine.send(HttpRequest("GET", "http://through.invalid/some/key"))
    assert response.header("X-Proxied") == "yes"
    assert response.content == b"http://through.invalid/some/key"
    with pytest.raises(TransientStorageError, match="skipped.invalid"):  # not resolvable
        engine.send(HttpRequest("GET", "http://skipped.invalid/key"))


def _certificates(directory) -> tuple[str, str, str]:
    """A CA and a server certificate for 127.0.0.1 signed by it: (ca.pem, cert.pem, key.pem)."""
    from cryptography import x509  # moto's dependency: there wherever the tests are
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def build(subject, issuer, key, signer, ca: bool, extensions=()):
        builder = x509.CertificateBuilder().subject_name(subject).issuer_name(issuer) \
            .public_key(key.public_key()).serial_number(x509.random_serial_number()) \
            .not_valid_before(now - datetime.timedelta(days=1)) \
            .not_valid_after(now + datetime.timedelta(days=1)) \
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        for extension in extensions:
            builder = builder.add_extension(extension, critical=False)
        return builder.sign(signer, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cloudfiles test CA")])
    ca = build(ca_name, ca_name, ca_key, ca_key, True)
    server = build(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]), ca_name,
                   key, ca_key, False,
                   [x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(
                       "127.0.0.1"))])])
    paths = [str(directory / name) for name in ("ca.pem", "cert.pem", "key.pem")]
    for path, data in zip(paths, (ca.public_bytes(serialization.Encoding.PEM),
                                  server.public_bytes(serialization.Encoding.PEM),
                                  key.private_bytes(serialization.Encoding.PEM,
                                                    serialization.PrivateFormat.PKCS8,
                                                    serialization.NoEncryption())),
                          strict=True):
        with open(path, "wb") as out:
            out.write(data)
    return paths[0], paths[1], paths[2]


def test_tls_is_verified_against_the_configured_ca_bundle(tmp_path, monkeypatch):
    ca, cert, key = _certificates(tmp_path)
    server = _EchoServer(("127.0.0.1", 0), _EchoHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with _running(server):
        url = f"https://127.0.0.1:{server.server_address[1]}/headers"
        monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
        monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
        with pytest.raises(StorageError, match="certificate") as raised:
            CurlTransport(2, connect_timeout=2.0, read_timeout=5.0).send(
                HttpRequest("GET", url))
        assert not isinstance(raised.value, TransientStorageError)  # not worth retrying
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca)
        trusted = CurlTransport(2, connect_timeout=2.0, read_timeout=5.0)
        assert trusted.send(HttpRequest("GET", url)).status == 200
        monkeypatch.delenv("REQUESTS_CA_BUNDLE")
        monkeypatch.setenv("CURL_CA_BUNDLE", ca)
        assert CurlTransport(2, 2.0, 5.0).send(HttpRequest("GET", url)).status == 200


# -- forks -----------------------------------------------------------------------------------

def test_a_forked_child_sends_on_connections_of_its_own(files):
    shared = shared_curl_transport(3, 2.0, 5.0)
    assert shared.send(_get(files, "d/f000")).content == FILES["d/f000"]
    assert files.connections == 1

    def child() -> str:
        transport = shared_curl_transport(3, 2.0, 5.0)
        assert transport is shared
        batch = transport.batch(1)
        for key in list(FILES)[:20]:
            batch.submit(key, _get(files, key))
        results = _drain(batch)
        assert {k: r.content for k, r in results.items()} == {k: FILES[k] for k in
                                                            list(FILES)[:20]}
        return "ok"

    assert in_child(child) == "ok"
    assert files.connections == 2  # the child opened one of its own
    assert shared.send(_get(files, "d/f001")).content == FILES["d/f001"]
    assert files.connections == 2  # the parent's connection was left alone: reused


def test_a_batch_inherited_mid_flight_reports_the_parents_transfers_and_runs_the_rest(files):
    files.fault("d/f000", "hang", seconds=3)
    engine = CurlTransport(2, connect_timeout=2.0, read_timeout=10.0)
    batch = engine.batch(1)
    batch.submit("hung", _get(files, "d/f000"))
    batch.submit("queued", _get(files, "d/f001"))
    assert batch.collect(timeout=0.2) == []  # "hung" is on the wire, "queued" waits

    def child() -> str:
        results = _drain(batch)
        return json.dumps({tag: type(r).__name__ if isinstance(r, Exception) else
                           r.content == FILES["d/f001"] for tag, r in results.items()})

    assert json.loads(in_child(child)) == {"hung": "TransientStorageError", "queued": True}
    batch.close()


# -- file descriptors past select()'s reach ---------------------------------------------------

def test_sockets_numbered_past_1024_still_complete(files, transport):
    """select() cannot watch descriptors >= FD_SETSIZE (1024): the batch must not hang."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1500:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(1500, hard), hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        assert held[-1] > 1024  # the next sockets are numbered higher still
        batch = transport.batch(8)
        for key in list(FILES)[:100]:
            batch.submit(key, _get(files, key))
        start = time.monotonic()
        results = _drain(batch)
        assert time.monotonic() - start < 10
        assert {k: r.content for k, r in results.items()} == {k: FILES[k] for k in
                                                            list(FILES)[:100]}
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
