"""HubSpot deals in handoff's canonical terms: what happened after the handoff (docs/crm-fields.md).

A deal's closed and won flags are HubSpot's calculated properties `hs_is_closed` and
`hs_is_closed_won`, which HubSpot derives from the stage's pipeline metadata (`isClosed`, and a
probability of 1.0 for won), so a portal's custom pipelines and stages need no map of their own.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from handoff.connectors.errors import RecordRefused
from handoff.connectors.hubspot.mapping import instant
from handoff.connectors.protocol import DealChange
from handoff.lifecycle.records import Deal

MODIFIED = "hs_lastmodifieddate"
DEAL_PROPERTIES = (
    "hs_object_id",
    "dealstage",
    "pipeline",
    "amount",
    "closedate",
    "createdate",
    "hs_is_closed",
    "hs_is_closed_won",
    MODIFIED,
)
# A HubSpot number as the API sends it: digits, one optional point, an optional exponent. A
# thousands separator ("1,200.50") or a currency sign is not a number HubSpot wrote: refused,
# never guessed (is "1,200" twelve hundred, or one point two?).
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_FLAGS = {"true": True, "false": False, "": False}


def deal_change(props: Mapping[str, Any], contact_ids: tuple[str, ...]) -> DealChange:
    """One deal from its search properties; raises `RecordRefused` naming the field (never its value)."""
    modified = instant(props.get(MODIFIED))
    if modified is None:
        raise RecordRefused(f"{MODIFIED} is missing or not a date")
    closed = _flag(props, "hs_is_closed")
    won = _flag(props, "hs_is_closed_won")
    deal = Deal(
        id=str(props["hs_object_id"]),
        created_at=_date(props, "createdate"),
        stage=_text(props.get("dealstage")),
        closed=closed or won,
        won=won,
        amount=amount(props.get("amount")),
        close_date=_date(props, "closedate"),
    )
    return DealChange(deal, contact_ids, modified)


def amount(value: Any) -> float | None:
    """A deal's amount: None when unset (HubSpot sends null, or "" once it was cleared); a
    non-negative finite number otherwise, else the deal is refused."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if not _NUMBER.fullmatch(text):
        raise RecordRefused("amount is not a number")
    number = float(text)
    if not math.isfinite(number):
        raise RecordRefused("amount is not a finite number")
    if number < 0:
        raise RecordRefused("amount is negative")
    return number


def _flag(props: Mapping[str, Any], name: str) -> bool:
    found = _FLAGS.get(str(props.get(name) or "").strip().lower())
    if found is None:
        raise RecordRefused(f"{name} is not true or false")
    return found


def _date(props: Mapping[str, Any], name: str) -> datetime | None:
    value = props.get(name)
    if value is None or value == "":
        return None
    moment = instant(value)
    if moment is None:
        raise RecordRefused(f"{name} is not a date")
    return moment


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None
