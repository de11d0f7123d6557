"""Fault plans: validated, seeded, and blind to exempt paths."""

from __future__ import annotations

import pytest

from handoff.sandbox.kit.faults import FaultConfig, FaultInjector


def _draws(config: FaultConfig, path: str = "/crm/v3/owners", count: int = 50) -> list[str | None]:
    injector = FaultInjector(config)
    return [injector.draw(path) for _ in range(count)]


def test_same_seed_same_plan() -> None:
    config = FaultConfig(seed=7, rate=0.3, kinds={"429", "500"})

    first, again, other = _draws(config), _draws(config), _draws(FaultConfig(seed=8, rate=0.3))

    assert first == again
    assert first != other
    assert set(first) <= {None, "429", "500"}
    assert 5 < first.count(None) < 45


def test_no_rate_no_faults_and_exempt_paths_never_fail() -> None:
    assert set(_draws(FaultConfig())) == {None}
    config = FaultConfig(rate=1.0, kinds={"drop"}, exempt_paths=("/oauth",))
    assert set(_draws(config, "/oauth/v1/token")) == {None}
    assert set(_draws(config)) == {"drop"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kinds": {"418"}}, "unknown fault kinds"),
        ({"rate": 1.5}, "fraction"),
        ({"rate": 0.1, "kinds": set()}, "at least one fault kind"),
    ],
)
def test_bad_plans_are_refused(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FaultConfig(**options)  # type: ignore[arg-type]
