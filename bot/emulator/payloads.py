"""What Slack sends to the app when people act: the bodies of interactivity and slash-command requests.

The emulator plays Slack's Web API; these play Slack's users, for the tests,
the demo, the crash test and the benchmarks (all of which sign and post them).
"""

from __future__ import annotations

import json
import re
import time
import urllib.parse
from collections.abc import Mapping

from bot.emulator.state import APP_ID, TEAM_ID


def block_actions(
    user: str, action_id: str, value: str, channel: str, ts: str, response_url: str
) -> dict:
    """A button click in a bot message."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "team": {"id": TEAM_ID},
        "container": {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "channel": {"id": channel},
        "trigger_id": f"{int(time.time())}.trigger",
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "x",
                "value": value,
                "action_ts": str(time.time()),
            }
        ],
    }


def score_click(
    user: str, survey_id: int, score: int, channel: str, ts: str, response_url: str
) -> dict:
    """The customer clicking ``score`` on their survey (buttons of ``bot.blocks.survey``)."""
    return block_actions(
        user, f"cx_score_{score}", f"{survey_id}:{score}", channel, ts, response_url
    )


def view_submission(user: str, callback_id: str, private_metadata: str, values: dict) -> dict:
    """A modal's submit button; ``values`` as ``view.state.values``."""
    return {
        "type": "view_submission",
        "user": {"id": user, "team_id": TEAM_ID},
        "team": {"id": TEAM_ID},
        "api_app_id": APP_ID,
        "trigger_id": f"{int(time.time())}.trigger",
        "view": {
            "id": "V0001", "type": "modal", "callback_id": callback_id,
            "private_metadata": private_metadata, "state": {"values": values},
        },
    }  # fmt: skip


def comment_submission(user: str, survey_id: int, text: str) -> dict:
    """The survey's comment modal, submitted with ``text``."""
    values = {"comment": {"text": {"type": "plain_text_input", "value": text}}}
    return view_submission(user, "cx_comment_modal", str(survey_id), values)


def interaction_body(payload: dict) -> bytes:
    """Interactivity requests are form-encoded with the JSON in ``payload``."""
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


def slash_command_fields(
    text: str, user: str, response_url: str, channel: str = "C01GENERAL", command: str = "/cx"
) -> dict[str, str]:
    """A slash command's fields: the payload of a Socket Mode ``slash_commands`` envelope."""
    return {
        "token": "legacy", "team_id": TEAM_ID, "team_domain": "cx", "channel_id": channel,
        "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": command,
        "text": text, "api_app_id": APP_ID, "response_url": response_url,
        "trigger_id": f"{int(time.time())}.trigger",
    }  # fmt: skip


def slash_command(
    text: str, user: str, response_url: str, channel: str = "C01GENERAL", command: str = "/cx"
) -> bytes:
    """A slash command, form-encoded as Slack posts it to the request URL.

    ``text`` goes as given: pass it through ``slack_escaped`` for the text a
    person typed into a command with ``should_escape`` on (cxbot's manifest).
    """
    fields = slash_command_fields(text, user, response_url, channel, command)
    return urllib.parse.urlencode(fields).encode()


#: What Slack links in typed text, tried in this order at each place.
_TYPED = re.compile(
    r"(?P<email>(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<url>https?://[^\s<>]+)"
    r"|(?P<www>(?<![\w.])www\.[\w-]+(?:\.[\w-]+)+[^\s<>]*)"
    r"|(?P<user>(?<![\w.])@[\w.-]+)"
    r"|(?P<channel>(?<![\w&])#[\w.-]+)"
)


def slack_escaped(
    typed: str,
    users: Mapping[str, str] | None = None,
    channels: Mapping[str, str] | None = None,
    *,
    link_emails: bool = True,
) -> str:
    """``typed`` as Slack sends it in a slash command with ``should_escape`` on.

    ``users`` and ``channels`` map names to ids: ``@dana`` → ``<@U…|dana>``
    and ``#cx-feedback`` → ``<#C…|cx-feedback>`` for known names (an unknown
    name stays text, as Slack leaves it).  URLs → ``<https://x.io>``, a typed
    ``www.x.io`` → ``<http://www.x.io|www.x.io>``, an email →
    ``<mailto:a@b.c|a@b.c>`` (unconfirmed for commands in shared/slack.md:
    ``link_emails=False`` gives the other reading, the plain address), and
    ``& < >`` → ``&amp; &lt; &gt;`` everywhere else.
    """
    users, channels = users or {}, channels or {}
    out, at = [], 0
    for match in _TYPED.finditer(typed):
        linked = _linked(match, users, channels, link_emails)
        if linked is None:
            continue
        out += [_entities(typed[at : match.start()]), linked]
        at = match.end()
    out.append(_entities(typed[at:]))
    return "".join(out)


def _linked(
    match: re.Match[str], users: Mapping[str, str], channels: Mapping[str, str], link_emails: bool
) -> str | None:
    """The control sequence for one match, or None when Slack leaves it as text."""
    kind, text = match.lastgroup, match.group(0)
    if kind == "email":
        return f"<mailto:{_entities(text)}|{_entities(text)}>" if link_emails else None
    if kind == "url":
        return f"<{_entities(text)}>"
    if kind == "www":
        return f"<http://{_entities(text)}|{_entities(text)}>"
    names = users if kind == "user" else channels
    found = names.get(text[1:])
    if found is None:
        return None
    sigil = "@" if kind == "user" else "#"
    return f"<{sigil}{found}|{text[1:]}>"


def _entities(text: str) -> str:
    """The only three characters Slack escapes in text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
