"""Tests hand a CloudFiles an engine of their choosing the way production does: through the
composition root (entrypoints.wiring), not by patching the storage it built."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from cloudfiles import CloudFiles
from cloudfiles.domain.objects import StorageConfig
from cloudfiles.domain.ports import Transport
from cloudfiles.entrypoints import wiring

T = TypeVar("T", bound=Transport)


def open_with_engine(monkeypatch, cloudpath: str, wrap: Callable[[Transport], T],
                     **kwargs: Any) -> tuple[CloudFiles, T]:
    """(CloudFiles(cloudpath, **kwargs), its engine): wrap(the engine the composition root
    chose for it), e.g. a spy around it. Only this CloudFiles gets the wrapped engine."""
    cf, engine, _ = _open(monkeypatch, cloudpath, wrap, kwargs)
    return cf, engine


def opened_with(monkeypatch, cloudpath: str,
                **kwargs: Any) -> tuple[CloudFiles, Transport, StorageConfig]:
    """(CloudFiles(cloudpath, **kwargs), the engine the composition root handed its network
    storage, the storage settings it chose that engine for)."""
    return _open(monkeypatch, cloudpath, lambda engine: engine, kwargs)


def _open(monkeypatch, cloudpath: str, wrap: Callable[[Transport], T],
          kwargs: dict[str, Any]) -> tuple[CloudFiles, T, StorageConfig]:
    made: list[tuple[T, StorageConfig]] = []
    choose = wiring.transport_for

    def wrapped(config):
        made.append((wrap(choose(config)), config))
        return made[-1][0]

    with monkeypatch.context() as patch:
        patch.setattr(wiring, "transport_for", wrapped)
        cf = CloudFiles(cloudpath, **kwargs)
    assert len(made) == 1, f"{cloudpath} opened {len(made)} network storages, not one"
    return cf, *made[0]


def serve_every_cloudfiles_with(monkeypatch, engine: Transport) -> None:
    """From now on in this test, every network CloudFiles sends through `engine` (a fake)."""
    monkeypatch.setattr(wiring, "transport_for", lambda config: engine)
