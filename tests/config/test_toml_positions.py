from __future__ import annotations

from handoff.config.toml_positions import key_lines, line_of

SOURCE = """\
top = 1
[policy]
name = "x"

[[fit.rule]]
label = "a"
[[fit.rule]]
label = "b"
between = [
  50,
  500,
]
[routing.teams."emea west"]
members = [{ email = "a@x" }, { email = "b@x" }]
when = { "company.country" = ["GB"] }
"""


def test_every_key_maps_to_its_line() -> None:
    lines = key_lines(SOURCE)

    assert lines[("top",)] == 1
    assert lines[("policy",)] == 2
    assert lines[("policy", "name")] == 3
    assert lines[("fit", "rule", 0)] == 5
    assert lines[("fit", "rule", 0, "label")] == 6
    assert lines[("fit", "rule", 1, "label")] == 8
    assert lines[("fit", "rule", 1, "between", 1)] == 11
    assert lines[("routing", "teams", "emea west", "members", 1, "email")] == 14
    assert lines[("routing", "teams", "emea west", "when", "company.country")] == 15


def test_a_missing_key_lives_at_its_nearest_ancestor() -> None:
    lines = key_lines(SOURCE)

    assert line_of(lines, ("fit", "rule", 1, "points")) == 7
    assert line_of(lines, ("nowhere",)) is None
