"""HubSpot webhooks: verify the v3 signature, then name the contacts worth a look right now.

The signature covers method + URI + body + timestamp (HMAC-SHA256 with the app's client secret,
base64). The URI is taken as HubSpot called it, with only the characters HubSpot's documentation
lists decoded; the official SDKs skip that step and reject valid requests whose URL has a query.
Requests older than five minutes (or from the future) are refused, so a captured request cannot
be replayed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from typing import Any

MAX_AGE_MS = 300_000
_DECODED = {
    "3A": ":",
    "2F": "/",
    "3F": "?",
    "40": "@",
    "21": "!",
    "24": "$",
    "27": "'",
    "28": "(",
    "29": ")",
    "2A": "*",
    "2C": ",",
    "3B": ";",
}
_ESCAPE = re.compile(r"%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)", re.IGNORECASE)
CONTACT_TYPE_ID = "0-1"


class SignatureError(ValueError):
    """Why a webhook request was refused (for the log; the caller only ever sees 401)."""


def decode_uri(uri: str) -> str:
    return _ESCAPE.sub(lambda match: _DECODED[match.group(1).upper()], uri)


def sign_v3(secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    source = method.upper().encode() + decode_uri(uri).encode() + body + timestamp.encode()
    digest = hmac.new(secret.encode(), source, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_v3(
    secret: str,
    *,
    method: str,
    uri: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    now_ms: int,
) -> None:
    """Raise SignatureError unless the request is HubSpot's, signed with `secret`, and fresh."""
    if not signature or not timestamp:
        raise SignatureError("missing X-HubSpot-Signature-v3 or X-HubSpot-Request-Timestamp")
    try:
        sent = int(timestamp)
    except ValueError as error:
        raise SignatureError("timestamp is not epoch milliseconds") from error
    if abs(now_ms - sent) > MAX_AGE_MS:
        raise SignatureError(f"timestamp is {abs(now_ms - sent) // 1000} s away from now (limit 300 s)")
    expected = sign_v3(secret, method, uri, body, timestamp)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise SignatureError("signature does not match")


def contact_ids(body: bytes) -> list[str]:
    """The contacts a batch of events concerns, de-duplicated, in order of first mention.

    Accepts the classic form (`subscriptionType: contact.propertyChange`) and the generic one
    (`eventType: object.propertyChange` with `objectTypeId: 0-1`). Unknown event types are
    ignored, not refused: HubSpot retries refused deliveries for a day.
    """
    events = json.loads(body)
    if isinstance(events, dict):
        events = [events]
    if not isinstance(events, list):
        raise ValueError("expected a JSON array of events")
    seen: dict[str, None] = {}
    for event in events:
        if isinstance(event, dict):
            for contact_id in _ids_in(event):
                seen.setdefault(contact_id, None)
    return list(seen)


def _ids_in(event: dict[str, Any]) -> Iterable[str]:
    kind = str(event.get("subscriptionType") or event.get("eventType") or "")
    family, _, _ = kind.partition(".")
    if family == "object" and str(event.get("objectTypeId")) != CONTACT_TYPE_ID:
        return
    if family not in ("contact", "object"):
        return
    # A deletion is read too: the read finds the contact gone (or merged into another), and
    # handoff drops its waiting writes and takes back its tasks.
    for key in ("objectId", "newObjectId", "primaryObjectId"):
        if event.get(key) is not None:
            yield str(event[key])
    for merged in event.get("mergedObjectIds") or []:
        yield str(merged)
