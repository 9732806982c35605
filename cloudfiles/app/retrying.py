"""The one retry loop: run a call until it succeeds or the retry policy gives up."""
from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from attrs import field, frozen

from ..domain.retry import RetryPolicy

T = TypeVar("T")
logger = logging.getLogger("cloudfiles")


@frozen
class Retrier:
    """Runs calls under a retry policy; `sleep` and `random` are injectable (fake clocks)."""

    policy: RetryPolicy = field(factory=RetryPolicy)
    sleep: Callable[[float], None] = field(default=time.sleep, eq=False)
    random: Callable[[], float] = field(default=random.random, eq=False)

    def call(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """fn(*args, **kwargs), retried on retryable errors; the last error is raised."""
        policy = self.policy
        while True:
            try:
                return fn(*args, **kwargs)
            except Exception as error:  # noqa: BLE001 - after_failure re-raises what is final
                policy, wait = self.after_failure(policy, error)
                self.sleep(wait)

    def delay(self, wait: float) -> float:
        """Seconds a driver that does not block should hold an attempt back: `wait` with the
        real clock; with an injected sleep (a fake clock), the sleep is called and 0 returned."""
        if self.sleep is time.sleep:
            return wait
        self.sleep(wait)
        return 0.0

    def after_failure(self, policy: RetryPolicy, error: Exception) -> tuple[RetryPolicy, float]:
        """(the policy for the next attempt, seconds to wait first) after `error`; re-raises
        error when it is not worth retrying or no retry is left. Logs one WARNING per retry.

        The one retry decision: `call` uses it around a call, the engine driver around an
        operation whose next attempt it schedules without sleeping.
        """
        if not policy.should_retry(error):
            raise error
        wait = policy.backoff(self.random)
        logger.warning("retry %d of %d in %.2f s after %s: %s", policy.attempts + 1,
                       policy.total, wait, type(error).__name__, error)
        return policy.increment(), wait
