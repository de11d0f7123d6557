"""Marketing-side endpoints: form definitions, form submissions, behavioural events (Enterprise
only) and the private-app usage report."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from handoff.sandbox.hubspot.analytics import EVENT_TYPES
from handoff.sandbox.hubspot.clock import iso, parse_instant
from handoff.sandbox.hubspot.errors import ApiError, bad_request, error_body, not_found
from handoff.sandbox.hubspot.routing import Call, Reply

FORMS_LIMIT = 50
SUBMISSIONS_DEFAULT = 20
SUBMISSIONS_LIMIT = 50
EVENTS_DEFAULT = 100
EVENTS_LIMIT = 1_000


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f'{{"offset":{offset}}}'.encode()).decode().rstrip("=")


def _offset(raw: str | None) -> int:
    """Paging tokens are opaque to clients; here they wrap an offset."""
    if not raw:
        return 0
    try:
        decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        return int(decoded.split(":", 1)[1].rstrip("}"))
    except (ValueError, IndexError, UnicodeDecodeError):
        raise bad_request(f"Invalid paging token {raw!r}") from None


def _page(call: Call, items: list[dict[str, Any]], start: int, limit: int) -> dict[str, Any]:
    body: dict[str, Any] = {"results": items[start : start + limit]}
    if start + limit < len(items):
        token = _cursor(start + limit)
        body["paging"] = {"next": {"after": token, "link": f"{call.base_url}{call.path}?after={token}"}}
    return body


def list_forms(call: Call) -> Reply:
    limit = call.integer("limit", 20, maximum=FORMS_LIMIT)
    forms = sorted(call.state.forms(archived=call.flag("archived")), key=lambda f: f.created_at)
    items = [form.to_json() for form in forms]
    return Reply(200, _page(call, items, _offset(call.args.get("after")), limit))


def get_form(call: Call) -> Reply:
    form = call.state.form(call.params["form_id"])
    if form is None:
        raise not_found(f"Form {call.params['form_id']} not found")
    return Reply(200, form.to_json())


def list_submissions(call: Call) -> Reply:
    """Newest first; ``limit`` above 50 is clamped to 50."""
    form_id = call.params["form_id"]
    if call.state.form(form_id) is None:
        raise not_found(f"Form {form_id} not found")
    raw_limit = call.integer("limit", SUBMISSIONS_DEFAULT)
    limit = min(max(raw_limit, 1), SUBMISSIONS_LIMIT)
    items = [submission.to_json() for submission in call.state.submissions(form_id)]
    return Reply(200, _page(call, items, _offset(call.args.get("after")), limit))


def _forbidden_tier(call: Call) -> ApiError:
    return ApiError(
        403,
        error_body(
            "This API requires a Marketing Hub Enterprise subscription; this account is on"
            f" {call.backend.tier}.",
            "FORBIDDEN",
            sub_category="Events.ENTERPRISE_ONLY",
        ),
    )


def _instant(call: Call, name: str) -> datetime | None:
    raw = call.args.get(name)
    if not raw:
        return None
    try:
        return parse_instant(raw)
    except ValueError:
        raise bad_request(f"{name} must be an ISO-8601 datetime or epoch milliseconds") from None


def list_events(call: Call) -> Reply:
    if call.backend.tier != "enterprise":
        raise _forbidden_tier(call)
    object_type = (call.args.get("objectType") or "").lower()
    if object_type not in ("contact", "contacts", "0-1"):
        raise bad_request("objectType is required; only contact events are available")
    contact_id = _contact_for(call)
    event_type = call.args.get("eventType")
    if event_type is not None and event_type not in EVENT_TYPES:
        raise bad_request(f"Unknown eventType {event_type!r}")
    limit = call.integer("limit", EVENTS_DEFAULT, maximum=EVENTS_LIMIT)
    events = call.state.web_events(
        contact_id,
        event_type=event_type,
        occurred_after=_instant(call, "occurredAfter"),
        occurred_before=_instant(call, "occurredBefore"),
    )
    sort = call.names("sort")
    if sort and sort[0] in ("-occurredAt", "DESCENDING"):
        events.reverse()
    items = [event.to_json() for event in events]
    return Reply(200, _page(call, items, _offset(call.args.get("after")), limit))


def _contact_for(call: Call) -> int:
    raw_id = call.args.get("objectId")
    email = call.args.get("objectProperty.email")
    if raw_id:
        if not raw_id.isdigit():
            raise bad_request(f"objectId must be a record id, got {raw_id!r}")
        return int(raw_id)
    if email:
        found = call.state.contact_id_for_email(email)
        return found if found is not None else -1
    raise bad_request("objectId or objectProperty.email is required: events are read per record")


def event_types(call: Call) -> Reply:
    if call.backend.tier != "enterprise":
        raise _forbidden_tier(call)
    return Reply(200, {"eventTypes": list(EVENT_TYPES)})


def api_usage(call: Call) -> Reply:
    usage = call.backend.limiter.usage()
    return Reply(
        200,
        [
            {
                "name": "api-calls-daily",
                "usageLimit": usage.limit,
                "currentUsage": usage.current,
                "collectedAt": iso(usage.collected_at),
                "fetchStatus": "SUCCESS",
                "resetsAt": iso(usage.resets_at),
            }
        ],
    )
