"""The scanner the root conftest runs on everything sent to the Slack emulator."""

from __future__ import annotations

import pytest

from tests.mrkdwn_scan import problems, unescaped


@pytest.mark.parametrize(
    "text",
    [
        "<@U0ENGLISH> took it", "in <#C02FEEDBACK|cx-feedback>", "<!here> <!channel>",
        "<!subteam^S0CX|@cx-leads>", "<https://x.io/t/1|ticket 1> <mailto:a@b.c|a@b.c>",
        "p&amp;l &lt; 1h &gt; 3d", "> a quote\n> two lines", "\u200f> مرحبا",
        "<!date^1700000000^{date_short}|Nov 14>",
    ],
)  # fmt: skip
def test_slack_codes_and_entities_pass(text):
    assert unescaped(text) == []


@pytest.mark.parametrize(
    "text", ["/cx customer <email|@user>", "< 1h", "3d >", "R&D", "ticket <ZD-1>", "x > y"]
)
def test_literal_control_characters_are_caught(text):
    assert unescaped(text)


def test_blocks_views_and_response_urls_are_scanned():
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "a < b"}}
    plain = {"type": "header", "text": {"type": "plain_text", "text": "a < b"}}
    calls = [
        {"method": "chat.postMessage", "params": {"text": "ok", "blocks": [section, plain]}},
        {"method": "views.publish", "params": {"view": '{"blocks": [{"type": "context", '
         '"elements": [{"type": "mrkdwn", "text": "R&D"}]}]}'}},
        {"method": "response_url", "params": {"id": "1", "body": {"text": "<email|@user>"}}},
        {"method": "users.info", "params": {"text": "<not sent>"}},
    ]  # fmt: skip
    found = problems(calls)
    assert [line.split(":")[0] for line in found] == [
        "chat.postMessage",
        "views.publish",
        "response_url",
    ]
