"""Synthetic but realistic survey history, for the quick start, tests and benchmarks.

Scores depend on each agent's skill and on resolution time, so breakdowns and
"satisfaction by resolution time" show real-looking structure.  Deterministic
for a given seed.  Rows are written sorted by time in one transaction, which
is the fastest way to bulk-load SQLite.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from storage.survey_types import SURVEYS
from storage.timestamps import to_db, utc_now

TEAM_NAMES = (
    "billing", "onboarding", "technical", "enterprise", "mobile", "payments", "accounts",
    "shipping", "returns", "api", "security", "integrations", "reporting", "hardware",
    "partners", "education", "retail", "public-sector", "emea", "apac",
)  # fmt: skip
TAGS = ("refund", "login", "bug", "how-to", "invoice", "outage", "vip", "feature-request",
        "shipping", "password", "api", "mobile-app", "cancellation", "upgrade")  # fmt: skip
CHANNELS = ("email", "chat", "phone", "slack", "web")
COMMENTS = {
    "good": ("Fixed in minutes, thank you!", "Very patient and knew the product well.",
             "Mulțumesc, totul a fost rezolvat rapid.", "שירות מעולה, תודה רבה!",
             "客服很专业，问题很快就解决了。", "ძალიან კარგი მომსახურება, მადლობა!",
             "خیلی ممنون، سریع جواب دادید."),
    "bad": ("Waited three days for a first reply.", "Had to explain my problem to three people.",
            "Still broken after the 'fix'.", "Charged twice and nobody answers about the refund.",
            "Nu s-a rezolvat nimic.", "חיכיתי שבוע לתשובה.", "等了好几天都没人回复。",
            "ვერ მოაგვარეს პრობლემა.", "هنوز مشکلم حل نشده."),
    "meh": ("ok", "Fine I guess.", "It works now but the docs were confusing.", "n/a"),
}  # fmt: skip
SURVEY_MIX = (("csat", 0.45), ("nps", 0.40), ("ces", 0.15))


@dataclass(frozen=True)
class Agent:
    name: str
    team: str
    skill: float


def make_agents(rng: random.Random, teams: int, agents: int) -> list[Agent]:
    team_names = TEAM_NAMES[:teams]
    return [
        Agent(f"agent{i:03d}", team_names[i % len(team_names)], rng.gauss(0.0, 0.18))
        for i in range(agents)
    ]


def _score(rng: random.Random, survey: str, quality: float) -> int:
    """A score on the survey's scale, centred by a 0..1 quality."""
    q = min(max(quality + rng.gauss(0, 0.22), 0.0), 1.0)
    return SURVEYS[survey].score_at(q)


def _comment(rng: random.Random, survey: str, score: int) -> str | None:
    if rng.random() > 0.3:
        return None
    scale = SURVEYS[survey]
    kind = "good" if scale.is_promoter(score) else "bad" if scale.is_detractor(score) else "meh"
    return rng.choice(COMMENTS[kind])


def generate_history(
    db: Database,
    responses: int,
    *,
    days: int = 730,
    teams: int = 20,
    agents: int = 200,
    seed: int = 7,
    now: datetime | None = None,
    with_tickets: bool = True,
    answer_rate: float = 0.4,
) -> int:
    """Write ``responses`` answered surveys over ``days`` ending at ``now``.

    With tickets, each answer gets a ticket and a sent survey, plus unanswered
    surveys so that the response rate is about ``answer_rate``.
    Returns the number of responses written.
    """
    rng = random.Random(seed)
    now = now or utc_now()
    staff = make_agents(rng, teams, agents)
    offsets = sorted(rng.random() * days * 86400 for _ in range(responses))
    start = now - timedelta(days=days)
    first_id = (db.execute("SELECT coalesce(max(id), 0) FROM tickets").fetchone()[0]) + 1
    tickets, surveys, answers = [], [], []
    created = to_db(now)
    for i, offset in enumerate(offsets):
        agent = rng.choice(staff)
        survey = rng.choices([s for s, _ in SURVEY_MIX], [w for _, w in SURVEY_MIX])[0]
        resolution = rng.lognormvariate(9.5, 1.3)  # seconds; median ~3.7 h
        answered = start + timedelta(seconds=offset)
        quality = 0.74 + agent.skill - min(resolution / 86400, 5) * 0.05
        score = _score(rng, survey, quality)
        tags = json.dumps(rng.sample(TAGS, rng.choice((0, 1, 1, 2, 3))))
        channel = rng.choice(CHANNELS)
        ticket_ref = f"T{first_id + i}"
        answers.append((
            f"sample:{seed}:{first_id + i}".encode(), "sample", ticket_ref, f"customer{rng.randrange(50_000)}",
            survey, score, _comment(rng, survey, score), to_db(answered), "en",
            agent.team, agent.name, channel, tags, created, first_id + i if with_tickets else None,
        ))  # fmt: skip
        if with_tickets:
            closed = answered - timedelta(minutes=rng.uniform(10, 600))
            opened = closed - timedelta(seconds=resolution)
            first_reply = opened + timedelta(seconds=min(resolution, rng.lognormvariate(7.5, 1.0)))
            reopened = rng.random() < 0.06
            tickets.append((
                first_id + i, "sample", ticket_ref, None, f"customer{i}@example.com", agent.name,
                agent.team, tags, channel, to_db(opened), to_db(first_reply), to_db(closed),
                int(reopened), 1, created,
            ))  # fmt: skip
            surveys.append((
                first_id + i, first_id + i, survey, f"customer{i}@example.com", "answered",
                to_db(closed), to_db(closed), to_db(answered), 1, agent.name, agent.team, tags,
                channel, created,
            ))  # fmt: skip
    with db.atomic():
        if with_tickets:
            _write_tickets(db, tickets, surveys, rng, answer_rate)
        db.conn.executemany(
            "INSERT INTO responses (dedupe_key, source, ticket_ref, customer, survey_type, score, "
            "comment, answered_at, locale, team, agent, channel, tags, created_at, survey_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            answers,
        )
    return len(answers)


def _write_tickets(
    db: Database, tickets: list[tuple], surveys: list[tuple], rng: random.Random, answer_rate: float
) -> None:
    db.conn.executemany(
        "INSERT INTO tickets (id, source, external_id, customer_slack_id, customer_email, "
        "agent_name, team, tags, channel, created_at, first_response_at, closed_at, "
        "reopen_count, closure_count, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        tickets,
    )
    db.conn.executemany(
        "INSERT INTO surveys (id, ticket_id, survey_type, recipient, state, due_at, sent_at, "
        "answered_at, attempts, agent, team, tags, channel, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        surveys,
    )
    # Unanswered surveys (same attribution, one per extra send) bring the response rate down.
    extra = int(len(surveys) * (1 - answer_rate) / answer_rate)
    base = max(t[0] for t in tickets) + 1 if tickets else 1
    unanswered = []
    for j in range(extra):
        model = rng.choice(surveys)
        unanswered.append((base + j, model[2], model[3], "expired", model[5], model[6]) + model[9:])
        db.conn.execute(
            "INSERT INTO tickets (id, source, external_id, customer_email, agent_name, team, tags, "
            "channel, closed_at, closure_count, updated_at) VALUES (?, 'sample', ?, ?, ?, ?, ?, ?, ?, 1, ?)",
            (
                base + j,
                f"T{base + j}",
                model[3],
                model[9],
                model[10],
                model[11],
                model[12],
                model[6],
                model[13],
            ),
        )
    db.conn.executemany(
        "INSERT INTO surveys (ticket_id, survey_type, recipient, state, due_at, sent_at, "
        "agent, team, tags, channel, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        unanswered,
    )
