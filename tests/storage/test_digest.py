"""Digest contents on a seeded database with known numbers: deltas, drivers, words, the loop."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.blocks.digest import digest_paragraphs
from storage.digest import MetricWeek, ThemeMove, build_digest
from storage.formulas import summarize
from storage.responses import ResponseRow, insert_responses
from storage.timestamps import to_db

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # Monday of W48: the digest reports on W47
W47 = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
W46 = datetime(2026, 11, 11, 10, 0, tzinfo=UTC)
W40 = datetime(2026, 9, 30, 10, 0, tzinfo=UTC)
PHONE_COMMENT = "Waited 5 days for a reply, call me at +40 721 123 456"
EMAIL_COMMENT = "Slow again. Write to dan.popescu@example.ro"


def seed(db) -> None:
    rows = [
        # (when, score, comment, sentiment, themes)
        (W47, 10, "Great help from Dana", "positive", ["agent_friendliness"]),
        (W47, 9, None, None, []),
        (W47, 2, PHONE_COMMENT, "negative", ["response_speed"]),
        (W47, 3, EMAIL_COMMENT, "negative", ["response_speed"]),
        (W46, 10, "Quick fix, thanks", "positive", ["response_speed"]),
        (W46, 10, "Lovely people", "positive", ["agent_friendliness"]),
        (W46, 9, None, None, []),
        (W46, 6, None, None, []),
        (W40, 9, None, None, []), (W40, 9, None, None, []), (W40, 9, None, None, []), (W40, 1, None, None, []),
    ]  # fmt: skip
    insert_responses(
        db,
        [
            ResponseRow(
                "nps",
                s,
                to_db(w + timedelta(minutes=i)),
                ticket_ref=f"T{i}",
                comment=c,
                team="billing",
            )
            for i, (w, s, c, _, _) in enumerate(rows)
        ],
    )
    for i, (_, _, _, sentiment, themes) in enumerate(rows):
        if sentiment:
            response_id = db.execute(
                "SELECT id FROM responses WHERE ticket_ref = ?", [f"T{i}"]
            ).fetchone()[0]
            db.execute(
                "INSERT INTO classifications (response_id, sentiment, model_version, classified_at) VALUES (?, ?, 't', 'x')",
                [response_id, sentiment],
            )
            for theme in themes:
                db.execute("INSERT INTO comment_themes VALUES (?, ?, 0.9)", [response_id, theme])
            if sentiment == "negative":
                owned = to_db(W47 + timedelta(hours=2)) if i == 2 else None
                db.execute(
                    "INSERT INTO alerts (response_id, channel, created_at, owner, owner_at) VALUES (?, 'C0ALERTS1', ?, ?, ?)",
                    [response_id, to_db(W47), "U0DANA001" if owned else None, owned],
                )
    db.execute(
        "INSERT INTO tickets (id, source, external_id, updated_at) VALUES (100, 'generic', 'F1', 'x')"
    )
    for n in range(2):
        db.execute(
            "INSERT INTO surveys (ticket_id, closure_seq, survey_type, recipient, state, due_at, last_error, team, created_at) VALUES (100, ?, 'nps', 'x@y.z', 'failed', ?, 'users_not_found', 'billing', 'x')",
            [n + 1, to_db(W47)],
        )


def test_digest_numbers_drivers_and_quotes(db):
    seed(db)
    digest = build_digest(db, ZoneInfo("UTC"), NOW)
    assert digest.week == "2026-W47"
    nps = digest.metrics[0]
    # W47: 10, 9, 2, 3 → 2 promoters − 2 detractors = 0 · W46: 10, 10, 9, 6 → 50
    # 12 weeks before W47 pooled: W46 + W40 (9, 9, 9, 1) → 6 promoters, 2 detractors of 8 → 50
    assert (nps.current.score, nps.previous.score, nps.baseline.score) == (0, 50, 50)
    assert (nps.vs_previous, nps.vs_baseline) == (-50, -50)
    assert digest.metrics[1].current.score is None  # no CSAT: no data, not 0
    top = digest.movers[0]
    assert top.theme == "response_speed"
    assert top.share == 66.7 and top.share_change == 16.7  # 2 of 3 classified comments vs 1 of 2
    assert top.sentiment == -1.0 and top.sentiment_change == -2.0
    assert top.impact == 100  # NPS without those two answers (10, 9) would be 100
    assert [c.score for c in digest.worst] == [2, 3] and [c.score for c in digest.best] == [10]
    assert dict(digest.failed) == {"users_not_found": 2}
    assert (digest.follow_up.detractors, digest.follow_up.followed_up) == (2, 1)
    assert digest.follow_up.median_time_to_follow_up == timedelta(hours=2)
    assert [p.label for p in digest.series][-1] == "2026-W47" and len(digest.series) == 12


def test_digest_reads_as_a_story_with_personal_data_masked(db):
    seed(db)
    text = "\n".join(
        digest_paragraphs(
            build_digest(db, ZoneInfo("UTC"), NOW), {"response_speed": "Response speed"}
        )
    )
    assert "NPS slipped (▼ −50)" in text and "biggest mover was *Response speed*" in text
    assert "*NPS 0* (small sample) — ▼ −50 vs last week, ▼ −50 vs the 12-week level of 50" in text
    assert (
        "*Response speed* came up in 66.7% of comments" in text
        and "NPS would be +100 without those answers" in text
    )
    assert "call me at [number]" in text and "Write to [email]" in text
    assert "721 123 456" not in text and "dan.popescu" not in text
    assert (
        "1 of 2 detractor alerts followed up (50%), median time to follow-up 2h 00m; 0 resolved"
        in text
    )
    assert "2 surveys could not be delivered (users_not_found ×2)" in text
    assert "Week of 2026-11-16 to 2026-11-22" in text


def _headline(digest, *movers: ThemeMove) -> str:
    return digest_paragraphs(replace(digest, movers=list(movers)), {})[1]


def test_headline_names_only_a_theme_that_moved_the_way_the_score_did(db):
    seed(db)
    digest = build_digest(db, ZoneInfo("UTC"), NOW)  # NPS slipped 50 points
    warmer = ThemeMove("billing_pricing", 10.0, -8.0, 1.0, 0.5, None, "nps")
    dragging = ThemeMove("product_quality", 30.0, 9.9, 0.3, 0.0, 4.0, "nps")
    cooler = ThemeMove("communication", 20.0, 1.0, -0.2, -0.1, None, "nps")
    assert _headline(digest, warmer, dragging).endswith("the biggest mover was *Product quality*.")
    assert _headline(digest, warmer, cooler).endswith("the biggest mover was *Communication*.")
    # came up less often: a below-average theme shrinking cannot explain a slip
    shrinking = replace(dragging, share_change=-9.9)
    assert _headline(digest, warmer, shrinking) == "NPS slipped (▼ −50)."
    text = "\n".join(digest_paragraphs(replace(digest, movers=[warmer, dragging]), {}))
    assert "sentiment +1.00 (▲ +0.50 vs last week)" in text
    # the list leads with the theme that explains the slip, then the rest
    assert text.index("*Product quality* came up") < text.index("*Billing pricing* came up")


def test_team_digest_only_counts_that_team(db):
    seed(db)
    from storage.filters import Filters

    assert build_digest(db, ZoneInfo("UTC"), NOW, Filters(team="technical")).answers == 0


def _week(metric: str, now: dict[int, int], before: dict[int, int]) -> MetricWeek:
    return MetricWeek(
        metric, summarize(metric, now), summarize(metric, before), summarize(metric, before)
    )


def test_headline_says_when_another_score_moved_the_other_way(db):
    seed(db)
    digest = replace(build_digest(db, ZoneInfo("UTC"), NOW), movers=[])
    nps_up = _week("nps", {10: 20, 0: 20}, {10: 10, 0: 30})  # −50 → 0
    csat_down = _week("csat", {5: 20, 1: 20}, {5: 28, 1: 12})  # 70% → 50%

    def headline(*metrics: MetricWeek) -> str:
        return digest_paragraphs(replace(digest, metrics=list(metrics)), {})[1]

    assert headline(nps_up, csat_down) == "NPS improved (▲ +50), but CSAT slipped (▼ −20.0 pts)."
    # a smaller counter-move (under half of the lead, for its scale) stays out of the headline
    csat_dip = _week("csat", {5: 26, 1: 14}, {5: 28, 1: 12})
    assert headline(nps_up, csat_dip) == "NPS improved (▲ +50)."
    # so does one on too few answers to trust
    csat_few = _week("csat", {5: 5, 1: 5}, {5: 28, 1: 12})
    assert headline(nps_up, csat_few) == "NPS improved (▲ +50)."
    # and a score that moved the same way
    csat_up = _week("csat", {5: 36, 1: 4}, {5: 28, 1: 12})
    assert headline(nps_up, csat_up) == "NPS improved (▲ +50)."
