"""The digest's effort line: this week's handle time, contacts and one-touch beside last week's."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.blocks.digest import digest_paragraphs
from storage.db import open_db
from storage.digest import build_digest
from storage.filters import Filters
from tests.effort_data import seed_effort

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # Monday of W48: the digest reports on W47
W47_END = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
W46_END = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)


def test_digest_has_a_short_effort_line_beside_last_week(tmp_path):
    db = open_db(tmp_path / "cxbot.db")
    seed_effort(db, W47_END, W46_END)
    digest = build_digest(db, ZoneInfo("UTC"), NOW, Filters(team="technical"))
    line = next(p for p in digest_paragraphs(digest, {}) if p.startswith("*Effort*"))
    assert line == (
        "*Effort*: median handle time 20m 00s (last week 35m 00s) · "
        "contacts per resolution 2.5 (last week 2) · one-touch 50% (last week 0%)."
    )


def test_no_effort_line_when_no_ticket_has_a_figure(tmp_path):
    db = open_db(tmp_path / "cxbot.db")
    digest = build_digest(db, ZoneInfo("UTC"), NOW)
    assert digest.effort is not None and not digest.effort.has_data
    assert not any(p.startswith("*Effort*") for p in digest_paragraphs(digest, {}))
