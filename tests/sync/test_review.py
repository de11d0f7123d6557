"""`handoff review`: the 20-lead sheet from the store, and the scoring of it once filled in."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from handoff.connectors.memory.crm import MemoryCrm
from handoff.sync.cli import main
from handoff.sync.review import COLUMNS
from tests.sync import company
from tests.sync.processes import environment


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store `handoff sync` filled over a few cycles (the command runs on the real clock)."""
    path = tmp_path / "crm.db"
    crm = MemoryCrm(str(path), clock=lambda: datetime.now(UTC))
    for key, value in environment(path, f"sqlite:///{tmp_path}/handoff.db").items():
        if key.startswith("HANDOFF_"):
            monkeypatch.setenv(key, value)
    runner = CliRunner()
    company.live_a_week(
        crm, datetime.now(UTC), lambda: runner.invoke(main, ["sync"], catch_exceptions=False), lambda: None
    )
    crm.close()
    return tmp_path


def fill(sheet: Path, verdicts: dict[str, tuple[str, str]]) -> None:
    with sheet.open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    for row in rows:
        row["marketing"], row["sales"] = verdicts.get(row["contact_id"], ("", ""))
    with sheet.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def test_the_sheet_holds_recent_leads_with_handoffs_call_and_empty_verdicts(store: Path) -> None:
    sheet = store / "review.csv"
    result = CliRunner().invoke(main, ["review", "--sample", "4", "--out", str(sheet)])
    assert result.exit_code == 0, result.output
    assert "4 leads (1 MQL, 3 not)" in result.stdout
    with sheet.open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    assert sorted(row["contact_id"] for row in rows) == ["ada", "bea", "cal", "dan"]
    ada = next(row for row in rows if row["contact_id"] == "ada")
    assert (ada["handoff"], ada["stage"]) == ("MQL", "customer")
    assert "Pricing page" in ada["rules"]
    assert all(row["marketing"] == row["sales"] == "" for row in rows)
    page = sheet.with_suffix(".html").read_text(encoding="utf-8")
    assert page.count("<tr>") == 5
    assert "ada@northwind.example" in page


def test_a_filled_in_sheet_gives_the_hand_computed_agreement_and_kappa(store: Path) -> None:
    sheet = store / "review.csv"
    assert CliRunner().invoke(main, ["review", "--sample", "4", "--out", str(sheet)]).exit_code == 0
    # handoff: ada yes, the rest no. Marketing yes yes no no, sales yes no no no:
    # marketing/sales 3 of 4 alike, pe = .5*.25 + .5*.75 = .5, kappa (.75 - .5) / .5 = 0.5;
    # sales/handoff all alike, pe = .25*.25 + .75*.75 = .625, kappa 1.
    fill(sheet, {"ada": ("yes", "Y"), "bea": ("yes", "no"), "cal": ("no", "no"), "dan": ("No", "0")})
    result = CliRunner().invoke(main, ["review", "score", str(sheet)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "marketing / sales: 3 of 4 alike (75%), kappa 0.50: the definition is not shared yet" in out
    assert "marketing / handoff: 3 of 4 alike (75%), kappa 0.50" in out
    assert "sales / handoff: 4 of 4 alike (100%), kappa 1.00: the definition is shared" in out
    assert "Disagreements: 1" in out
    assert "bea: handoff no, marketing yes, sales no; rules:" in out


def test_verdicts_that_are_not_yes_or_no_are_named_and_left_out(store: Path) -> None:
    sheet = store / "review.csv"
    assert CliRunner().invoke(main, ["review", "--sample", "4", "--out", str(sheet)]).exit_code == 0
    fill(sheet, {"ada": ("yes", "maybe"), "bea": ("no", "no")})
    result = CliRunner().invoke(main, ["review", "score", str(sheet)])
    assert result.exit_code == 0, result.output
    assert "sales wrote 'maybe', neither yes nor no" in result.stdout
    assert "3 leads lack a verdict from both teams" in result.stdout
    assert "marketing / sales: 1 of 1 alike" in result.stdout


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["review", "score", "missing.csv"], "cannot read the sheet", 1),
        (["review", "--out", "review.xlsx"], "give a name ending in .csv", 2),
        (["review", "--sample", "1"], "Invalid value for '--sample'", 2),
    ],
    ids=["no such sheet", "not a csv", "too small a sample"],
)
def test_bad_arguments_are_refused(store: Path, args: list[str], message: str, code: int) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == code
    assert message in result.output


def test_a_file_that_is_not_a_sheet_is_refused(store: Path) -> None:
    other = store / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["review", "score", str(other)])
    assert result.exit_code == 1
    assert "not a review sheet: no contact_id, handoff, rules, marketing, sales column" in result.stderr


def test_a_row_whose_trailing_cells_were_dropped_is_read_as_empty(store: Path) -> None:
    sheet = store / "short.csv"
    sheet.write_text(
        ",".join(COLUMNS) + "\r\n"
        "a,,,,,,MQL,mql,60,40,20,Demo (+25),why,yes,yes\r\n"
        "b,,,,,,not MQL,lead,10,10,0,,why,no\r\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["review", "score", str(sheet)])
    assert result.exit_code == 0, result.output
    assert "1 leads lack a verdict from both teams" in result.stdout
    assert "marketing / sales: 1 of 1 alike" in result.stdout


def test_a_bad_verdict_is_named_with_its_line_even_after_a_cell_with_a_line_break(store: Path) -> None:
    sheet = store / "multiline.csv"
    sheet.write_text(
        ",".join(COLUMNS) + "\r\n"
        'a,,,,,,MQL,mql,60,40,20,Demo (+25),"two\r\nlines",yes,yes,\r\n'
        "b,,,,,,not MQL,lead,10,10,0,,why,maybe,no,\r\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["review", "score", str(sheet)])
    assert result.exit_code == 0, result.output
    assert "line 4: marketing wrote 'maybe', neither yes nor no" in result.stdout
