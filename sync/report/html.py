"""The report as one self-contained HTML page: charts drawn by matplotlib as inline SVG, tables,
and the health checks; no script, no font, no stylesheet or image from anywhere else, so the page
works offline and can be mailed or archived as it is.

The charts use matplotlib's object-oriented API (`Figure`, never `pyplot`): no global figure
state and no GUI backend, the way matplotlib documents embedding in a server. Text is drawn as
paths, so the SVG needs no font on the reader's machine.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from handoff.lifecycle.funnel import FIRST_TOUCH, STEPS, Segment, Step
from handoff.sync.report import Report
from handoff.sync.report.plain import (
    LIFT_HEADERS,
    LIFT_TITLE,
    STEP_LABELS,
    hours,
    lift_rows,
    money,
    pct,
    period,
)

INK = "#1f2933"
MUTED = "#7b8794"
COLOURS = ("#2f6fde", "#f29e4c", "#3bb273", "#e15554", "#7768ae", "#4d9de0")
_SVG_START = re.compile(r"^.*?(<svg\b)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)


def render_html(report: Report) -> str:
    funnel = report.funnel
    charts = [
        ("Funnel", _funnel_chart(report), "Leads that reached each stage within the window, and strictly."),
        ("Conversion by cohort", _cohort_chart(report), "MQL volume against target, and conversion."),
        ("SLA compliance", _sla_chart(report), "Clocks met on time, of those due."),
        ("First-touch time", _first_touch_chart(report), "How long MQLs waited for the owner's first touch."),
        ("Rejection reasons", _reasons_chart(report), "Why reps recycled or disqualified leads."),
        ("Source performance", _sources_chart(report.funnel.sources), "MQLs, SQLs and won deals by source."),
    ]
    checks = "".join(f'<li class="{check.level}">{html.escape(check.text)}</li>' for check in report.checks)
    figures = "".join(
        f'<figure class="chart" id="chart-{index}"><figcaption><h2>{html.escape(title)}</h2>'
        f"<p>{html.escape(caption)}</p></figcaption>{svg}</figure>"
        for index, (title, svg, caption) in enumerate(charts, start=1)
    )
    said = (
        f"{period(funnel)}, as of {funnel.now:%Y-%m-%d %H:%M} UTC · {funnel.leads} leads · conversion "
        f"within {funnel.window_days:g} days of MQL · revenue {money(funnel.revenue)}"
    )
    return PAGE.format(
        page_title=html.escape(f"{report.title} — funnel report"),
        title=html.escape(report.title),
        period=html.escape(said),
        checks=checks,
        figures=figures,
        tables=_tables(report),
    )


# ---------------------------------------------------------------------------------------------
# Charts


def new_figure(width: float = 6.4, height: float = 3.4) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    figure.patch.set_alpha(0)
    return figure


def svg_of(figure: Figure) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    # The XML prolog and the RDF metadata block mean nothing inside an HTML page.
    return _METADATA.sub("", _SVG_START.sub(r"\1", out.getvalue(), count=1), count=1)


def style_axes(axes: Axes, *, counts: str = "") -> None:
    """Light axes; `counts` ("x" or "y") names the axis of counts, which gets whole ticks."""
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(colors=INK)
    for name in counts:
        (axes.xaxis if name == "x" else axes.yaxis).set_major_locator(MaxNLocator(integer=True))


def empty_chart(figure: Figure, text: str) -> str:
    axes = figure.add_subplot()
    axes.axis("off")
    axes.text(0.5, 0.5, text, ha="center", va="center", color=MUTED)
    return svg_of(figure)


def _funnel_chart(report: Report) -> str:
    total = report.funnel.total
    figure = new_figure()
    if total.mqls == 0:
        return empty_chart(figure, "No MQLs in the period")
    axes = figure.add_subplot()
    labels = [STEP_LABELS[step] for step in STEPS][::-1]
    reached = [total.reached.of(step) for step in STEPS][::-1]
    strict = [total.strict.of(step) for step in STEPS][::-1]
    axes.barh(labels, reached, color=COLOURS[0], label="reached")
    axes.barh(labels, strict, color=COLOURS[1], height=0.4, label="strict (through every stage)")
    for y, value in enumerate(reached):
        share = pct(value / total.mqls)
        axes.text(value, y, f"  {value} ({share})", va="center", color=INK, fontsize=9)
    axes.set_xlim(0, max(reached) * 1.25)
    axes.set_xlabel("leads")
    axes.legend(loc="lower right", frameon=False, fontsize=8)
    style_axes(axes, counts="x")
    return svg_of(figure)


def _cohort_chart(report: Report) -> str:
    cohorts = report.funnel.cohorts
    figure = new_figure(6.4, 3.8)
    if not cohorts:
        return empty_chart(figure, "No cohorts in the period")
    volume, rates = figure.subplots(1, 2)
    months = [cohort.month for cohort in cohorts]
    volume.bar(months, [cohort.mqls for cohort in cohorts], color=COLOURS[0], label="MQLs")
    targets = [cohort.target for cohort in cohorts]
    if any(target is not None for target in targets):
        volume.plot(
            months, [t or 0 for t in targets], "_", markersize=28, mew=3, color=COLOURS[3], label="target"
        )
    volume.set_title("MQL volume", fontsize=10, color=INK)
    volume.set_ylim(0, max(1, *(cohort.mqls for cohort in cohorts), *(t or 0 for t in targets)) * 1.3)
    volume.legend(frameon=False, fontsize=8, loc="upper left")
    for step, colour in ((Step.SAL, COLOURS[1]), (Step.SQL, COLOURS[2]), (Step.WON, COLOURS[4])):
        values = [(cohort.reached.rate(step) or 0) * 100 for cohort in cohorts]
        rates.plot(months, values, marker="o", color=colour, label=f"MQL→{STEP_LABELS[step]}")
    rates.axhspan(20, 30, color=COLOURS[2], alpha=0.12, label="healthy MQL→SQL")
    rates.set_ylim(0, 100)
    rates.set_ylabel("% of the cohort's MQLs")
    rates.set_title("Conversion within the window", fontsize=10, color=INK)
    rates.legend(frameon=False, fontsize=7)
    for axes, counts in ((volume, "y"), (rates, "")):
        axes.tick_params(axis="x", labelrotation=45, labelsize=8)
        style_axes(axes, counts=counts)
    return svg_of(figure)


def _sla_chart(report: Report) -> str:
    rows = [row for row in report.funnel.sla if row.team is None and row.rep is None]
    figure = new_figure()
    if not rows:
        return empty_chart(figure, "No SLA clocks in the period")
    axes = figure.add_subplot()
    names = [row.clock.replace("_", " ") for row in rows]
    on_time = [row.on_time for row in rows]
    late = [row.late for row in rows]
    breached = [row.breached for row in rows]
    axes.barh(names, on_time, color=COLOURS[2], label="on time")
    axes.barh(names, late, left=on_time, color=COLOURS[1], label="late")
    axes.barh(
        names,
        breached,
        left=[a + b for a, b in zip(on_time, late, strict=True)],
        color=COLOURS[3],
        label="breached",
    )
    for y, row in enumerate(rows):
        axes.text(row.resolved, y, f"  {pct(row.compliance)}", va="center", color=INK, fontsize=9)
    axes.set_xlim(0, max(1, *(row.resolved for row in rows)) * 1.2)
    axes.set_xlabel("clocks due")
    axes.legend(loc="lower right", frameon=False, fontsize=8)
    style_axes(axes, counts="x")
    return svg_of(figure)


def _first_touch_chart(report: Report) -> str:
    buckets = report.funnel.first_touch_buckets
    figure = new_figure()
    if not any(count for _, count in buckets):
        return empty_chart(figure, "No first touch measured in the period")
    axes = figure.add_subplot()
    labels = [label for label, _ in buckets]
    colours = [COLOURS[0]] * (len(buckets) - 1) + [COLOURS[3]]
    axes.bar(labels, [count for _, count in buckets], color=colours)
    row = report.funnel.sla_for(FIRST_TOUCH)
    if row is not None:
        axes.set_title(
            f"median {hours(row.median_hours)}, p90 {hours(row.p90_hours)}, within SLA {pct(row.compliance)}",
            fontsize=9,
            color=MUTED,
        )
    axes.set_ylabel("MQLs")
    axes.tick_params(axis="x", labelsize=8)
    style_axes(axes, counts="y")
    return svg_of(figure)


def _reasons_chart(report: Report) -> str:
    reasons = report.funnel.reasons
    figure = new_figure()
    if not reasons:
        return empty_chart(figure, "No rejections in the period")
    axes = figure.add_subplot()
    labels = [report.reason_label(reason.code) for reason in reasons][::-1]
    shares = [reason.share * 100 for reason in reasons][::-1]
    colours = [COLOURS[1] if r.outcome == "recycled" else COLOURS[3] for r in reasons][::-1]
    axes.barh(labels, shares, color=colours)
    for y, reason in enumerate(reasons[::-1]):
        axes.text(reason.share * 100, y, f"  {pct(reason.share)} ({reason.count})", va="center", fontsize=9)
    axes.set_xlim(0, 115)
    axes.set_xlabel("% of rejections (orange: recycled, red: disqualified)")
    style_axes(axes)
    return svg_of(figure)


def _sources_chart(sources: Sequence[Segment]) -> str:
    figure = new_figure()
    if not sources:
        return empty_chart(figure, "No sources in the period")
    axes = figure.add_subplot()
    shown = list(sources[:8])
    names = [segment.value for segment in shown]
    width = 0.27
    for offset, (label, step, colour) in enumerate(
        (("MQLs", Step.MQL, COLOURS[0]), ("SQLs", Step.SQL, COLOURS[2]), ("won", Step.WON, COLOURS[4]))
    ):
        positions = [index + (offset - 1) * width for index in range(len(shown))]
        axes.bar(positions, [segment.reached.of(step) for segment in shown], width, color=colour, label=label)
    axes.set_xticks(range(len(shown)), names, rotation=30, ha="right", fontsize=8)
    axes.set_ylabel("leads")
    axes.legend(frameon=False, fontsize=8)
    style_axes(axes, counts="y")
    return svg_of(figure)


# ---------------------------------------------------------------------------------------------
# Tables


def html_table(headers: Sequence[str], rows: Sequence[Sequence[object]], caption: str) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows
    )
    return (
        f"<table><caption>{html.escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _tables(report: Report) -> str:
    funnel = report.funnel
    window = f"{funnel.window_days:g}"
    cohorts = html_table(
        ["Cohort", "MQLs", "Target", *(STEP_LABELS[s] for s in STEPS[1:]), "MQL→SQL", "Strict MQL→SQL"],
        [
            [
                "All" if c.month == "all" else (c.month if c.mature else f"{c.month} (open)"),
                c.mqls,
                "—" if c.target is None else f"{c.target} ({pct(c.of_target)})",
                *(f"{c.reached.of(s)} / {c.strict.of(s)}" for s in STEPS[1:]),
                pct(c.mql_to_sql),
                pct(c.strict.rate(Step.SQL)),
            ]
            for c in (*funnel.cohorts, funnel.total)
        ],
        f"Conversion by cohort, reached within {window} days (ever reached / strict)",
    )
    waits = html_table(
        ["From", "To", "Leads", "Median", "p90"],
        [
            [
                STEP_LABELS[w.from_step],
                STEP_LABELS[w.to_step],
                w.count,
                hours(w.median_hours),
                hours(w.p90_hours),
            ]
            for w in funnel.stage_times
        ],
        "Time between stages",
    )
    a = funnel.acceptance
    acceptance = html_table(
        ["Accepted", "Rejected", "Waiting", "Acceptance"],
        [[a.accepted, a.rejected, a.pending, pct(a.rate)]],
        "SAL acceptance",
    )
    sla = html_table(
        ["Clock", "Team", "Rep", "On time", "Late", "Breached", "Open", "Compliance", "Median", "p90"],
        [
            [
                row.clock,
                report.team_name(row.team) if row.team else ("" if row.rep else "all"),
                row.rep or "",
                row.on_time,
                row.late,
                row.breached,
                row.open,
                pct(row.compliance),
                hours(row.median_hours),
                hours(row.p90_hours),
            ]
            for row in funnel.sla
        ],
        "SLA compliance per clock, team and rep",
    )
    reasons = html_table(
        ["Reason", "Outcome", "Rejections", "Share"],
        [[report.reason_label(r.code), r.outcome, r.count, pct(r.share)] for r in funnel.reasons],
        "Rejection reasons",
    )
    segments = [
        _segment_table("Original source", funnel.sources, report),
        _segment_table("Campaign", funnel.campaigns, report),
        _segment_table("What made them MQL", funnel.triggers, report),
    ]
    if funnel.by is not None:
        segments.append(_segment_table(f"By {funnel.by}", funnel.segments, report))
    if funnel.rule_lift:
        segments.append(html_table(LIFT_HEADERS, lift_rows(report), LIFT_TITLE))
    return "".join([cohorts, waits, acceptance, sla, reasons, *segments])


def _segment_table(title: str, segments: Sequence[Segment], report: Report) -> str:
    return html_table(
        [
            title.removeprefix("By "),
            "MQLs",
            "SQLs",
            "Opps",
            "Won",
            "Revenue",
            "MQL→SQL",
            "Win rate",
            "Accepted",
        ],
        [
            [
                report.team_name(s.value) if s.dimension == "team" else s.value,
                s.reached.mql,
                s.reached.sql,
                s.reached.opportunity,
                s.reached.won,
                money(s.revenue),
                pct(s.mql_to_sql),
                pct(s.win_rate),
                pct(s.acceptance.rate),
            ]
            for s in segments
        ],
        f"{title} (reached by now)",
    )


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{page_title}</title>
<style>
  body {{ font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2933;
         margin: 0 auto; max-width: 1180px; padding: 24px; background: #fff; }}
  h1 {{ font-size: 22px; margin: 0 0 4px; }}
  h2 {{ font-size: 16px; margin: 0; }}
  .period {{ color: #52606d; margin: 0 0 16px; }}
  ul.health {{ list-style: none; padding: 0; margin: 0 0 20px; }}
  ul.health li {{ padding: 6px 10px; margin: 4px 0; border-left: 4px solid; border-radius: 3px; }}
  ul.health li.ok {{ border-color: #3bb273; background: #eefaf2; }}
  ul.health li.warning {{ border-color: #f29e4c; background: #fff6ec; }}
  .charts {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; }}
  figure.chart {{ margin: 0; padding: 12px; border: 1px solid #e4e7eb; border-radius: 6px; }}
  figure.chart p {{ margin: 2px 0 8px; color: #7b8794; }}
  figure.chart svg {{ width: 100%; height: auto; }}
  table {{ border-collapse: collapse; margin: 20px 0; width: 100%; }}
  caption {{ text-align: left; font-weight: 600; padding-bottom: 6px; }}
  th, td {{ padding: 4px 8px; border-bottom: 1px solid #e4e7eb; text-align: right; }}
  th:first-child, td:first-child {{ text-align: left; }}
  thead th {{ background: #f5f7fa; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p class="period">{period}</p>
<ul class="health">{checks}</ul>
<section class="charts">{figures}</section>
<section class="tables">{tables}</section>
</body>
</html>
"""
