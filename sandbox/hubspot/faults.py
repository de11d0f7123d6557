"""What an injected fault looks like from HubSpot: its 429, 5xx bodies and Cloudflare's 502 page.

The injection itself (which request fails, how) is the kit's; ``slow`` and ``drop`` have no body
and are handled by the app.
"""

from __future__ import annotations

from handoff.sandbox.hubspot.errors import ApiError, error_body, rate_limited

_BAD_GATEWAY_HTML = (
    "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
    "</center><hr><center>cloudflare</center></body></html>"
)


def fault_error(kind: str) -> ApiError:
    """The answer for an error fault (``slow`` and ``drop`` are handled by the app)."""
    if kind == "429":
        return rate_limited("TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit.")
    if kind == "500":
        return ApiError(500, error_body("internal error", "INTERNAL_ERROR", sub_category="Sandbox.FAULT"))
    if kind == "502":
        return ApiError(502, {"message": "Bad Gateway"}, html=_BAD_GATEWAY_HTML)
    if kind == "503":
        return ApiError(
            503,
            error_body("The service is temporarily unavailable. Please try again.", "SERVICE_UNAVAILABLE"),
        )
    raise ValueError(kind)
