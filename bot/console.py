"""Terminal rendering of metric reports with rich (the CLI's output)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich import box
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.effort_text import by_contacts_lines, effort_facts, fact_text
from bot.formatting import (
    METRIC_NAMES,
    NO_DATA,
    buckets_text,
    count_text,
    delta_text,
    headline,
    interval_text,
    local_minute,
    percent_text,
    score_text,
    secondary_lines,
    sparkline,
)
from storage.effort import Effort
from storage.formulas import ScoreSummary
from storage.metrics import Breakdown, MetricReport, SeriesPoint
from storage.operations import OperationsReport
from storage.surveys import SkipReason
from storage.timestamps import format_duration


def report_panel(report: MetricReport) -> Panel:
    """Headline score, interval, buckets, change and response rate for one period.

    Everything here is built as ``Text``, never markup strings: team, agent and
    tag names come from the helpdesk and may hold square brackets.
    """
    current = report.current
    lines = [Text(headline(current), style="bold")]
    if current.has_data:
        lines.append(Text(f"{interval_text(current)} · n={current.n:,}"))
        lines.append(Text(buckets_text(current)))
        lines.extend(Text(line) for line in secondary_lines(current))
    else:
        lines.append(Text("No answers in this period.", style="dim"))
    previous = report.previous
    if previous is not None:
        before = score_text(current.metric, previous.score)
        lines.append(
            Text(
                f"vs previous period: {delta_text(current.metric, report.delta)} (was {before}, n={previous.n:,})"
            )
        )
    rate = report.response_rate
    lines.append(
        Text(
            f"Response rate {percent_text(rate.rate)} ({rate.answered:,} answered of {rate.sent:,} sent)"
        )
    )
    if current.small_sample:
        lines.append(
            Text(
                f"⚠ Small sample (n={current.n} < 30): treat this score with caution.",
                style="yellow",
            )
        )
    title = f"{report.period.label} · {report.filters.describe()}"
    return Panel(Group(*lines), title=Text(title), expand=False)


def breakdown_table(metric: str, by: str, rows: list[Breakdown], scope: str = "") -> Table:
    """One row per team/agent/channel; the title says the period and filters it covers."""
    table = Table(title=f"{METRIC_NAMES[metric]} by {by}" + (f" · {scope}" if scope else ""))
    table.add_column(by)
    table.add_column("score", justify="right")
    table.add_column("95% CI", justify="right")
    table.add_column("n", justify="right")
    for row in rows:
        summary = row.summary
        ci = f"{summary.ci_low:g} – {summary.ci_high:g}" if summary.ci_low is not None else NO_DATA
        flag = " ⚠" if summary.small_sample else ""
        table.add_row(Text(row.key), score_text(metric, summary.score), ci, f"{summary.n:,}{flag}")
    return table


def series_table(metric: str, points: list[SeriesPoint]) -> Group:
    table = Table(title=f"{METRIC_NAMES[metric]} by ISO week")
    table.add_column("week")
    table.add_column("score", justify="right")
    table.add_column("n", justify="right")
    for point in points:
        table.add_row(point.label, score_text(metric, point.summary.score), f"{point.summary.n:,}")
    line = sparkline([p.summary.score for p in points])
    return Group(table, Text(f"trend {line}"))


def operations_table(
    report: OperationsReport,
    by_time: list[tuple[str, ScoreSummary]],
    metric: str,
    effort: Effort | None = None,
    effort_before: Effort | None = None,
) -> Group:
    """The ops facts, the score by resolution time and, given ``effort``, the effort lines
    (each beside ``effort_before``, the previous period, when there is one)."""
    facts = Table(show_header=False, title="Operations")
    facts.add_row("Tickets closed", f"{report.tickets_closed:,}")
    facts.add_row("Median first response", format_duration(report.median_first_response))
    facts.add_row("Median resolution", format_duration(report.median_resolution))
    facts.add_row("Reopen rate", percent_text(report.reopen_rate))
    buckets = Table(title=f"{METRIC_NAMES[metric]} by resolution time")
    buckets.add_column("resolved in")
    buckets.add_column("score", justify="right")
    buckets.add_column("n", justify="right")
    for label, summary in by_time:
        buckets.add_row(label, score_text(metric, summary.score), f"{summary.n:,}")
    if effort is None:
        return Group(facts, buckets)
    return Group(facts, buckets, *_effort_lines(effort, effort_before, metric))


def _effort_lines(effort: Effort, before: Effort | None, metric: str) -> list[Text]:
    """Plain lines (``Text``, never markup), worded as in ``/cx ops``."""
    facts = effort_facts(effort.report, before.report if before else None)
    contacts = by_contacts_lines(metric, effort, before) or [NO_DATA]
    return [
        Text("Effort (closed tickets whose helpdesk gave the figure)", style="bold"),
        *(Text(fact_text(fact, bold="")) for fact in facts),
        Text(f"{METRIC_NAMES[metric]} by number of contacts", style="bold"),
        *(Text(line) for line in contacts),
    ]


def print_surveys(console, rows: list[dict], tz: ZoneInfo, limit: int | None = None) -> None:
    """The outbox as a table: id, state, type, recipient, ticket, attempts, reason.

    Times are local minutes (``2026-11-23 18:24``): the stored ISO strings with
    microseconds were cut to "2026-11-23T18:2…" in an 80-column terminal.
    """
    more = " (--limit for more)" if limit is not None and len(rows) >= limit else ""
    table = Table(
        title=f"{count_text(len(rows), 'survey')}, newest first{more} · times in {tz.key}",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    for column in ("id", "state", "type", "sent or due"):
        table.add_column(column, no_wrap=True)
    table.add_column("recipient", overflow="fold", min_width=14)
    table.add_column("ticket", overflow="fold", min_width=12)
    table.add_column("tries · reason", overflow="fold", min_width=10)
    for row in rows:
        when = local_minute(row["sent_at"] or row["due_at"], tz)
        cells = (
            row["id"], row["state"], row["survey_type"], when, row["recipient"],
            f"{row['source']}:{row['ticket']}", " · ".join(str(x) for x in (row["attempts"], row.get("skip_code"), row["reason"]) if x is not None and x != ""),
        )  # fmt: skip
        table.add_row(*(Text(str(cell)) for cell in cells))  # outside text, not rich markup
    console.print(table)


def print_skip_reasons(console, reasons: list[SkipReason]) -> None:
    """Skipped surveys counted by reason code, each with its latest reason (what to do)."""
    if not reasons:
        return
    table = Table(
        title="Skipped surveys by reason (all time)",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("reason", no_wrap=True)
    table.add_column("surveys", justify="right", no_wrap=True)
    table.add_column("latest reason given", overflow="fold", min_width=20)
    for reason in reasons:
        table.add_row(reason.code, f"{reason.count:,}", Text(reason.latest_reason or ""))
    console.print(table)


def print_failed_writebacks(console, rows: list[dict], tz: ZoneInfo) -> None:
    """Scores that could not be written back to their tickets, newest first, with the reason."""
    if not rows:
        return
    table = Table(
        title=f"Write-backs that failed: {count_text(len(rows), 'answer revision')}, newest first",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    for column in ("survey", "revision", "queued", "tries"):
        table.add_column(column, no_wrap=True)
    table.add_column("ticket", overflow="fold", min_width=12)
    table.add_column("reason", overflow="fold", min_width=20)
    for row in rows:
        cells = (
            row["survey_id"], row["revision"], local_minute(row["created_at"], tz), row["attempts"],
            f"{row['source']}:{row['ticket_ref']}", row["reason"] or "",
        )  # fmt: skip
        table.add_row(*(Text(str(cell)) for cell in cells))
    console.print(table)
