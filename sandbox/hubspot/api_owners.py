"""The Owners API: reps and queues, with ``id`` and ``userId`` kept distinct."""

from __future__ import annotations

from typing import Any

from handoff.sandbox.hubspot.errors import bad_request, not_found
from handoff.sandbox.hubspot.routing import Call, Reply

OWNER_LIMIT = 500


def list_owners(call: Call) -> Reply:
    limit = call.integer("limit", 100, maximum=OWNER_LIMIT)
    after = call.args.get("after") or "0"
    if not after.isdigit():
        raise bad_request(f"after must be a paging cursor, got {after!r}")
    email = (call.args.get("email") or "").strip().lower()
    owners = [
        owner
        for owner in call.state.owners(archived=call.flag("archived"))
        if not email or (owner.email or "").lower() == email
    ]
    start = int(after)
    page = owners[start : start + limit]
    body: dict[str, Any] = {"results": [owner.to_json() for owner in page]}
    if start + limit < len(owners):
        next_after = str(start + limit)
        body["paging"] = {
            "next": {"after": next_after, "link": f"{call.base_url}{call.path}?after={next_after}"}
        }
    return Reply(200, body)


def get_owner(call: Call) -> Reply:
    key = call.params["owner_id"]
    id_property = call.args.get("idProperty", "id")
    archived = call.flag("archived")
    if id_property == "userId":
        owner = call.state.owner_by_user_id(int(key)) if key.isdigit() else None
    elif id_property == "id":
        owner = call.state.owner(key)
    else:
        raise bad_request(f"idProperty must be id or userId, got {id_property!r}")
    if owner is None or owner.archived != archived:
        raise not_found(f"Owner {key} ({id_property}) not found")
    return Reply(200, owner.to_json())
