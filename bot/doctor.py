"""``cxbot doctor``: is this installation able to work, and if not, what exactly to fix.

Each check asks the real thing once (Slack's ``auth.test``, the alert
channel, each helpdesk's API, the database file, the model) and answers one
``Check``: ``ok``, ``warn`` (works, but worth knowing) or ``fail`` (something
cxbot needs is missing, with the fix).  ``cxbot serve`` logs the Slack
checks once at start-up, so a wrong token or a channel the bot is not in is
said on the first line of the log rather than found at the first alert.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlite_utils import Database

from bot.settings import Settings

Status = Literal["ok", "warn", "fail", "skip"]
MANIFEST = Path(__file__).resolve().parent.parent / "manifest.yml"
#: A person no helpdesk has: a 404 proves the credentials were accepted.
PROBE_PERSON = "1"
SOURCE_SECRETS = {
    "zendesk": "CXBOT_ZENDESK_SECRET",
    "freshdesk": "CXBOT_FRESHDESK_SECRET",
    "jira": "CXBOT_JIRA_SECRET",
    "intercom": "CXBOT_INTERCOM_SECRET",
}
_DEAD_TOKEN = {"account_inactive", "token_revoked", "token_expired"}


@dataclass(frozen=True)
class Check:
    """One line of the report: what was checked, what was found, and the fix when not ok."""

    name: str
    status: Status
    detail: str
    fix: str = ""

    def line(self) -> str:
        mark = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL", "skip": "skip"}[self.status]
        fix = f" — fix: {self.fix}" if self.fix and self.status != "ok" else ""
        return f"{mark} {self.name}: {self.detail}{fix}"


@dataclass(frozen=True)
class Identity:
    """Who the token is, from ``auth.test``; ``scopes`` is None when Slack did not say."""

    team: str
    user: str
    user_id: str
    scopes: frozenset[str] | None


def healthy(checks: Iterable[Check]) -> bool:
    """Exit 0 only when nothing needed is missing (warnings are fine)."""
    return all(check.status != "fail" for check in checks)


def as_json(checks: list[Check]) -> dict[str, Any]:
    return {"ok": healthy(checks), "checks": [asdict(check) for check in checks]}


def manifest_scopes(path: Path = MANIFEST) -> frozenset[str] | None:
    """The bot scopes listed in ``manifest.yml`` (read by hand: PyYAML is a dev dependency).

    The list is the ``- scope`` lines under ``scopes:`` → ``bot:``; None when
    the file cannot be read (an installed wheel has no manifest beside it).
    """
    try:
        lines = [line.split("#", 1)[0].rstrip() for line in path.read_text("utf-8").splitlines()]
    except OSError:
        return None
    scopes: set[str] = set()
    for index, line in enumerate(lines[:-1]):
        if line.strip() == "scopes:" and lines[index + 1].strip() == "bot:":
            depth = _depth(lines[index + 1])
            for item in lines[index + 2 :]:
                if not item.strip().startswith("- ") or _depth(item) <= depth:
                    break
                scopes.add(item.strip()[2:].strip())
    return frozenset(scopes)


def _depth(line: str) -> int:
    return len(line) - len(line.lstrip())


# ---- Slack ---------------------------------------------------------------------------


def slack_client(settings: Settings) -> WebClient | None:
    token = settings.slack_bot_token
    if token is None or not token.get_secret_value():
        return None
    return WebClient(token=token.get_secret_value(), base_url=settings.slack_api_url, timeout=10)


def check_token(client: WebClient | None) -> tuple[Check, Identity | None]:
    """``auth.test``: the workspace and the bot user, or exactly why the token does not work."""
    name = "slack token"
    if client is None:
        return Check(
            name,
            "fail",
            "SLACK_BOT_TOKEN is not set",
            "set SLACK_BOT_TOKEN to the Bot User OAuth Token (xoxb-…) from OAuth & Permissions",
        ), None
    try:
        reply = client.auth_test()
    except SlackApiError as exc:
        error = str(exc.response.get("error", "unknown"))
        fix = (
            "the app was uninstalled or its token revoked: reinstall the app and copy the new token"
            if error in _DEAD_TOKEN
            else "copy the Bot User OAuth Token (xoxb-…) again from OAuth & Permissions"
        )
        return Check(name, "fail", f"Slack refuses SLACK_BOT_TOKEN ({error})", fix), None
    except Exception as exc:  # no connection, DNS, TLS
        return Check(
            name,
            "fail",
            f"cannot reach Slack at {client.base_url} ({type(exc).__name__}: {exc})",
            "check the network and SLACK_API_URL",
        ), None
    header = _header(reply.headers, "x-oauth-scopes")
    scopes = (
        frozenset(s.strip() for s in header.split(",") if s.strip()) if header is not None else None
    )
    identity = Identity(
        str(reply.get("team", "")),
        str(reply.get("user", "")),
        str(reply.get("user_id", "")),
        scopes,
    )
    detail = f"connected to workspace {identity.team} as @{identity.user} ({identity.user_id})"
    return Check(name, "ok", detail), identity


def _header(headers: Any, name: str) -> str | None:
    for key, value in dict(headers or {}).items():
        if key.lower() == name:
            return ", ".join(value) if isinstance(value, list) else str(value)
    return None


def check_scopes(
    identity: Identity | None, wanted: frozenset[str] | None, manifest: Path = MANIFEST
) -> Check:
    """The scopes granted to the token against the ones ``manifest.yml`` asks for."""
    name = "scopes"
    if identity is None:
        return Check(name, "skip", "needs a working token")
    if wanted is None:
        return Check(
            name, "warn", f"cannot read {manifest}", "pass --manifest PATH (cxbot's manifest.yml)"
        )
    if identity.scopes is None:
        return Check(
            name,
            "warn",
            "unknown: Slack sent no x-oauth-scopes header with auth.test",
            f"compare OAuth & Permissions → Scopes with manifest.yml ({', '.join(sorted(wanted))})",
        )
    missing = sorted(wanted - identity.scopes)
    if missing:
        lines = "; ".join(f"`- {scope}`" for scope in missing)
        return Check(
            name,
            "fail",
            f"missing {', '.join(missing)}",
            f"add {lines} under oauth_config.scopes.bot in the app's manifest, then reinstall the app",
        )
    return Check(name, "ok", f"all {len(wanted)} scopes in manifest.yml granted")


def check_channel(
    client: WebClient, identity: Identity, channel: str, name: str, setting: str
) -> Check:
    """The channel exists, is not archived, and the bot is in it (or can join it)."""
    if not re.match(r"^[CG][A-Z0-9]+$", channel):
        return Check(
            name,
            "warn",
            f"{channel} is a name, not an id; it cannot be checked",
            f"set {setting} to the channel id (C…, at the bottom of the channel's details)",
        )
    try:
        info = client.conversations_info(channel=channel)["channel"]
    except SlackApiError as exc:
        error = str(exc.response.get("error", "unknown"))
        if error == "channel_not_found":
            return Check(
                name,
                "fail",
                f"{channel} not found (a private channel is invisible until @{identity.user} is invited)",
                f"check {setting}; in a private channel type /invite @{identity.user}",
            )
        return Check(name, "fail", f"conversations.info on {channel}: {error}", _scope_fix(exc))
    label = f"#{info.get('name', channel)}"
    if info.get("is_archived"):
        return Check(name, "fail", f"{label} is archived", f"choose another channel for {setting}")
    member = _is_member(client, identity, channel, info)
    if member is False:
        return _outside(name, label, info, identity)
    if member is None:
        return Check(name, "warn", f"{label} exists; membership unknown", "")
    return Check(name, "ok", f"{label}, @{identity.user} is a member")


def _is_member(client: WebClient, identity: Identity, channel: str, info: dict) -> bool | None:
    """``conversations.members`` when it answers, else ``is_member`` from ``conversations.info``."""
    try:
        members: set[str] = set()
        cursor = None
        for _ in range(50):  # 50 pages of 200: a channel of 10,000 is plenty
            page = client.conversations_members(channel=channel, cursor=cursor, limit=200)
            members.update(page.get("members") or [])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        return identity.user_id in members
    except SlackApiError:
        flag = info.get("is_member")
        return bool(flag) if flag is not None else None


def _outside(name: str, label: str, info: dict, identity: Identity) -> Check:
    invite = f"type /invite @{identity.user} in {label}"
    if info.get("is_private") or identity.scopes is None or "channels:join" not in identity.scopes:
        return Check(name, "fail", f"@{identity.user} is not in {label}", invite)
    return Check(
        name, "warn", f"@{identity.user} is not in {label}; it joins at the first post", invite
    )


def _scope_fix(exc: SlackApiError) -> str:
    needed = exc.response.get("needed")
    if needed:
        return f"add the {needed} scope to the app and reinstall it"
    return "see the Slack error above"


def check_alert_channel(
    settings: Settings, client: WebClient | None, identity: Identity | None
) -> Check:
    name = "alert channel"
    if not settings.alert_channel:
        return Check(name, "ok", "CXBOT_ALERT_CHANNEL not set: no detractor alerts")
    if client is None or identity is None:
        return Check(name, "skip", "needs a working token")
    return check_channel(client, identity, settings.alert_channel, name, "CXBOT_ALERT_CHANNEL")


def check_digest_channels(
    channels: list[tuple[int, str]], client: WebClient | None, identity: Identity | None
) -> list[Check]:
    """One check per digest subscription that posts to a channel (DMs need nothing)."""
    if not channels:
        return [Check("digest channels", "ok", "no digest posts to a channel")]
    if client is None or identity is None:
        return [Check("digest channels", "skip", "needs a working token")]
    return [
        check_channel(client, identity, channel, f"digest #{sub_id}", f"digest #{sub_id}'s channel")
        for sub_id, channel in channels
    ]


# ---- helpdesks, database, model ------------------------------------------------------


def check_webhook_secrets(settings: Settings, sources: list[str]) -> list[Check]:
    """A signing secret for every helpdesk whose tickets are stored (webhooks are refused without)."""
    if not sources:
        if any(settings.source_secret(source) for source in (*SOURCE_SECRETS, "generic")):
            return [Check("webhook secrets", "ok", "set; no tickets yet")]
        return [
            Check(
                "webhook secrets",
                "warn",
                "no tickets yet and no webhook secret set: helpdesk webhooks will be refused",
                "set CXBOT_WEBHOOK_SECRET (or CXBOT_<HELPDESK>_SECRET) to the helpdesk's secret",
            )
        ]
    checks = []
    for source in sources:
        own = SOURCE_SECRETS.get(source)
        names = f"{own} nor CXBOT_WEBHOOK_SECRET" if own else "CXBOT_WEBHOOK_SECRET"
        if settings.source_secret(source):
            checks.append(Check(f"{source} webhooks", "ok", "secret set"))
        else:
            checks.append(
                Check(
                    f"{source} webhooks",
                    "fail",
                    f"tickets come from {source} but neither {names} is set",
                    f"set {own or 'CXBOT_WEBHOOK_SECRET'} to the secret the {source} webhook signs with",
                )
            )
    return checks


def check_helpdesk_apis(settings: Settings) -> list[Check]:
    """One cheap call per configured helpdesk API: a 404 is fine, a 401/403 is not."""
    from bot.helpdesks.api import HelpdeskRefused, HelpdeskUnavailable
    from bot.helpdesks.registry import helpdesk_clients

    checks = []
    for source, client in helpdesk_clients(settings).items():
        name = f"{source} API"
        try:
            client.person(PROBE_PERSON)
            checks.append(Check(name, "ok", "credentials accepted"))
        except HelpdeskRefused as exc:
            if exc.status in (401, 403):
                fix = f"check CXBOT_{source.upper()}_* (URL, login and token) and the token's permissions"
                checks.append(Check(name, "fail", str(exc), fix))
            else:
                checks.append(Check(name, "ok", "credentials accepted"))
        except HelpdeskUnavailable as exc:
            checks.append(
                Check(name, "fail", str(exc), f"check CXBOT_{source.upper()}_URL and the network")
            )
        finally:
            close = getattr(client, "close", None)
            if close is not None:
                close()
    return checks


def check_database(path: str) -> tuple[Check, list[str], list[tuple[int, str]]]:
    """Writable, and the schema version; also the ticket sources and digest channels stored."""
    from storage.db import SchemaTooNewError, open_db

    name = "database"
    if not Path(path).exists():
        return (
            Check(
                name,
                "warn",
                f"{path} does not exist yet",
                "run cxbot db init (serve creates it too)",
            ),
            [],
            [],
        )
    try:
        db = open_db(path, migrate=False)
    except SchemaTooNewError as exc:
        return Check(name, "fail", str(exc), "run the newer cxbot, or restore a backup"), [], []
    except Exception as exc:
        return (
            Check(
                name,
                "fail",
                f"cannot open {path}: {exc}",
                "check CXBOT_DB and the file's permissions",
            ),
            [],
            [],
        )
    try:
        return _inspect(db, path)
    finally:
        db.close()


def _inspect(db: Database, path: str) -> tuple[Check, list[str], list[tuple[int, str]]]:
    from storage.db import schema_status
    from storage.subscriptions import subscriptions

    name = "database"
    try:
        db.execute("BEGIN IMMEDIATE")  # a real write, rolled back: read-only files fail here
        db.execute("CREATE TABLE _cxbot_doctor (x)")
        db.execute("ROLLBACK")
    except Exception as exc:
        return (
            Check(
                name,
                "fail",
                f"{path} is not writable: {exc}",
                "check the file's and folder's owner",
            ),
            [],
            [],
        )
    status = schema_status(db)
    applied, pending = len(status["applied"]), status["pending"]
    try:
        sources = [r[0] for r in db.execute("SELECT DISTINCT source FROM tickets ORDER BY source")]
        channels = [(s.id, s.channel) for s in subscriptions(db) if s.channel]
    except Exception:  # an old schema without these tables: nothing stored to check
        sources, channels = [], []
    if pending:
        return (
            Check(
                name,
                "warn",
                f"{path} writable, {applied} migrations applied, {len(pending)} pending",
                "run cxbot db migrate (serve applies them at start)",
            ),
            sources,
            channels,
        )
    detail = f"{path} writable, schema up to date ({applied} migrations)"
    return Check(name, "ok", detail), sources, channels


def check_model(settings: Settings) -> Check:
    try:
        from nlp.classify import load_default_model

        model = load_default_model(settings.model_dir)
    except Exception as exc:
        return Check(
            "model",
            "fail",
            f"cannot load the comment model: {type(exc).__name__}: {exc}",
            "check CXBOT_MODEL_DIR is writable, or run cxbot nlp train",
        )
    return Check("model", "ok", f"comment model {model.version} loaded")


# ---- all together -------------------------------------------------------------------


def slack_checks(
    settings: Settings, channels: Iterable[tuple[int, str]] = (), manifest: Path = MANIFEST
) -> list[Check]:
    """The Slack side: token, scopes, alert and digest channels (what serve logs at start)."""
    client = slack_client(settings)
    token, identity = check_token(client)
    return [
        token,
        check_scopes(identity, manifest_scopes(manifest), manifest),
        check_alert_channel(settings, client, identity),
        *check_digest_channels(list(channels), client, identity),
    ]


def check_receiving(settings: Settings, socket: bool) -> Check:
    """The signing secret for HTTP, or the app-level token for Socket Mode."""
    if socket:
        if settings.slack_app_token and settings.slack_app_token.get_secret_value():
            return Check("app token", "ok", "SLACK_APP_TOKEN set (Socket Mode)")
        return Check(
            "app token",
            "fail",
            "SLACK_APP_TOKEN is not set",
            "create an app-level token with connections:write (Basic Information)",
        )
    if settings.slack_signing_secret and settings.slack_signing_secret.get_secret_value():
        return Check("signing secret", "ok", "SLACK_SIGNING_SECRET set")
    return Check(
        "signing secret",
        "fail",
        "SLACK_SIGNING_SECRET is not set: Slack's requests cannot be verified",
        "copy the Signing Secret from Basic Information → App Credentials",
    )


def run_checks(
    settings: Settings, *, socket: bool = False, model: bool = True, manifest: Path = MANIFEST
) -> list[Check]:
    """Every check, in the order the report prints them."""
    database, sources, channels = check_database(settings.db_path)
    checks = [
        *slack_checks(settings, channels, manifest),
        check_receiving(settings, socket),
        *check_webhook_secrets(settings, sources),
        *check_helpdesk_apis(settings),
        database,
    ]
    if model:
        checks.append(check_model(settings))
    return checks


# ---- cxbot serve start-up ------------------------------------------------------------


def stored_channels(db_path: str) -> list[tuple[int, str]]:
    """The channels digest subscriptions post to, read without writing (start-up must not block)."""
    import sqlite3

    try:
        with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as db:
            rows = db.execute(
                "SELECT id, channel FROM digest_subscriptions WHERE active = 1 AND channel IS NOT NULL ORDER BY id"
            ).fetchall()
    except sqlite3.Error:  # no database yet, or an old schema: nothing to check
        return []
    return [(int(row[0]), str(row[1])) for row in rows]


def log_startup(settings: Settings, log: logging.Logger) -> list[Check]:
    """The Slack checks, logged once: "connected to workspace X as @cxbot", or exactly why not.

    Never raises: the bot serves ``/cx`` from its database and queues surveys
    even while Slack refuses it, so a failed check is said, not fatal.
    """
    try:
        checks = slack_checks(settings, stored_channels(settings.db_path))
    except Exception as exc:  # a check that crashes must not take serve down
        log.exception("start-up checks crashed: %s", exc)
        return []
    token = checks[0]
    if token.status == "ok":
        log.info("%s", token.detail)
    else:
        log.error("not connected to Slack: %s — fix: %s", token.detail, token.fix)
    for check in checks[1:]:
        if check.status in ("warn", "fail"):
            log.warning("start-up check %s", check.line())
    return checks
