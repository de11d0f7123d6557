"""A portal's lifecycle stages as handoff reads and writes them: defaults, mapped and unmapped
custom stages, the portal's own order. A table of cases, no CRM."""

from __future__ import annotations

import pytest

from handoff.config.vocabulary import Stage
from handoff.connectors.errors import ConfigurationError
from handoff.connectors.hubspot.stages import DEFAULT_ORDER, PortalStages, StageOption

PQL = "1452450031"  # "Product Qualified Lead", after "lead"
PARTNER = "1452450032"  # "Partner referral", after "customer", mapped to nothing


def portal(mapped: dict[str, Stage] | None = None, *, without: str = "") -> PortalStages:
    values = [v for v in DEFAULT_ORDER if v != without]
    values.insert(values.index("lead") + 1, PQL)
    values.insert(values.index("customer") + 1, PARTNER)
    labels = {PQL: "Product Qualified Lead", PARTNER: "Partner referral"}
    options = [StageOption(v, labels.get(v, v), rank) for rank, v in enumerate(values)]
    return PortalStages.of(options, mapped or {})


@pytest.mark.parametrize(
    ("mapped", "value", "meaning", "unmapped"),
    [
        ({}, "marketingqualifiedlead", Stage.MQL, False),
        ({}, "evangelist", Stage.CUSTOMER, False),
        ({}, "other", None, False),
        ({}, PQL, None, True),
        ({"product qualified LEAD": Stage.MQL}, PQL, Stage.MQL, False),  # by label, any case
        ({PQL: Stage.MQL}, PQL, Stage.MQL, False),  # by internal value
        ({"Product Qualified Lead": Stage.MQL}, PARTNER, None, True),
    ],
)
def test_what_a_stage_means(
    mapped: dict[str, Stage], value: str, meaning: Stage | None, unmapped: bool
) -> None:
    stages = portal(mapped)
    assert stages.meaning(value) == meaning
    assert stages.unmapped(value) == unmapped


@pytest.mark.parametrize(
    ("mapped", "stage", "current", "target", "without"),
    [
        ({}, Stage.MQL, "lead", "marketingqualifiedlead", ""),
        ({}, Stage.SAL, None, "salesqualifiedlead", ""),
        ({}, Stage.CUSTOMER, "lead", None, ""),  # the CRM's own stage: never set
        ({"Product Qualified Lead": Stage.MQL}, Stage.MQL, PQL, PQL, ""),  # stays as the admin named it
        ({"Product Qualified Lead": Stage.MQL}, Stage.MQL, "lead", "marketingqualifiedlead", ""),
        # The portal removed the default MQL stage: the custom stage mapped to it is set instead.
        ({"Product Qualified Lead": Stage.MQL}, Stage.MQL, "lead", PQL, "marketingqualifiedlead"),
        ({}, Stage.MQL, "lead", None, "marketingqualifiedlead"),  # nothing means MQL: not written
    ],
)
def test_which_value_handoff_sets(
    mapped: dict[str, Stage], stage: Stage, current: str | None, target: str | None, without: str
) -> None:
    assert portal(mapped, without=without).target(stage, current) == target


@pytest.mark.parametrize(
    ("current", "target", "backward"),
    [
        ("lead", "marketingqualifiedlead", False),
        (PQL, "lead", True),  # the portal's order: PQL comes after lead
        ("lead", PQL, False),
        (PQL, "marketingqualifiedlead", False),
        ("marketingqualifiedlead", PQL, True),
        ("unknown-stage", "lead", True),  # not listed: clear first, always safe
        (None, "lead", False),
    ],
)
def test_backward_in_the_portals_order(current: str | None, target: str, backward: bool) -> None:
    assert portal().is_backward(current, target) == backward


@pytest.mark.parametrize(
    ("mapped", "stage", "known"),
    [
        ({}, Stage.MQL, "marketingqualifiedlead"),
        ({"Product Qualified Lead": Stage.MQL}, Stage.MQL, None),  # either of two: read it
        ({"Product Qualified Lead": Stage.MQL}, Stage.SAL, "salesqualifiedlead"),
        ({"Product Qualified Lead": Stage.SQL}, Stage.SAL, None),  # SAL and SQL share a value
    ],
)
def test_where_a_written_stage_stands_without_a_read(
    mapped: dict[str, Stage], stage: Stage, known: str | None
) -> None:
    assert portal(mapped).where_written(stage) == known


def test_stage_dates_are_the_classic_property_or_the_custom_stages_own() -> None:
    stages = portal()
    assert stages.date_property("lead") == "hs_lifecyclestage_lead_date"
    assert stages.date_property(PQL) == f"hs_v2_date_entered_{PQL}"


def test_a_map_naming_no_stage_of_the_portal_is_refused_with_the_portals_stages() -> None:
    with pytest.raises(ConfigurationError) as refused:
        portal({"Product Qualifed Lead": Stage.MQL})
    assert "HANDOFF_HUBSPOT_LIFECYCLE_STAGES" in str(refused.value)
    assert "'Product Qualifed Lead' is not a lifecycle stage" in str(refused.value)
    assert "'Product Qualified Lead' (1452450031)" in str(refused.value)
