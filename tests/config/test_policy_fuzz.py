"""Generated broken policies: each is accepted or refused with file, line and field, never a traceback.

The shipped policy is mutated line by line: a value becomes one of the wrong kind (a boolean for a
number, text for a list, a table for a string), out of range, absurdly large or deeply nested.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from handoff.config.loader import DEFAULT_POLICY_PATH, PolicyError, Problem, parse_policy

SHIPPED = DEFAULT_POLICY_PATH.read_text().splitlines()
ASSIGNMENTS = [n for n, line in enumerate(SHIPPED) if re.match(r"^\s*[A-Za-z_.\"]+\s*=\s*\S", line)]
HOSTILE = [
    "true",
    "false",
    '"x"',
    '""',
    "-1",
    "0",
    "1e308",
    "inf",
    "nan",
    "10000000000000000000",
    "[]",
    "{}",
    '["a", 1, true]',
    "[[[[[[[[1]]]]]]]]",
    "{ a = { b = { c = { d = 1 } } } }",
    '"9999999h"',
    '"-15m"',
    "1979-05-27T07:32:00Z",
    '"\\u0000"',
    '"' + "x" * 5000 + '"',
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(ASSIGNMENTS), st.sampled_from(HOSTILE)),
        min_size=1,
        max_size=4,
        unique_by=lambda m: m[0],
    )
)
def test_a_broken_policy_is_refused_with_file_line_and_field_or_accepted(
    mutations: list[tuple[int, str]],
) -> None:
    lines = list(SHIPPED)
    for number, value in mutations:
        key = lines[number].split("=", 1)[0]
        lines[number] = f"{key}= {value}"
    problems = _problems("\n".join(lines) + "\n")
    for problem in problems:
        text = str(problem)
        assert text.startswith("policy.toml"), text
        assert problem.line is not None or problem.field, text


def _problems(source: str) -> list[Problem]:
    """What the loader refuses in `source` (nothing: it was accepted); any other error escapes."""
    try:
        parse_policy(source, file="policy.toml", base_dir=DEFAULT_POLICY_PATH.parent)
    except PolicyError as refused:
        return list(refused.problems) or [Problem("?", None, "", "a refusal without problems")]
    return []
