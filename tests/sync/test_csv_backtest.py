"""`handoff backtest --csv --mapping` on a messy export: what it skipped and why, the leads between
the two bars, and bad input refused naming what is wrong."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from handoff.sync.cli import main
from tests.sync.browser import CHROMIUM, MEASURE, SKIP_REASON, open_page

POLICY = """\
[policy]
name = "Export test"
version = "{version}"

[[fit.rule]]
label = "Buyer persona"
field = "contact.title"
matches = "VP|Director"
points = 30

[[behavior.rule]]
label = "Website visit"
activity = "page_view"
points = 10

[[behavior.rule]]
label = "Chat"
activity = "chat"
points = 5

[stages.mql]
fit_minimum = 20
score_minimum = {bar}

[stages.sql]
requires = ["need"]

[disqualification.reasons]
no_need = "disqualify"
"""

# CRLF, a trailing empty column, a placeholder, an unknown category, a count in words, a blank
# outcome, a short row, a repeated id, a quoted value holding a comma and a line break.
EXPORT = (
    b"Id,Role,Visits,Last,Tags,Converted,\r\n"
    b"a,VP Sales,3,Email Opened,hot,1,\r\n"
    b"b,Director,2,Select,,0,\r\n"
    b"c,Student,5,Chat,,1,\r\n"
    b"d,VP Ops,lots,Carrier Pigeon,,0,\r\n"
    b"e,VP Ops,1,,x,,\r\n"
    b"f,VP,1\r\n"
    b"a,VP Sales,9,Chat,,0,\r\n"
    b'"g","VP, Sales\r\nEMEA",2,Email Opened,,1,\r\n'
)

MAPPING = """\
id = "Id"
not_filled = ["Select"]
never_use = ["Tags"]

[fields]
"contact.title" = "{role}"

[[activities]]
column = "Visits"
count_of = "page_view"

[[activities]]
column = "Last"
values = {{ "Email Opened" = "email_open", "Chat" = "chat" }}

[outcome]
column = "{outcome}"
won = ["1"]
"""


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in [n for n in os.environ if n.startswith("HANDOFF_")]:
        monkeypatch.delenv(name)
    (tmp_path / "leads.csv").write_bytes(EXPORT)
    (tmp_path / "current.toml").write_text(POLICY.format(version="now", bar=60), encoding="utf-8")
    (tmp_path / "lower.toml").write_text(POLICY.format(version="lower", bar=45), encoding="utf-8")
    (tmp_path / "map.toml").write_text(MAPPING.format(role="Role", outcome="Converted"), encoding="utf-8")
    return tmp_path


def backtest(files: Path, *extra: str, mapping: str = "map.toml", policy: str = "lower.toml") -> object:
    args = ["backtest", "--policy", str(files / policy), "--against", str(files / "current.toml")]
    args += ["--csv", str(files / "leads.csv"), "--mapping", str(files / mapping), *extra]
    return CliRunner().invoke(main, args)


def test_a_messy_export_is_read_and_what_it_skipped_is_said(files: Path) -> None:
    result = backtest(files, "--format", "json")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    found = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert found["input"] == [
        "8 rows read, 5 leads backtested",
        "1 rows skipped: 3 values where the header has 7 columns",
        "1 rows skipped: no outcome ('Converted' is not filled in)",
        "1 rows skipped: the id appears again (the first row was kept)",
        "1 rows: a placeholder (not filled in) in 'Last'",
        "1 rows: not a count in 'Visits'",
        "1 rows: unknown category 'Carrier Pigeon' in 'Last' (add it to the mapping's values)",
    ]
    assert found["leads"] == 5
    assert found["won_leads"] == 3
    assert [lead["contact_id"] for lead in found["became_mql"]] == ["b", "g"]
    assert found["no_longer_mql"] == []
    current, lower = found["policies"]["current"], found["policies"]["new"]
    assert (current["mql"], current["won"], current["precision"]) == (1, 1, 1.0)
    assert (lower["mql"], lower["won"]) == (3, 2)
    assert lower["precision"] == pytest.approx(2 / 3)
    assert lower["recall"] == pytest.approx(2 / 3)
    assert lower["lift"] == pytest.approx((2 / 3) / (3 / 5))


def test_the_terminal_table_says_the_same(files: Path) -> None:
    result = backtest(files)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    out = result.stdout  # type: ignore[attr-defined]
    assert "Backtest of 5 leads of the export" in out
    assert "Would become MQL: 2" in out
    assert "1 rows skipped: the id appears again" in out
    assert "days earlier" not in out, "an export has no dates to be earlier by"


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (
            MAPPING.format(role="Rol", outcome="Converted"),
            "map.toml:6: fields.contact.title: column 'Rol' is not in leads.csv; did you mean 'Role'?",
        ),
        (
            MAPPING.format(role="Role", outcome="Won"),
            "map.toml:17: outcome.column: column 'Won' is not in leads.csv",
        ),
        (MAPPING.format(role="Tags", outcome="Converted"), "'Tags' is listed in never_use"),
        (
            MAPPING.format(role="Role", outcome="Converted").replace("[outcome]", "[outcomes]"),
            "outcome: required key is missing",
        ),
        (
            MAPPING.format(role="Role", outcome="Converted").replace('"contact.title"', '"contact.titel"'),
            "did you mean 'contact.title'?",
        ),
        (
            MAPPING.format(role="Role", outcome="Converted").replace('"chat"', '"carrier_pigeon"'),
            "activities[1].values.Chat",
        ),
    ],
    ids=[
        "unknown column",
        "missing outcome column",
        "a column filled in after the outcome",
        "no outcome",
        "unknown field",
        "unknown activity kind",
    ],
)
def test_a_bad_mapping_is_refused_naming_what_and_where(files: Path, mapping: str, message: str) -> None:
    (files / "bad.toml").write_text(mapping.replace("map.toml", "bad.toml"), encoding="utf-8")
    result = backtest(files, mapping="bad.toml")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert message.replace("map.toml", str(files / "bad.toml")) in result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in result.output  # type: ignore[attr-defined]


def test_an_export_naming_a_mapped_column_twice_is_refused(files: Path) -> None:
    (files / "leads.csv").write_bytes(b"Id,Role,Visits,Last,Tags,Converted,Role\r\na,VP,1,Chat,,1,CFO\r\n")
    result = backtest(files)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "the header names 'Role' more than once" in result.stderr  # type: ignore[attr-defined]


def test_a_policy_that_does_not_load_is_refused_with_its_line(files: Path) -> None:
    (files / "broken.toml").write_text(POLICY.format(version="x", bar='"high"'), encoding="utf-8")
    result = backtest(files, policy="broken.toml")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert f"{files / 'broken.toml'}:23: stages.mql.score_minimum" in result.stderr  # type: ignore[attr-defined]


def test_a_value_that_is_not_text_is_noted_and_the_row_goes_on(files: Path) -> None:
    (files / "leads.csv").write_bytes(b"Id,Role,Visits,Last,Tags,Converted\r\nx,VP \xff\xfe,1,Chat,,1\r\n")
    result = backtest(files, "--format", "json")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    found = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert found["input"] == ["1 rows read, 1 leads backtested", "1 rows: text that is not UTF-8 in 'Role'"]


@pytest.mark.parametrize(
    ("header", "message"),
    [(b"Id,R\xf4le\r\n", "the header is not utf-8 text"), (b"", "the export is empty")],
    ids=["header not text", "empty file"],
)
def test_an_export_without_a_readable_header_is_refused(files: Path, header: bytes, message: str) -> None:
    (files / "leads.csv").write_bytes(header)
    result = backtest(files)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert message in result.stderr  # type: ignore[attr-defined]


def test_an_export_in_another_encoding_is_read_with_the_mappings_encoding(files: Path) -> None:
    (files / "leads.csv").write_bytes(
        "Id,Role,Visits,Last,Tags,Converted\r\nx,VP Se\u00f1or,2,Chat,,1\r\n".encode("cp1252")
    )
    (files / "map.toml").write_text(
        'encoding = "cp1252"\n' + MAPPING.format(role="Role", outcome="Converted")
    )
    result = backtest(files, "--format", "json")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    found = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert found["input"] == ["1 rows read, 1 leads backtested"]
    assert [lead["contact_id"] for lead in found["became_mql"]] == ["x"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [(["--days", "30"], "--days has no meaning for an export")],
)
def test_options_that_do_not_fit_an_export_are_usage_errors(
    files: Path, extra: list[str], message: str
) -> None:
    result = backtest(files, *extra)
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert message in result.output  # type: ignore[attr-defined]


def test_csv_without_a_mapping_is_a_usage_error(files: Path) -> None:
    result = CliRunner().invoke(
        main, ["backtest", "--policy", str(files / "lower.toml"), "--csv", str(files / "leads.csv")]
    )
    assert result.exit_code == 2
    assert "--csv and --mapping go together" in result.output


def test_the_html_page_holds_both_policies_and_the_reclassified_leads(files: Path, tmp_path: Path) -> None:
    out = tmp_path / "backtest.html"
    result = backtest(files, "--format", "html", "--out", str(out))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    page = out.read_text(encoding="utf-8")
    assert page.count("<svg") == 2
    assert "Backtest: lower against now" in page
    assert "Would become MQL (2)" in page
    assert "1 rows skipped: the id appears again" in page
    assert "When the leads later won were flagged" not in page, "an export has no dates"
    assert "http" not in page.replace("http://www.w3.org", ""), "the page must not load anything"


@pytest.mark.skipif(CHROMIUM is None, reason=SKIP_REASON)
def test_the_html_page_renders_in_a_browser_without_errors(files: Path, tmp_path: Path) -> None:
    out = tmp_path / "backtest.html"
    assert backtest(files, "--format", "html", "--out", str(out)).exit_code == 0  # type: ignore[attr-defined]
    page = open_page(out, tmp_path / "profile", script=MEASURE)
    assert page.errors == []
    assert page.requests == [out.resolve().as_uri()]
    assert len(page.measured) == 2
    assert all(width > 300 and height > 150 and shapes > 10 for width, height, shapes in page.measured)
    (tmp_path / "backtest.png").write_bytes(page.screenshot)
    assert page.screenshot.startswith(b"\x89PNG")
