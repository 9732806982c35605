"""Which transport engine network storages send through: chosen here, in the composition root.

libcurl's multi interface (pycurl) is the default where it is installed; requests/urllib3 is the
portable fallback, the engine for gevent (`green=True`), and whatever a test double intercepts
(responses, requests-mock, moto's mock_aws) goes through requests while it is active, so users'
own tests still see our calls. Left to choose, GETs of directories whose bodies lately were big
go to the requests engine's threads, which receive big bodies faster (see size_routing).
CLOUDFILES_ENGINE=curl|requests overrides the choice: that engine for everything.
"""
from __future__ import annotations

import os

from ..adapters.transport.requests_engine import intercepting_transport, shared_transport
from ..adapters.transport.size_routing import size_routed_transport
from ..domain.objects import StorageConfig
from ..domain.ports import Transport

ENGINE_ENV = "CLOUDFILES_ENGINE"
ENGINES = ("curl", "requests")


def engine_choice() -> str:
    """'curl', 'requests' or 'auto' (unset): what CLOUDFILES_ENGINE asks for."""
    choice = os.environ.get(ENGINE_ENV, "").strip().lower() or "auto"
    if choice not in (*ENGINES, "auto"):
        raise ValueError(f"{ENGINE_ENV}={choice!r} is not an engine: use one of "
                         f"{', '.join(ENGINES)} (or leave it unset).")
    return choice


def transport_for(config: StorageConfig) -> Transport:
    """The transport a network storage with these settings sends through."""
    settings = (config.num_threads, config.connect_timeout, config.read_timeout)
    fallback = shared_transport(*settings)
    choice = engine_choice()
    if choice == "requests" or config.green:
        return fallback
    curl = _curl(settings, required=choice == "curl")
    if curl is None:
        return fallback
    engine = curl if choice == "curl" else size_routed_transport(curl, fallback)
    return intercepting_transport(engine, fallback)


def _curl(settings: tuple, required: bool) -> Transport | None:
    try:
        from ..adapters.transport.curl_engine import curl_available, shared_curl_transport
    except ImportError:
        available = False
    else:
        available = curl_available()
    if not available:
        if required:
            raise ValueError(f"{ENGINE_ENV}=curl, but pycurl is not installed or its libcurl "
                             "is too old: pip install pycurl.")
        return None
    return shared_curl_transport(*settings)
