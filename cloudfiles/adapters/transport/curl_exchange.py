"""One HttpRequest on a libcurl easy handle, and the HttpResponse (or error) it comes back as.

`prepare` sets the per-request options of a reused easy handle; `outcome` reads a finished
transfer back; `curl_failure` maps a libcurl error code to the domain's errors. Bodies are
taken as stored: no Content-Encoding is asked for or decoded, redirects are not followed.
"""
from __future__ import annotations

from typing import Any

import pycurl

from ...domain.errors import StorageError, TransientStorageError
from ...domain.ports import HttpRequest, HttpResponse
from .curl_body import BodyBuffer, SinkWriter

#: libcurl errors that sending again cannot fix: a malformed URL or option, a scheme we do
#: not speak, a certificate refused or unreadable. Every other error is transient.
PERMANENT_ERRORS = frozenset({
    pycurl.E_UNSUPPORTED_PROTOCOL, pycurl.E_URL_MALFORMAT, pycurl.E_NOT_BUILT_IN,
    pycurl.E_BAD_FUNCTION_ARGUMENT, pycurl.E_PEER_FAILED_VERIFICATION,
    pycurl.E_SSL_CERTPROBLEM, pycurl.E_SSL_CACERT_BADFILE, pycurl.E_SSL_ISSUER_ERROR,
    pycurl.E_SSL_PINNEDPUBKEYNOTMATCH, getattr(pycurl, "E_SSL_CRL_BADFILE", 82),
})

#: Short words for the commonest failures, shown before curl's own message.
_LABELS = {
    pycurl.E_OPERATION_TIMEDOUT: "timed out",
    pycurl.E_COULDNT_CONNECT: "connection failed",
    pycurl.E_COULDNT_RESOLVE_HOST: "host not found",
    pycurl.E_PARTIAL_FILE: "truncated body",
    pycurl.E_GOT_NOTHING: "empty reply",
    pycurl.E_RECV_ERROR: "receive failed",
    pycurl.E_SEND_ERROR: "send failed",
    pycurl.E_PEER_FAILED_VERIFICATION: "certificate refused",
    pycurl.E_URL_MALFORMAT: "malformed URL",
    pycurl.E_UNSUPPORTED_PROTOCOL: "unsupported protocol",
}

#: Methods that carry a body, so a missing one is sent as empty (Content-Length: 0).
_BODY_METHODS = frozenset({"PUT", "POST", "PATCH"})
#: Headers libcurl would add on its own unless told not to ("Name:" removes one), each after
#: the spelling of its name as `header_lines` looks it up.
_SUPPRESSED = (("\nexpect\n", "Expect:"), ("\naccept\n", "Accept:"))


class Exchange:
    """One request in flight: its tag, where its body and header lines go, and its progress
    (for the read timeout)."""

    __slots__ = ("body", "lines", "moved", "posted", "request", "seen", "tag")

    def __init__(self, tag: Any, request: HttpRequest):
        self.tag = tag
        self.request = request
        self.lines: list[bytes] = []
        self.body = BodyBuffer(self.lines) if request.sink is None else \
            SinkWriter(self.lines, request.sink)
        self.seen = -1  # bytes moved either way when last looked at
        self.moved = 0.0  # monotonic time bytes last moved
        self.posted = False  # whether the handle was given the request body

    def release(self, handle: pycurl.Curl) -> None:
        """Drop the buffers (the handle keeps pointers to them until its next request)."""
        self.body.clear()
        self.lines.clear()
        if self.posted:
            handle.setopt(pycurl.POSTFIELDS, b"")  # the handle held on to the request body


def header_lines(request: HttpRequest, has_body: bool) -> list[str]:
    """The request's own headers for CURLOPT_HTTPHEADER, with libcurl's additions removed.

    Content-Length is left to libcurl (from the body size); a header with an empty value is
    sent as "Name;" (libcurl's spelling). Raises StorageError for a header that cannot be
    sent (a line break inside, a colon in its name).
    """
    headers = request.headers
    if not headers:
        return ["Expect:", "Accept:", "Content-Type:"] if has_body else ["Expect:", "Accept:"]
    names = "\n" + "\n".join(headers).lower() + "\n"
    lines = [f"{name}: {value}" if value != "" else f"{name};"
             for name, value in headers.items()]
    if "\ncontent-length\n" in names:
        lines = [line for line in lines if line[:15].lower() not in _LENGTH_PREFIXES]
    if ":" in names or "\r" in names or any("\r" in line or "\n" in line for line in lines):
        raise StorageError(f"{request.method} {request.url}: a header name or value holds a "
                           f"line break or a colon in its name: {list(headers)}.")
    lines.extend(text for key, text in _SUPPRESSED if key not in names)
    if has_body and "\ncontent-type\n" not in names:
        lines.append("Content-Type:")  # not libcurl's form-encoded default for POST bodies
    return lines


_LENGTH_PREFIXES = ("content-length:", "content-length;")


def prepare(handle: pycurl.Curl, exchange: Exchange, proxy: str) -> None:
    """Set `handle` up to send `exchange.request` through `proxy` ("" for none)."""
    request = exchange.request
    method = request.method
    body = request.body
    if body is None and method in _BODY_METHODS:
        body = b""
    try:
        handle.setopt(pycurl.URL, request.url)
    except (UnicodeEncodeError, TypeError):
        raise StorageError(f"{method} {request.url}: the URL is not ASCII text.") from None
    lines = header_lines(request, body is not None)
    try:
        handle.setopt(pycurl.HTTPHEADER, lines)
    except UnicodeEncodeError:  # pycurl takes ASCII text; http.client sends latin-1
        try:
            handle.setopt(pycurl.HTTPHEADER, [line.encode("latin-1") for line in lines])
        except UnicodeEncodeError:
            raise StorageError(f"{method} {request.url}: a header is not latin-1 text: "
                               f"{list(request.headers)}.") from None
    handle.setopt(pycurl.HTTPGET, 1)  # resets HEAD, POST and upload left by the last use
    if method == "HEAD":
        handle.setopt(pycurl.NOBODY, 1)
        custom = None
    elif body is None:
        custom = None if method == "GET" else method
    else:
        # libcurl sends the bytes object in place (pycurl keeps a reference): no copy.
        handle.setopt(pycurl.POSTFIELDS, body if type(body) is bytes else bytes(body))
        exchange.posted = True
        custom = None if method == "POST" else method
    handle.setopt(pycurl.CUSTOMREQUEST, custom)
    handle.setopt(pycurl.PROXY, proxy)
    handle.setopt(pycurl.WRITEFUNCTION, exchange.body.write)
    handle.setopt(pycurl.HEADERFUNCTION, exchange.lines.append)


def parse_headers(lines: list[bytes]) -> dict[str, str]:
    """The header fields of the last response in `lines` (raw lines as libcurl hands them
    over, status lines and blank lines included).

    Names keep the spelling received; a field repeated (in any case) has its values joined
    with ", ", as urllib3 does; folded continuation lines join their field.
    """
    if lines and lines[0].startswith(b"HTTP/") and lines[-1] == b"\r\n" and \
            lines.count(b"\r\n") == 1:  # one response, the common case: quickly
        text = b"".join(lines[1:-1]).decode("latin-1")
        if "\r\n " not in text and "\r\n\t" not in text and text[:1] not in _FOLDS:
            headers: dict[str, str] = {}
            fields = 0
            for line in text.split("\r\n"):
                name, colon, value = line.partition(":")
                if colon:
                    fields += 1
                    headers[name] = value.strip()
            if fields == len(headers) == len({name.lower() for name in headers}):
                return headers
    return _merged_headers(lines)


_FOLDS = (" ", "\t")


def _merged_headers(lines: list[bytes]) -> dict[str, str]:
    """parse_headers for any block: repeated or folded fields, several responses (1xx, a
    proxy's CONNECT), bare LF line ends."""
    start = 0
    for index, raw in enumerate(lines):
        if raw.startswith(b"HTTP/"):
            start = index + 1
    headers: dict[str, str] = {}
    spelled: dict[str, str] = {}
    last = ""
    for raw in lines[start:]:
        line = raw.decode("latin-1")
        if line[:1] in _FOLDS:
            if last and line.strip():
                headers[last] = f"{headers[last]} {line.strip()}".strip()
            continue
        name, colon, value = line.partition(":")
        if not colon:
            continue  # the blank line closing the block
        name, value = name.strip(), value.strip()
        first = spelled.setdefault(name.lower(), name)
        headers[first] = f"{headers[first]}, {value}" if first in headers else value
        last = first
    return headers


def outcome(handle: pycurl.Curl, exchange: Exchange) -> HttpResponse | Exception:
    """The response of a transfer libcurl finished without error; TransientStorageError when
    fewer bytes arrived than its Content-Length announced."""
    request = exchange.request
    status = handle.getinfo(pycurl.RESPONSE_CODE)
    body = exchange.body
    content = body.content()
    if request.method != "HEAD" and status not in (204, 304) and status >= 200:
        expected = handle.getinfo(pycurl.CONTENT_LENGTH_DOWNLOAD_T)
        received = len(content) if request.sink is None else body.received
        if expected >= 0 and expected != received:
            return TransientStorageError(
                f"{request.method} {request.url}: truncated body, "
                f"{received} of {expected} bytes")
    return HttpResponse(status, parse_headers(exchange.lines), content)


def curl_failure(request: HttpRequest, code: int, message: str) -> Exception:
    """The domain error for libcurl error `code`: StorageError when sending again cannot help,
    TransientStorageError otherwise (refused, reset, timed out, truncated...)."""
    label = _LABELS.get(code, "network error")
    detail = f"{request.method} {request.url}: {label}: {message or 'no detail'} " \
             f"(curl error {code})"
    if code in PERMANENT_ERRORS:
        return StorageError(detail)
    return TransientStorageError(detail)


def read_timeout_error(request: HttpRequest, seconds: float) -> TransientStorageError:
    """The error for a transfer that moved no byte for `seconds` (the read timeout)."""
    return TransientStorageError(
        f"{request.method} {request.url}: read timed out: no bytes for {seconds:g} s")
