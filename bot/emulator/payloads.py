"""What Slack sends to the app when people act: the bodies of interactivity and slash-command requests.

The emulator plays Slack's Web API; these play Slack's users, for the tests,
the demo, the crash test and the benchmarks (all of which sign and post them).
"""

from __future__ import annotations

import json
import time
import urllib.parse

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
    """A slash command, form-encoded as Slack posts it to the request URL."""
    fields = slash_command_fields(text, user, response_url, channel, command)
    return urllib.parse.urlencode(fields).encode()
