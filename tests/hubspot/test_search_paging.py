"""Search paging edge cases HubSpot produces rarely, served by a scripted HTTP server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from handoff.config.loader import load_policy
from handoff.connectors.hubspot.connector import HubSpotConnector
from handoff.connectors.hubspot.stages import DEFAULT_ORDER
from handoff.connectors.protocol import Window
from handoff.connectors.retry import RetryPolicy

SEARCH = "/crm/v3/objects/contacts/search"
STAGES = "/crm/v3/properties/contacts/lifecyclestage"
COMPANIES = "/crm/v3/objects/companies/search"  # none changed in the window
MODIFIED = "2026-11-30T14:00:00.000Z"


def contact(record_id: int) -> dict[str, Any]:
    return {
        "id": str(record_id),
        "properties": {
            "hs_object_id": str(record_id),
            "email": f"lead{record_id}@northwind.example",
            "lastmodifieddate": MODIFIED,
        },
    }


def test_an_empty_page_that_is_not_the_last_is_stepped_over_not_taken_as_the_end(
    httpserver: HTTPServer,
) -> None:
    # ids 1-200; then a page with nothing searchable yet (but more to come); then ids 401-450.
    pages = [
        {"results": [contact(n) for n in range(1, 201)], "paging": {"next": {"after": "200"}}},
        {"results": [], "paging": {"next": {"after": "200"}}},
        {"results": [contact(n) for n in range(401, 451)]},
    ]
    bodies: list[dict[str, Any]] = []

    def answer(request: Request) -> Response:
        bodies.append(json.loads(request.get_data()))
        return Response(json.dumps(pages[len(bodies) - 1]), content_type="application/json")

    httpserver.expect_request(SEARCH, method="POST").respond_with_handler(answer)
    httpserver.expect_request(COMPANIES, method="POST").respond_with_json({"results": []})
    httpserver.expect_request(STAGES).respond_with_json(
        {"options": [{"value": v, "label": v, "displayOrder": n} for n, v in enumerate(DEFAULT_ORDER)]}
    )
    connector = HubSpotConnector.connect(
        "token",
        httpserver.url_for(""),
        tier="professional",
        policy=load_policy(),
        retry=RetryPolicy(),
        clock=lambda: datetime(2026, 11, 30, 15, tzinfo=UTC),
    )
    end = datetime(2026, 11, 30, 15, tzinfo=UTC)

    pulled = [
        record.contact.id
        for page in connector.pull_contacts(Window(end - timedelta(days=1), end))
        for record in page.contacts
    ]

    assert pulled == [str(n) for n in (*range(1, 201), *range(401, 451))]
    resumed = [
        (
            next(
                f["value"] for f in body["filterGroups"][0]["filters"] if f["propertyName"] == "hs_object_id"
            ),
            body["after"],
        )
        for body in bodies[1:]
    ]
    assert resumed == [("201", "0"), ("201", "200")]
