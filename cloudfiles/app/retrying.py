"""The one retry loop: run a call until it succeeds or the retry policy gives up."""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from attrs import field, frozen

from ..domain.retry import RetryPolicy

T = TypeVar("T")


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
            except Exception as error:
                if not policy.should_retry(error):
                    raise
                self.sleep(policy.backoff(self.random))
                policy = policy.increment()
