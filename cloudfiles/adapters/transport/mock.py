"""A transport that answers from a function, for tests of network adapters without sockets."""
from __future__ import annotations

from collections.abc import Callable

from ...domain.ports import HttpRequest, HttpResponse, Transport


class MockTransport(Transport):
    """Calls `handler(request)` for each request and records every request sent."""

    def __init__(self, handler: Callable[[HttpRequest], HttpResponse]):
        self.handler = handler
        self.requests: list[HttpRequest] = []

    def send(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        return self.handler(request)
