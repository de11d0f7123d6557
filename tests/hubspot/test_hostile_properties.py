"""Generated hostile HubSpot records: every one is read or refused by name, none raises past the
record, and none leaks its values into the refusal.

Each record travels as on the wire (JSON text, as HubSpot escapes it), is decoded by the
connector's decoder, mapped, stored as the mirror stores it (JSON) and evaluated with routing and
SLA clocks. A record may be refused (`record_problem` says why); anything else that raises fails.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handoff.config.loader import load_policy
from handoff.config.vocabulary import Stage
from handoff.connectors.decoding import loads
from handoff.connectors.errors import record_problem
from handoff.connectors.hubspot.mapping import AccountMap, contact_from, written_from
from handoff.lifecycle.codec import contact_record
from handoff.lifecycle.engine import evaluate
from handoff.lifecycle.outputs import with_outputs
from handoff.lifecycle.records import Owner
from handoff.lifecycle.roster import RoutingContext
from handoff.store.database import json_text
from tests.sync.company import OWNERS

POLICY = load_policy()
NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
# The demo company's reps, who are the shipped policy's: routing and SLA clocks really run.
CONTEXT = RoutingContext.of(
    [
        Owner(id=o["id"], email=o.get("email"), name=o["name"], queue=o.get("is_queue", False))
        for o in json.loads(OWNERS.read_text())["owners"]
    ],
    watching_since=NOW,
)
# Naive bounds, as hypothesis wants them; each drawn moment is written with a Z.
EARLIEST, LATEST = datetime(1, 1, 2), datetime(9999, 12, 30)  # noqa: DTZ001

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["\ud800", "\udfff", "a\x00b", "\x00", "\u202e", "𝔘𝔫𝔦", "", " ", "null"]),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=12),
)
NUMBERS = st.one_of(
    st.sampled_from(["1e400", "-1e400", "NaN", "Infinity", "-5", "about fifty", "1,200", "0x1F", "9" * 400]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
DATES = st.one_of(
    st.sampled_from(
        ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "not a date", "99999999999999999", "-1"]
    ),
    st.datetimes(min_value=EARLIEST, max_value=LATEST).map(lambda d: d.isoformat() + "Z"),
    st.integers(min_value=0, max_value=10**20).map(str),
)
CONTACT = st.fixed_dictionaries(
    {"hs_object_id": st.integers(min_value=1, max_value=10**12).map(str)},
    optional={
        "email": HOSTILE_TEXT,
        "firstname": HOSTILE_TEXT,
        "jobtitle": HOSTILE_TEXT,
        "country": HOSTILE_TEXT,
        "lifecyclestage": st.sampled_from(
            ["lead", "marketingqualifiedlead", "salesqualifiedlead", "123456", ""]
        ),
        "hs_lifecyclestage_marketingqualifiedlead_date": DATES,
        "hs_lifecyclestage_lead_date": DATES,
        "hs_lead_status": HOSTILE_TEXT,
        "hubspot_owner_id": st.sampled_from(["201", "203", "999", "", "1e400"]),
        "hubspot_owner_assigneddate": DATES,
        "createdate": DATES,
        "lastmodifieddate": DATES,
        "handoff_score": NUMBERS,
        "handoff_stage": st.one_of(st.sampled_from([stage.value for stage in Stage]), HOSTILE_TEXT),
        "handoff_disqualification_reason": st.one_of(st.sampled_from(["no_budget", "nope"]), HOSTILE_TEXT),
        "handoff_sla_due_at": DATES,
    },
)
COMPANY = st.fixed_dictionaries(
    {},
    optional={
        "name": HOSTILE_TEXT,
        "domain": HOSTILE_TEXT,
        "numberofemployees": NUMBERS,
        "annualrevenue": NUMBERS,
        "country": HOSTILE_TEXT,
        "industry": HOSTILE_TEXT,
    },
)


def _wire(value: dict[str, str]) -> dict[str, str]:
    """As HubSpot sends it: JSON text (lone surrogates escaped), decoded by the connector."""
    decoded: dict[str, str] = loads(json.dumps(value).encode())
    return decoded


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contact=CONTACT, company=st.one_of(st.none(), COMPANY))
def test_a_hostile_record_is_read_or_refused_by_name_and_never_raises_past_itself(
    contact: dict[str, str], company: dict[str, str] | None
) -> None:
    props, firm = _wire(contact), _wire(company) if company is not None else None
    try:
        mapped = contact_from(props, firm, AccountMap(), {})
    except Exception as error:  # refused: the reader quarantines it with this text
        why = record_problem(error)
        assert why
        for value in (*props.values(), *(firm or {}).values()):
            if len(value) >= 6:
                assert value not in why, "a refusal quoted the record's values"
        return
    json_text(contact_record(mapped))  # the mirror can hold it
    orjson.dumps(list(mapped.problems))
    as_held = with_outputs(mapped, written_from(props))  # with handoff's fields as the CRM holds them
    decision = evaluate(as_held, [], POLICY, NOW, routing=CONTEXT)
    assert decision.stage is not None
