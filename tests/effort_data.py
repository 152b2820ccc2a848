"""Closed tickets with hand-checkable effort figures, for the /cx ops, CLI and digest tests.

Team technical, ``current`` period (each ticket a few days before ``end``):

======  ======  ========  =====  ======  ====
ticket  handle  cust.rep  agent  reopen  CSAT
======  ======  ========  =====  ======  ====
E1      600     0         1      0       5
E2      1200    1         2      0       3
E3      3000    4         1      1       1
E4      —       —         —      0       2     (the source gave no figure)
E5      —       1         0      0       5
======  ======  ========  =====  ======  ====

→ AHT median 20m 00s, mean 26m 40s (n 3); contacts (1+2+5+2)/4 = 2.5 (n 4);
one-touch E1, E5 of 4 = 50%; CSAT by contacts 1: 100% (1) · 2: 50% (2) · 4+: 0% (1).

Previous period (``previous_end``): P1 1800 s, 2 replies, 3 agent replies, CSAT 2;
P2 2400 s, 0, 2, CSAT 5 → AHT 35m 00s both (n 2); contacts 2 (n 2); one-touch 0%;
CSAT by contacts 1: 100% (1) · 3: 0% (1).
A billing ticket (B1) in the current period has figures that a team filter must leave out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlite_utils import Database

from storage.timestamps import to_db

Row = tuple[str, str, int | None, int | None, int | None, int, int | None]

CURRENT: tuple[Row, ...] = (  # (ref, team, handle, customer replies, agent replies, reopens, csat)
    ("E1", "technical", 600, 0, 1, 0, 5),
    ("E2", "technical", 1200, 1, 2, 0, 3),
    ("E3", "technical", 3000, 4, 1, 1, 1),
    ("E4", "technical", None, None, None, 0, 2),
    ("E5", "technical", None, 1, 0, 0, 5),
    ("B1", "billing", 99999, 9, 9, 0, 1),
)
PREVIOUS: tuple[Row, ...] = (
    ("P1", "technical", 1800, 2, 3, 0, 2),
    ("P2", "technical", 2400, 0, 2, 0, 5),
)


def add_ticket(db: Database, row: Row, closed: datetime, source: str = "generic") -> None:
    """One closed ticket with its figures, and its answered CSAT survey."""
    ref, team, handle, customer, agent, reopens, csat = row
    ticket = db.execute(
        "INSERT INTO tickets (source, external_id, agent_name, team, created_at, closed_at, status, "
        "reopen_count, handle_time_seconds, customer_replies, agent_replies, updated_at) "
        "VALUES (?, ?, 'Omar', ?, ?, ?, 'closed', ?, ?, ?, ?, ?)",
        [source, ref, team, to_db(closed - timedelta(hours=2)), to_db(closed), reopens, handle, customer, agent, to_db(closed)],
    ).lastrowid  # fmt: skip
    if csat is None:
        return
    answered = to_db(closed + timedelta(minutes=30))
    survey = db.execute(
        "INSERT INTO surveys (ticket_id, survey_type, recipient, state, due_at, sent_at, answered_at, "
        "agent, team, created_at) VALUES (?, 'csat', ?, 'answered', ?, ?, ?, 'Omar', ?, ?)",
        [ticket, f"{ref}@example.com", to_db(closed), to_db(closed), answered, team, to_db(closed)],
    ).lastrowid  # fmt: skip
    db.execute(
        "INSERT INTO responses (survey_id, dedupe_key, source, ticket_ref, survey_type, score, "
        "answered_at, team, agent, created_at) VALUES (?, ?, ?, ?, 'csat', ?, ?, ?, 'Omar', ?)",
        [survey, f"effort:{source}:{ref}".encode(), source, ref, csat, answered, team, answered],
    )


def seed_effort(db: Database, end: datetime, previous_end: datetime) -> None:
    """The tickets above: the current ones 1–6 days before ``end``, the previous before ``previous_end``."""
    for days, row in enumerate(CURRENT, start=1):
        add_ticket(db, row, end - timedelta(days=days))
    for days, row in enumerate(PREVIOUS, start=1):
        add_ticket(db, row, previous_end - timedelta(days=days))
    db.conn.commit()
