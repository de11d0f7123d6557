"""The one retry policy: what it retries, how long it waits, and that it always stops."""

from __future__ import annotations

import pytest

from handoff.connectors.errors import AuthError, BudgetExhausted, Permanent, RateLimited, Transient
from handoff.connectors.retry import RetryPolicy


class Flaky:
    """Fails with the given errors in turn, then answers."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def test_retry_after_is_honoured_and_capped() -> None:
    sleeps: list[float] = []
    flaky = Flaky(RateLimited("slow down", retry_after=0), RateLimited("slow down", retry_after=86_400))

    assert RetryPolicy(sleep=sleeps.append, retry_after_cap=60).call("search", flaky) == "done"

    assert sleeps == [0.0, 60.0]


def test_transient_errors_back_off_exponentially_with_jitter() -> None:
    sleeps: list[float] = []
    flaky = Flaky(*[Transient("502") for _ in range(5)])

    RetryPolicy(sleep=sleeps.append, attempts=6, backoff_cap=60).call("batch_update", flaky)

    assert len(sleeps) == 5
    assert all(0 <= wait <= min(60, 2**n) for n, wait in enumerate(sleeps, start=1))
    assert len(set(sleeps)) > 1


def test_it_always_stops() -> None:
    sleeps: list[float] = []
    flaky = Flaky(*[Transient("503") for _ in range(50)])

    with pytest.raises(Transient):
        RetryPolicy(sleep=sleeps.append, attempts=4).call("search", flaky)

    assert flaky.calls == 4


@pytest.mark.parametrize(
    "error",
    [Permanent("400 VALIDATION_ERROR"), AuthError("401"), BudgetExhausted("daily limit")],
    ids=["permanent", "auth", "daily budget"],
)
def test_what_cannot_pass_is_not_retried(error: Exception) -> None:
    sleeps: list[float] = []
    flaky = Flaky(error)

    with pytest.raises(type(error)):
        RetryPolicy(sleep=sleeps.append).call("batch_update", flaky)

    assert (flaky.calls, sleeps) == (1, [])
