"""``/cx`` text as Slack sends it with ``should_escape`` on, through the real app over signed HTTP.

The manifest turns escaping on, so mentions, channels, links, emails and
``& < >`` arrive rewritten (shared/slack.md §6).  Each command here is typed
the way a person types it and escaped by the emulator's ``slack_escaped``;
the answer must be the one the plain text gives.  Whether Slack links a
typed email in a command is unconfirmed, so both readings are tried.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.emulator.payloads import slack_escaped
from storage.db import open_db
from storage.responses import ResponseRow, insert_responses
from storage.subscriptions import subscriptions
from storage.timestamps import to_db
from tests.scenarios.harness import RunningServer, slash
from tests.scenarios.test_cx_commands import ADMIN, AGENT_DANA, HEBREW, seed, text_of

USERS = {"dana": AGENT_DANA, "emma": "U0ENGLISH"}
CHANNELS = {"cx-feedback": "C02FEEDBACK"}


@pytest.fixture
def typed(settings_for, emulator):
    """Run ``/cx`` with text as typed, escaped as Slack escapes it (``link_emails`` picks the reading)."""
    settings = settings_for(admins=ADMIN)
    seed(settings.db_path)
    running = RunningServer(settings).start()

    def run(text: str, *, link_emails: bool = True, user: str = ADMIN, sent: str = "") -> str:
        sent = sent or slack_escaped(text, USERS, CHANNELS, link_emails=link_emails)
        reply = running.slack(
            slash(sent, user, emulator.response_url()), "application/x-www-form-urlencoded"
        )
        assert reply.status == 200, reply.body
        return text_of(reply.json() if reply.body else {})

    run.settings = settings
    yield run
    running.stop()


def test_the_emulator_escapes_as_slack_does():
    sent = slack_escaped(
        "customer emma@example.com agent=@dana #cx-feedback @nobody score<=6 R&D https://x.io/?a=1&b=2 www.acme.io",
        USERS,
        CHANNELS,
    )
    assert sent == (
        "customer <mailto:emma@example.com|emma@example.com> agent=<@U0DANA001|dana>"
        " <#C02FEEDBACK|cx-feedback> @nobody score&lt;=6 R&amp;D <https://x.io/?a=1&amp;b=2>"
        " <http://www.acme.io|www.acme.io>"
    )
    assert slack_escaped("customer emma@example.com", link_emails=False) == (
        "customer emma@example.com"
    )


@pytest.mark.parametrize("link_emails", [True, False], ids=["mailto-link", "plain-email"])
def test_customer_by_email_in_either_reading(typed, link_emails):
    """``/cx customer <mailto:…|…>`` was refused as "neither an email address nor an @mention"."""
    history = typed("customer emma@example.com", link_emails=link_emails)
    assert "neither an email" not in history
    assert "3 answers" in history and HEBREW in history


def test_customer_by_mention_with_the_old_name(typed):
    # the mention's email (emma@example.com, from users.info) finds the answers
    history = typed("customer @emma")
    assert "3 answers" in history and HEBREW in history


def test_score_condition_arrives_as_an_entity(typed):
    """``score<=6`` arrives as ``score&lt;=6``; it was "don't know what 'score&lt;=6' means"."""
    body = typed("comments 30d score<=6")
    assert "don't know what" not in body and "Usage" not in body
    assert HEBREW in body and "Fast and kind" not in body


def test_agent_and_team_filters_in_escaped_forms(typed):
    assert "NPS 50" in typed("nps 30d agent=@dana", user=AGENT_DANA)
    assert "NPS 50" in typed("nps 30d team=billing")
    # a team typed like a domain may come back as a link: its label is what was typed
    body = typed("", sent="nps 30d team=<http://billing.io|billing.io>")
    assert "team='billing.io'" in body and "<http" not in body


def test_quoted_value_with_an_ampersand(typed):
    """``team="R & D"`` arrives as ``team="R &amp; D"``: the team named is ``R & D``."""
    db = open_db(typed.settings.db_path)
    insert_responses(db, [ResponseRow("nps", 10, to_db(datetime.now(UTC)), team="R & D")])
    db.close()
    body = typed('nps 30d team="R & D"')
    assert "NPS 100" in body and "no tickets or answers" not in body


def test_digest_subscribe_to_an_escaped_channel(typed):
    reply = typed("digest subscribe #cx-feedback day=mon time=09:00")
    assert "to <#C02FEEDBACK>" in reply
    [subscription] = subscriptions(open_db(typed.settings.db_path))
    assert subscription.channel == "C02FEEDBACK"
