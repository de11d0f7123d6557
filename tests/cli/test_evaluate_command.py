"""`handoff evaluate`: JSON lines in, decisions out, bad lines reported and skipped."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from config.loader import DEFAULT_POLICY_PATH
from sync.cli import main

SAMPLES = DEFAULT_POLICY_PATH.parent / "samples" / "leads.jsonl"
NOW = "2026-11-30T15:00:00Z"

VP_DEMO = {
    "contact": {
        "id": "42",
        "email": "maya@northwind.example",
        "title": "VP Revenue Operations",
        "company": {"name": "Northwind", "employees": 200, "industry": "SaaS", "country": "US"},
    },
    "activities": [{"id": "a1", "kind": "demo_request", "occurred_at": "2026-11-30T14:40:00Z"}],
}


def run(stdin: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["evaluate", "--now", NOW, *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_a_lead_becomes_a_decision_line() -> None:
    code, out, err = run(json.dumps(VP_DEMO) + "\n")

    assert code == 0, err
    decision = json.loads(out)
    assert {
        k: decision[k] for k in ("id", "fit", "behavior", "score", "stage", "previous_stage", "high_intent")
    } == {
        "id": "42",
        "fit": 40,
        "behavior": 25,
        "score": 65,
        "stage": "mql",
        "previous_stage": None,
        "high_intent": True,
    }
    assert {"rule": "Demo request", "points": 25, "detail": "once, latest 20 min ago"} in decision["reasons"]
    assert any(r.get("signal") == "high_intent" for r in decision["reasons"])


def test_bad_lines_are_reported_with_their_number_and_the_rest_evaluated() -> None:
    negative = json.loads(json.dumps(VP_DEMO))
    negative["contact"]["company"]["employees"] = -3
    not_a_date = json.loads(json.dumps(VP_DEMO))
    not_a_date["activities"][0]["occurred_at"] = "last tuesday"
    lines = [
        json.dumps(VP_DEMO),
        '{"contact": {"id": "1"',
        json.dumps(negative),
        "",
        json.dumps(not_a_date),
        json.dumps(VP_DEMO),
    ]

    code, out, err = run("\n".join(lines) + "\n")

    assert code == 1
    assert len(out.splitlines()) == 2
    assert "line 2: Invalid JSON" in err
    assert "line 3: contact.company.employees: Input should be greater than or equal to 0 (got -3)" in err
    assert "line 5: activities.0.occurred_at: Input should be a valid datetime" in err
    assert "(got 'last tuesday')" in err
    assert "3 of 5 lines failed" in err


def test_unknown_fields_and_kinds_are_refused() -> None:
    typo = json.loads(json.dumps(VP_DEMO))
    typo["contact"]["company"]["employes"] = 10
    typo["activities"][0]["kind"] = "demo"

    code, _, err = run(json.dumps(typo) + "\n")

    assert code == 1
    assert "contact.company.employes: unknown field;" in err
    assert "activities.0.kind: Input should be 'page_view'" in err


def test_now_must_carry_a_time_zone() -> None:
    result = CliRunner().invoke(main, ["evaluate", "--now", "2026-11-30T15:00:00"], input="")

    assert result.exit_code == 2
    assert "has no time zone" in result.stderr


def test_a_broken_policy_stops_evaluation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[policy]\nname = 1\n")

    code, out, err = run(json.dumps(VP_DEMO), "--policy", str(bad))

    assert code == 1
    assert out == ""
    assert f"{bad}:2: policy.name: Input should be a valid string (got 1)" in err


def test_the_installed_command_evaluates_the_shipped_samples() -> None:
    handoff = Path(sys.executable).with_name("handoff")

    done = subprocess.run(
        [str(handoff), "evaluate", "--now", NOW],
        input=SAMPLES.read_text(),
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    stages = {d["id"]: d["stage"] for d in map(json.loads, done.stdout.splitlines())}
    assert stages == {
        "1001": "mql",
        "1002": "lead",
        "1003": "lead",
        "1004": "lead",
        "1005": "mql",
        "1006": "sal",
        "1007": "sql",
        "1008": "mql",
        "1009": "recycled",
        "1010": "lead",
        "1011": "opportunity",
    }
