"""`handoff report` as an admin runs it, over the hand-computed history, on the date it is read
(15 December 2026, pinned: the command takes its `now` from the runtime's clock)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner, Result

from handoff.connectors.memory.crm import MemoryCrm
from handoff.sync.cli import main
from tests.lifecycle.funnel_world import NOW
from tests.sync.report_world import hand_store, policy_with_targets

RANGE = ["--since", "2026-10-01", "--until", "2026-11-30"]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    crm = tmp_path / "crm.db"
    MemoryCrm(str(crm)).close()
    url = f"sqlite:///{tmp_path}/handoff.db"
    hand_store(url).dispose()
    monkeypatch.setenv("HANDOFF_CRM", "memory")
    monkeypatch.setenv("HANDOFF_MEMORY_CRM_PATH", str(crm))
    monkeypatch.setenv("HANDOFF_DATABASE_URL", url)
    monkeypatch.setenv("HANDOFF_POLICY", str(policy_with_targets(tmp_path)))
    return tmp_path


def report(*args: str) -> Result:
    with time_machine.travel(NOW, tick=False):
        return CliRunner().invoke(main, ["report", *args])


def test_json_of_a_range_of_days_in_the_policy_time_zone(env: Path) -> None:
    result = report(*RANGE, "--format", "json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["period"]["since"] == "2026-10-01T00:00:00-04:00"
    assert data["period"]["until"] == "2026-12-01T00:00:00-05:00"
    assert data["period"]["now"] == "2026-12-15T00:00:00+00:00"
    assert data["period"]["leads"] == 7
    # No deals yet from the store: opportunity is L4's CRM stage, nothing is won.
    assert data["total"]["reached"] == {"mql": 7, "sal": 3, "sql": 3, "opportunity": 1, "won": 0}
    assert data["acceptance"] == {"accepted": 3, "rejected": 2, "pending": 1, "rate": 0.6}
    assert data["health"][0]["text"].startswith("MQL→SQL is 43% (3 of 7 within 30 days)")
    assert data["segments"] == {"by": None, "rows": []}


def test_csv_and_html_go_to_the_file_named(env: Path) -> None:
    as_csv = report(*RANGE, "--format", "csv", "--out", str(env / "report.csv"))
    as_html = report(*RANGE, "--format", "html", "--out", str(env / "report.html"), "--by", "rep")

    assert as_csv.exit_code == 0, as_csv.output
    assert as_csv.stdout == ""
    assert f"wrote the csv report to {env / 'report.csv'}" in as_csv.stderr
    rows = list(csv.reader(io.StringIO((env / "report.csv").read_text())))
    assert ["acceptance", "", "", "rate", "0.6"] in rows
    assert as_html.exit_code == 0, as_html.output
    page = (env / "report.html").read_text()
    assert page.count("<svg") == 6
    assert "By rep (reached by now)" in page


def test_the_table_by_rep_and_a_longer_window(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")

    result = report(*RANGE, "--by", "rep", "--window", "60")

    assert result.exit_code == 0, result.output
    assert "SAL acceptance: 60% — 3 accepted, 2 rejected, 1 waiting" in result.stdout
    assert "conversion within 60 days of MQL" in result.stdout
    assert "By rep" in result.stdout
    assert "Ana" in result.stdout


def test_by_default_six_months_up_to_now(env: Path) -> None:
    result = report("--format", "json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["period"]["since"] == "2026-07-01T00:00:00-04:00"
    # L8 (MQL 2 December) now counts; L10 (September) too.
    assert data["period"]["leads"] == 9
    assert [c["month"] for c in data["cohorts"]] == ["2026-09", "2026-10", "2026-11", "2026-12"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--since", "last tuesday"], "'last tuesday' is not a date such as 2026-11-01"),
        (["--since", "2026-10-01T00:00"], "has no time zone"),
        (
            ["--since", "2026-12-01", "--until", "2026-11-01"],
            "--since (2026-12-01 00:00 EST) must be before --until",
        ),
        (["--by", "region"], "'region' is not one of 'team', 'rep', 'source'"),
        (["--format", "pdf"], "'pdf' is not one of 'table', 'json', 'csv', 'html'"),
        (["--window", "0"], "0 is not in the range"),
    ],
)
def test_bad_options_are_usage_errors(env: Path, args: list[str], said: str) -> None:
    result = report(*args)

    assert result.exit_code == 2
    assert said in result.stderr
