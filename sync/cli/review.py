"""`handoff review [--sample 25] [--out FILE]` and `handoff review score FILE`: the 20-lead test."""

from __future__ import annotations

from pathlib import Path

import click

from handoff.lifecycle.agreement import Agreement
from handoff.sync.cli.context import runtime_or_exit
from handoff.sync.review import SheetError, review_sheet, score_sheet, write_sheet

# Below this kappa the two sides do not share the definition yet (the usual reading of kappa).
SHARED_KAPPA = 0.6


@click.group("review", invoke_without_command=True)
@click.option(
    "--sample", default=25, show_default=True, type=click.IntRange(2, 500), help="Leads on the sheet."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=Path("review.csv"),
    show_default=True,
    help="The sheet to fill in (CSV); the same as a page beside it (.html).",
)
@click.pass_context
def review_command(ctx: click.Context, sample: int, out: Path) -> None:
    """Write a sheet of recent leads for marketing and sales to classify (the 20-lead test).

    Half are leads handoff made MQL, half are not; each has handoff's classification, the rules
    that fired and why, and empty marketing and sales columns for yes or no. Score the filled-in
    sheet with `handoff review score FILE`.
    """
    if ctx.invoked_subcommand is not None:
        return
    if out.suffix.lower() != ".csv":
        raise click.BadParameter("the sheet is a CSV file: give a name ending in .csv", param_hint="--out")
    rt = runtime_or_exit(read_only=True)
    rows = review_sheet(rt, sample)
    if not rows:
        click.echo("handoff: no decided leads in the store yet (run `handoff sync` first)", err=True)
        raise SystemExit(1)
    sheet, page = write_sheet(rows, out)
    mql = sum(1 for row in rows if row["handoff"] == "MQL")
    click.echo(f"{len(rows)} leads ({mql} MQL, {len(rows) - mql} not) written to {sheet} and {page}")


@review_command.command("score")
@click.argument("sheet", type=click.Path(dir_okay=False, path_type=Path))
def score_command(sheet: Path) -> None:
    """How far marketing, sales and handoff agree on a filled-in review sheet (rate and kappa)."""
    try:
        scored = score_sheet(sheet)
    except SheetError as error:
        click.echo(f"handoff: {error}", err=True)
        raise SystemExit(1) from error
    # Plain lines, never wrapped: they are read in a meeting and pasted into its notes.
    for problem in scored.problems:
        click.echo(f"{problem} (not scored)")
    if scored.unscored:
        click.echo(f"{scored.unscored} leads lack a verdict from both teams and are not scored")
    for pair, found in scored.pairs.items():
        click.echo(f"{pair}: {_agreement(found)}")
    if scored.disagreements:
        click.echo(f"Disagreements: {len(scored.disagreements)}")
        for lead in scored.disagreements:
            said = ", ".join(
                f"{rater} {'yes' if verdict else 'no'}" for rater, verdict in lead.verdicts.items()
            )
            click.echo(f"  {lead.contact_id}: {said}; rules: {lead.rules or 'none fired'}")


def _agreement(found: Agreement) -> str:
    if found.rate is None:
        return "no lead has both verdicts"
    text = f"{found.agreed} of {found.leads} alike ({found.rate:.0%})"
    if found.kappa is None:
        return text + ", kappa undefined (every verdict the same)"
    verdict = (
        "the definition is shared" if found.kappa >= SHARED_KAPPA else "the definition is not shared yet"
    )
    return text + f", kappa {found.kappa:.2f}: {verdict}"
