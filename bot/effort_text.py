"""The effort lines (AHT, contacts per resolution, one-touch) as text, for Slack and the terminal.

One place for the wording, so ``/cx ops``, ``cxbot metrics ops`` and the digest
say the same numbers the same way; "no data" (``NO_DATA``) where no ticket in
the period has the figure, never 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.formatting import NO_DATA, percent_text, score_text
from storage.effort import Effort, EffortReport
from storage.formulas import ScoreSummary
from storage.timestamps import format_duration


@dataclass(frozen=True)
class Fact:
    """One effort figure: its name, its value now and in the previous period, and each n."""

    name: str
    now: str
    n: int
    before: str | None = None
    n_before: int | None = None


def number_text(value: float | None) -> str:
    """``1.67``, ``2``: contacts per resolution as people write it."""
    return NO_DATA if value is None else f"{value:g}"


_FIGURES: tuple[tuple[str, Callable[[EffortReport], str], Callable[[EffortReport], int]], ...] = (
    (
        "Median handle time",
        lambda r: format_duration(r.median_handle_time),
        lambda r: r.handle_time_n,
    ),
    ("Mean handle time", lambda r: format_duration(r.mean_handle_time), lambda r: r.handle_time_n),
    (
        "Contacts per resolution",
        lambda r: number_text(r.contacts_per_resolution),
        lambda r: r.contacts_n,
    ),
    ("One-touch resolution", lambda r: percent_text(r.one_touch_rate), lambda r: r.one_touch_n),
)


def effort_facts(now: EffortReport, before: EffortReport | None) -> list[Fact]:
    """The four effort figures, each with the previous period's when there is one."""
    return [
        Fact(
            name,
            show(now),
            count(now),
            show(before) if before else None,
            count(before) if before else None,
        )
        for name, show, count in _FIGURES
    ]


def fact_text(fact: Fact, bold: str = "*") -> str:
    """``Median handle time: *12m 00s (previous period 15m 00s)* · n = 3 (previous 1)``."""
    value = fact.now if fact.before is None else f"{fact.now} (previous period {fact.before})"
    n = f"n = {fact.n:,}" + ("" if fact.n_before is None else f" (previous {fact.n_before:,})")
    return f"{fact.name}: {bold}{value}{bold} · {n}"


def contact_label(bucket: str) -> str:
    return "1 contact" if bucket == "1" else f"{bucket} contacts"


def by_contacts_lines(metric: str, now: Effort, before: Effort | None) -> list[str]:
    """``• 2 contacts: 50% (n = 2; previous period 100%, n = 1)`` for each bucket with answers
    in either period; empty when no answered ticket has a number of contacts."""
    previous: dict[str, ScoreSummary] = dict(before.by_contacts) if before else {}
    lines = []
    for bucket, summary in now.by_contacts:
        old = previous.get(bucket)
        if not summary.has_data and not (old and old.has_data):
            continue
        was = f"; previous period {score_text(metric, old.score)}, n = {old.n:,}" if old else ""
        lines.append(
            f"• {contact_label(bucket)}: {score_text(metric, summary.score)} (n = {summary.n:,}{was})"
        )
    return lines
