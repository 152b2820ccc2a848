"""``/cx`` through the real app over HTTP with signed requests and the Slack emulator."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.cx.registry import SUBCOMMANDS
from bot.listeners import commands as command_listener
from storage.alerts import queue_alert, take_alert
from storage.db import open_db
from storage.responses import ResponseRow, insert_responses
from storage.timestamps import to_db
from tests.scenarios.harness import RunningServer, slash

ADMIN = "U0ADMIN01"
GROUP_ADMIN = "U01ALICE"  # member of the emulator's default user group S01CXTEAM
AGENT_DANA = "U0DANA001"
NOBODY = "U0NOBODY1"
HEBREW = "הנציג לא חזר אליי, ממש מאכזב"
PERSIAN = "پشتیبانی خیلی کند بود و می‌خواستم پولم را پس بگیرم"
CHINESE = "客服态度很好，但是问题拖了三天才解决。"


def seed(db_path) -> None:
    """NPS last 30 days: billing 10,10,9,3 (dana) · technical 8,2,1 (omar); before: 9,9."""
    db = open_db(db_path)
    now = datetime.now(UTC)
    rows, labels = [], []
    data = [
        ("billing", "Dana", 10, None, None, None), ("billing", "Dana", 10, "Fast and kind, thanks!", "positive", ("response_speed", "agent_friendliness")),
        ("billing", "Dana", 9, None, None, None), ("billing", "Dana", 3, HEBREW, "negative", ("communication",)),
        ("technical", "Omar", 8, CHINESE, "neutral", ("response_speed", "resolution")), ("technical", "Omar", 2, PERSIAN, "negative", ("response_speed", "billing_pricing")),
        ("technical", "Omar", 1, "Still broken. Third time I explain it.", "negative", ("resolution", "customer_effort")),
    ]  # fmt: skip
    for i, (team, agent, score, comment, sentiment, themes) in enumerate(data):
        at = to_db(now - timedelta(days=2, minutes=i))
        rows.append(
            ResponseRow(
                "nps",
                score,
                at,
                ticket_ref=f"N{i}",
                comment=comment,
                team=team,
                agent=agent,
                customer="emma@example.com" if score <= 3 else f"c{i}@example.com",
            )
        )
        labels.append((sentiment, themes))
    for i, score in enumerate((9, 9)):
        rows.append(
            ResponseRow(
                "nps",
                score,
                to_db(now - timedelta(days=40, minutes=i)),
                ticket_ref=f"P{i}",
                team="billing",
                agent="Dana",
            )
        )
    insert_responses(db, rows)
    ids = {r[0]: r[1] for r in db.execute("SELECT ticket_ref, id FROM responses")}
    for i, (sentiment, themes) in enumerate(labels):
        if sentiment:
            db.execute(
                "INSERT INTO classifications (response_id, sentiment, sentiment_confidence, language, model_version, classified_at) VALUES (?, ?, 0.9, 'en', 'test', ?)",
                [ids[f"N{i}"], sentiment, to_db(now)],
            )
            for theme in themes:
                db.execute(
                    "INSERT INTO comment_themes (response_id, theme, confidence) VALUES (?, ?, 0.8)",
                    [ids[f"N{i}"], theme],
                )
    db.execute(
        "INSERT INTO tickets (source, external_id, agent_name, agent_slack_id, updated_at) VALUES ('generic', 'T-dana', 'Dana', ?, 'x')",
        [AGENT_DANA],
    )
    db.close()


@pytest.fixture
def cx(settings_for, emulator):
    settings = settings_for(admins=f"{ADMIN},S01CXTEAM")
    seed(settings.db_path)
    running = RunningServer(settings).start()

    def run(text: str, user: str = ADMIN, channel: str = "C01GENERAL"):
        reply = running.slack(
            slash(text, user, emulator.response_url(), channel), "application/x-www-form-urlencoded"
        )
        assert reply.status == 200, reply.body
        return reply.json() if reply.body else {}

    run.server = running
    yield run
    running.stop()


def text_of(message: dict) -> str:
    return json.dumps(message.get("blocks", []), ensure_ascii=False) + message.get("text", "")


def test_help_alone_and_explicit(cx):
    for text in ("", "help"):
        message = cx(text)
        assert message["response_type"] == "ephemeral"
        assert "/cx nps|csat|ces" in text_of(message) and "Examples" in text_of(message)
        missing = [n for n in (*SUBCOMMANDS, "digest") if n != "help" and n not in text_of(message)]
        assert not missing, f"help does not mention {missing}"
    assert "digest" in text_of(cx("npx"))  # the unknown-subcommand hint lists it too


def test_nps_with_interval_buckets_delta_rate_and_small_sample(cx):
    message = cx("nps 30d")
    body = text_of(message)
    # 3 promoters (10,10,9), 1 passive (8), 3 detractors (3,2,1) of 7 → 0; before: 9,9 → 100
    assert "NPS 0" in body and "▼ −100" in body
    assert "95% CI" in body and "n = 7" in body
    assert "Promoters 3" in body and "Detractors 3" in body
    assert "Response rate" in body and "Small sample" in body


def test_filters_and_public(cx):
    message = cx("public nps 30d team=billing")
    assert message["response_type"] == "in_channel"
    assert "NPS 50" in text_of(message) and "team=billing" in text_of(message)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("nps fortnight", "don't know what 'fortnight' means"),
        ("npx", "unknown subcommand"),
        ("comments score<=99", "outside"),
        ("nps team=", "needs a value"),
    ],
)
def test_bad_syntax_answers_with_a_usage_hint(cx, text, problem):
    body = text_of(cx(text))
    assert problem in body and "Usage" in body and "Traceback" not in body


def test_the_word_payload_in_a_command_is_just_a_word(cx):
    """Bolt took any form body containing "payload" for an interactive payload (404)."""
    body = text_of(cx("nps payload"))
    assert "don't know what 'payload' means" in body and "Usage" in body
    assert "tag=payload" in text_of(cx("nps 30d tag=payload"))


def test_team_filter_ignores_case_and_refuses_unknown_teams(cx):
    assert "NPS 50" in text_of(cx("nps 30d team=Billing"))
    typo = text_of(cx("nps 30d team=biling"))
    assert "no tickets or answers from team='biling'; teams: billing, technical" in typo
    assert "Usage" in typo


def test_theme_filter_takes_a_label_or_word_and_refuses_unknown_themes(cx):
    by_word = text_of(cx("comments theme=speed"))
    assert "Fast and kind, thanks!" in by_word and "Still broken" not in by_word
    unknown = text_of(cx("comments theme=shipping"))
    assert "'shipping' is not a theme" in unknown and "billing_pricing" in unknown
    assert "Usage" in unknown and "No comments match" not in unknown
    assert "more than one theme" in text_of(cx("comments theme=agent"))


def test_agents_leaderboard_is_for_admins(cx):
    denied = text_of(cx("agents 30d", user=NOBODY))
    assert ":lock:" in denied and "CXBOT_ADMINS" in denied
    for admin in (ADMIN, GROUP_ADMIN):
        board = text_of(cx("agents 30d", user=admin))
        assert "*Dana* — 50" in board and "*Omar* — -67" in board


def test_agents_see_their_own_numbers_only(cx):
    assert "NPS 50" in text_of(cx("nps agent=Dana", user=AGENT_DANA))
    assert "NPS 50" in text_of(cx(f"nps agent=<@{AGENT_DANA}|dana>", user=AGENT_DANA))
    assert ":lock:" in text_of(cx("nps agent=Omar", user=AGENT_DANA))
    assert "NPS -67" in text_of(
        cx("nps team=technical", user=NOBODY)
    )  # team numbers are for everyone
    assert ":lock:" in text_of(cx("customer emma@example.com", user=NOBODY))


def seed_tickets(db_path) -> None:
    """Technical, last 30 days: first responses 10/20/30 min, resolutions 1 h/2 h/30 h, one reopened;
    three CSAT surveys, two answered (5 on the 1-hour ticket, 1 on the 30-hour one).
    The 30 days before: one ticket, 1 h to first response, 5 h to resolve."""
    db = open_db(db_path)
    now = datetime.now(UTC)
    tickets = [  # (ref, days ago closed, first response, resolution, reopened)
        ("T1", 1, timedelta(minutes=10), timedelta(hours=1), 0),
        ("T2", 2, timedelta(minutes=20), timedelta(hours=2), 1),
        ("T3", 3, timedelta(minutes=30), timedelta(hours=30), 0),
        ("T0", 40, timedelta(hours=1), timedelta(hours=5), 0),
    ]
    for ref, days, first, resolution, reopened in tickets:
        closed = now - timedelta(days=days)
        db.execute(
            "INSERT INTO tickets (source, external_id, agent_name, team, created_at, first_response_at, closed_at, "
            "reopen_count, status, updated_at) VALUES ('generic', ?, 'Omar', 'technical', ?, ?, ?, ?, 'closed', ?)",
            [ref, to_db(closed - resolution), to_db(closed - resolution + first), to_db(closed), reopened, to_db(closed)],
        )  # fmt: skip
    ids = dict(
        db.execute("SELECT external_id, id FROM tickets WHERE source = 'generic'").fetchall()
    )
    for ref, score in (("T1", 5), ("T2", None), ("T3", 1)):
        sent = now - timedelta(days=int(ref[1]), minutes=-30)
        answered = to_db(sent + timedelta(minutes=5)) if score else None
        cursor = db.execute(
            "INSERT INTO surveys (ticket_id, survey_type, recipient, state, due_at, sent_at, answered_at, agent, team, "
            "created_at) VALUES (?, 'csat', ?, ?, ?, ?, ?, 'Omar', 'technical', ?)",
            [ids[ref], f"{ref}@example.com", "answered" if score else "expired", to_db(sent), to_db(sent), answered, to_db(sent)],
        )  # fmt: skip
        if score:
            db.execute(
                "INSERT INTO responses (survey_id, dedupe_key, source, ticket_ref, survey_type, score, answered_at, team, "
                "agent, created_at) VALUES (?, ?, 'generic', ?, 'csat', ?, ?, 'technical', 'Omar', ?)",
                [cursor.lastrowid, f"ops:{ref}".encode(), ref, score, answered, answered],
            )  # fmt: skip
    db.conn.commit()
    db.close()


def test_ops_shows_ticket_speed_reopens_response_rate_and_score_by_resolution_time(cx):
    seed_tickets(cx.server.settings.db_path)
    body = text_of(cx("ops 30d team=technical"))
    assert "Tickets closed: *3 (previous period 1)*" in body
    assert "Median first response: *20m 00s (previous period 1h 00m)*" in body
    assert "Median resolution: *2h 00m (previous period 5h 00m)*" in body
    assert "Reopen rate: *33.3% (previous period 0%)*" in body
    assert "Survey response rate: *66.7%* (2 of 3 surveys answered, 1 not)" in body
    assert "CSAT by resolution time" in body
    assert "• 1–4h: 100% (n = 1)" in body and "• 1–3d: 0% (n = 1)" in body
    assert "< 1h" not in body  # exactly one hour is 1–4h; buckets without answers are left out
    assert "30d · team=technical" in body
    # team numbers are for everyone, one agent's only for admins and that agent
    assert "Tickets closed: *3" in text_of(cx("ops 30d team=technical", user=NOBODY))
    assert ":lock:" in text_of(cx("ops agent=Omar", user=NOBODY))
    hint = text_of(cx("ops 30d sentiment=negative"))
    assert "sentiment= is not a filter of /cx ops" in hint and "Usage: `/cx ops" in hint


def test_themes_with_share_sentiment_and_impact(cx):
    body = text_of(cx("themes 30d"))
    assert "Response speed* — 3 comments (60%)" in body
    assert "Pulling NPS down most" in body
    # without the two resolution answers (8, 1): 3 promoters, 2 detractors of 5 → 20: impact +20
    assert "Resolution* — 2 comments (40%), sentiment -0.50" in body and "NPS impact +20" in body


def test_comments_filtered_and_non_latin_text_intact(cx):
    body = text_of(cx("comments sentiment=negative", user=NOBODY))
    for text in (HEBREW, PERSIAN):
        assert text in body
    assert CHINESE not in body
    assert "agent Omar" not in body  # agents are hidden from non-admins
    assert "agent Omar" in text_of(cx("comments sentiment=negative"))
    chinese = text_of(cx("comments theme=resolution score>=5"))
    assert CHINESE in chinese and "Still broken" not in chinese


def test_block_kit_limits_with_long_comments(cx, settings_for):
    db = open_db(cx.server.settings.db_path)
    now = datetime.now(UTC)
    insert_responses(
        db,
        [
            ResponseRow(
                "csat",
                1,
                to_db(now - timedelta(hours=i)),
                ticket_ref=f"L{i}",
                comment=("ძალიან დიდხანს ველოდე " * 300) + str(i),
            )
            for i in range(60)
        ],
    )
    message = cx("comments limit=50")
    assert len(message["blocks"]) <= 50
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in message["blocks"])
    assert "… and" in text_of(message) and "more characters" in text_of(message)


def test_trend_uploads_a_png_to_the_dm_or_the_channel(cx, emulator):
    message = cx("trend nps weeks=6", user=NOBODY)
    assert "NPS by week" in text_of(message)
    upload = emulator.wait_for("files.completeUploadExternal", timeout=15)
    [stored] = emulator.files()
    assert stored["content"][:8] == b"\x89PNG\r\n\x1a\n" and len(stored["content"]) > 2000
    assert upload["params"]["channel_id"].startswith("D")  # private: the user's DM
    assert stored["alt_txt"].startswith("Line chart: NPS by week")  # issue 16: described
    cx("public trend csat", user=NOBODY)
    emulator.wait_for(
        "files.completeUploadExternal",
        lambda c: c["params"].get("channel_id") == "C01GENERAL",
        timeout=15,
    )


def test_customer_history_and_at_risk(cx):
    history = text_of(cx("customer emma@example.com"))
    assert "3 answers" in history and HEBREW in history and PERSIAN in history
    assert "0 tickets" in history  # the seed has answers only
    one = text_of(cx("customer c0@example.com"))
    assert "0 tickets · 1 answer · 0 surveys unanswered" in one
    risky = text_of(cx("at-risk 30d"))
    assert "emma@example.com" in risky and "3 detractor answers" in risky


def test_slow_answers_follow_through_response_url(cx, emulator, monkeypatch):
    monkeypatch.setattr(command_listener, "FAST_ENOUGH", 0.0)
    message = cx("nps 30d team=billing")
    assert "Crunching" in message["text"]
    deadline = time.monotonic() + 10
    while not emulator.responses() and time.monotonic() < deadline:
        time.sleep(0.05)
    [followed] = emulator.responses()
    assert "NPS 50" in json.dumps(followed, ensure_ascii=False)


def test_app_home_shows_the_last_30_days(cx, emulator):
    server = cx.server
    db = open_db(server.settings.db_path)
    detractors = [r[0] for r in db.execute("SELECT id FROM responses WHERE score <= 3 ORDER BY id")]
    alerts = [
        queue_alert(db, response_id, "C0ALERTS", datetime.now(UTC)) for response_id in detractors
    ]
    take_alert(db, alerts[0], ADMIN, datetime.now(UTC) + timedelta(minutes=30))
    db.close()
    event = {"type": "app_home_opened", "user": NOBODY, "channel": "D0HOME", "tab": "home"}
    assert server.event(event, "EvHome1").status == 200
    publish = emulator.wait_for("views.publish")
    view = json.dumps(publish["params"]["view"], ensure_ascii=False)
    assert publish["params"]["user_id"] == NOBODY
    assert "NPS 0" in view and "Top themes" in view and "Response speed" in view
    # seed: last 30 days NPS 0 against 100 before; impact signed as in /cx themes
    assert "NPS 0*  ▼ −100 vs the 30 days before" in view
    assert re.search(r"Response speed — 3 comments, NPS impact [+-]\d", view), view
    assert (
        "*Closing the loop*: 1 of 3 detractor alerts followed up (33.3%), median time to follow-up 30m"
        in view
    )
