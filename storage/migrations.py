"""Versioned schema migrations, recorded in the database by sqlite-utils.

Each migration is a function registered on one ``Migrations`` set; sqlite-utils
runs the pending ones in order, each in its own transaction together with the
record that it ran.  Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from storage.survey_types import SURVEYS, SurveyType

MIGRATION_SET = "cxbot"
migrations = Migrations(MIGRATION_SET)

#: The survey types 0001 wrote into the CHECK constraints.  History, never to
#: change: a new type is admitted by its own migration (admit_survey_types),
#: because existing files keep the CHECK they were created with.
FIRST_SURVEY_TYPES = ("nps", "csat", "ces")
SURVEY_STATES = ("scheduled", "sent", "answered", "expired", "failed", "skipped")


def survey_type_check(names: Iterable[str]) -> str:
    """``survey_type IN ('nps', 'csat', 'ces')``: the column may only hold these types."""
    quoted = ", ".join(f"'{name}'" for name in names)
    return f"survey_type IN ({quoted})"


def score_check(types: Iterable[SurveyType]) -> str:
    """Each type's score within its own scale, one line per type (as 0001 first wrote it)."""
    lines = [
        f"(survey_type = '{survey.name}' AND score BETWEEN {survey.low} AND {survey.high})"
        for survey in types
    ]
    return "\n                OR ".join(lines)


def _first_types() -> list[SurveyType]:
    return [SURVEYS[name] for name in FIRST_SURVEY_TYPES]


def admit_survey_types(db: Database, *names: str) -> None:
    """Let ``surveys`` and ``responses`` hold the survey types ``names`` too: a new type's migration.

    SQLite cannot ALTER a CHECK constraint, and rebuilding ``responses`` would
    cascade-delete its labels and alerts.  Widening a CHECK never invalidates
    a stored row, so the table definitions are rewritten in place, inside the
    migration's transaction — SQLite's documented procedure for such changes
    (https://www.sqlite.org/lang_altertable.html#otheralter).  The types
    already admitted are read from the stored definition, so each migration
    names only the types it adds.
    """
    rows = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name IN ('surveys', 'responses')"
    ).fetchall()
    version = db.execute("PRAGMA schema_version").fetchone()[0]
    db.execute("PRAGMA writable_schema = ON")
    try:
        for table, sql in rows:
            db.execute(
                "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                [_admitted(table, sql, names), table],
            )
        db.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        db.execute("PRAGMA writable_schema = OFF")
    problems = db.execute("PRAGMA integrity_check").fetchall()
    if problems != [("ok",)]:
        raise RuntimeError(f"admitting survey types {names} broke the schema: {problems}")


def _admitted(table: str, sql: str, names: tuple[str, ...]) -> str:
    """``table``'s CREATE statement with ``names`` added to both survey-type CHECKs."""
    found = re.search(r"survey_type IN \(([^)]*)\)", sql)
    if found is None:
        raise RuntimeError(f"{table}: no survey_type CHECK to widen")
    before = re.findall(r"'([^']+)'", found.group(1))
    after = [*before, *(name for name in names if name not in before)]
    swaps = [(survey_type_check(before), survey_type_check(after))]
    if table == "responses":
        swaps.append(
            (score_check(SURVEYS[n] for n in before), score_check(SURVEYS[n] for n in after))
        )
    for old, new in swaps:
        if sql.count(old) != 1:
            raise RuntimeError(f"{table}: expected the CHECK {old!r} once in {sql}")
        sql = sql.replace(old, new)
    return sql


def _run(db: Database, *statements: str) -> None:
    # executescript() would COMMIT the migration's transaction half-way.
    for statement in statements:
        db.execute(statement)


@migrations(name="0001_core_tables")
def core_tables(db: Database) -> None:
    """Tickets, the surveys sent about them, and the answers that came back.

    Responses carry a denormalised copy of the survey's attribution (team,
    agent, channel, tags) so metric queries never join, and imported history
    (which has no survey row) is queried exactly like live answers.
    """
    _run(
        db,
        """
        CREATE TABLE tickets (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            external_id TEXT NOT NULL,
            customer_slack_id TEXT,
            customer_email TEXT,
            agent_name TEXT,
            agent_email TEXT,
            agent_slack_id TEXT,
            team TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            channel TEXT,
            priority TEXT,
            created_at TEXT,
            first_response_at TEXT,
            closed_at TEXT,
            reopened_at TEXT,
            reopen_count INTEGER NOT NULL DEFAULT 0,
            closure_count INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL,
            UNIQUE (source, external_id)
        )
        """,
        f"""
        CREATE TABLE surveys (
            id INTEGER PRIMARY KEY,
            ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
            closure_seq INTEGER NOT NULL DEFAULT 1,
            survey_type TEXT NOT NULL CHECK ({survey_type_check(FIRST_SURVEY_TYPES)}),
            recipient TEXT NOT NULL,
            slack_channel TEXT,
            slack_ts TEXT,
            state TEXT NOT NULL DEFAULT 'scheduled' CHECK (state IN {SURVEY_STATES!r}),
            skip_reason TEXT,
            due_at TEXT NOT NULL,
            sent_at TEXT,
            answered_at TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            agent TEXT,
            team TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            channel TEXT,
            priority TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (ticket_id, closure_seq)
        )
        """,
        f"""
        CREATE TABLE responses (
            id INTEGER PRIMARY KEY,
            survey_id INTEGER REFERENCES surveys(id) ON DELETE CASCADE,
            dedupe_key BLOB NOT NULL UNIQUE,
            source TEXT NOT NULL DEFAULT 'slack',
            ticket_ref TEXT,
            customer TEXT,
            survey_type TEXT NOT NULL CHECK ({survey_type_check(FIRST_SURVEY_TYPES)}),
            score INTEGER NOT NULL CHECK (
                {score_check(_first_types())}
            ),
            comment TEXT,
            answered_at TEXT NOT NULL,
            locale TEXT,
            team TEXT,
            agent TEXT,
            channel TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL
        )
        """,
        # Partial: imported history has no survey, and skipping it keeps bulk imports fast.
        "CREATE UNIQUE INDEX ix_responses_survey ON responses (survey_id) WHERE survey_id IS NOT NULL",
        "CREATE INDEX ix_surveys_due ON surveys (state, due_at)",
        "CREATE INDEX ix_surveys_recipient ON surveys (recipient, survey_type, sent_at)",
        "CREATE INDEX ix_surveys_sent ON surveys "
        "(survey_type, sent_at, state, answered_at, team, agent, channel)",
        "CREATE INDEX ix_tickets_closed ON tickets (closed_at)",
    )


@migrations(name="0002_comment_classifications")
def comment_classifications(db: Database) -> None:
    """Theme and sentiment labels for comments, one row per response.

    Themes are a child table (not a JSON column) so that "share of comments
    about billing" is an indexed count, not a scan of every label list.
    """
    _run(
        db,
        """
        CREATE TABLE classifications (
            response_id INTEGER PRIMARY KEY REFERENCES responses(id) ON DELETE CASCADE,
            sentiment TEXT CHECK (sentiment IN ('negative', 'neutral', 'positive')),
            sentiment_confidence REAL,
            language TEXT,
            model_version TEXT NOT NULL,
            classified_at TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE comment_themes (
            response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
            theme TEXT NOT NULL,
            confidence REAL NOT NULL,
            PRIMARY KEY (response_id, theme)
        ) WITHOUT ROWID
        """,
        "CREATE INDEX ix_comment_themes_theme ON comment_themes (theme, response_id)",
    )


@migrations(name="0003_metric_indexes")
def metric_indexes(db: Database) -> None:
    """Covering indexes for the metric queries (see tests/storage/test_query_plans.py).

    The wide time index answers any period query, with or without team,
    agent, channel or tag filters, from the index alone; the team and agent
    indexes make a single team's or agent's numbers a short range scan.
    """
    _run(
        db,
        "CREATE INDEX ix_responses_time ON responses "
        "(survey_type, answered_at, score, team, agent, channel, tags)",
        "CREATE INDEX ix_responses_team ON responses (survey_type, team, answered_at, score)",
        "CREATE INDEX ix_responses_agent ON responses (survey_type, agent, answered_at, score)",
        "CREATE INDEX ix_tickets_team_closed ON tickets (team, closed_at)",
    )


@migrations(name="0004_survey_delivery")
def survey_delivery(db: Database) -> None:
    """What the outbox needs to deliver, remind, expire, and never double-send.

    ``claimed_at`` is a lease: a worker that dies mid-send leaves a claim that
    expires, so the survey goes out after a restart without two workers racing.
    ``webhook_events`` keeps every accepted webhook (audit and replay);
    ``slack_events`` remembers Slack event ids so retried events apply once.
    """
    _run(
        db,
        "ALTER TABLE tickets ADD COLUMN status TEXT NOT NULL DEFAULT 'open'",
        "ALTER TABLE surveys ADD COLUMN customer_email TEXT",
        "ALTER TABLE surveys ADD COLUMN slack_user_id TEXT",
        "ALTER TABLE surveys ADD COLUMN thread_ts TEXT",
        "ALTER TABLE surveys ADD COLUMN locale TEXT",
        "ALTER TABLE surveys ADD COLUMN claimed_at TEXT",
        "ALTER TABLE surveys ADD COLUMN reminded_at TEXT",
        "ALTER TABLE surveys ADD COLUMN expires_at TEXT",
        "CREATE INDEX ix_surveys_message ON surveys (slack_channel, slack_ts)",
        "CREATE INDEX ix_surveys_user ON surveys (slack_user_id, survey_type, sent_at)",
        "CREATE INDEX ix_surveys_expiry ON surveys (state, expires_at)",
        """
        CREATE TABLE webhook_events (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            event TEXT NOT NULL,
            ticket_ref TEXT NOT NULL,
            received_at TEXT NOT NULL,
            status TEXT NOT NULL,
            reason TEXT,
            ticket_id INTEGER REFERENCES tickets(id) ON DELETE CASCADE,
            survey_id INTEGER REFERENCES surveys(id) ON DELETE SET NULL,
            body TEXT
        )
        """,
        "CREATE INDEX ix_webhook_events_ticket ON webhook_events (ticket_id)",
        """
        CREATE TABLE slack_events (
            event_id TEXT PRIMARY KEY,
            received_at TEXT NOT NULL
        ) WITHOUT ROWID
        """,
    )


@migrations(name="0005_loop_closing")
def loop_closing(db: Database) -> None:
    """Detractor alerts and their follow-up, label corrections, digest subscriptions.

    ``responses.comment_version`` counts comment edits so the classifier knows
    which comments changed since it labelled them.
    """
    _run(
        db,
        "ALTER TABLE responses ADD COLUMN comment_version INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE classifications ADD COLUMN comment_version INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX ix_responses_comment ON responses (comment_version) WHERE comment IS NOT NULL",
        """
        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            response_id INTEGER NOT NULL UNIQUE REFERENCES responses(id) ON DELETE CASCADE,
            channel TEXT NOT NULL,
            slack_ts TEXT,
            needs_update INTEGER NOT NULL DEFAULT 1,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            owner TEXT,
            owner_at TEXT,
            resolved_by TEXT,
            resolved_at TEXT,
            outcome TEXT,
            note TEXT,
            created_at TEXT NOT NULL
        )
        """,
        "CREATE INDEX ix_alerts_pending ON alerts (needs_update)",
        "CREATE INDEX ix_alerts_created ON alerts (created_at)",
        """
        CREATE TABLE corrections (
            id INTEGER PRIMARY KEY,
            response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
            themes TEXT NOT NULL,
            sentiment TEXT,
            corrected_by TEXT NOT NULL,
            created_at TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE digest_subscriptions (
            id INTEGER PRIMARY KEY,
            subscriber TEXT NOT NULL,
            channel TEXT,
            weekday INTEGER NOT NULL DEFAULT 0 CHECK (weekday BETWEEN 0 AND 6),
            at_time TEXT NOT NULL DEFAULT '09:00',
            timezone TEXT NOT NULL DEFAULT 'UTC',
            team TEXT,
            active INTEGER NOT NULL DEFAULT 1,
            attempt_week TEXT,
            attempt_at TEXT,
            sent_week TEXT,
            sent_at TEXT,
            last_error TEXT,
            created_at TEXT NOT NULL
        )
        """,
    )


NEVER = 9223372036854775807  # labels a person corrected are never due for the model again


@migrations(name="0006_pending_labels")
def pending_labels(db: Database) -> None:
    """Make "which comments need labels?" an index lookup instead of a scan of every comment.

    ``responses.labelled_version`` mirrors the ``comment_version`` its labels
    were made for (−1: none; NEVER: corrected by a person).  Triggers keep it in
    step with ``classifications`` whoever writes there, and a partial index
    holds exactly the comments still to label — the classifier polls it every
    second, which scanned 300k comments (294 ms) at 1M answers before.
    """
    mirror = f"CASE WHEN NEW.model_version LIKE 'corrected-by:%' THEN {NEVER} ELSE NEW.comment_version END"
    _run(
        db,
        "ALTER TABLE responses ADD COLUMN labelled_version INTEGER NOT NULL DEFAULT -1",
        f"""
        UPDATE responses SET labelled_version = coalesce((
            SELECT CASE WHEN c.model_version LIKE 'corrected-by:%' THEN {NEVER} ELSE c.comment_version END
            FROM classifications c WHERE c.response_id = responses.id), -1)
        """,
        f"""
        CREATE TRIGGER tr_labels_inserted AFTER INSERT ON classifications BEGIN
            UPDATE responses SET labelled_version = {mirror} WHERE id = NEW.response_id;
        END
        """,
        f"""
        CREATE TRIGGER tr_labels_updated AFTER UPDATE ON classifications BEGIN
            UPDATE responses SET labelled_version = {mirror} WHERE id = NEW.response_id;
        END
        """,
        """
        CREATE TRIGGER tr_labels_deleted AFTER DELETE ON classifications BEGIN
            UPDATE responses SET labelled_version = -1 WHERE id = OLD.response_id;
        END
        """,
        "CREATE INDEX ix_responses_unlabelled ON responses (id) "
        "WHERE comment IS NOT NULL AND labelled_version < comment_version",
    )


@migrations(name="0007_withdrawn_alerts")
def withdrawn_alerts(db: Database) -> None:
    """``alerts.withdrawn_at``: the customer changed a detractor score before anyone acted.

    A withdrawn alert's message says so, and it no longer counts as a detractor
    alert to follow up; a score changed back to a detractor one raises it again.
    """
    _run(db, "ALTER TABLE alerts ADD COLUMN withdrawn_at TEXT")


@migrations(name="0008_helpdesk_people_figures_writeback")
def helpdesk_people_figures_writeback(db: Database) -> None:
    """What the helpdesks' REST APIs add: who the customer is, the ticket's figures, write-backs.

    * ``customer_ref`` (tickets and surveys): the helpdesk's own id for the customer
      when the webhook carries no email (a Zendesk ``requester_id``, a Jira
      ``accountId``, an Intercom contact id); the surveys job looks it up over the
      helpdesk's API before sending. ``customer_name``/``customer_locale`` keep what
      the helpdesk knows of the person.
    * ``skip_code``: a stable code beside the human ``skip_reason``, so skipped
      surveys can be counted by reason (``/healthz``, ``cxbot surveys``).
    * Ticket figures (``handle_time_seconds``, ``customer_replies``,
      ``agent_replies``): NULL means the helpdesk never said, never 0.
      ``figures_state`` is the small outbox that fetches them at closure.
    * ``writebacks``: the ledger of scores written back to tickets; one row per
      answer revision, so a crash never writes the same revision twice.
    """
    _run(
        db,
        "ALTER TABLE tickets ADD COLUMN customer_ref TEXT",
        "ALTER TABLE tickets ADD COLUMN customer_name TEXT",
        "ALTER TABLE tickets ADD COLUMN customer_locale TEXT",
        "ALTER TABLE tickets ADD COLUMN handle_time_seconds INTEGER",
        "ALTER TABLE tickets ADD COLUMN customer_replies INTEGER",
        "ALTER TABLE tickets ADD COLUMN agent_replies INTEGER",
        "ALTER TABLE tickets ADD COLUMN figures_state TEXT",
        "ALTER TABLE tickets ADD COLUMN figures_due_at TEXT",
        "ALTER TABLE tickets ADD COLUMN figures_attempts INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE tickets ADD COLUMN figures_error TEXT",
        "CREATE INDEX ix_tickets_figures ON tickets (figures_due_at) "
        "WHERE figures_state = 'pending'",
        "ALTER TABLE surveys ADD COLUMN customer_ref TEXT",
        "ALTER TABLE surveys ADD COLUMN skip_code TEXT",
        "CREATE INDEX ix_surveys_skipped ON surveys (skip_code) WHERE state = 'skipped'",
        """
        CREATE TABLE writebacks (
            id INTEGER PRIMARY KEY,
            response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
            revision INTEGER NOT NULL,
            source TEXT NOT NULL,
            ticket_ref TEXT NOT NULL,
            body TEXT NOT NULL,
            tags TEXT NOT NULL DEFAULT '[]',
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'done', 'failed', 'skipped')),
            attempts INTEGER NOT NULL DEFAULT 0,
            due_at TEXT NOT NULL,
            claimed_at TEXT,
            last_error TEXT,
            written_at TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (response_id, revision)
        )
        """,
        "CREATE INDEX ix_writebacks_due ON writebacks (due_at) WHERE state = 'pending'",
    )


def known_migrations() -> list[str]:
    """Names of every migration this version of cxbot knows, in order."""
    return [m.name for m in migrations.pending(Database(memory=True))]
