"""Countries as people and CRMs write them, read as ISO 3166-1 alpha-2 codes.

HubSpot's company `country` is free text: real portals hold `United States`, `USA`, `us` and
`Deutschland` side by side, while a policy names `US` and `DE`. Fit rules and routing rules read
both sides through `country_code`, so each of those means the same country. pycountry knows the
codes and the English names (official and common); the aliases below are the everyday names it
does not (UK, England, Holland, a few endonyms).
"""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry

_ALIASES = {
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "us": "US",
    "usa": "US",
    "america": "US",
    "united states of america": "US",
    "deutschland": "DE",
    "holland": "NL",
    "the netherlands": "NL",
    "russia": "RU",
    "turkey": "TR",
    "south korea": "KR",
    "korea": "KR",
    "españa": "ES",
    "italia": "IT",
    "österreich": "AT",
    "schweiz": "CH",
    "suisse": "CH",
    "brasil": "BR",
    "méxico": "MX",
    "uae": "AE",
}
_PUNCTUATION = re.compile(r"[.\s]+")


@lru_cache(maxsize=4096)
def country_code(text: str | None) -> str | None:
    """`United States`, `USA`, `u.s.`, `us` → `US`; `Deutschland` → `DE`; None when the text names
    no country handoff knows (the caller keeps the text as it is)."""
    if not text or not text.strip():
        return None
    spaced = _PUNCTUATION.sub(" ", text).strip()
    key = spaced.casefold()
    if key in _ALIASES:
        return _ALIASES[key]
    if key.replace(" ", "") in _ALIASES:
        return _ALIASES[key.replace(" ", "")]
    try:
        found = pycountry.countries.lookup(spaced)
    except LookupError:
        return None
    code: str = found.alpha_2
    return code


def as_country(text: str | None) -> str | None:
    """The ISO code when the text names a country, else the text itself."""
    return country_code(text) or text
