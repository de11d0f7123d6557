"""CRM answers decoded into text every part of handoff can keep.

A CRM stores whatever a form or an import put in a text property. Two kinds of text break a
whole page, not just the record that holds them: an unpaired UTF-16 surrogate (`\\ud800`, which
orjson refuses to decode and no database or log can encode) and a NUL character (PostgreSQL holds
no NUL in text or JSON). Both are repaired here, at the connector boundary, for every store: a
lone surrogate becomes U+FFFD (the Unicode replacement character), a NUL is dropped. Text
without them (nearly every answer) is decoded once, by orjson, and never walked.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_NUL = b"\\u0000"


def loads(body: bytes | str) -> Any:
    """JSON as the CRM sent it, with its text made safe to keep (see the module's docstring)."""
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        # The standard library decodes a lone surrogate escape into the string as is; orjson does not.
        value = json.loads(body)
        return _repaired(value)
    raw = body.encode() if isinstance(body, str) else body
    return _repaired(value) if _ESCAPED_NUL in raw else value


def _safe_text(text: str) -> str:
    """The text without NULs and with each lone surrogate replaced by U+FFFD."""
    text = text.replace("\x00", "")
    if _SURROGATE.search(text):
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def _repaired(value: Any) -> Any:
    if isinstance(value, str):
        return _safe_text(value)
    if isinstance(value, list):
        return [_repaired(item) for item in value]
    if isinstance(value, dict):
        return {_safe_text(key): _repaired(item) for key, item in value.items()}
    return value
