"""A bad policy is refused at start with file, line, field and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from handoff.config.loader import DEFAULT_POLICY_PATH, PolicyError, load_policy, parse_policy

VALID = """\
[policy]
name = "Test contract"
version = "1"
timezone = "Europe/London"

[lists]
rivals = ["rival.example"]

[[fit.rule]]
label = "Size"
field = "company.employees"
between = [50, 500]
points = 20

[[fit.rule]]
label = "Rival"
field = "contact.email_domain"
in_list = "rivals"
points = -100

[behavior]
window_days = 90
half_life_days = 30

[[behavior.rule]]
label = "Demo request"
activity = "demo_request"
points = 25
high_intent = true

[stages.mql]
fit_minimum = 10
score_minimum = 50

[stages.sql]
requires = ["need", "budget"]

[disqualification.reasons]
no_budget = "recycle"
no_need = { outcome = "disqualify", label = "No need" }
"""


def broken(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, 1)


CASES = [
    (
        "TOML syntax error has its line",
        broken('version = "1"', 'version = "1'),
        "policy.toml:3: TOML syntax error",
    ),
    (
        "unknown key with a near miss",
        broken('field = "company.employees"', 'feild = "company.employees"'),
        "policy.toml:11: fit.rule[0].feild: unknown key; did you mean 'field'?",
    ),
    (
        "unknown key without a near miss lists the expected ones",
        broken("points = 20", "points = 20\ncolour = 3"),
        "policy.toml:14: fit.rule[0].colour: unknown key (expected one of: label, field, points, equals, in,",
    ),
    (
        "missing required key points at its table",
        broken('label = "Size"\n', ""),
        "policy.toml:9: fit.rule[0].label: required key is missing",
    ),
    (
        "wrong type",
        broken("points = 20", 'points = "twenty"'),
        "policy.toml:13: fit.rule[0].points: Input should be a valid integer",
    ),
    (
        "min above max",
        broken("between = [50, 500]", "between = [500, 50]"),
        "policy.toml:12: fit.rule[0].between: minimum 500 is above maximum 50",
    ),
    (
        "negative half-life",
        broken("half_life_days = 30", "half_life_days = -3"),
        "policy.toml:23: behavior.half_life_days: Input should be greater than 0 (got -3)",
    ),
    (
        "unknown time zone",
        broken('timezone = "Europe/London"', 'timezone = "Mars/Base"'),
        "policy.toml:4: policy.timezone: unknown time zone 'Mars/Base'",
    ),
    (
        "unknown fit field with a hint",
        broken('field = "company.employees"', 'field = "company.employes"'),
        "policy.toml:11: fit.rule[0].field: unknown field 'company.employes'; "
        "did you mean 'company.employees'?",
    ),
    (
        "two operators on one rule",
        broken("between = [50, 500]", "between = [50, 500]\nexists = true"),
        "policy.toml:9: fit.rule[0]: give exactly one operator",
    ),
    (
        "unknown list named by a rule",
        broken('in_list = "rivals"', 'in_list = "rivls"'),
        "policy.toml:18: fit.rule[1].in_list: no list named 'rivls'; did you mean 'rivals'?",
    ),
    (
        "unknown activity kind",
        broken('activity = "demo_request"', 'activity = "demo_requst"'),
        "policy.toml:27: behavior.rule[0].activity[0]: Input should be 'page_view', 'form_submission'",
    ),
    (
        "a frequency rule needs both halves",
        broken("high_intent = true", "high_intent = true\nat_least = 3"),
        "policy.toml:25: behavior.rule[0]: at_least and within_days go together",
    ),
    (
        "bad regex",
        broken('in_list = "rivals"', 'matches = "(unclosed"'),
        "policy.toml:18: fit.rule[1].matches: not a valid regular expression",
    ),
    (
        "unknown outcome",
        broken('no_budget = "recycle"', 'no_budget = "later"'),
        "policy.toml:39: disqualification.reasons.no_budget.outcome: "
        "Input should be 'recycle' or 'disqualify' (got 'later')",
    ),
    (
        "reason codes are identifiers",
        broken('no_budget = "recycle"', '"No Budget" = "recycle"'),
        "policy.toml:39: disqualification.reasons.No Budget: "
        "not a valid name: use lowercase letters, digits and _ (got 'No Budget')",
    ),
    (
        "empty evidence list",
        broken('requires = ["need", "budget"]', "requires = []"),
        "policy.toml:36: stages.sql.requires: Tuple should have at least 1 item",
    ),
    (
        "list file that does not exist",
        broken('rivals = ["rival.example"]', 'rivals = { file = "nope.txt" }'),
        "policy.toml:7: lists.rivals: cannot read list file",
    ),
    (
        "missing section",
        broken('[stages.sql]\nrequires = ["need", "budget"]\n', ""),
        "policy.toml:31: stages.sql: required key is missing",
    ),
    (
        "points beyond any weighting",
        broken("points = 20", "points = 20000"),
        "policy.toml:13: fit.rule[0].points: Input should be less than or equal to 1000 (got 20000)",
    ),
    (
        "a boolean is not a number of points",
        broken("points = 20", "points = true"),
        "policy.toml:13: fit.rule[0].points: Input should be a valid integer",
    ),
    (
        "an SLA longer than a year of business time",
        VALID + '\n[sla]\nfirst_touch = "9999h"\n',
        "sla.first_touch: '9999h' is longer than a year of business time (2080h)",
    ),
    (
        "a fit bar no lead can reach",
        broken("fit_minimum = 10", "fit_minimum = 25"),
        "policy.toml:32: stages.mql.fit_minimum: 25 cannot be reached: the fit rules give 20 points at most",
    ),
    (
        "a score bar no lead can reach without high intent",
        broken("score_minimum = 50", "score_minimum = 50\nor_high_intent = false").replace(
            "high_intent = true", "high_intent = true\ncap = 25"
        ),
        "stages.mql.score_minimum: 50 cannot be reached: fit and behaviour rules give 45 points at most",
    ),
    (
        "an escalation after the clock it guards",
        VALID + '\n[sla]\nfirst_touch = "24h"\naccept_within = "4h"\nescalate_after = "5h"\n',
        "sla.escalate_after: 5h is not shorter than sla.accept_within (4h), the clock it escalates",
    ),
    (
        "a NUL in a label (PostgreSQL cannot hold it, nor the CRM)",
        broken('label = "Size"', 'label = "Si\\u0000ze"'),
        "policy.toml:10: fit.rule[0].label: holds a control character (such as NUL)",
    ),
    (
        "an empty label",
        broken('label = "Size"', 'label = "  "'),
        "policy.toml:10: fit.rule[0].label: empty; give a value or leave the key out",
    ),
    (
        "a label too long for the CRM's reason",
        broken('label = "Size"', f'label = "{"x" * 121}"'),
        "fit.rule[0].label: String should have at most 120 characters",
    ),
    (
        "a number is not a boolean",
        broken("high_intent = true", "high_intent = 0"),
        "behavior.rule[0].high_intent: Input should be a valid boolean",
    ),
    (
        "a boolean is not a number of days",
        broken("half_life_days = 30", "half_life_days = true"),
        "behavior.half_life_days: Input should be a valid number",
    ),
    (
        "an infinite window",
        broken("window_days = 90", "window_days = inf"),
        "behavior.window_days: Input should be less than or equal to 3650",
    ),
    (
        "a bound no company can reach",
        broken("between = [50, 500]", "between = [50, 1e19]"),
        "policy.toml:12: fit.rule[0].between[1]: Input should be less than or equal to 1000000000000000",
    ),
    (
        "a rule for no activity",
        broken('activity = "demo_request"', "activity = []"),
        "behavior.rule[0].activity: Value should have at least 1 item after validation, not 0",
    ),
    (
        "a fit rule worth nothing",
        broken("points = 20", "points = 0"),
        "policy.toml:13: fit.rule[0].points: a rule worth 0 points does nothing",
    ),
    (
        "due soon as long as the clock",
        VALID + '\n[sla]\nfirst_touch = "1h"\ndue_soon = "1h"\n',
        "sla.due_soon: 1h is not shorter than sla.first_touch (1h)",
    ),
    (
        "a month that is not one",
        VALID + '\n[targets]\nmql_per_month = 120\nmonths = { "2026-13" = 80 }\n',
        "policy.toml:44: targets.months.2026-13: '2026-13' is not a month; write it as YYYY-MM",
    ),
    (
        "a volume that is not a number",
        VALID + '\n[targets]\nmql_per_month = "lots"\n',
        "policy.toml:43: targets.mql_per_month: Input should be a valid integer (got 'lots')",
    ),
    (
        "a misspelt target",
        VALID + "\n[targets]\nmql_per_mnth = 120\n",
        "policy.toml:43: targets.mql_per_mnth: unknown key; did you mean 'mql_per_month'?",
    ),
]


@pytest.mark.parametrize(("name", "source", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_policy_is_refused_with_file_line_and_field(
    name: str, source: str, expected: str, tmp_path: Path
) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(source)

    with pytest.raises(PolicyError) as refused:
        load_policy(path)

    assert any(
        str(problem).endswith(expected) or expected in str(problem) for problem in refused.value.problems
    ), str(refused.value)
    assert all(str(problem).startswith(str(path)) for problem in refused.value.problems)


def test_every_problem_is_reported_at_once() -> None:
    source = broken("points = 20", 'points = "x"').replace("half_life_days = 30", "half_life_days = -1")

    with pytest.raises(PolicyError) as refused:
        parse_policy(source, file="p.toml")

    assert [p.field for p in refused.value.problems] == ["fit.rule[0].points", "behavior.half_life_days"]


def test_targets_give_each_month_its_committed_volume() -> None:
    loaded = parse_policy(VALID + '\n[targets]\nmql_per_month = 120\nmonths = { "2026-12" = 80 }\n')

    assert loaded.targets is not None
    assert (loaded.targets.mql_target("2026-11"), loaded.targets.mql_target("2026-12")) == (120, 80)
    assert parse_policy(VALID).targets is None


def test_the_valid_policy_loads() -> None:
    loaded = parse_policy(VALID)

    assert loaded.lists["rivals"] == ("rival.example",)
    assert "personal_email_domains" in loaded.lists
    assert loaded.disqualification.label("no_budget") == "no budget"
    assert loaded.disqualification.cooldown_days("no_budget") == 90


def test_a_list_file_is_read_relative_to_the_policy(tmp_path: Path) -> None:
    (tmp_path / "rivals.txt").write_text("# rivals\nrival.example\n\nother.example\n")
    path = tmp_path / "policy.toml"
    path.write_text(broken('rivals = ["rival.example"]', 'rivals = { file = "rivals.txt" }'))

    assert load_policy(path).lists["rivals"] == ("rival.example", "other.example")


def test_an_unreadable_policy_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"missing\.toml: cannot read the policy"):
        load_policy(tmp_path / "missing.toml")


def test_the_shipped_policy_encodes_the_seed_definitions() -> None:
    shipped = load_policy(DEFAULT_POLICY_PATH)

    assert shipped.stages.mql.fit_minimum > 0
    assert shipped.stages.mql.or_high_intent
    assert set(shipped.stages.sql.requires) == {"need", "authority", "timeline", "budget"}
    assert "gmail.com" in shipped.lists["personal_email_domains"]
    outcomes = {code: reason.outcome for code, reason in shipped.disqualification.reasons.items()}
    assert outcomes["no_budget"] == "recycle"
    assert outcomes["competitor"] == "disqualify"
