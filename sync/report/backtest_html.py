"""A backtest as one self-contained page: the two policies side by side in charts and tables, the
reclassified leads with why, and when the new policy would have flagged the leads later won.

Drawn like the funnel report (`sync.report.html`): matplotlib's object-oriented API to inline
SVG, nothing loaded from anywhere else.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from handoff.lifecycle.backtest import Reclassified
from handoff.sync.backtest import BacktestRun
from handoff.sync.backtest_view import FIGURES, reasons_text, shown
from handoff.sync.report.html import COLOURS, PAGE, html_table, new_figure, style_axes, svg_of

SAMPLE = 50


def render_backtest_html(run: BacktestRun, notes: Sequence[str] = ()) -> str:
    result = run.result
    days = (result.end - result.start).days
    source = f"leads that came in over the {days} days to {result.end:%Y-%m-%d}" if days else "a CRM export"
    said = f"{run.considered:,} leads ({result.current.won_leads:,} won) from {source}; " + (
        f"{result.changes:,} reclassified"
        if result.changes
        else "the new policy makes exactly the same leads MQL"
    )
    charts = [
        (
            "MQLs and what became of them",
            _outcomes_chart(run),
            "Each policy's MQLs, SQLs (within 30 days) and won.",
        ),
        ("Quality of the MQL decision", _quality_chart(run), "Precision and recall against won leads."),
    ]
    figures = "".join(
        f'<figure class="chart" id="chart-{index}"><figcaption><h2>{html.escape(title)}</h2>'
        f"<p>{html.escape(caption)}</p></figcaption>{svg}</figure>"
        for index, (title, svg, caption) in enumerate(charts, start=1)
    )
    checks = "".join(f'<li class="ok">{html.escape(line)}</li>' for line in notes)
    title = html.escape(f"Backtest: {result.new.policy_version} against {result.current.policy_version}")
    return PAGE.format(
        page_title=title,
        title=title,
        period=html.escape(said),
        checks=checks,
        figures=figures,
        tables=_tables(run),
    )


def _outcomes_chart(run: BacktestRun) -> str:
    result = run.result
    figure = new_figure()
    axes = figure.add_subplot()
    labels = ["MQL", "SQL", "won"]
    width = 0.38
    for offset, (side, colour) in enumerate(((result.current, COLOURS[0]), (result.new, COLOURS[1]))):
        values = [side.mql, side.sql, side.won]
        positions = [n + (offset - 0.5) * width for n in range(len(labels))]
        bars = axes.bar(positions, values, width, color=colour, label=side.policy_version)
        axes.bar_label(bars, labels=[f"{value:,}" for value in values], padding=2)
    axes.set_xticks(range(len(labels)), labels)
    axes.legend(frameon=False)
    style_axes(axes, counts="y")
    return svg_of(figure)


def _quality_chart(run: BacktestRun) -> str:
    result = run.result
    figure = new_figure()
    axes = figure.add_subplot()
    labels = ["precision", "recall"]
    width = 0.38
    for offset, (side, colour) in enumerate(((result.current, COLOURS[0]), (result.new, COLOURS[1]))):
        values = [(side.precision or 0.0) * 100, (side.recall or 0.0) * 100]
        positions = [n + (offset - 0.5) * width for n in range(len(labels))]
        bars = axes.bar(positions, values, width, color=colour, label=side.policy_version)
        axes.bar_label(bars, labels=[f"{value:.0f}%" for value in values], padding=2)
    axes.set_xticks(range(len(labels)), labels)
    axes.set_ylim(0, 110)
    axes.set_ylabel("%")
    axes.legend(frameon=False)
    style_axes(axes)
    return svg_of(figure)


def _tables(run: BacktestRun) -> str:
    result = run.result
    figures = html_table(
        ["", f"current ({result.current.policy_version})", f"new ({result.new.policy_version})"],
        [
            [label, shown(kind, value(result.current)), shown(kind, value(result.new))]
            for _, label, kind, value in FIGURES
        ],
        "The two policies",
    )
    timing = result.won_timing
    flagged = html_table(
        ["won leads", "count"],
        [
            ["flagged earlier by the new policy", timing.earlier],
            ["flagged later", timing.later],
            ["flagged at the same time", timing.same],
            ["only by the new policy", timing.only_new],
            ["only by the current one", timing.only_current],
            ["by neither", timing.neither],
            [
                "median days earlier",
                "-" if timing.median_days_earlier is None else f"{timing.median_days_earlier:g}",
            ],
        ],
        "When the leads later won were flagged",
    )
    # An export has no dates: no lead can be flagged earlier or later.
    dated = result.end > result.start
    return (
        figures
        + (flagged if dated else "")
        + _leads("Would become MQL", result.became_mql)
        + _leads("Would no longer be MQL", result.no_longer_mql)
    )


def _leads(title: str, leads: Sequence[Reclassified]) -> str:
    if not leads:
        return ""
    more = (
        f" (first {SAMPLE} of {len(leads):,}; the JSON lists all)"
        if len(leads) > SAMPLE
        else f" ({len(leads):,})"
    )
    return html_table(
        ["lead", "when (UTC)", "won", "why"],
        [
            [
                lead.contact_id,
                f"{lead.at:%Y-%m-%d %H:%M}",
                "yes" if lead.won else "",
                reasons_text(lead.reasons),
            ]
            for lead in leads[:SAMPLE]
        ],
        title + more,
    )
