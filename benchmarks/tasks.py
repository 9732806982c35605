"""What a worker times: a Task, prepared once (untimed) from a runner name and its params.

Runner names are "module:function"; the function takes the params as keywords and returns
a Task whose `run()` does one timed batch and returns (files done, bytes moved).
"""
from __future__ import annotations

import importlib
from collections.abc import Callable

import attrs


@attrs.define
class Task:
    """One prepared batch; `after` runs untimed after each run (cleanup), `close` at the end."""

    run: Callable[[], tuple[int, int]]
    after: Callable[[], None] = lambda: None
    close: Callable[[], None] = lambda: None


def prepare(runner: str, params: dict) -> Task:
    """The Task of `runner` ("module:function") built with `params`."""
    module_name, _, function = runner.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, function)(**params)


def small_keys(count: int) -> list[str]:
    """The key names used for many-file workloads: 00000, 00001, ..."""
    return [f"{i:05d}" for i in range(count)]


def check(condition: bool, message: str) -> None:
    """Fail the run (not silently count it) when a result is wrong."""
    if not condition:
        raise AssertionError(message)
