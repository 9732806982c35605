"""Exponential random-window backoff as an immutable value, in the shape of urllib3's Retry."""
from __future__ import annotations

from collections.abc import Callable

from attrs import evolve, field, frozen

from .errors import is_retryable


@frozen
class RetryPolicy:
    """How many times to retry and how long to wait before each retry.

    Before retry n (1-based) the caller sleeps a uniformly random time in
    [0, min(initial_window * 2**(n-1), max_window)] seconds, which spreads a cluster's retries.
    """

    total: int = 7
    initial_window: float = 0.5
    max_window: float = 60.0
    attempts: int = field(default=0)
    classify: Callable[[BaseException], bool] = field(default=is_retryable, eq=False)

    @property
    def exhausted(self) -> bool:
        """True when no retry is left."""
        return self.attempts >= self.total

    def window(self) -> float:
        """Upper bound of the next sleep, in seconds."""
        return min(self.initial_window * (2 ** self.attempts), self.max_window)

    def backoff(self, random: Callable[[], float]) -> float:
        """Seconds to sleep before the next retry; `random` returns floats in [0, 1)."""
        return random() * self.window()

    def should_retry(self, error: BaseException) -> bool:
        """Whether this error is worth another attempt and one is left."""
        return not self.exhausted and self.classify(error)

    def increment(self) -> RetryPolicy:
        """The policy after one more retry."""
        return evolve(self, attempts=self.attempts + 1)


NO_RETRY = RetryPolicy(total=0)
