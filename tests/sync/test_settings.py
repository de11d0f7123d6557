"""Bad settings stop the start with one clear line naming the setting; secrets stay secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from handoff.config.settings import SettingsError, load_settings
from handoff.connectors.hubspot.plugin import HubSpotSettings
from tests.sync.processes import environment, run


@pytest.fixture
def base_env(tmp_path: Path) -> dict[str, str]:
    return environment(tmp_path / "crm.db", f"sqlite:///{tmp_path}/handoff.db")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"HANDOFF_CRM": "hubsppot"},
            "handoff: HANDOFF_CRM: unknown CRM 'hubsppot'; did you mean 'hubspot'?",
        ),
        ({"HANDOFF_CRM": ""}, "handoff: HANDOFF_CRM: not set; choose hubspot, memory"),
        ({"HANDOFF_CRM": "salesforce"}, "handoff: HANDOFF_CRM: the salesforce connector is not available"),
        (
            {"HANDOFF_POLICY": "/nowhere/policy.toml"},
            "handoff: HANDOFF_POLICY: /nowhere/policy.toml: cannot read the policy",
        ),
        (
            {"HANDOFF_DATABASE_URL": "mysql://db/handoff"},
            "handoff: HANDOFF_DATABASE_URL: unsupported database 'mysql'",
        ),
        ({"HANDOFF_DATABASE_URL": "not a url"}, "handoff: HANDOFF_DATABASE_URL: not a database URL"),
        (
            {"HANDOFF_DATABASE_URL": "postgresql+psycopg://handoff:hunter2@127.0.0.1:1/nowhere"},
            "handoff: HANDOFF_DATABASE_URL: cannot connect to postgresql+psycopg://handoff:***@127.0.0.1:1/nowhere",
        ),
        (
            {"HANDOFF_CYCLE_SECONDS": "-5"},
            "handoff: HANDOFF_CYCLE_SECONDS: Input should be greater than 0 (got '-5')",
        ),
        ({"HANDOFF_HTTP_PORT": "http"}, "handoff: HANDOFF_HTTP_PORT: Input should be a valid integer"),
        (
            {"HANDOFF_DATABASE_URL": "sqlite:////nowhere/at/all/handoff.db"},
            "handoff: HANDOFF_DATABASE_URL: the folder /nowhere/at/all does not exist",
        ),
        (
            {"HANDOFF_GO_LIVE_AT": "2026-12-07T09:00:00"},
            "handoff: HANDOFF_GO_LIVE_AT: Input should have timezone",
        ),
    ],
)
def test_a_bad_setting_stops_the_start_with_one_line(
    base_env: dict[str, str], change: dict[str, str], expected: str
) -> None:
    done = run(["sync"], {**base_env, **change}, timeout=60)

    assert done.returncode == 78
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(expected), lines[0]
    assert "hunter2" not in done.stderr + done.stdout


def test_an_invalid_policy_names_each_problem_with_its_line(base_env: dict[str, str], tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[policy]\nname = 1\n")

    done = run(["sync"], {**base_env, "HANDOFF_POLICY": str(policy)}, timeout=60)

    assert done.returncode == 78
    assert f"{policy}:2: policy.name: Input should be a valid string (got 1)" in done.stderr


def test_a_missing_crm_setting_says_what_to_choose(base_env: dict[str, str]) -> None:
    env = {k: v for k, v in base_env.items() if k != "HANDOFF_CRM"}

    done = run(["sync"], env, timeout=60)

    assert done.returncode == 78
    assert done.stderr.strip() == "handoff: HANDOFF_CRM: not set; choose hubspot, memory"


def test_secrets_are_refused_in_the_settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "handoff.toml"
    config.write_text('crm = "hubspot"\n[hubspot]\ntoken = "pat-na1-123"\n')
    monkeypatch.setenv("HANDOFF_CONFIG", str(config))

    with pytest.raises(SettingsError, match="token: secrets belong in the environment") as refused:
        HubSpotSettings.load()
    assert "pat-na1-123" not in str(refused.value)


def test_a_secret_can_come_from_a_file_and_never_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "token"
    secret.write_text("pat-na1-0000-secret\n")
    monkeypatch.setenv("HANDOFF_HUBSPOT_TOKEN_FILE", str(secret))

    settings = HubSpotSettings.load()

    assert isinstance(settings, HubSpotSettings)
    assert settings.token is not None
    assert settings.token.get_secret_value() == "pat-na1-0000-secret"
    assert "pat-na1" not in repr(settings)


def test_the_settings_file_is_read_below_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "handoff.toml"
    config.write_text('crm = "memory"\ncycle_seconds = 12\n')
    monkeypatch.setenv("HANDOFF_CONFIG", str(config))
    monkeypatch.setenv("HANDOFF_CYCLE_SECONDS", "7")

    settings = load_settings()

    assert settings.crm == "memory"
    assert settings.cycle_seconds == 7


def test_no_database_is_left_behind_by_a_configuration_error(
    base_env: dict[str, str], tmp_path: Path
) -> None:
    done = run(["sync"], {**base_env, "HANDOFF_POLICY": "/nowhere/policy.toml"}, timeout=60)

    assert done.returncode == 78
    assert not (tmp_path / "handoff.db").exists()


@pytest.mark.parametrize("command", [["status"], ["explain", "someone@example.com"]])
def test_a_read_only_command_never_creates_a_database(
    base_env: dict[str, str], tmp_path: Path, command: list[str]
) -> None:
    done = run(command, base_env, timeout=60)

    assert done.returncode == 78
    assert "no database at" in done.stderr
    assert not (tmp_path / "handoff.db").exists()


def test_a_misspelt_variable_is_named_with_the_setting_meant(base_env: dict[str, str]) -> None:
    done = run(
        ["sync"], {**base_env, "HANDOFF_LOOKBAK_SECONDS": "10", "HANDOFF_TEST_ANYTHING": "x"}, timeout=60
    )

    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        "handoff: warning: HANDOFF_LOOKBAK_SECONDS is not a handoff setting and is ignored; "
        "did you mean 'HANDOFF_LOOKBACK_SECONDS'?"
    ]
