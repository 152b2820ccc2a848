"""Settings from environment variables and a ``.env`` file in the working directory.

Environment variables win over ``.env``.  Every value is validated at start-up
so that a typo such as ``CXBOT_SURVEY_DELAY=10 minutes`` stops the bot with a
message naming the setting, instead of surveying customers at the wrong time.

This is the only module that reads the environment: everything else gets its
values from a ``Settings`` (``nlp`` as plain arguments), so a value set only in
``.env`` reaches every part of the bot alike.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from storage.survey_types import SURVEY_NAMES, SURVEYS, names_text
from storage.timestamps import parse_duration


class SettingsError(ValueError):
    """One or more settings are invalid; the message names each one."""


def _duration(value: object) -> object:
    if isinstance(value, timedelta) or value is None:
        return value
    if isinstance(value, str) and not value.strip():
        return None
    return parse_duration(str(value))


def _csv_list(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


Duration = Annotated[timedelta, BeforeValidator(_duration)]


def _default_model_dir() -> Path:
    """``$XDG_CACHE_HOME/cxbot``, or ``~/.cache/cxbot`` when that variable is unset."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "cxbot"


def _model_dir(value: object) -> object:
    if value is None or (isinstance(value, str) and not value.strip()):
        return _default_model_dir()  # an empty CXBOT_MODEL_DIR= in .env means "the default"
    return Path(str(value)).expanduser()


def _holds_secret(annotation: object) -> bool:
    """``SecretStr`` or ``SecretStr | None``: a value that must never be shown."""
    return any(
        isinstance(kind, type) and issubclass(kind, SecretStr)
        for kind in (annotation, *get_args(annotation))
    )


INTERCOM_API = "https://api.intercom.io"
_API_SECRET = {
    "zendesk": "zendesk_token",
    "freshdesk": "freshdesk_api_key",
    "jira": "jira_token",
    "intercom": "intercom_token",
}


@dataclass(frozen=True)
class HelpdeskApi:
    """Where one helpdesk's REST API is and how to sign in (``login`` is empty where unused)."""

    source: str
    url: str
    login: str
    secret: str = field(repr=False)


class Settings(BaseSettings):
    """Every cxbot setting; the names are the environment variable names."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    slack_bot_token: SecretStr | None = Field(None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field("https://slack.com/api/", validation_alias="SLACK_API_URL")
    db_path: str = Field("./cxbot.db", validation_alias="CXBOT_DB")
    webhook_secret: SecretStr | None = Field(None, validation_alias="CXBOT_WEBHOOK_SECRET")
    survey_delay: Duration = Field(timedelta(minutes=10), validation_alias="CXBOT_SURVEY_DELAY")
    survey_cooldown: Duration = Field(timedelta(days=7), validation_alias="CXBOT_SURVEY_COOLDOWN")
    survey_sample: float = Field(1.0, ge=0.0, le=1.0, validation_alias="CXBOT_SURVEY_SAMPLE")
    default_survey: str = Field("csat", validation_alias="CXBOT_DEFAULT_SURVEY")
    reminder_after: Duration = Field(timedelta(hours=24), validation_alias="CXBOT_REMINDER_AFTER")
    survey_expires: Duration = Field(timedelta(days=7), validation_alias="CXBOT_SURVEY_EXPIRES")
    alert_channel: str | None = Field(None, validation_alias="CXBOT_ALERT_CHANNEL")
    admins: Annotated[list[str], NoDecode, BeforeValidator(_csv_list)] = Field(
        default_factory=list, validation_alias="CXBOT_ADMINS"
    )
    timezone: str = Field("UTC", validation_alias="CXBOT_TIMEZONE")
    retention: Duration | None = Field(None, validation_alias="CXBOT_RETENTION")
    ticket_url: str | None = Field(None, validation_alias="CXBOT_TICKET_URL")
    themes_path: str | None = Field(None, validation_alias="CXBOT_THEMES")
    model_dir: Annotated[Path, BeforeValidator(_model_dir)] = Field(
        default_factory=_default_model_dir, validation_alias="CXBOT_MODEL_DIR"
    )
    zendesk_secret: SecretStr | None = Field(None, validation_alias="CXBOT_ZENDESK_SECRET")
    freshdesk_secret: SecretStr | None = Field(None, validation_alias="CXBOT_FRESHDESK_SECRET")
    jira_secret: SecretStr | None = Field(None, validation_alias="CXBOT_JIRA_SECRET")
    intercom_secret: SecretStr | None = Field(None, validation_alias="CXBOT_INTERCOM_SECRET")
    # Helpdesk REST APIs, all optional: they let cxbot find a customer the webhook names only by
    # id, fetch the ticket's own figures at closure, and write the score back (CXBOT_WRITEBACK).
    zendesk_url: str | None = Field(None, validation_alias="CXBOT_ZENDESK_URL")
    zendesk_email: str | None = Field(None, validation_alias="CXBOT_ZENDESK_EMAIL")
    zendesk_token: SecretStr | None = Field(None, validation_alias="CXBOT_ZENDESK_TOKEN")
    freshdesk_url: str | None = Field(None, validation_alias="CXBOT_FRESHDESK_URL")
    freshdesk_api_key: SecretStr | None = Field(None, validation_alias="CXBOT_FRESHDESK_API_KEY")
    jira_url: str | None = Field(None, validation_alias="CXBOT_JIRA_URL")
    jira_email: str | None = Field(None, validation_alias="CXBOT_JIRA_EMAIL")
    jira_token: SecretStr | None = Field(None, validation_alias="CXBOT_JIRA_TOKEN")
    intercom_token: SecretStr | None = Field(None, validation_alias="CXBOT_INTERCOM_TOKEN")
    intercom_url: str = Field(INTERCOM_API, validation_alias="CXBOT_INTERCOM_URL")
    writeback: bool = Field(False, validation_alias="CXBOT_WRITEBACK")

    @classmethod
    def secret_fields(cls) -> list[str]:
        """Every field typed ``SecretStr``: the values logs must never show in clear."""
        return [name for name, field in cls.model_fields.items() if _holds_secret(field.annotation)]

    @classmethod
    def secret_names(cls) -> set[str]:
        """The setting names (``SLACK_BOT_TOKEN``…) of the secret fields."""
        return {str(cls.model_fields[name].validation_alias) for name in cls.secret_fields()}

    def secret_values(self) -> list[str]:
        """The secrets that are set, for the log scrubber."""
        values = [getattr(self, name) for name in self.secret_fields()]
        return [value.get_secret_value() for value in values if value and value.get_secret_value()]

    def source_secret(self, source: str) -> str | None:
        """A helpdesk's own signing secret, falling back to CXBOT_WEBHOOK_SECRET."""
        own = getattr(self, f"{source}_secret", None)
        chosen = own or self.webhook_secret
        return chosen.get_secret_value() if chosen else None

    def helpdesk_api(self, source: str) -> HelpdeskApi | None:
        """The REST credentials of one helpdesk, or None when they are not (all) set."""
        secret = getattr(self, _API_SECRET.get(source, ""), None)
        if secret is None or not secret.get_secret_value():
            return None
        url = getattr(self, f"{source}_url", None)
        login = getattr(self, f"{source}_email", None) if source in ("zendesk", "jira") else ""
        if not url or login is None:
            return None
        return HelpdeskApi(source, url.rstrip("/"), login, secret.get_secret_value())

    @classmethod
    def helpdesk_api_settings(cls, source: str) -> str:
        """The settings a helpdesk's REST API needs, for messages that say what to set:
        ``CXBOT_ZENDESK_URL, CXBOT_ZENDESK_EMAIL and CXBOT_ZENDESK_TOKEN``."""
        names = [
            str(cls.model_fields[name].validation_alias)
            for name in (f"{source}_url", f"{source}_email", _API_SECRET.get(source, ""))
            if name in cls.model_fields and (source != "intercom" or name != "intercom_url")
        ]
        return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)

    def helpdesk_apis(self) -> dict[str, HelpdeskApi]:
        """Every helpdesk whose REST credentials are complete, by source name."""
        apis = {source: self.helpdesk_api(source) for source in _API_SECRET}
        return {source: api for source, api in apis.items() if api is not None}

    @field_validator("zendesk_url", "freshdesk_url", "jira_url")
    @classmethod
    def _helpdesk_url(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        if not value:
            return None
        return cls._intercom_url(value)

    @field_validator("intercom_url")
    @classmethod
    def _intercom_url(cls, value: str | None) -> str:
        value = (value or "").strip() or INTERCOM_API
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://acme.zendesk.com")
        return value.rstrip("/")

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name like Europe/Bucharest)"
            ) from None
        return value

    @field_validator("default_survey")
    @classmethod
    def _survey(cls, value: str) -> str:
        if value not in SURVEYS:  # the types come from storage.survey_types, not a second list
            quoted = tuple(repr(name) for name in SURVEY_NAMES)
            raise ValueError(f"Input should be {names_text(quoted)}")
        return value

    @field_validator("alert_channel")
    @classmethod
    def _channel(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        if not value:
            return None
        if not (value.startswith("#") or value[:1] in "CGD"):
            raise ValueError("must be a channel id (C…) or #name")
        return value

    @field_validator("ticket_url")
    @classmethod
    def _ticket_url(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        if not value:
            return None
        if not value.startswith(("http://", "https://")) or "{id}" not in value:
            raise ValueError(
                "must be an http(s) URL containing {id}, e.g. https://acme.zendesk.com/agent/tickets/{id}"
            )
        return value

    @field_validator("themes_path")
    @classmethod
    def _themes_path(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        if value and not Path(value).is_file():
            raise ValueError(f"no such file: {value}")
        return value or None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_settings(**overrides: Any) -> Settings:
    """Read and validate settings, turning pydantic's report into one clear message."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        hidden = Settings.secret_names() | set(Settings.secret_fields())
        problems = []
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]) or "settings"
            message = str(error["msg"]).removeprefix("Value error, ")
            given = error.get("input")
            secret = name in hidden or name.startswith("SLACK_")
            problems.append(f"{name}: {message}{'' if secret else f' (got {given!r})'}")
        raise SettingsError("invalid settings:\n  " + "\n  ".join(problems)) from None


def child_environment(settings_env: Mapping[str, str]) -> dict[str, str]:
    """The environment for a ``cxbot serve`` child process: exactly ``settings_env`` as its settings.

    This process's variables are kept (PATH, BLAS threads…) except proxies
    (slack_sdk ignores NO_PROXY, and children only talk to 127.0.0.1) and any
    stray ``CXBOT_``/``SLACK_`` setting that would leak into the child.
    """
    env = {
        name: value
        for name, value in os.environ.items()
        if "proxy" not in name.lower() and not name.startswith(("CXBOT_", "SLACK_"))
    }
    env.update(settings_env)
    return env
