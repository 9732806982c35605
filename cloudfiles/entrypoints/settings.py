"""Settings a user gives by argument or environment: retries and network timeouts."""
from __future__ import annotations

import os
from typing import Any

from ..domain.retry import RetryPolicy

RETRIES_ENV = "CLOUDFILES_RETRIES"
TIMEOUT_ENVS = {"connect_timeout": "CLOUDFILES_CONNECT_TIMEOUT",
                "read_timeout": "CLOUDFILES_READ_TIMEOUT"}


def _number(name: str, value: Any, kind: type) -> Any:
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a {kind.__name__} >= 0, got {value!r}.") from None
    if number < 0:
        raise ValueError(f"{name} must be a {kind.__name__} >= 0, got {value!r}.")
    return number


def retries(argument: int | None) -> int:
    """Retries after a failed request: the argument, else $CLOUDFILES_RETRIES, else 7."""
    if argument is not None:
        return _number("retries", argument, int)
    from_env = os.environ.get(RETRIES_ENV)
    if from_env:
        return _number(RETRIES_ENV, from_env, int)
    return RetryPolicy().total


def timeouts(options: dict[str, Any]) -> dict[str, float]:
    """connect_timeout/read_timeout taken out of options, else from the environment."""
    found = {}
    for name, env in TIMEOUT_ENVS.items():
        if name in options:
            found[name] = _number(name, options.pop(name), float)
        elif os.environ.get(env):
            found[name] = _number(env, os.environ[env], float)
    return found
