"""Ninety days of believable support history for the demo database.

Comments come from ``comments.jsonl`` beside this module: 400 customer
comments in six languages written for the demo and kept out of the model's
training corpus (``tests/test_demo.py`` checks), so the themes and sentiment the
demo shows are the model's real work on text it never saw. Each answer gets a
comment of its survey type and score.  The technical
team's response times worsen over the last three weeks, and its scores and
comments follow, so the digest has a story to tell.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources

from sqlite_utils import Database

from storage.customers import is_detractor
from storage.sample_data import SURVEY_MIX
from storage.survey_types import SURVEYS
from storage.timestamps import parse_timestamp, to_db

TEAMS = {
    "billing": ("Dana Levi", "Ion Popescu", "Mina Rahimi", "Sam Carter"),
    "technical": ("Omar Haddad", "Nino Beridze", "Li Wei", "Jonas Berg"),
    "onboarding": ("Aisha Khan", "Tom Hughes", "Noa Cohen", "Ana Ionescu"),
    "enterprise": ("Giorgi Kapanadze", "Sara Amini", "Chen Jing", "Maria Santos"),
}
# How the demo comments write each agent's name (they were written apart from the roster).
NAME_FORMS = {
    "Dana Levi": ("Dana", "דנה"), "Ion Popescu": ("Ion",), "Mina Rahimi": ("Mina", "مینا"),
    "Sam Carter": ("Sam",), "Omar Haddad": ("Omar", "عمر"), "Nino Beridze": ("Nino", "ნინო"),
    "Li Wei": ("Li Wei", "李伟"), "Jonas Berg": ("Jonas",), "Aisha Khan": ("Aisha",),
    "Tom Hughes": ("Tom",), "Noa Cohen": ("Noa", "נועה"), "Ana Ionescu": ("Ana",),
    "Giorgi Kapanadze": ("Giorgi", "გიორგი"), "Sara Amini": ("Sara", "سارا"),
    "Chen Jing": ("Chen Jing", "陈静"), "Maria Santos": ("Maria",),
}  # fmt: skip
CHANNELS = ("email", "chat", "slack", "web")
TAGS = (
    "refund",
    "login",
    "bug",
    "how-to",
    "invoice",
    "outage",
    "vip",
    "api",
    "mobile-app",
    "upgrade",
)
LANGUAGE_MIX = (("en", 0.6), ("he", 0.08), ("zh", 0.08), ("ro", 0.08), ("ka", 0.08), ("fa", 0.08))


@dataclass(frozen=True)
class CorpusComment:
    text: str
    lang: str
    survey: str
    score: int
    themes: tuple[str, ...]


def demo_comments() -> list[CorpusComment]:
    """The demo's comments (``comments.jsonl``, the corpus format), never trained on."""
    source = resources.files("bot.demo") / "comments.jsonl"
    rows = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line]
    return [
        CorpusComment(
            row["text"], row["lang"], row["survey"], int(row["score"]), tuple(row["themes"])
        )
        for row in rows
    ]


class CommentPicker:
    """Draws a comment of the right survey, score and language, never the same one twice in a row."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.pool: dict[tuple[str, int, str], list[CorpusComment]] = {}
        self.names: dict[str, set[str]] = {}  # agents each comment names, found once
        for comment in demo_comments():
            self.pool.setdefault((comment.survey, comment.score, comment.lang), []).append(comment)
            self.names[comment.text] = mentioned_agents(comment.text)

    def pick(
        self, survey: str, score: int, prefer_theme: str | None = None, agent: str | None = None
    ) -> CorpusComment | None:
        """A fitting comment; one that names an agent only when it is this ticket's agent."""
        lang = _draw(self.rng, LANGUAGE_MIX)
        for delta in (0, 1, -1, 2, -2):
            for language in (lang, "en"):
                options = [
                    c
                    for c in self.pool.get((survey, score + delta, language), [])
                    if self.names[c.text] <= {agent}
                ]
                if prefer_theme:
                    options = [c for c in options if prefer_theme in c.themes] or options
                if options:
                    return self.rng.choice(options)
        return None


def mentioned_agents(text: str) -> set[str]:
    """Roster agents a comment names ("Dana refunded…" → {"Dana Levi"})."""
    return {
        agent
        for agent, forms in NAME_FORMS.items()
        if any(re.search(rf"(?<![A-Za-z]){re.escape(form)}(?![a-z])", text) for form in forms)
    }


def _quality(rng: random.Random, team: str, days_ago: float) -> tuple[float, float]:
    """(response-time multiplier, satisfaction) for a ticket — technical degrades lately."""
    if team == "technical" and days_ago < 21:
        worsening = (21 - days_ago) / 21
        return 1 + 4 * worsening, 0.72 - 0.35 * worsening
    base = {"billing": 0.78, "technical": 0.74, "onboarding": 0.82, "enterprise": 0.76}[team]
    return 1.0, base + rng.gauss(0, 0.03)


def _score(rng: random.Random, survey: str, quality: float) -> int:
    q = min(max(quality + rng.gauss(0, 0.22), 0.0), 1.0)
    return SURVEYS[survey].score_at(q)


def seed_history(
    db: Database, now: datetime, tickets: int = 3000, days: int = 90, seed: int = 2026
) -> dict[str, int]:
    """Write tickets, surveys, answers and comments; returns counts per table."""
    rng = random.Random(seed)
    picker = CommentPicker(rng)
    rows_t, rows_s, rows_r = [], [], []
    for i in range(tickets):
        team = rng.choice(list(TEAMS))
        agent = rng.choice(TEAMS[team])
        days_ago = rng.random() * days
        slow, quality = _quality(rng, team, days_ago)
        closed = now - timedelta(days=days_ago)
        resolution = timedelta(seconds=rng.lognormvariate(9.3, 1.0) * slow)
        created = closed - resolution
        first = created + timedelta(
            seconds=min(resolution.total_seconds(), rng.lognormvariate(7.2, 0.8) * slow)
        )
        customer = f"customer{rng.randrange(1200):04d}@example.com"
        tags = json.dumps(rng.sample(TAGS, rng.choice((0, 1, 1, 2))))
        channel = rng.choice(CHANNELS)
        reopened = rng.random() < (0.12 if slow > 1.5 else 0.05)
        survey = rng.choices([s for s, _ in SURVEY_MIX], [w for _, w in SURVEY_MIX])[0]
        ticket_id = i + 1
        rows_t.append((ticket_id, "demo", f"DEMO-{ticket_id}", customer, agent, team, tags, channel, rng.choice(("low", "normal", "high")),
                       to_db(created), to_db(first), to_db(closed), int(reopened), 1, "closed", to_db(closed)))  # fmt: skip
        sent = closed + timedelta(minutes=10)
        if sent > now:
            continue
        answered = rng.random() < 0.42
        answer_at = sent + timedelta(minutes=rng.uniform(2, 600))
        if answer_at > now:
            answered = False
        rows_s.append((ticket_id, ticket_id, survey, customer, customer, "answered" if answered else "expired", to_db(sent), to_db(sent),
                       to_db(answer_at) if answered else None, agent, team, tags, channel, to_db(sent)))  # fmt: skip
        if not answered:
            continue
        score = _score(rng, survey, quality)
        comment = None
        if rng.random() < 0.4:
            theme = "response_speed" if slow > 2 else None
            picked = picker.pick(survey, score, theme, agent)
            comment = picked.text if picked else None
        rows_r.append((ticket_id, f"demo:{ticket_id}".encode(), "demo", f"DEMO-{ticket_id}", customer, survey, score, comment,
                       to_db(answer_at), team, agent, channel, tags, to_db(now)))  # fmt: skip
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO tickets (id, source, external_id, customer_email, agent_name, team, tags, channel, priority, created_at, "
            "first_response_at, closed_at, reopen_count, closure_count, status, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows_t,
        )
        db.conn.executemany(
            "INSERT INTO surveys (id, ticket_id, survey_type, recipient, customer_email, state, due_at, sent_at, answered_at, agent, team, "
            "tags, channel, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows_s,
        )
        db.conn.executemany(
            "INSERT INTO responses (survey_id, dedupe_key, source, ticket_ref, customer, survey_type, score, comment, answered_at, team, "
            "agent, channel, tags, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows_r,
        )
    return {
        "tickets": len(rows_t),
        "surveys": len(rows_s),
        "responses": len(rows_r),
        "comments": sum(1 for r in rows_r if r[7]),
    }


FOLLOWERS = ("U0DEMOMGR", "U0DEMOLEAD1", "U0DEMOLEAD2")  # who takes alerts in the demo
OUTCOME_MIX = (
    ("contacted", 4),
    ("fixed", 3),
    ("refunded", 1),
    ("no_action", 1),
    ("unreachable", 1),
)


def seed_alert_history(db: Database, now: datetime, channel: str, seed: int = 2027) -> int:
    """A detractor alert for every seeded detractor answer, most followed up; returns how many.

    Ninety days of answers without a single alert made "Closing the loop" say
    nothing in ``/cx nps`` and the digest, which is where a team would look
    first. The alerts count as already posted (``needs_update`` 0, a Slack
    ``ts``), so the running bot does not re-post three months of them. Call it
    after the comments are classified: labelling flags a comment's alert for
    an update.
    """
    rng = random.Random(seed)
    rows = []
    answers = db.execute("SELECT id, survey_type, score, answered_at FROM responses ORDER BY id")
    for response_id, survey, score, answered_at in answers:
        if not is_detractor(survey, score):
            continue
        created = parse_timestamp(answered_at) + timedelta(seconds=rng.uniform(1, 5))
        owner, owner_at, resolved_at, outcome = _follow_up(rng, created, now)
        rows.append((response_id, channel, f"{created.timestamp():.6f}", 0, owner, to_db(owner_at) if owner_at else None,
                     owner if resolved_at else None, to_db(resolved_at) if resolved_at else None, outcome, to_db(created)))  # fmt: skip
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO alerts (response_id, channel, slack_ts, needs_update, owner, owner_at, resolved_by, resolved_at, "
            "outcome, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return len(rows)


def _follow_up(rng: random.Random, created: datetime, now: datetime) -> tuple:
    """(owner, taken at, resolved at, outcome): most taken within hours, some never, none in the future."""
    if rng.random() > 0.85:
        return None, None, None, None
    taken = created + timedelta(seconds=rng.lognormvariate(8.9, 1.0))  # median ≈ 2 h
    if taken > now:
        return None, None, None, None
    owner = rng.choice(FOLLOWERS)
    resolved = taken + timedelta(seconds=rng.lognormvariate(11.0, 0.8))  # median ≈ 17 h
    if rng.random() > 0.85 or resolved > now:
        return owner, taken, None, None
    return owner, taken, resolved, _draw(rng, OUTCOME_MIX)


def _draw(rng: random.Random, mix) -> str:
    """One value of ``((value, weight), …)``, drawn by weight."""
    return rng.choices([value for value, _ in mix], [weight for _, weight in mix])[0]
