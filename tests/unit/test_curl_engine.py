"""The libcurl engine's pieces that need no socket: header lines both ways, error mapping,
proxies and CA bundles from the environment, sharing, fork bookkeeping, empty batches.
(Transfers over loopback: tests/integration/test_curl_engine_server.py.)"""
from __future__ import annotations

import pycurl
import pytest

from cloudfiles.adapters.transport import curl_engine
from cloudfiles.adapters.transport.curl_body import PREALLOCATE_FROM, BodyBuffer, announced_length
from cloudfiles.adapters.transport.curl_engine import (
    CurlTransport,
    curl_available,
    shared_curl_transport,
)
from cloudfiles.adapters.transport.curl_exchange import curl_failure, header_lines, parse_headers
from cloudfiles.adapters.transport.curl_settings import ProxyTable, handle_options, libcurl_version
from cloudfiles.domain.errors import StorageError, TransientStorageError
from cloudfiles.domain.ports import HttpRequest
from tests.forking import in_child

REQUEST = HttpRequest("GET", "https://example.com/bucket/key")


def _lines(*lines: str) -> list[bytes]:
    return [f"{line}\r\n".encode("latin-1") for line in lines]


def test_the_engine_runs_here():
    assert curl_available()
    assert libcurl_version() >= (7, 68, 0)


# -- response headers -------------------------------------------------------------------------

def test_response_headers_keep_their_spelling_and_values():
    headers = parse_headers(_lines("HTTP/1.1 200 OK", "Content-Length: 12", "ETag:  \"abc\" ",
                                   "x-goog-hash: crc32c=AAAA==,md5=BBBB==", "X-Empty:", ""))
    assert headers == {"Content-Length": "12", "ETag": '"abc"',
                       "x-goog-hash": "crc32c=AAAA==,md5=BBBB==", "X-Empty": ""}


def test_repeated_fields_are_joined_whatever_their_case():
    headers = parse_headers(_lines("HTTP/1.1 200 OK", "X-Multi: a", "Set-Cookie: b=1",
                                   "x-multi: c", "Set-Cookie: d=2", ""))
    assert headers == {"X-Multi": "a, c", "Set-Cookie": "b=1, d=2"}


def test_only_the_last_response_counts():
    interim = _lines("HTTP/1.1 100 Continue", "X-Interim: 1", "",
                     "HTTP/1.1 200 Connection established", "Proxy-Agent: p", "",
                     "HTTP/1.1 404 Not Found", "Content-Length: 9", "")
    assert parse_headers(interim) == {"Content-Length": "9"}


def test_folded_lines_and_bare_line_feeds_are_understood():
    assert parse_headers(_lines("HTTP/1.1 200 OK", "X-Long: first", "  second", "")) == \
        {"X-Long": "first second"}
    assert parse_headers([b"HTTP/1.0 200 OK\n", b"A: 1\n", b"\n"]) == {"A": "1"}
    assert parse_headers([]) == {} and parse_headers(_lines("HTTP/1.1 204 No Content", "")) == {}


# -- response bodies --------------------------------------------------------------------------

def test_a_body_of_one_chunk_is_that_very_object():
    chunk = b"x" * 4096
    body = BodyBuffer(_lines("HTTP/1.1 200 OK", "Content-Length: 4096", ""))
    body.write(chunk)
    assert body.content() is chunk


def test_large_bodies_fill_one_buffer_sized_at_their_length():
    size = PREALLOCATE_FROM + 12345
    data = bytes(range(256)) * (size // 256) + b"z" * (size % 256)
    body = BodyBuffer(_lines("HTTP/1.1 200 OK", f"Content-Length: {size}", ""))
    for start in range(0, size, 100_000):
        body.write(data[start:start + 100_000])
    assert body.preallocated and body.content() == data
    body.clear()
    assert not body.preallocated


def test_a_body_cut_short_gives_only_what_arrived():
    size = 2 * PREALLOCATE_FROM
    body = BodyBuffer(_lines("HTTP/1.1 200 OK", f"Content-Length: {size}", ""))
    body.write(b"a" * 1000)
    body.write(b"b" * 1000)
    assert body.content() == b"a" * 1000 + b"b" * 1000


def test_small_or_unannounced_bodies_are_joined():
    for lines in (_lines("HTTP/1.1 200 OK", "Content-Length: 6", ""),
                  _lines("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "")):
        body = BodyBuffer(lines)
        for part in (b"ab", b"cd", b"ef"):
            body.write(part)
        assert not body.preallocated and body.content() == b"abcdef"


def test_the_announced_length_is_the_last_responses():
    lines = _lines("HTTP/1.1 100 Continue", "Content-Length: 5", "", "HTTP/1.1 200 OK",
                   "content-length:  77 ", "")
    assert announced_length(lines) == 77
    assert announced_length(_lines("HTTP/1.1 200 OK", "Content-Length: 1, 1", "")) == -1
    assert announced_length(_lines("HTTP/1.1 100 Continue", "Content-Length: 5", "",
                                   "HTTP/1.1 200 OK", "")) == -1


# -- request headers --------------------------------------------------------------------------

def test_request_headers_are_sent_as_given_and_libcurls_own_removed():
    request = HttpRequest("GET", REQUEST.url, {"Authorization": "AWS4 x", "X-Empty": ""})
    assert header_lines(request, has_body=False) == \
        ["Authorization: AWS4 x", "X-Empty;", "Expect:", "Accept:"]


def test_callers_may_send_accept_and_expect_themselves():
    request = HttpRequest("GET", REQUEST.url, {"accept": "text/xml", "Expect": "100-continue"})
    assert header_lines(request, has_body=False) == ["accept: text/xml", "Expect: 100-continue"]


def test_bodies_get_their_length_from_libcurl_and_no_invented_content_type():
    request = HttpRequest("PUT", REQUEST.url, {"content-length": "5", "X-A": "1"}, b"12345")
    assert header_lines(request, has_body=True) == ["X-A: 1", "Expect:", "Accept:",
                                                    "Content-Type:"]
    typed = HttpRequest("POST", REQUEST.url, {"Content-Type": "application/xml"}, b"<x/>")
    assert header_lines(typed, has_body=True) == ["Content-Type: application/xml", "Expect:",
                                                  "Accept:"]


@pytest.mark.parametrize("headers", [{"X-Bad": "a\r\nInjected: yes"}, {"X-Bad": "a\nb"},
                                     {"Bad:Name": "1"}, {"Bad\r\nName": "1"}])
def test_headers_that_would_break_the_request_are_refused(headers):
    with pytest.raises(StorageError, match="line break or a colon"):
        header_lines(HttpRequest("GET", REQUEST.url, headers), has_body=False)


# -- errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("code", [pycurl.E_COULDNT_CONNECT, pycurl.E_PARTIAL_FILE,
                                  pycurl.E_OPERATION_TIMEDOUT, pycurl.E_GOT_NOTHING,
                                  pycurl.E_RECV_ERROR, pycurl.E_SEND_ERROR,
                                  pycurl.E_COULDNT_RESOLVE_HOST, pycurl.E_SSL_CONNECT_ERROR])
def test_network_failures_are_transient_and_name_the_request(code):
    error = curl_failure(REQUEST, code, "what curl said")
    assert isinstance(error, TransientStorageError)
    assert str(error).startswith(f"GET {REQUEST.url}: ")
    assert "what curl said" in str(error) and f"curl error {code}" in str(error)


def test_a_timeout_says_so():
    assert "timed out" in str(curl_failure(REQUEST, pycurl.E_OPERATION_TIMEDOUT, "slow"))


@pytest.mark.parametrize("code", [pycurl.E_URL_MALFORMAT, pycurl.E_UNSUPPORTED_PROTOCOL,
                                  pycurl.E_PEER_FAILED_VERIFICATION,
                                  pycurl.E_SSL_CACERT_BADFILE])
def test_bad_urls_and_refused_certificates_are_not_retried(code):
    error = curl_failure(REQUEST, code, "no")
    assert isinstance(error, StorageError) and not isinstance(error, TransientStorageError)
    assert REQUEST.url in str(error)


# -- environment ------------------------------------------------------------------------------

def test_proxies_follow_the_environment_in_either_case(monkeypatch):
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("no_proxy", "internal.example,10.0.0.0/8")
    table = ProxyTable()
    assert table.proxy_for("https://storage.example/b/k") == "http://proxy.example:3128"
    assert table.proxy_for("https://internal.example/b/k") == ""
    assert table.proxy_for("https://10.1.2.3/b/k") == ""
    assert table.proxy_for("http://storage.example/b/k") == ""  # no proxy for plain http
    monkeypatch.setenv("ALL_PROXY", "socks5h://socks.example:1080")
    assert ProxyTable().proxy_for("http://storage.example/k") == "socks5h://socks.example:1080"
    assert table.proxy_for("http://storage.example/other") == ""  # looked up once per origin
    assert ProxyTable().proxy_for("http://[broken/") == ""  # libcurl will reject the URL


def _ca(options) -> dict:
    return {option: value for option, value in options
            if option in (pycurl.CAINFO, pycurl.CAPATH)}


def test_the_ca_bundle_is_the_one_requests_would_use(monkeypatch, tmp_path):
    import certifi

    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    assert _ca(handle_options(1.0)) == {pycurl.CAINFO: certifi.where()}
    monkeypatch.setenv("CURL_CA_BUNDLE", "/etc/ssl/curl.pem")
    assert _ca(handle_options(1.0)) == {pycurl.CAINFO: "/etc/ssl/curl.pem"}
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path))  # a directory of certificates
    assert _ca(handle_options(1.0)) == {pycurl.CAPATH: str(tmp_path)}


def test_handles_never_decode_follow_or_speak_other_protocols():
    options = dict(handle_options(2.5))
    assert options[pycurl.CONNECTTIMEOUT_MS] == 2500
    assert options[pycurl.HTTP_CONTENT_DECODING] == 0 and options[pycurl.FOLLOWLOCATION] == 0
    assert options[pycurl.PROTOCOLS] == pycurl.PROTO_HTTP | pycurl.PROTO_HTTPS
    assert options[pycurl.PATH_AS_IS] == 1 and options[pycurl.NOSIGNAL] == 1
    assert pycurl.ACCEPT_ENCODING not in options


# -- sharing and forks ------------------------------------------------------------------------

def test_transports_are_shared_by_settings():
    first = shared_curl_transport(5, 1.0, 2.0)
    assert shared_curl_transport(5, 1.0, 2.0) is first
    assert shared_curl_transport(6, 1.0, 2.0) is not first
    assert shared_curl_transport(5, 1.0, 3.0) is not first
    assert first.name == "curl" and first.maxsize == 5 and first.timeout == (1.0, 2.0)


def test_a_forked_child_leaves_its_parents_engines_untouched():
    shared = shared_curl_transport(5, 1.0, 2.0)
    engine = shared.lend_engine(5)
    shared.take_back(engine)

    def child():
        return (shared.lend_engine(5) is not engine,  # a new one: the old one's sockets are not ours
                engine in curl_engine._ABANDONED and not engine.multi.closed,  # kept, never closed
                shared_curl_transport(5, 1.0, 2.0) is shared)

    assert in_child(child) == "(True, True, True)"
    assert shared.lend_engine(5) is engine  # the parent's engine is still the parent's


def test_engines_are_lent_to_one_user_at_a_time_and_reused():
    transport = CurlTransport(4)
    first, second = transport.lend_engine(4), transport.lend_engine(4)
    assert first is not second
    transport.take_back(first)
    assert transport.lend_engine(4) is first  # the warm one again
    transport.take_back(second)
    transport.close()
    assert second.multi.closed


# -- batches without sockets ------------------------------------------------------------------

def test_an_empty_batch_collects_nothing_at_once():
    batch = CurlTransport(2).batch(4)
    assert batch.in_flight == 0 and batch.collect() == [] and batch.collect(timeout=5) == []


def test_unsendable_requests_come_back_as_errors_with_their_tags():
    transport = CurlTransport(2)
    batch = transport.batch(4)
    batch.submit("bad", HttpRequest("GET", "http://127.0.0.1:9/x", {"X": "a\r\nb"}))
    batch.submit("text", HttpRequest("GET", "http://127.0.0.1:9/caf\u00e9"))
    batch.submit("str body", HttpRequest("PUT", "http://127.0.0.1:9/x", {}, "not bytes"))
    assert batch.in_flight == 3
    results = dict(batch.collect())
    assert set(results) == {"bad", "text", "str body"} and batch.in_flight == 0
    assert all(type(error) is StorageError for error in results.values())
    with pytest.raises(StorageError, match="not latin-1"):
        transport.send(HttpRequest("GET", "http://127.0.0.1:9/x", {"X": "\u2603"}))


def test_a_closed_batch_forgets_its_queue():
    batch = CurlTransport(2).batch(1)
    batch.submit(1, REQUEST)
    batch.close()
    assert batch.in_flight == 0 and batch.collect() == []
