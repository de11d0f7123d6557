"""The report of the hand-computed history (tests/lifecycle/funnel_world.py) read back from the
store, in every format: JSON, CSV, the terminal table and the HTML page all carry the numbers
worked out by hand, exactly."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from handoff.sync.report import Report
from handoff.sync.report.html import render_html
from handoff.sync.report.plain import csv_text, print_table, to_json
from tests.sync.report_world import hand_report, hand_store

STEPS = ("mql", "sal", "sql", "opportunity", "won")
HEALTH = [
    "MQL→SQL is 43% (3 of 7 within 30 days): above the healthy 20%–30%; the MQL bar may be tight.",
    "SAL acceptance 60% (3 of 5): reps are cherry-picking or the criteria are wrong.",
    "67% of rejections are no_budget: add a budget signal to the MQL definition.",
    "First touch within SLA for 40% of MQLs (2 of 5).",
    "2026-10: 3 MQLs of 4 committed (75%), MQL→SQL 33% within 30 days.",
    "2026-11: 4 MQLs of 5 committed (80%), MQL→SQL 50% within 30 days.",
]
# (month, reached, strict, target, mature), by hand in funnel_world and test_funnel.
COHORTS = [
    ("2026-10", (3, 2, 1, 1, 1), (3, 2, 1, 1, 1), 4, True),
    ("2026-11", (4, 1, 2, 2, 1), (3, 1, 1, 1, 0), 5, False),
    ("all", (7, 3, 3, 3, 2), (6, 3, 2, 2, 1), 9, False),
]
# (clock, on time, late, breached, open, compliance, median hours, p90 hours), everyone's.
SLA = [
    ("accept", 2, 1, 1, 1, 0.5, 4.0, 20.0),
    ("discovery", 0, 1, 0, 0, 0.0, 167.0, 167.0),
    ("first_touch", 2, 1, 2, 0, 0.4, 6.0, 7.6),
]
WAITS = [
    ("mql", "sal", 3, 4.0, 20.0),
    ("sal", "sql", 2, 117.5, 157.1),
    ("sql", "opportunity", 3, 72.0, 110.4),
]
BUCKETS = [
    ("< 1 h", 0),
    ("1–4 h", 1),
    ("4–8 h", 1),
    ("8–24 h", 1),
    ("24–48 h", 0),
    ("≥ 48 h", 0),
    ("not touched", 2),
]
# (source, MQLs, SQLs, won, revenue)
SOURCES = [
    ("paid_search", 3, 2, 1, 10_000.0),
    ("webinar", 2, 0, 0, 0.0),
    ("(none)", 1, 0, 0, 0.0),
    ("referral", 1, 1, 1, 20_000.0),
]


@pytest.fixture
def report(database_url: str, tmp_path: Path) -> Iterator[Report]:
    store = hand_store(database_url)
    yield hand_report(store, tmp_path)[0]
    store.dispose()


def test_json_carries_the_hand_computed_numbers(report: Report) -> None:
    data = to_json(report)

    assert [check["text"] for check in data["health"]] == HEALTH
    assert data["period"]["leads"] == 7
    assert data["period"]["revenue"] == 30_000
    for month, reached, strict, target, mature in COHORTS:
        cohort = data["total"] if month == "all" else next(c for c in data["cohorts"] if c["month"] == month)
        assert tuple(cohort["reached"].values()) == reached
        assert tuple(cohort["strict"].values()) == strict
        assert (cohort["target"], cohort["mature"]) == (target, mature)
    assert data["total"]["conversion"]["sql"] == 0.4286
    assert data["acceptance"] == {"accepted": 3, "rejected": 2, "pending": 1, "rate": 0.6}
    everyone = [row for row in data["sla"] if row["team"] is None and row["rep"] is None]
    assert [
        (
            r["clock"],
            r["on_time"],
            r["late"],
            r["breached"],
            r["open"],
            r["compliance"],
            r["median_hours"],
            r["p90_hours"],
        )
        for r in everyone
    ] == SLA
    assert [(w["from"], w["to"], w["count"], w["median_hours"], w["p90_hours"]) for w in data["stage_times"]][
        :3
    ] == WAITS
    assert [(b["bucket"], b["count"]) for b in data["first_touch"]] == BUCKETS
    assert [(r["code"], r["label"], r["count"], r["share"]) for r in data["reasons"]] == [
        ("no_budget", "No budget this year", 2, 0.6667),
        ("no_need", "No need for the product", 1, 0.3333),
    ]
    assert [(s["value"], s["mql"], s["sql"], s["won"], s["revenue"]) for s in data["sources"]] == SOURCES
    assert [(t["value"], t["mql"], t["sql"]) for t in data["triggers"]][:2] == [
        ("(none)", 2, 1),
        ("Demo request", 2, 2),
    ]
    assert data["segments"]["by"] == "team"
    assert [(s["value"], s["mql"], s["revenue"], s["acceptance"]) for s in data["segments"]["rows"]] == [
        ("na", 4, 0.0, 0.3333),
        ("emea", 3, 30_000.0, 1.0),
    ]


def test_csv_carries_the_same_numbers_one_value_a_row(report: Report) -> None:
    rows = list(csv.reader(io.StringIO(csv_text(report))))
    assert rows[0] == ["section", "group", "subgroup", "metric", "value"]
    value = {(s, g, sub, m): v for s, g, sub, m, v in rows[1:] if s != "health"}

    assert [row[4] for row in rows if row[0] == "health"] == HEALTH
    for month, reached, strict, target, mature in COHORTS:
        for step, ever, through in zip(STEPS, reached, strict, strict=True):
            assert value["cohort", month, "reached", step] == str(ever)
            assert value["cohort", month, "strict", step] == str(through)
        assert value["cohort", month, "", "target"] == str(target)
        assert value["cohort", month, "", "mature"] == str(mature)
    assert value["cohort", "all", "conversion", "sql"] == "0.4286"
    assert value["cohort", "2026-10", "conversion", "sal"] == "0.6667"
    assert value["acceptance", "", "", "rate"] == "0.6"
    for clock, on_time, late, breached, still_open, compliance, median, p90 in SLA:
        assert value["sla", clock, "all", "on_time"] == str(on_time)
        assert value["sla", clock, "all", "late"] == str(late)
        assert value["sla", clock, "all", "breached"] == str(breached)
        assert value["sla", clock, "all", "open"] == str(still_open)
        assert value["sla", clock, "all", "compliance"] == str(compliance)
        assert value["sla", clock, "all", "median_hours"] == str(median)
        assert value["sla", clock, "all", "p90_hours"] == str(p90)
    assert value["sla", "first_touch", "team:emea", "compliance"] == "1.0"
    assert value["sla", "accept", "rep:Ana", "p90_hours"] == "22.0"
    for source, mqls, sqls, won, revenue in SOURCES:
        assert value["source", source, "", "mql"] == str(mqls)
        assert value["source", source, "", "sql"] == str(sqls)
        assert value["source", source, "", "won"] == str(won)
        assert value["source", source, "", "revenue"] == str(revenue)
    assert value["stage_time", "sal→sql", "", "p90_hours"] == "157.1"
    assert value["first_touch", "not touched", "", "count"] == "2"
    assert value["reason", "no_budget", "recycled", "share"] == "0.6667"
    assert value["period", "", "", "revenue"] == "30000.0"
    assert value["by_team", "emea", "", "revenue"] == "30000.0"


def _cells(text: str) -> list[list[str]]:
    """The rows of rich's tables as lists of cell texts."""
    return [
        [cell.strip() for cell in line.strip("│ ").split("│")]
        for line in text.splitlines()
        if line.startswith("│")
    ]


def test_the_terminal_table_shows_the_same_numbers(report: Report) -> None:
    out = io.StringIO()
    print_table(Console(file=out, width=200, color_system=None), report)
    text = out.getvalue()
    rows = _cells(text)

    for check in HEALTH:
        assert check in text
    assert ["2026-10", "3", "4 (75%)", "2 / 2", "1 / 1", "1 / 1", "1 / 1", "33%", "33%", "33%"] in rows
    assert ["2026-11 (open)", "4", "5 (80%)", "1 / 1", "2 / 1", "2 / 1", "1 / 0", "50%", "33%", "25%"] in rows
    assert ["All", "7", "9 (78%)", "3 / 3", "3 / 2", "3 / 2", "2 / 1", "43%", "33%", "29%"] in rows
    assert ["MQL", "SAL", "3", "4.0 h", "20.0 h"] in rows
    assert ["SAL", "SQL", "2", "4.9 d", "6.5 d"] in rows
    assert "SAL acceptance: 60% — 3 accepted, 2 rejected, 1 waiting" in text
    assert ["first_touch", "all", "", "2", "1", "2", "0", "40%", "6.0 h", "7.6 h"] in rows
    assert ["first_touch", "EMEA", "", "2", "0", "0", "0", "100%", "4.0 h", "5.6 h"] in rows
    assert ["not touched", "2"] in rows
    assert ["No budget this year", "recycled", "2", "67%"] in rows
    assert ["paid_search", "3", "2", "2", "1", "10,000", "67%", "33%", "100%", "67%"] in rows
    assert ["referral", "1", "1", "1", "1", "20,000", "100%", "100%", "—", "—"] in rows
    assert ["EMEA", "3", "2", "2", "2", "30,000", "67%", "67%", "100%", "100%"] in rows
    assert "MQLs from 2026-09-30 20:00 until 2026-11-30 19:00 (America/New_York)" in text
    assert "revenue 30,000" in text


def _html_rows(page: str) -> list[list[str]]:
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", page)]


def test_the_html_page_is_self_contained_with_the_same_numbers(report: Report) -> None:
    page = render_html(report)
    rows = _html_rows(page)

    assert page.count("<svg") == 6
    # Nothing is fetched: no script, no link, no image; the only URLs are XML namespaces.
    assert not re.search(r"<(script|link|img|iframe)\b", page)
    assert set(re.findall(r"https?://[^\s\"'<>)]+", page)) <= {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }
    for check in HEALTH:
        assert f">{check.replace('&', '&amp;')}</li>" in page
    assert ["2026-10", "3", "4 (75%)", "2 / 2", "1 / 1", "1 / 1", "1 / 1", "33%", "33%"] in rows
    assert ["All", "7", "9 (78%)", "3 / 3", "3 / 2", "3 / 2", "2 / 1", "43%", "33%"] in rows
    assert ["3", "2", "1", "60%"] in rows
    assert ["first_touch", "all", "", "2", "1", "2", "0", "40%", "6.0 h", "7.6 h"] in rows
    assert ["accept", "", "Ana", "1", "1", "0", "0", "50%", "14.0 h", "22.0 h"] in rows
    assert ["No need for the product", "disqualified", "1", "33%"] in rows
    assert ["referral", "1", "1", "1", "1", "20,000", "100%", "100%", "—"] in rows


# The rebuild analysis of the hand-built history (tests/lifecycle/test_funnel.py works it out).
LIFT = [("Demo request", 1, 0, 1.5), ("Company size 50–500", 1, 1, 0.75), ("Webinar attended", 1, 1, 0.75)]


def test_every_format_carries_the_rebuild_analysis(report: Report) -> None:
    assert [(r["rule"], r["won"], r["disqualified"], r["lift"]) for r in to_json(report)["rule_lift"]] == LIFT
    rows = list(csv.reader(io.StringIO(csv_text(report))))
    for rule, won, disqualified, lift in LIFT:
        assert ["rule_lift", rule, "", "won", str(won)] in rows
        assert ["rule_lift", rule, "", "disqualified", str(disqualified)] in rows
        assert ["rule_lift", rule, "", "lift", str(lift)] in rows
    out = io.StringIO()
    print_table(Console(file=out, width=200, color_system=None), report)
    expected = [[rule, str(won), str(lost), f"{lift:.2f}x"] for rule, won, lost, lift in LIFT]
    assert [row for row in _cells(out.getvalue()) if row in expected] == expected
    assert [row for row in _html_rows(render_html(report)) if row in expected] == expected
