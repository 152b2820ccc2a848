"""Settings: defaults, environment and .env, and clear errors naming the bad setting."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.settings import Settings, SettingsError, load_settings

ALL_NAMES = [
    "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "CXBOT_DB",
    "CXBOT_WEBHOOK_SECRET", "CXBOT_SURVEY_DELAY", "CXBOT_SURVEY_COOLDOWN", "CXBOT_SURVEY_SAMPLE",
    "CXBOT_DEFAULT_SURVEY", "CXBOT_REMINDER_AFTER", "CXBOT_SURVEY_EXPIRES", "CXBOT_ALERT_CHANNEL",
    "CXBOT_ADMINS", "CXBOT_TIMEZONE", "CXBOT_ZENDESK_SECRET", "CXBOT_FRESHDESK_SECRET",
    "CXBOT_JIRA_SECRET", "CXBOT_INTERCOM_SECRET", "CXBOT_TICKET_URL", "CXBOT_THEMES", "CXBOT_RETENTION",
]  # fmt: skip


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in ALL_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults():
    s = load_settings()
    assert s.slack_api_url == "https://slack.com/api/"
    assert s.db_path == "./cxbot.db"
    assert s.survey_delay == timedelta(minutes=10)
    assert s.survey_cooldown == timedelta(days=7)
    assert s.survey_sample == 1.0
    assert s.default_survey == "csat"
    assert s.alert_channel is None and s.admins == []
    assert s.timezone == "UTC"


def test_environment_values(monkeypatch):
    monkeypatch.setenv("CXBOT_SURVEY_DELAY", "0s")
    monkeypatch.setenv("CXBOT_SURVEY_EXPIRES", "48h")
    monkeypatch.setenv("CXBOT_ADMINS", "U123, S456 ,")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9999/api")
    monkeypatch.setenv("CXBOT_TIMEZONE", "Asia/Tehran")
    s = load_settings()
    assert s.survey_delay == timedelta(0)
    assert s.survey_expires == timedelta(hours=48)
    assert s.admins == ["U123", "S456"]
    assert s.slack_api_url == "http://127.0.0.1:9999/api/"
    assert str(s.tz) == "Asia/Tehran"


def test_dotenv_in_working_directory_and_env_wins(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("CXBOT_DB=/data/from-dotenv.db\nCXBOT_DEFAULT_SURVEY=nps\n")
    monkeypatch.setenv("CXBOT_DEFAULT_SURVEY", "ces")
    s = load_settings()
    assert s.db_path == "/data/from-dotenv.db"
    assert s.default_survey == "ces"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("CXBOT_SURVEY_DELAY", "10 minutes", "not a duration"),
        ("CXBOT_SURVEY_COOLDOWN", "-1d", "not a duration"),
        ("CXBOT_SURVEY_SAMPLE", "1.5", "less than or equal to 1"),
        ("CXBOT_SURVEY_SAMPLE", "half", "valid number"),
        ("CXBOT_DEFAULT_SURVEY", "ces2", "'nps', 'csat' or 'ces'"),
        ("CXBOT_TIMEZONE", "Mars/Olympus", "unknown time zone"),
        ("SLACK_API_URL", "slack.com/api", "http"),
        ("CXBOT_ALERT_CHANNEL", "alerts", "channel id"),
        ("CXBOT_TICKET_URL", "https://acme.example/tickets/", "{id}"),
        ("CXBOT_THEMES", "/no/such/themes.json", "no such file"),
    ],
)
def test_bad_value_names_the_setting(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert name in str(info.value)
    assert message in str(info.value)


def test_secrets_are_never_echoed(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-super-secret")
    s = load_settings()
    assert "xoxb-super-secret" not in repr(s)
    assert s.slack_bot_token.get_secret_value() == "xoxb-super-secret"


def test_every_setting_is_documented_in_env_example():
    from pathlib import Path

    example = (Path(__file__).parents[2] / ".env.example").read_text()
    lines = example.splitlines()
    documented = [line.split("=", 1)[0] for line in lines if line and not line.startswith("#")]
    aliases = [field.validation_alias for field in Settings.model_fields.values()]
    assert sorted(documented) == sorted(aliases) == sorted(ALL_NAMES)
    for i, line in enumerate(lines):
        if line and not line.startswith("#"):
            assert lines[i - 1].startswith("# "), f"{line} lacks its one-line comment"
