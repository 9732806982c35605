"""The retry schedule: 7 retries, random windows from 0.5 s doubling, capped at 60 s."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cloudfiles.domain.errors import (
    CredentialsError,
    MD5IntegrityError,
    StorageError,
    TransientStorageError,
)
from cloudfiles.domain.retry import RetryPolicy


def test_default_schedule():
    policy, windows = RetryPolicy(), []
    while not policy.exhausted:
        windows.append(policy.window())
        policy = policy.increment()
    assert windows == [0.5, 1, 2, 4, 8, 16, 32]


@given(st.integers(1, 20), st.floats(0, 0.999))
def test_backoff_stays_inside_the_window_and_the_cap(total, draw):
    policy = RetryPolicy(total=total)
    while not policy.exhausted:
        assert 0 <= policy.backoff(lambda: draw) <= min(policy.window(), 60)
        policy = policy.increment()
    assert policy.attempts == total


def test_policy_is_immutable_and_classifies():
    policy = RetryPolicy()
    assert policy.increment() is not policy and policy.attempts == 0
    assert policy.should_retry(TransientStorageError("reset"))
    assert policy.should_retry(MD5IntegrityError("flip"))
    assert not policy.should_retry(StorageError("404"))
    assert not policy.should_retry(CredentialsError("403"))
    assert not RetryPolicy(total=0).should_retry(TransientStorageError("x"))
    assert RetryPolicy(max_window=3).increment().increment().increment().window() == 3


def test_every_domain_error_survives_pickling_between_processes():
    import inspect
    import pickle

    from cloudfiles.domain import errors

    for _, cls in inspect.getmembers(errors, inspect.isclass):
        if issubclass(cls, Exception) and cls.__module__ == errors.__name__:
            args = ("get", {"a": ValueError("x")}) if cls is errors.BatchError else ("why",)
            copy = pickle.loads(pickle.dumps(cls(*args)))
            assert type(copy) is cls and str(copy) == str(cls(*args))
