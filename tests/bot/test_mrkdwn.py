"""Slack's message format in, plain text stored, escaped mrkdwn out."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.blocks.limits import quoted
from bot.mrkdwn import escape_mrkdwn, plain_from_slack, unescape_mrkdwn


@given(st.text())
def test_escaping_round_trips_and_leaves_no_angle_brackets(text):
    escaped = escape_mrkdwn(text)
    assert unescape_mrkdwn(escaped) == text
    assert "<" not in escaped and ">" not in escaped


@pytest.mark.parametrize(
    ("slack", "typed"),
    [
        ("R&amp;D said 2 &lt; 3 &amp;&amp; 5 &gt; 4", "R&D said 2 < 3 && 5 > 4"),
        ("see <https://docs.example.com/sso>", "see https://docs.example.com/sso"),
        ("<https://example.com|example.com> works", "example.com works"),
        (
            "read <https://example.com/a?b=1&amp;c=2|the guide>",
            "read the guide (https://example.com/a?b=1&c=2)",
        ),
        ("mail <mailto:dana@example.com|dana@example.com>", "mail dana@example.com"),
        ("thanks <@U0DANA001|dana> and <@U0OMAR001>", "thanks @dana and @U0OMAR001"),
        ("<!channel> <!here> <!subteam^S01|@support>", "@channel @here @support"),
        ("asked in <#C0HELP01|help>", "asked in #help"),
        ("עדיין לא עובד &lt;שגיאה 500&gt;", "עדיין לא עובד <שגיאה 500>"),
    ],
)
def test_incoming_slack_text_becomes_what_the_customer_typed(slack, typed):
    assert plain_from_slack(slack) == typed


def test_a_quoted_comment_cannot_ping_or_hide_a_link():
    comment = "<!channel> refund me\n<https://evil.example|your invoice> & now"
    assert quoted(comment) == (
        "> &lt;!channel&gt; refund me\n> &lt;https://evil.example|your invoice&gt; &amp; now"
    )


def test_the_survey_question_escapes_the_helpdesk_ticket_id():
    import json

    from bot.blocks.survey import survey_blocks, survey_text

    blocks = json.dumps(survey_blocks(7, "csat", "en", "<!here> R&D-12"))
    assert "<!here>" not in blocks and "&lt;!here&gt; R&amp;D-12" in blocks
    assert survey_text("csat", "he", "<x>").count("&lt;x&gt;") == 1
