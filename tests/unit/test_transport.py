"""The shared transport's bookkeeping and error mapping, without sockets."""
from __future__ import annotations

import ssl
import sys
import types

import pytest
import requests
import responses
import urllib3

from cloudfiles.adapters.transport import requests_engine as transport
from cloudfiles.domain.errors import StorageError, TransientStorageError
from cloudfiles.domain.ports import HttpRequest
from tests.forking import in_child

REQUEST = HttpRequest("GET", "https://example.com/key")


def test_transports_are_shared_by_settings():
    first = transport.shared_transport(5, 1.0, 2.0)
    assert transport.shared_transport(5, 1.0, 2.0) is first
    assert transport.shared_transport(6, 1.0, 2.0) is not first
    assert transport.shared_transport(5, 1.0, 3.0) is not first
    assert first.maxsize == 5 and first.timeout == (1.0, 2.0)


def test_a_forked_child_forgets_its_parents_connections():
    shared = transport.shared_transport(5, 1.0, 2.0)
    own = transport.PooledTransport(3)
    pools = (shared.pool("http://127.0.0.1:9/"), own.pool("http://127.0.0.1:9/"))

    def child():
        return (shared.pool("http://127.0.0.1:9/") is not pools[0],
                own.pool("http://127.0.0.1:9/") is not pools[1],
                transport.shared_transport(5, 1.0, 2.0) is shared)  # still shared, pools emptied

    assert in_child(child) == "(True, True, True)"
    assert shared.pool("http://127.0.0.1:9/") is pools[0]  # the parent keeps its own


def test_gevent_patching_after_a_transport_was_made_gives_a_new_one(monkeypatch):
    before = transport.shared_transport(5, 1.0, 2.0)
    fake = types.SimpleNamespace(is_module_patched=lambda name: name == "socket")
    monkeypatch.setitem(sys.modules, "gevent.monkey", fake)
    green = transport.shared_transport(5, 1.0, 2.0)
    assert green is not before and transport.shared_transport(5, 1.0, 2.0) is green
    monkeypatch.delitem(sys.modules, "gevent.monkey")
    assert transport.shared_transport(5, 1.0, 2.0) is before


def failure_of_sending(error: BaseException) -> Exception:
    """What the requests engine raises when sending REQUEST fails with `error` (raised by a
    test double in place of the network)."""
    with responses.RequestsMock() as mock:
        mock.add("GET", REQUEST.url, body=error)
        with pytest.raises(Exception) as raised:
            transport.PooledTransport(2).send(REQUEST)
    return raised.value


def _wrapped(inner: BaseException) -> requests.exceptions.ConnectionError:
    reason = urllib3.exceptions.MaxRetryError(None, REQUEST.url, inner)
    return requests.exceptions.ConnectionError(reason)


def test_network_failures_are_transient():
    for error in (requests.exceptions.ReadTimeout("slow"), requests.exceptions.ConnectTimeout(),
                  _wrapped(ConnectionResetError(104, "reset")), ConnectionRefusedError(),
                  requests.exceptions.ChunkedEncodingError("cut"),
                  _wrapped(ssl.SSLEOFError("EOF in violation of protocol"))):
        mapped = failure_of_sending(error)
        assert isinstance(mapped, TransientStorageError), error
        assert "https://example.com/key" in str(mapped)


def test_bad_urls_and_refused_certificates_are_not_retried():
    cert = ssl.SSLCertVerificationError(1, "certificate verify failed")
    for error in (requests.exceptions.InvalidURL("bad"), requests.exceptions.InvalidSchema("x"),
                  requests.exceptions.InvalidHeader("h"),
                  requests.exceptions.SSLError(_wrapped(cert))):
        mapped = failure_of_sending(error)
        assert type(mapped) is StorageError, error
        assert "https://example.com/key" in str(mapped)


def test_interception_is_seen_whatever_the_import_order():
    """responses/mock_aws replace HTTPAdapter.send: the fast path must step aside then."""
    assert not transport.interception_active()
    with responses.RequestsMock():
        assert transport.interception_active()
    assert not transport.interception_active()


def test_requests_mock_sees_our_requests():
    """Code under test that uses requests-mock must intercept cloudfiles' HTTP calls."""
    import requests_mock

    from cloudfiles import CloudFiles

    with requests_mock.Mocker() as mocker:
        mocker.get("https://mocked.example.org/dir/info", content=b'{"ok": 1}')
        mocker.head("https://mocked.example.org/dir/info",
                    headers={"Content-Length": "9"})
        cf = CloudFiles("https://mocked.example.org/dir")
        assert cf.get_json("info") == {"ok": 1}
        assert cf.size("info") == 9
        assert [r.method for r in mocker.request_history] == ["GET", "HEAD"]
