"""Near-miss hints for error messages: a typo deserves the word that was meant."""

from __future__ import annotations

import difflib


def did_you_mean(name: str, choices: tuple[str, ...] | list[str]) -> str:
    """A hint for a near miss, or nothing: 'feild' → "; did you mean 'field'?"."""
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""
