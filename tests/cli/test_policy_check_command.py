from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from handoff.config.loader import DEFAULT_POLICY_PATH
from handoff.sync.cli import main


def test_the_shipped_policy_checks_ok_with_a_summary() -> None:
    result = CliRunner().invoke(main, ["policy", "check", str(DEFAULT_POLICY_PATH)])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"ok: {DEFAULT_POLICY_PATH}"
    assert "MQL: fit ≥ 25 and (score ≥ 50 or a high-intent action); score = fit + behaviour" in lines
    assert any("+25  Demo request" in line and "high intent" in line for line in lines)
    assert len(lines) < 60


def test_a_broken_policy_prints_every_problem_and_fails(tmp_path: Path) -> None:
    source = DEFAULT_POLICY_PATH.read_text().replace("half_life_days = 30", "half_life_days = -30")
    source = source.replace('field = "company.employees"', 'feild = "company.employees"', 1)
    broken = tmp_path / "policy.toml"
    broken.write_text(source)

    result = CliRunner().invoke(main, ["policy", "check", str(broken)])

    assert result.exit_code == 1
    assert result.stdout == ""
    assert "fit.rule[0].feild: unknown key; did you mean 'field'?" in result.stderr
    assert "behavior.half_life_days: Input should be greater than 0 (got -30)" in result.stderr
    assert all(line.startswith(f"{broken}:") for line in result.stderr.splitlines())


def test_usage_errors_get_a_usage_message(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["policy", "check"])

    assert result.exit_code == 2
    assert "Usage: handoff policy check [OPTIONS] FILE" in result.stderr
