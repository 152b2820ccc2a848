"""The Slack manifest grants what the code uses, so a one-step install works."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[2]
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())
# Web API methods the bot calls → the bot scope each needs.
SCOPE_FOR = {
    "chat_postMessage": "chat:write", "chat_update": "chat:write", "chat_postEphemeral": "chat:write",
    "conversations_open": "im:write", "users_info": "users:read", "users_lookupByEmail": "users:read.email",
    "views_open": None, "reactions_add": "reactions:write", "views_publish": None,
    "conversations_history": "im:history", "auth_test": None, "files_upload_v2": "files:write",
    "usergroups_users_list": "usergroups:read", "chat_getPermalink": None,
    "conversations_info": "channels:read", "conversations_members": "channels:read",  # cxbot doctor
}  # fmt: skip


def called_methods() -> set[str]:
    source = "\n".join(
        p.read_text() for p in (ROOT / "bot").rglob("*.py") if "emulator" not in p.parts
    )
    return set(re.findall(r"client\.([a-z]+_[A-Za-z]+)\(", source))


def test_every_called_method_has_its_scope():
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    for method in called_methods():
        assert method in SCOPE_FOR, f"add {method} to SCOPE_FOR and the manifest"
        if SCOPE_FOR[method]:
            assert SCOPE_FOR[method] in scopes, f"{method} needs {SCOPE_FOR[method]}"


def test_slash_command_events_and_interactivity_point_at_the_bolt_path():
    [command] = MANIFEST["features"]["slash_commands"]
    assert command["command"] == "/cx"
    settings = MANIFEST["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    for url in (
        command["url"],
        settings["interactivity"]["request_url"],
        settings["event_subscriptions"]["request_url"],
    ):
        assert url.endswith("/slack/events")
    assert {"message.im", "app_home_opened"} <= set(settings["event_subscriptions"]["bot_events"])
