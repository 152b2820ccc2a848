"""Scenario fixtures: the Slack emulator, settings pointing at it, and a running server."""

from __future__ import annotations

import pytest

from bot.emulator import SlackEmulator
from bot.settings import load_settings
from tests.scenarios.harness import SIGNING_SECRET, WEBHOOK_SECRET, RunningServer

ALERT_CHANNEL = "C0ALERTS1"  # the tests' CXBOT_ALERT_CHANNEL
CUSTOMERS = {
    "U0HEBREW1": ("noa", "noa@example.com", "he-IL"),
    "U0PERSIAN": ("dariush", "dariush@example.com", "fa-IR"),
    "U0ENGLISH": ("emma", "emma@example.com", "en-GB"),
    "U0CHINESE": ("li", "li@example.com", "zh-CN"),
}


@pytest.fixture
def emulator():
    with SlackEmulator() as fake:
        for user_id, (name, email, locale) in CUSTOMERS.items():
            fake.add_user(user_id, name, email=email, locale=locale, tz="Europe/Bucharest")
        fake.add_user("U0BOTUSER", "somebot", email="bot@example.com", is_bot=True)
        # An admin invites @cxbot where it posts: the alert channel, and #cx-feedback (digests,
        # surveys in its threads) - the bot is in no channel it was not invited to.
        for channel in (ALERT_CHANNEL, "C02FEEDBACK"):
            fake.invite(channel)
        yield fake


@pytest.fixture
def settings_for(tmp_path, emulator, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def make(**overrides):
        values = dict(
            slack_bot_token=emulator.token, slack_signing_secret=SIGNING_SECRET, slack_api_url=emulator.base_url,
            webhook_secret=WEBHOOK_SECRET, db_path=str(tmp_path / "cxbot.db"), survey_delay="0s",
        )  # fmt: skip
        values.update(overrides)
        return load_settings(**values)

    return make


@pytest.fixture
def server(settings_for):
    running = RunningServer(settings_for()).start()
    yield running
    running.stop()
