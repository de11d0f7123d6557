"""Option types shared by the commands."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from handoff.config.loader import DEFAULT_POLICY_PATH, PolicyError, load_policy
from handoff.config.policy import Policy


class IsoTime(click.ParamType[datetime]):
    """An ISO-8601 instant with its offset; a bare local time would make decisions ambiguous."""

    name = "ISO-8601"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not an ISO-8601 time such as 2026-11-29T14:00:00Z", param, ctx)
        if parsed.tzinfo is None:
            self.fail(f"{value!r} has no time zone; add Z or an offset such as +01:00", param, ctx)
        return parsed


def policy_option() -> click.Option:
    return click.Option(
        ["--policy", "policy_path"],
        type=click.Path(dir_okay=False, path_type=Path),
        default=DEFAULT_POLICY_PATH,
        show_default="the shipped config/policy.toml",
        help="Policy file (the revenue contract).",
    )


def load_policy_or_exit(path: Path) -> Policy:
    try:
        return load_policy(path)
    except PolicyError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from error
