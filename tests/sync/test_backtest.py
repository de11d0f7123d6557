"""`handoff backtest` over a store the real cycle filled: the same policy changes nothing, a lower
MQL bar makes exactly the lead between the bars an MQL, and the command's formats say so."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from handoff.config.loader import DEFAULT_POLICY_PATH, SHIPPED_DIR, parse_policy
from handoff.config.policy import Policy
from handoff.connectors.memory.crm import MemoryCrm
from handoff.lifecycle.records import Deal
from handoff.sync.backtest import run_backtest
from handoff.sync.cli import main
from handoff.sync.cycle import run_cycle
from handoff.sync.runtime import Runtime
from tests.support import FakeClock
from tests.sync import company
from tests.sync.processes import environment

SHIPPED_BAR = "score_minimum = 50"


def policy_with_bar(bar: int) -> str:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    assert SHIPPED_BAR in text
    return text.replace(SHIPPED_BAR, f"score_minimum = {bar}").replace(
        'version = "2026-11"', f'version = "bar-{bar}"'
    )


def parsed(text: str) -> Policy:
    return parse_policy(text, file="policy.toml", base_dir=SHIPPED_DIR)


def test_a_policy_against_itself_changes_nothing_and_a_lower_bar_adds_the_lead_between(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    company.live_a_week(crm, clock.now, lambda: run_cycle(runtime), lambda: clock.advance(days=1))

    same = run_backtest(runtime, parsed(policy_with_bar(50)), runtime.policy, days=90)
    lower = run_backtest(runtime, parsed(policy_with_bar(42)), runtime.policy, days=90)

    assert same.considered == 4
    assert same.refused == []
    assert same.result.changes == 0
    assert (same.result.current.mql, same.result.current.sql, same.result.current.won) == (1, 1, 1)
    assert same.result.current.won_leads == 1
    assert [lead.contact_id for lead in lower.result.became_mql] == ["bea"]
    assert lower.result.no_longer_mql == ()
    assert lower.result.new.mql == 2
    assert lower.result.new.precision == pytest.approx(0.5)


def test_deals_are_outcomes_a_won_one_brings_its_revenue(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    """bea never became an MQL under the shipped policy, but her company bought: a won deal makes
    her a won lead (a recall the shipped bar misses), and the lower bar's MQL catches its revenue."""
    company.live_a_week(crm, clock.now, lambda: run_cycle(runtime), lambda: clock.advance(days=1))
    won = Deal(
        "deal-1",
        created_at=clock.now,
        stage="closedwon",
        closed=True,
        won=True,
        amount=8_000.0,
        close_date=clock.now,
    )
    crm.put_deals([(won, ["bea"])])
    run_cycle(runtime)

    lower = run_backtest(runtime, parsed(policy_with_bar(42)), runtime.policy, days=90)

    assert lower.result.current.won_leads == 2
    assert (lower.result.current.won, lower.result.current.revenue) == (1, 0.0)
    assert lower.result.current.recall == pytest.approx(0.5)
    assert (lower.result.new.won, lower.result.new.revenue, lower.result.new.recall) == (2, 8_000.0, 1.0)
    assert [(lead.contact_id, lead.won) for lead in lower.result.became_mql] == [("bea", True)]


def test_a_window_longer_than_history_is_kept_says_so(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    company.live_a_week(crm, clock.now, lambda: run_cycle(runtime), lambda: clock.advance(days=1))
    assert run_backtest(runtime, runtime.policy, runtime.policy, days=90).notes == []
    (note,) = run_backtest(runtime, runtime.policy, runtime.policy, days=1000).notes
    assert note.startswith("history is kept for 400 days (HANDOFF_HISTORY_DAYS)")


def test_leads_older_than_the_window_are_left_out(runtime: Runtime, crm: MemoryCrm, clock: FakeClock) -> None:
    company.live_a_week(crm, clock.now, lambda: run_cycle(runtime), lambda: clock.advance(days=1))
    clock.advance(days=30)
    assert run_backtest(runtime, runtime.policy, runtime.policy, days=7).considered == 0
    assert run_backtest(runtime, runtime.policy, runtime.policy, days=60).considered == 4


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store `handoff sync` filled, as an admin has it; the command runs on the real clock, so
    the history is dated by it too."""
    path = tmp_path / "crm.db"
    crm = MemoryCrm(str(path), clock=lambda: datetime.now(UTC))
    values = environment(path, f"sqlite:///{tmp_path}/handoff.db")
    for key, value in values.items():
        if key.startswith("HANDOFF_"):
            monkeypatch.setenv(key, value)
    runner = CliRunner()
    company.live_a_week(
        crm, datetime.now(UTC), lambda: runner.invoke(main, ["sync"], catch_exceptions=False), lambda: None
    )
    crm.close()
    lower = tmp_path / "lower.toml"
    lower.write_text(policy_with_bar(42), encoding="utf-8")
    return lower


def test_the_command_shows_the_change_in_every_format(env: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    table = runner.invoke(main, ["backtest", "--policy", str(env)])
    as_json = runner.invoke(main, ["backtest", "--policy", str(env), "--format", "json"])
    out = tmp_path / "backtest.csv"
    as_csv = runner.invoke(main, ["backtest", "--policy", str(env), "--format", "csv", "--out", str(out)])

    assert table.exit_code == 0, table.output
    assert "Would become MQL: 1" in table.stdout
    assert "bea at " in table.stdout
    assert as_json.exit_code == 0, as_json.output
    found = json.loads(as_json.stdout)
    assert found["leads"] == 4
    assert [lead["contact_id"] for lead in found["became_mql"]] == ["bea"]
    assert found["policies"]["new"]["policy_version"] == "bar-42"
    assert (found["policies"]["current"]["mql"], found["policies"]["new"]["mql"]) == (1, 2)
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [row["item"] for row in rows if row["section"] == "became_mql"] == ["bea"]
    mql = next(row for row in rows if row["section"] == "figures" and row["item"] == "mql")
    assert (mql["current"], mql["new"]) == ("1", "2")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Missing option '--policy'"),
        (["--policy", "missing.toml"], "cannot read the policy"),
        (["--policy", str(DEFAULT_POLICY_PATH), "--days", "0"], "Invalid value for '--days'"),
        (["--policy", str(DEFAULT_POLICY_PATH), "--format", "pdf"], "Invalid value for '--format'"),
    ],
    ids=["no policy", "unreadable policy", "no days", "unknown format"],
)
def test_bad_arguments_are_refused_with_what_is_wrong(env: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["backtest", *args])
    assert result.exit_code != 0
    assert message in result.output
