"""`handoff evaluate`: JSON lines in, decisions out, bad lines reported and skipped."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from handoff.config.loader import DEFAULT_POLICY_PATH
from handoff.sync.cli import main

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
    assert err.splitlines()[-1] == "2 of 5 lines evaluated, 3 failed"


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


OWNERS = {
    "owners": [
        {"id": "101", "email": "ana.silva@acme.example", "name": "Ana Silva"},
        {"id": "102", "email": "marcus.johnson@acme.example"},
        {"id": "103", "email": "priya.raman@acme.example"},
        {"id": "104", "email": "diego.fernandez@acme.example", "active": False},
        {
            "id": "105",
            "email": "emily.chen@acme.example",
            "out_of_office": [{"start": "2026-11-23T00:00:00Z", "end": "2026-12-07T00:00:00Z"}],
        },
        {"id": "900", "name": "Unassigned leads queue", "queue": True},
    ],
    "account_owners": {"ledgerly.example": "103"},
}


def owners_file(tmp_path: Path, data: object = OWNERS) -> str:
    path = tmp_path / "owners.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_with_owners_a_new_mql_is_routed_and_its_sla_clocks_start(tmp_path: Path) -> None:
    code, out, err = run(json.dumps(VP_DEMO) + "\n", "--owners", owners_file(tmp_path))

    assert code == 0, err
    decision = json.loads(out)
    assert (decision["owner_id"], decision["previous_owner_id"], decision["owner_changed"]) == (
        "101",
        None,
        True,
    )
    routing = decision["routing"]
    assert (routing["trigger"], routing["method"], routing["team"], routing["rule"]) == (
        "new_mql",
        "round_robin",
        "north_america",
        None,
    )
    assert routing["reason"].startswith("New MQL → North America (default team): ana.silva@acme.example")
    skipped = {(s["who"], s["reason"]) for s in routing["skipped"]}
    assert ("marcus.johnson@acme.example", "off_hours") in skipped
    assert ("diego.fernandez@acme.example", "inactive") in skipped
    assert ("emily.chen@acme.example", "out_of_office") in skipped
    assert [(c["name"], c["rule"], c["status"], c["due_at"]) for c in decision["clocks"]] == [
        ("first_touch", "sla.first_touch_inquiry", "on_track", "2026-11-30T19:00:00+00:00"),
        ("accept", "sla.accept_within", "on_track", "2026-11-30T19:00:00+00:00"),
    ]
    assert decision["sla"] == {
        "clock": "first_touch",
        "due_at": "2026-11-30T19:00:00+00:00",
        "status": "on_track",
    }
    assert decision["escalation_due_at"] == decision["next_check_at"] == "2026-11-30T15:15:00+00:00"
    assert decision["owner_assigned_at"] == "2026-11-30T15:00:00+00:00"


def test_the_routing_state_carries_from_line_to_line_and_run_to_run(tmp_path: Path) -> None:
    owners = owners_file(tmp_path)
    state = tmp_path / "state.json"
    second = json.loads(json.dumps(VP_DEMO))
    second["contact"]["id"] = "43"

    code, out, err = run(
        json.dumps(VP_DEMO) + "\n" + json.dumps(second) + "\n",
        "--owners",
        owners,
        "--save-routing-state",
        str(state),
    )
    assert code == 0, err
    assert [json.loads(line)["owner_id"] for line in out.splitlines()] == ["101", "103"]

    code, out, err = run(json.dumps(VP_DEMO) + "\n", "--owners", owners, "--routing-state", str(state))
    assert code == 0, err
    assert json.loads(out)["owner_id"] == "101"  # weight 2: Ana's second lead before Priya's second
    saved = json.loads(state.read_text())
    assert saved["teams"]["north_america"]["reps"]["ana.silva@acme.example"]["total"] == 1


def test_an_account_owner_and_a_lead_evaluated_later_with_its_owner(tmp_path: Path) -> None:
    owned = json.loads(json.dumps(VP_DEMO))
    owned["contact"]["company"]["domain"] = "ledgerly.example"
    later = json.loads(json.dumps(VP_DEMO))
    later["contact"].update(
        {
            "stage": "mql",
            "stage_entered_at": "2026-11-30T14:00:00Z",
            "owner_id": "101",
            "owner_assigned_at": "2026-11-30T14:00:00Z",
        }
    )

    code, out, err = run(
        json.dumps(owned) + "\n" + json.dumps(later) + "\n", "--owners", owners_file(tmp_path)
    )

    assert code == 0, err
    account, escalated = map(json.loads, out.splitlines())
    assert (account["owner_id"], account["routing"]["method"]) == ("103", "account")
    assert (escalated["owner_id"], escalated["routing"]["trigger"], escalated["escalated_from"]) == (
        "103",
        "escalation",
        ["101"],
    )


def test_without_owners_the_owner_is_left_as_it_is() -> None:
    code, out, err = run(json.dumps(VP_DEMO) + "\n")

    assert code == 0, err
    decision = json.loads(out)
    assert (decision["owner_id"], decision["routing"], decision["clocks"], decision["sla"]) == (
        None,
        None,
        [],
        None,
    )


BAD_FILES = [
    (
        "an owner without id",
        {"owners": [{"email": "x@acme.example"}]},
        "--owners",
        "owners.0.id: Field required",
    ),
    (
        "an unknown owner field",
        {"owners": [{"id": "1", "mail": "x"}]},
        "--owners",
        "owners.0.mail: unknown field",
    ),
    (
        "a state that is not one",
        {"teams": {"na": {"level": -1}}},
        "--routing-state",
        "not a routing state: teams.na.level",
    ),
]


@pytest.mark.parametrize(("name", "data", "option", "says"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_owners_or_state_files_are_usage_errors_naming_file_and_field(
    name: str, data: object, option: str, says: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    args = (
        [option, str(bad)] if option == "--owners" else ["--owners", owners_file(tmp_path), option, str(bad)]
    )

    code, out, err = run(json.dumps(VP_DEMO) + "\n", *args)

    assert code == 2, name
    assert out == ""
    assert f"Invalid value for '{option}': {bad}: {says}" in err


def test_a_missing_owners_file_is_named(tmp_path: Path) -> None:
    code, _, err = run("", "--owners", str(tmp_path / "nope.json"))

    assert code == 2
    assert "nope.json: cannot read" in err


def test_routing_state_options_need_owners(tmp_path: Path) -> None:
    code, _, err = run("", "--save-routing-state", str(tmp_path / "state.json"))

    assert code == 2
    assert "--routing-state and --save-routing-state need --owners" in err


def test_the_installed_command_routes_the_shipped_samples_to_the_demo_company() -> None:
    handoff = Path(sys.executable).with_name("handoff")
    owners = SAMPLES.with_name("owners.json")

    done = subprocess.run(
        [str(handoff), "evaluate", "--now", NOW, "--owners", str(owners)],
        input=SAMPLES.read_text(),
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    decisions = {d["id"]: d for d in map(json.loads, done.stdout.splitlines())}
    routed = {key: (d["owner_id"], d["routing"]["method"]) for key, d in decisions.items() if d["routing"]}
    assert routed == {
        "1001": ("201", "round_robin"),  # US: North America, Ana (weight 2)
        "1005": ("206", "round_robin"),  # DE: EMEA territory, Sophie (weight 2)
        "1006": ("207", "round_robin"),  # IT, accepted but unowned: EMEA, Lukas
        "1007": ("203", "account"),  # harborline.example belongs to Priya
        "1008": ("201", "round_robin"),  # Ana again: Emily is away, the West Coast asleep
    }
    assert all(decisions[key]["sla"] for key in routed)
    assert all(d["owner_id"] is None for key, d in decisions.items() if key not in routed)


def test_every_hostile_line_is_reported_and_the_summary_always_printed() -> None:
    """Lines that once killed the process (an engine failure, deep nesting, a lone surrogate,
    bytes that are not UTF-8), fed to a real `handoff evaluate` as raw bytes."""
    far = json.loads(json.dumps(VP_DEMO))
    far["contact"].update(id="43", stage="mql", stage_entered_at="9999-12-31T23:59:59Z", owner_id="1001")
    lines = [
        json.dumps(VP_DEMO).encode(),
        json.dumps(far).encode(),
        b'{"contact": {"id": "45", "first_name": "Ren\\ud800"}, "activities": []}',
        b"[" * 100_000,
        b'{"contact": {"id": "46", "company": {"employees": 1e400}}, "activities": []}',
        b'{"contact": {"id": "47", "first_name": "\xff\xfe"}, "activities": []}',
        json.dumps(VP_DEMO).encode(),
    ]
    owners = DEFAULT_POLICY_PATH.parent / "samples" / "owners.json"
    result = subprocess.run(
        [str(Path(sys.executable).with_name("handoff")), "evaluate", "--now", NOW, "--owners", str(owners)],
        input=b"\n".join(lines) + b"\n",
        capture_output=True,
        check=False,
    )

    report = result.stderr.decode().splitlines()
    assert result.returncode == 1
    assert len(result.stdout.decode().splitlines()) == 2
    assert [line.split(":")[0] for line in report[:-1]] == [f"line {n}" for n in (2, 3, 4, 5, 6)]
    assert report[0].startswith("line 2: the lead could not be evaluated: OverflowError in lifecycle/")
    assert report[-1] == "2 of 7 lines evaluated, 5 failed"
    assert "Traceback" not in result.stderr.decode()
