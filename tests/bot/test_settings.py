"""Settings: defaults, environment and .env, and clear errors naming the bad setting."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import Field, SecretStr

from bot.observability import JsonFormatter, SecretScrubber
from bot.settings import Settings, SettingsError, child_environment, load_settings
from bot.themes import theme_labels

ALL_NAMES = [
    "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "CXBOT_DB",
    "CXBOT_WEBHOOK_SECRET", "CXBOT_SURVEY_DELAY", "CXBOT_SURVEY_COOLDOWN", "CXBOT_SURVEY_SAMPLE",
    "CXBOT_DEFAULT_SURVEY", "CXBOT_REMINDER_AFTER", "CXBOT_SURVEY_EXPIRES", "CXBOT_ALERT_CHANNEL",
    "CXBOT_ADMINS", "CXBOT_TIMEZONE", "CXBOT_ZENDESK_SECRET", "CXBOT_FRESHDESK_SECRET",
    "CXBOT_JIRA_SECRET", "CXBOT_INTERCOM_SECRET", "CXBOT_TICKET_URL", "CXBOT_THEMES", "CXBOT_RETENTION",
    "CXBOT_MODEL_DIR", "CXBOT_ZENDESK_URL", "CXBOT_ZENDESK_EMAIL", "CXBOT_ZENDESK_TOKEN",
    "CXBOT_FRESHDESK_URL", "CXBOT_FRESHDESK_API_KEY", "CXBOT_JIRA_URL", "CXBOT_JIRA_EMAIL",
    "CXBOT_JIRA_TOKEN", "CXBOT_INTERCOM_TOKEN", "CXBOT_INTERCOM_URL", "CXBOT_WRITEBACK",
]  # fmt: skip


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in (*ALL_NAMES, "XDG_CACHE_HOME"):
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


def test_model_dir_defaults_to_the_user_cache_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert load_settings().model_dir == tmp_path / "home" / ".cache" / "cxbot"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert load_settings().model_dir == tmp_path / "xdg" / "cxbot"


def test_model_dir_from_dotenv_and_empty_means_the_default(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    (tmp_path / ".env").write_text("CXBOT_MODEL_DIR=~/models\n")
    assert load_settings().model_dir == Path("~/models").expanduser()
    (tmp_path / ".env").write_text("CXBOT_MODEL_DIR=\n")
    assert load_settings().model_dir == tmp_path / "xdg" / "cxbot"


def test_themes_setting_names_the_team_file(tmp_path, monkeypatch):
    """CXBOT_THEMES reaches the taxonomy through the settings (nlp reads no environment)."""
    team = {"extends": True, "themes": {"onboarding": {"label": "Onboarding", "seeds": ["setup"]}}}
    (tmp_path / "themes.json").write_text(json.dumps(team), encoding="utf-8")
    monkeypatch.setenv("CXBOT_THEMES", str(tmp_path / "themes.json"))
    assert list(theme_labels(load_settings()).items())[-1] == ("onboarding", "Onboarding")


def test_secret_fields_are_exactly_the_tokens_and_secrets():
    """A token or secret typed as plain ``str`` would be logged in clear: it must be SecretStr."""
    named = {
        name
        for name, field in Settings.model_fields.items()
        if str(field.validation_alias).endswith(("_TOKEN", "_SECRET", "_PASSWORD", "_KEY"))
    }
    assert set(Settings.secret_fields()) == named
    assert len(named) == 12


def scrubbed_line(secrets: list[str], *values: str) -> str:
    """A log line carrying ``values``, through the filter and formatter ``cxbot serve`` installs."""
    record = logging.LogRecord(
        "cxbot", logging.ERROR, __file__, 1, "leaked " + " ".join(["%s"] * len(values)), values,
        None,
    )  # fmt: skip
    SecretScrubber(secrets).filter(record)
    return JsonFormatter().format(record)


def test_every_secret_setting_is_scrubbed_from_logs(monkeypatch):
    values = {}
    for name in Settings.secret_fields():
        alias = str(Settings.model_fields[name].validation_alias)
        values[alias] = f"{alias.lower()}-value-5e1f"
        monkeypatch.setenv(alias, values[alias])
    settings = load_settings()
    assert sorted(settings.secret_values()) == sorted(values.values())
    line = scrubbed_line(settings.secret_values(), *values.values())
    assert not [value for value in values.values() if value in line], line
    assert line.count("[redacted]") == len(values)


class WithNewHelpdesk(Settings):
    """What adding a helpdesk API client does: one more SecretStr field."""

    helpscout_token: SecretStr | None = Field(None, validation_alias="CXBOT_HELPSCOUT_TOKEN")


def test_a_new_secret_setting_is_scrubbed_without_listing_it_anywhere(monkeypatch):
    monkeypatch.setenv("CXBOT_HELPSCOUT_TOKEN", "helpscout-token-77ab")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "bot-token-12cd")
    settings = WithNewHelpdesk()
    assert "helpscout_token" in WithNewHelpdesk.secret_fields()
    assert "CXBOT_HELPSCOUT_TOKEN" in WithNewHelpdesk.secret_names()
    line = scrubbed_line(settings.secret_values(), "helpscout-token-77ab", "bot-token-12cd")
    assert "helpscout-token" not in line and "bot-token" not in line


def test_a_bad_secret_value_is_not_echoed(monkeypatch):
    monkeypatch.setenv("CXBOT_TIMEZONE", "Mars/Olympus")
    with pytest.raises(SettingsError) as info:
        load_settings(webhook_secret=["not", "a", "string-secret-9f"])
    assert "webhook_secret: Input should be a valid string" in str(info.value)
    assert "string-secret-9f" not in str(info.value) and "Mars/Olympus" in str(info.value)


def test_child_environment_drops_proxies_and_stray_settings(monkeypatch):
    monkeypatch.setenv("CXBOT_DB", "/stray/parent.db")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-parent")
    monkeypatch.setenv("https_proxy", "http://proxy.example:3128")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    env = child_environment({"CXBOT_DB": "/child.db"})
    assert env["CXBOT_DB"] == "/child.db" and env["OPENBLAS_NUM_THREADS"] == "1"
    assert "SLACK_BOT_TOKEN" not in env and "https_proxy" not in env


def test_a_helpdesk_api_needs_all_its_credentials(monkeypatch):
    monkeypatch.setenv("CXBOT_ZENDESK_URL", "https://acme.zendesk.com/")
    monkeypatch.setenv("CXBOT_ZENDESK_TOKEN", "zd-token")
    assert load_settings().helpdesk_api("zendesk") is None  # no agent email yet
    monkeypatch.setenv("CXBOT_ZENDESK_EMAIL", "agent@acme.com")
    monkeypatch.setenv("CXBOT_INTERCOM_TOKEN", "ic-token")
    apis = load_settings().helpdesk_apis()
    assert sorted(apis) == ["intercom", "zendesk"]
    assert apis["zendesk"].url == "https://acme.zendesk.com"
    assert (apis["zendesk"].login, apis["zendesk"].secret) == ("agent@acme.com", "zd-token")
    assert apis["intercom"].url == "https://api.intercom.io"  # the default region
    assert "zd-token" not in repr(apis["zendesk"])


def test_a_helpdesk_url_must_be_http(monkeypatch):
    monkeypatch.setenv("CXBOT_JIRA_URL", "acme.atlassian.net")
    with pytest.raises(SettingsError, match="CXBOT_JIRA_URL"):
        load_settings()


@pytest.mark.parametrize(
    "source, text",
    [
        ("zendesk", "CXBOT_ZENDESK_URL, CXBOT_ZENDESK_EMAIL and CXBOT_ZENDESK_TOKEN"),
        ("freshdesk", "CXBOT_FRESHDESK_URL and CXBOT_FRESHDESK_API_KEY"),
        ("jira", "CXBOT_JIRA_URL, CXBOT_JIRA_EMAIL and CXBOT_JIRA_TOKEN"),
        ("intercom", "CXBOT_INTERCOM_TOKEN"),  # the URL has a default
    ],
)
def test_the_settings_a_helpdesk_api_needs_are_named_from_the_fields(source, text):
    assert Settings.helpdesk_api_settings(source) == text
