"""The Slack manifest grants what the code uses, so a one-step install works."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.emulator.scopes import CHANNEL_SCOPES, METHOD_SCOPES, api_method, manifest_scopes

ROOT = Path(__file__).parents[2]
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())
BOT_SCOPES = set(MANIFEST["oauth_config"]["scopes"]["bot"])
# The channel types the code reads history of: survey DMs, and shared channels (public or
# private) where a survey goes in a ticket's thread.
CHANNEL_TYPES_USED = {
    "conversations.history": ("im", "public", "private"),
    # cxbot doctor: the alert and digest channels, public or private, and the bot's membership
    "conversations.info": ("public", "private"),
    "conversations.members": ("public", "private"),
}
# Scopes no Web API call needs: the /cx command itself.
NOT_FOR_A_METHOD = {"commands"}


def called_methods() -> set[str]:
    """The Web API methods bot/ calls: every ``client.<method>(`` plus Bolt's ``say()``."""
    source = "\n".join(
        p.read_text() for p in (ROOT / "bot").rglob("*.py") if "emulator" not in p.parts
    )
    sdk = set(re.findall(r"client\.([a-z]+(?:_[A-Za-z0-9]+)+)\(", source))
    methods = {api_method(name) for name in sdk}
    if "files.getUploadURLExternal" in methods:  # files_upload_v2 completes the upload too
        methods.add("files.completeUploadExternal")
    if re.search(r"\bsay\(", source):
        methods.add("chat.postMessage")
    return methods


def needed_scopes() -> dict[str, set[str]]:
    """For each called method, the scopes the manifest may grant it (from the emulator's table),
    one entry per channel type where the method's scope depends on it."""
    needs: dict[str, set[str]] = {}
    for method in called_methods():
        if method in CHANNEL_SCOPES:
            for kind in CHANNEL_TYPES_USED[method]:
                needs[f"{method} ({kind})"] = {CHANNEL_SCOPES[method][kind]}
        else:
            assert method in METHOD_SCOPES, f"add {method} to bot/emulator/scopes.py"
            if METHOD_SCOPES[method]:
                needs[method] = set(METHOD_SCOPES[method])
    return needs


def test_the_manifest_grants_every_scope_the_code_calls_need():
    needs = needed_scopes()
    assert {"chat.postMessage", "conversations.history (private)"} <= set(needs)
    missing = {call: scopes for call, scopes in needs.items() if not scopes & BOT_SCOPES}
    assert not missing, f"add to manifest.yml: {missing}"


def test_the_manifest_grants_no_scope_the_code_does_not_use():
    used = set().union(*needed_scopes().values()) | NOT_FOR_A_METHOD
    assert BOT_SCOPES - used == set()


def test_the_emulator_token_holds_the_manifest_scopes():
    assert set(manifest_scopes()) == BOT_SCOPES


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
