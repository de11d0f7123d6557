"""The HubSpot commands as an admin runs them: `handoff setup`, and `handoff sandbox` served to
another process that syncs against it."""

from __future__ import annotations

import re
import signal
import subprocess
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from handoff.sandbox.hubspot import HubSpotSandbox, SimulatedClock
from handoff.sync.cli import main
from tests.hubspot.conftest import connect
from tests.sync.processes import HANDOFF, run, wait_until


def test_setup_creates_the_fields_once_and_then_has_nothing_to_do(
    sandbox: HubSpotSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HANDOFF_CRM", "hubspot")
    monkeypatch.setenv("HANDOFF_HUBSPOT_BASE_URL", sandbox.base_url)
    monkeypatch.setenv("HANDOFF_HUBSPOT_TOKEN", sandbox.token)

    first = CliRunner().invoke(main, ["setup"])
    again = CliRunner().invoke(main, ["setup"])

    assert first.exit_code == 0, first.output
    assert "created   contacts.handoff_stage" in first.stdout
    assert "created   tasks.handoff_task_key" in first.stdout
    assert first.stdout.strip().splitlines()[-1].startswith("15 created, 0 updated")
    assert again.stdout.strip() == "0 created, 0 updated, 13 already right"
    definition = sandbox.state.property_def("contacts", "handoff_disqualification_reason")
    assert definition is not None
    assert {option.value for option in definition.options} >= {"no_budget", "competitor"}


def test_setup_without_a_token_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDOFF_CRM", "hubspot")
    monkeypatch.delenv("HANDOFF_HUBSPOT_TOKEN", raising=False)

    result = CliRunner().invoke(main, ["setup"])

    assert result.exit_code == 78
    assert result.stderr.startswith("handoff: HANDOFF_HUBSPOT_TOKEN: not set")


@pytest.mark.parametrize(("tier", "kind"), [("enterprise", "event"), ("professional", "visit")])
def test_page_views_come_from_the_events_api_on_enterprise_and_from_the_contact_below(
    clock: SimulatedClock, sleeps: list[float], tier: str, kind: str
) -> None:
    sandbox = HubSpotSandbox(seed=11, tier=tier, clock=clock)
    sandbox.start()
    try:
        seeded = sandbox.seed_company(contacts=30)
        connector = connect(sandbox, sleeps)
        page = connector.pull_contacts_by_id(list(seeded.contact_ids))
        pulled = connector.pull_activities([r.contact.id for r in page.contacts], since=None)
    finally:
        sandbox.stop()

    views = [a for acts in pulled.by_contact.values() for a in acts if a.kind == "page_view"]
    assert views, "the seeded leads have visited the site"
    assert {a.id.split(":")[0] for a in views} == {kind}
    statuses = {r.status for r in sandbox.request_log if r.path.startswith("/events/v3/events")}
    assert statuses == ({200} if tier == "enterprise" else {403})
    assert connector.reader.web_events is (tier == "enterprise")


def test_a_sandbox_served_to_another_process_is_synced_end_to_end(tmp_path: Path) -> None:
    lines: list[str] = []
    served = subprocess.Popen(
        [HANDOFF, "sandbox", "--port", "0", "--contacts", "30", "--tier", "professional"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    reader = threading.Thread(target=lambda: lines.extend(served.stdout or []), daemon=True)
    reader.start()
    try:
        wait_until(
            lambda: any("HANDOFF_HUBSPOT_BASE_URL=" in line for line in lines), 60, "the sandbox to serve"
        )
        found = re.search(r"BASE_URL=(\S+)", "".join(lines))
        assert found is not None
        base_url = found.group(1)
        env = {
            "HANDOFF_CRM": "hubspot",
            "HANDOFF_HUBSPOT_BASE_URL": base_url,
            "HANDOFF_HUBSPOT_TOKEN": "sandbox-token",
            "HANDOFF_DATABASE_URL": f"sqlite:///{tmp_path}/handoff.db",
            "HANDOFF_LOG_FORMAT": "json",
            "PATH": "/usr/bin:/bin",
        }
        setup = run(["setup"], env)
        rehearsal = run(["sync", "--dry-run"], env)
        sync = run(["sync"], env)
    finally:
        served.send_signal(signal.SIGINT)
        code = served.wait(timeout=20)
        reader.join(timeout=5)
        if served.stdout is not None:
            served.stdout.close()
    assert setup.returncode == 0, setup.stderr
    assert rehearsal.returncode == 0, rehearsal.stderr
    assert "Dry run the beginning →" in rehearsal.stdout
    assert "pulled 30, evaluated 30" in rehearsal.stdout
    assert "Would reassign" in rehearsal.stdout
    assert sync.returncode == 0, sync.stderr
    assert "pulled 30, evaluated 30" in sync.stdout, "the dry run saved nothing"
    assert code == 0
    assert "stopping" in "".join(lines)
