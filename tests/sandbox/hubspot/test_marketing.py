"""Forms, submissions, behavioural events (Enterprise only) and the usage report."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hubspot.events.exceptions import ForbiddenException

from handoff.sandbox.hubspot import HubSpotSandbox, RateLimitConfig, SimulatedClock
from handoff.sandbox.hubspot.analytics import EMAIL_OPEN, PAGE_VIEW, WebEvent
from handoff.sandbox.hubspot.forms import FormDef

from .conftest import START, api, sdk, value


@pytest.fixture
def demo_form(sandbox: HubSpotSandbox) -> FormDef:
    return sandbox.state.add_form(
        FormDef("8f0e-demo", "Request a demo", START - timedelta(days=30), START - timedelta(days=30))
    )


def test_forms_list_through_the_sdk(client: Any, demo_form: FormDef) -> None:
    page = client.marketing.forms.forms_api.get_page()
    assert [(f.id, f.name) for f in page.results] == [(demo_form.id, "Request a demo")]


def test_submissions_page_newest_first_and_create_contacts(
    sandbox: HubSpotSandbox, client: Any, demo_form: FormDef
) -> None:
    for index in range(25):
        sandbox.state.submit_form(
            demo_form.id,
            {"email": f"lead{index}@globex.example", "firstname": f"L{index}"},
            conversion_id=f"conv-{index}",
            at=START + timedelta(minutes=index),
        )
    path = f"/form-integrations/v1/submissions/forms/{demo_form.id}"

    first = client.api_request({"method": "GET", "path": path}).json()
    second = client.api_request(
        {"method": "GET", "path": path, "qs": {"after": first["paging"]["next"]["after"], "limit": 50}}
    ).json()
    contact = sandbox.state.find_contact("lead24@globex.example")

    assert len(first["results"]) == 20
    assert first["results"][0]["conversionId"] == "conv-24"
    assert first["results"][0]["submittedAt"] == int((START + timedelta(minutes=24)).timestamp() * 1000)
    assert {"name": "email", "value": "lead24@globex.example", "objectTypeId": "0-1"} in first["results"][0][
        "values"
    ]
    assert [r["conversionId"] for r in second["results"]] == [f"conv-{i}" for i in range(4, -1, -1)]
    assert "paging" not in second
    assert contact is not None
    assert contact.get("recent_conversion_event_name") == "Request a demo"
    assert contact.get("lifecyclestage") == "lead"


def _views(sandbox: HubSpotSandbox, contact_id: str) -> None:
    sandbox.state.add_web_events(
        [
            WebEvent(f"pv-{i}", int(contact_id), PAGE_VIEW, START - timedelta(hours=i), url)
            for i, url in enumerate(
                ["https://www.acme.example/pricing", "https://www.acme.example/blog/bant-is-not-dead"]
            )
        ]
        + [WebEvent("open-1", int(contact_id), EMAIL_OPEN, START, email_name="Acme Monthly")]
    )


def test_page_views_on_enterprise(sandbox: HubSpotSandbox, client: Any) -> None:
    contact = sandbox.state.create("contacts", {"email": "v@x.example"}).id
    _views(sandbox, contact)

    page = client.events.events_api.get_page(
        object_type="contact",
        object_id=contact,
        event_type="e_visited_page",
        occurred_after=START - timedelta(days=1),
    )

    assert [e.properties["hs_url"] for e in page.results] == [
        "https://www.acme.example/blog/bant-is-not-dead",
        "https://www.acme.example/pricing",
    ]
    assert value(sandbox, "contacts", contact, "hs_analytics_num_page_views") == "2"
    assert value(sandbox, "contacts", contact, "hs_analytics_last_url") == "https://www.acme.example/pricing"


def test_events_are_read_one_record_at_a_time(sandbox: HubSpotSandbox) -> None:
    answer = api(sandbox, "GET", "/events/v3/events", params={"objectType": "contact"})
    assert answer.status_code == 400


def test_events_api_is_forbidden_below_enterprise(clock: SimulatedClock) -> None:
    with HubSpotSandbox(tier="professional", clock=clock, rate_limits=RateLimitConfig.unlimited()) as sandbox:
        contact = sandbox.state.create("contacts", {"email": "v@x.example"}).id
        _views(sandbox, contact)
        with pytest.raises(ForbiddenException):
            sdk(sandbox).events.events_api.get_page(object_type="contact", object_id=contact)
        summary = sandbox.state.get("contacts", contact)

    assert summary is not None
    assert summary.get("hs_analytics_num_page_views") == "2"


def test_usage_report(sandbox: HubSpotSandbox) -> None:
    api(sandbox, "GET", "/crm/v3/owners")

    [usage] = api(sandbox, "GET", "/account-info/v3/api-usage/daily/private-apps").json()

    assert usage["usageLimit"] == 1_000_000
    assert usage["currentUsage"] == 2
    assert usage["resetsAt"] == "2026-03-03T00:00:00.000Z"
