"""Countries as real portals write them score and route like the ISO codes a policy names."""

from __future__ import annotations

from dataclasses import replace

import pytest

from handoff.config.countries import country_code
from handoff.config.policy import Policy
from handoff.lifecycle.engine import evaluate
from tests.lifecycle.leads import PERFECT_COMPANY, act, fit_lead
from tests.lifecycle.routing_world import POLICY, TUESDAY_10AM, context, demo, lead, routing_policy

SPELLINGS = [
    ("US", "US"),
    ("us", "US"),
    ("United States", "US"),
    ("united states of america", "US"),
    ("USA", "US"),
    ("U.S.A.", "US"),
    ("U.S.", "US"),
    ("Germany", "DE"),
    ("Deutschland", "DE"),
    ("DEU", "DE"),
    ("United Kingdom", "GB"),
    ("UK", "GB"),
    ("England", "GB"),
    ("  Great Britain ", "GB"),
    ("The Netherlands", "NL"),
    ("Holland", "NL"),
    ("South Korea", "KR"),
    ("Türkiye", "TR"),
    ("Turkey", "TR"),
    ("Narnia", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("text", "code"), SPELLINGS)
def test_country_names_read_as_iso_codes(text: str | None, code: str | None) -> None:
    assert country_code(text) == code


SAME_COUNTRY = [
    ("United States", "US"),
    ("USA", "US"),
    ("Germany", "DE"),
    ("Deutschland", "DE"),
    ("United Kingdom", "GB"),
]


@pytest.mark.parametrize(("written", "code"), SAME_COUNTRY)
def test_a_country_written_out_scores_like_its_code(policy: Policy, written: str, code: str) -> None:
    def fit(country: str) -> tuple[int, list[str]]:
        contact = fit_lead(company=replace(PERFECT_COMPANY, country=country))
        decision = evaluate(contact, [act("demo_request")], policy, TUESDAY_10AM)
        return decision.fit, [reason.rule for reason in decision.reasons]

    assert fit(written) == fit(code)
    assert "Served geography" in fit(written)[1]


@pytest.mark.parametrize(("written", "code"), SAME_COUNTRY)
def test_a_country_written_out_routes_like_its_code(written: str, code: str) -> None:
    def team(country: str) -> str | None:
        decision = evaluate(
            lead(country=country), [demo(TUESDAY_10AM)], POLICY, TUESDAY_10AM, routing=context()
        )
        assert decision.routing is not None
        return decision.routing.team

    assert team(written) == team(code)


def test_a_policy_may_name_countries_either_way() -> None:
    named = routing_policy(
        ('company.country = ["GB", "DE"]', 'company.country = ["United Kingdom", "Germany"]')
    )
    for country in ("DE", "Deutschland", "GB"):
        decision = evaluate(
            lead(country=country), [demo(TUESDAY_10AM)], named, TUESDAY_10AM, routing=context()
        )
        assert decision.routing is not None
        assert decision.routing.team == "emea", country
