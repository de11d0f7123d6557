"""`handoff status` and `handoff explain` as an admin runs them, and what the logs never show."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import structlog
from click.testing import CliRunner

from handoff.connectors.memory.crm import Faults, MemoryCrm
from handoff.sync.cli import main
from handoff.sync.logs import configure_logging, redact_text
from tests.sync import company
from tests.sync.processes import environment


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    path = tmp_path / "crm.db"
    crm = MemoryCrm(str(path))
    ids = company.many(crm, 5, now=datetime.now(UTC))
    crm.set_faults(Faults(reject_contacts={ids[2]: "INVALID_EMAIL: lead-00002 is not a valid email"}))
    crm.close()
    values = environment(path, f"sqlite:///{tmp_path}/handoff.db")
    for key, value in values.items():
        if key.startswith("HANDOFF_"):
            monkeypatch.setenv(key, value)
    return values


def test_status_and_explain_show_a_quarantined_write(env: dict[str, str]) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["sync"]).exit_code == 0

    status = runner.invoke(main, ["status", "--json"])
    readable = runner.invoke(main, ["status"])
    explained = runner.invoke(main, ["explain", "lead-00002@northwind.example"])
    as_json = runner.invoke(main, ["explain", "lead-00002", "--json"])
    missing = runner.invoke(main, ["explain", "nobody@nowhere.example"])

    assert status.exit_code == 0, status.output
    snapshot = json.loads(status.stdout)
    assert snapshot["quarantine"]["count"] == 1
    assert snapshot["quarantine"]["latest"][0]["record_id"] == "lead-00002"
    assert snapshot["outbox"]["dead"] == 1
    assert snapshot["cursors"][0]["stream"] == "contacts"
    assert "Quarantine: 1 record(s)" in readable.stdout
    assert "writes:fields lead-00002: INVALID_EMAIL" in readable.stdout
    assert explained.exit_code == 0, explained.output
    assert "Stage MQL" in explained.stdout
    assert "Demo request" in explained.stdout
    assert "INVALID_EMAIL" in explained.stdout
    details = json.loads(as_json.stdout)
    assert details["decision"]["stage"] == "mql"
    assert details["pending_writes"][0]["status"] == "dead"
    assert missing.exit_code == 1
    assert "no contact 'nobody@nowhere.example'" in missing.stderr


def test_secrets_are_masked_in_log_lines(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("info", "json")
    log = structlog.get_logger("test")

    log.info(
        "crm.call",
        hubspot_token="pat-na1-11111111-2222",
        url="https://hooks.slack.com/services/T000/B000/XXXXSECRET",
        detail="Authorization: Bearer pat-na1-33333333-4444 failed",
        database="postgresql+psycopg://handoff:hunter2@db/handoff",
    )

    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    printed = json.dumps(line)
    for secret in ("11111111", "XXXXSECRET", "33333333", "hunter2"):
        assert secret not in printed
    assert line["hubspot_token"] == "***"
    assert (
        redact_text("https://acme.webhook.office.com/webhookb2/abc") == "https://acme.webhook.office.com/***"
    )
