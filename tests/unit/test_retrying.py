"""The one retry loop (app/retrying.py) with a fake clock, and what counts as retryable."""
from __future__ import annotations

import pytest

from cloudfiles.adapters.http_errors import raise_for_status
from cloudfiles.app.retrying import Retrier
from cloudfiles.domain.errors import (
    CRC32CIntegrityError,
    CredentialsError,
    DecompressionError,
    InvalidKeyError,
    MD5IntegrityError,
    StorageError,
    TransientStorageError,
    UnsupportedOperationError,
    is_retryable,
)
from cloudfiles.domain.ports import HttpResponse
from cloudfiles.domain.retry import RetryPolicy


class FakeClock:
    """Records sleeps instead of sleeping; `random` always draws `draw`."""

    def __init__(self, draw: float = 0.999):
        self.sleeps: list[float] = []
        self.draw = draw

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def random(self) -> float:
        return self.draw


class Flaky:
    """Fails with `error` the first `failures` calls, then returns 'ok'."""

    def __init__(self, error: BaseException, failures: int | None):
        self.error, self.failures, self.calls = error, failures, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.failures is None or self.calls <= self.failures:
            raise self.error
        return ("ok", args, kwargs)


def retrier(clock: FakeClock, **policy) -> Retrier:
    return Retrier(RetryPolicy(**policy), sleep=clock.sleep, random=clock.random)


def test_a_persistent_transient_error_gets_exactly_eight_attempts():
    clock, call = FakeClock(), Flaky(TransientStorageError("503"), None)
    with pytest.raises(TransientStorageError, match="503"):
        retrier(clock).call(call)
    assert call.calls == 8  # the first attempt and 7 retries
    assert len(clock.sleeps) == 7


def test_windows_double_from_half_a_second_and_cap_at_sixty():
    clock, call = FakeClock(draw=1.0), Flaky(TransientStorageError("reset"), None)
    with pytest.raises(TransientStorageError):
        retrier(clock, total=10).call(call)
    assert clock.sleeps == [0.5, 1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_default_sleeps_are_random_inside_each_window():
    clock, call = FakeClock(draw=0.25), Flaky(TransientStorageError("x"), None)
    with pytest.raises(TransientStorageError):
        retrier(clock).call(call)
    assert clock.sleeps == [0.25 * w for w in (0.5, 1, 2, 4, 8, 16, 32)]


def test_success_after_failures_returns_the_result_and_stops_sleeping():
    clock, call = FakeClock(), Flaky(TransientStorageError("429"), 3)
    assert retrier(clock).call(call, 1, b=2) == ("ok", (1,), {"b": 2})
    assert call.calls == 4 and len(clock.sleeps) == 3


@pytest.mark.parametrize("error", [
    StorageError("404", status=404), CredentialsError("403"), UnsupportedOperationError("ro"),
    InvalidKeyError("bad key"), DecompressionError("corrupt"), ValueError("bug"),
    KeyError("bug"),
])
def test_non_retryable_errors_raise_at_once_without_sleeping(error):
    clock, call = FakeClock(), Flaky(error, None)
    with pytest.raises(type(error)):
        retrier(clock).call(call)
    assert call.calls == 1 and clock.sleeps == []


@pytest.mark.parametrize("error", [
    TransientStorageError("timeout"), MD5IntegrityError("flip"), CRC32CIntegrityError("flip"),
    ConnectionResetError(104, "reset"), ConnectionRefusedError(111, "refused"),
    BrokenPipeError(32, "pipe"), TimeoutError("timed out"),
])
def test_connection_timeout_and_integrity_failures_are_retryable(error):
    assert is_retryable(error)
    clock, call = FakeClock(), Flaky(error, 2)
    assert retrier(clock).call(call)[0] == "ok"
    assert call.calls == 3


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, 599])
def test_throttling_and_server_errors_map_to_retryable(status):
    with pytest.raises(TransientStorageError) as caught:
        raise_for_status(HttpResponse(status), "GET x")
    assert is_retryable(caught.value) and caught.value.status == status


@pytest.mark.parametrize("status,error", [
    (400, StorageError), (401, CredentialsError), (403, CredentialsError),
    (404, StorageError), (409, StorageError), (412, StorageError), (416, StorageError),
])
def test_other_client_errors_and_auth_failures_are_not_retryable(status, error):
    with pytest.raises(error) as caught:
        raise_for_status(HttpResponse(status), "GET x")
    assert not is_retryable(caught.value)


def test_s3_slowdown_is_retryable_whatever_its_status():
    with pytest.raises(TransientStorageError):
        raise_for_status(HttpResponse(400), "PUT x", code="SlowDown")


def test_keyboard_interrupt_is_never_swallowed():
    clock, call = FakeClock(), Flaky(KeyboardInterrupt(), None)
    with pytest.raises(KeyboardInterrupt):
        retrier(clock).call(call)
    assert call.calls == 1 and clock.sleeps == []


def test_no_retry_policy_tries_once():
    clock, call = FakeClock(), Flaky(TransientStorageError("x"), None)
    with pytest.raises(TransientStorageError):
        retrier(clock, total=0).call(call)
    assert call.calls == 1 and clock.sleeps == []
