"""Retries in tests through public seams: attempts that follow at once, and a retry count.

The retry policy (domain.retry.RetryPolicy) decides the wait before each retry; making its
`backoff` zero keeps every bound (7 retries, 8 attempts) while no test sleeps. The app logs
one WARNING per retry, which is how tests count them.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from cloudfiles.domain.retry import RetryPolicy


def retry_at_once(monkeypatch) -> None:
    """Make retries follow at once: the retry policy waits no time before any."""
    monkeypatch.setattr(RetryPolicy, "backoff", lambda policy, random: 0.0)


def retry_counter(caplog) -> Callable[[], int]:
    """A function telling how many retries the app has logged (one WARNING each) so far."""
    caplog.set_level(logging.WARNING, logger="cloudfiles")
    return lambda: sum(record.name == "cloudfiles" and record.getMessage().startswith("retry ")
                       for record in caplog.records)
