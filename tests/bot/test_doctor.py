"""``cxbot doctor`` against the Slack emulator and the helpdesk emulator, as a person runs it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.doctor import MANIFEST, Identity, check_scopes, manifest_scopes
from bot.emulator import SlackEmulator
from bot.emulator.state import BOT_USER_NAME
from bot.helpdesk_emulator import HelpdeskEmulator
from storage.db import open_db
from storage.subscriptions import subscribe
from tests.bot.cli_run import run

SECRET = "doctor-signing-secret"


@pytest.fixture(scope="module")
def slack():
    with SlackEmulator() as fake:
        fake.add_channel("C0ALERTS01", "cx-alerts")
        fake.invite("C0ALERTS01")  # as an admin does once the app is installed
        yield fake


@pytest.fixture(scope="module")
def helpdesk():
    with HelpdeskEmulator() as fake:
        yield fake


@pytest.fixture
def setup(tmp_path, slack, helpdesk):
    """A healthy installation: Zendesk tickets stored, its secret and API set, alerts in a channel."""
    db_path = tmp_path / "cxbot.db"
    db = open_db(db_path)
    db.execute("INSERT INTO tickets (source, external_id, updated_at) VALUES ('zendesk', '7', 'x')")
    db.close()
    env = {
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_API_URL": slack.base_url,
        "SLACK_SIGNING_SECRET": SECRET,
        "CXBOT_DB": str(db_path),
        "CXBOT_ALERT_CHANNEL": "C0ALERTS01",
        "CXBOT_ZENDESK_SECRET": "zd-webhook",
        "CXBOT_ZENDESK_URL": helpdesk.url("zendesk"),
        "CXBOT_ZENDESK_EMAIL": helpdesk.zendesk_email,
        "CXBOT_ZENDESK_TOKEN": helpdesk.zendesk_token,
        "CXBOT_MODEL_DIR": str(tmp_path / "models"),
    }
    return env


def doctor(tmp_path: Path, env: dict[str, str], *args: str) -> tuple[int, dict[str, dict]]:
    result = run("doctor", "--json", *args, cwd=tmp_path, env=env)
    report = json.loads(result.stdout)
    assert report["ok"] is (result.returncode == 0), result.stdout
    return result.returncode, {check["name"]: check for check in report["checks"]}


def test_healthy_setup_exits_0_with_one_line_per_check(tmp_path, setup, slack):
    result = run("doctor", cwd=tmp_path, env=setup)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert "ok   slack token: connected to workspace" in lines[0]
    assert f"as @{BOT_USER_NAME}" in lines[0]
    text = result.stdout
    assert "ok   alert channel: #cx-alerts" in text
    assert "ok   signing secret" in text and "ok   zendesk webhooks: secret set" in text
    assert "ok   zendesk API: credentials accepted" in text
    assert "ok   database:" in text and "schema up to date" in text
    assert "ok   model: comment model" in text
    assert "FAIL" not in text
    # the emulator cannot say which scopes it granted yet: unknown is a warning, not a failure
    assert "scopes" in text


def test_bad_token_fails_with_the_fix(tmp_path, setup):
    code, checks = doctor(tmp_path, {**setup, "SLACK_BOT_TOKEN": "xoxb-wrong"}, "--no-model")
    assert code == 1
    assert checks["slack token"]["status"] == "fail"
    assert "invalid_auth" in checks["slack token"]["detail"]
    assert "Bot User OAuth Token" in checks["slack token"]["fix"]
    # what needs the token is skipped, not reported as a second problem
    assert checks["scopes"]["status"] == checks["alert channel"]["status"] == "skip"


def test_bot_outside_a_private_alert_channel(tmp_path, setup, slack):
    slack.add_channel("G0PRIVATE1", "cx-private", is_private=True)  # the bot never invited
    code, checks = doctor(tmp_path, {**setup, "CXBOT_ALERT_CHANNEL": "G0PRIVATE1"}, "--no-model")
    assert code == 1
    alert = checks["alert channel"]
    assert alert["status"] == "fail"
    # Slack hides a private channel from a non-member: conversations.info says channel_not_found.
    assert alert["detail"] == (
        f"G0PRIVATE1 not found (a private channel is invisible until @{BOT_USER_NAME} is invited)"
    )
    assert (
        alert["fix"]
        == f"check CXBOT_ALERT_CHANNEL; in a private channel type /invite @{BOT_USER_NAME}"
    )


def test_each_digest_channel_is_checked(tmp_path, setup, slack):
    slack.add_channel("C0OLDDIGST", "old-digest")
    slack.invite("C0OLDDIGST")
    with slack.state.lock:
        slack.state.channels["C0OLDDIGST"]["is_archived"] = True
    db = open_db(setup["CXBOT_DB"])
    first = subscribe(db, "U0ADMIN01", "C0ALERTS01", 0, "09:00", "UTC", None, datetime.now(UTC))
    second = subscribe(db, "U0ADMIN01", "C0OLDDIGST", 0, "09:00", "UTC", None, datetime.now(UTC))
    subscribe(db, "U0ADMIN02", None, 0, "09:00", "UTC", None, datetime.now(UTC))  # a DM: nothing
    db.close()
    code, checks = doctor(tmp_path, setup, "--no-model")
    assert code == 1
    assert checks[f"digest #{first}"]["status"] == "ok"
    archived = checks[f"digest #{second}"]
    assert archived["status"] == "fail" and archived["detail"] == "#old-digest is archived"
    assert [name for name in checks if name.startswith("digest")] == [
        f"digest #{first}",
        f"digest #{second}",
    ]


def test_unknown_alert_channel(tmp_path, setup, slack):
    code, checks = doctor(tmp_path, {**setup, "CXBOT_ALERT_CHANNEL": "C0NOSUCH01"}, "--no-model")
    if "C0NOSUCH01" in slack.state.channels:
        pytest.skip("the Slack emulator still creates any channel id it is asked about")
    assert code == 1
    assert "C0NOSUCH01 not found" in checks["alert channel"]["detail"]


def test_missing_helpdesk_secret_and_refused_api_token(tmp_path, setup):
    env = {**setup, "CXBOT_ZENDESK_SECRET": "", "CXBOT_ZENDESK_TOKEN": "wrong-token"}
    code, checks = doctor(tmp_path, env, "--no-model")
    assert code == 1
    secret = checks["zendesk webhooks"]
    assert secret["status"] == "fail"
    assert "neither CXBOT_ZENDESK_SECRET nor CXBOT_WEBHOOK_SECRET is set" in secret["detail"]
    assert "CXBOT_ZENDESK_SECRET" in secret["fix"]
    api = checks["zendesk API"]
    assert api["status"] == "fail" and "HTTP 401" in api["detail"]


def test_missing_scope_is_named_with_the_manifest_line(tmp_path, setup):
    """Drives doctor with a manifest asking for one scope more than the token can have.

    The emulator does not send ``x-oauth-scopes`` yet (another part of issue
    16 adds it): until it does, the granted scopes are unknown (a warning), and
    once it does, the scope the token lacks is named with the line to add.
    """
    manifest = tmp_path / "manifest.yml"
    text = MANIFEST.read_text(encoding="utf-8")
    manifest.write_text(
        text.replace("      - chat:write ", "      - reactions:read\n      - chat:write ", 1)
    )
    assert manifest_scopes(manifest) == manifest_scopes() | {"reactions:read"}
    _, checks = doctor(tmp_path, setup, "--no-model", "--manifest", str(manifest))
    scopes = checks["scopes"]
    if scopes["status"] == "warn":
        assert "x-oauth-scopes" in scopes["detail"]
        pytest.skip("the Slack emulator sends no x-oauth-scopes header yet")
    assert scopes["status"] == "fail" and scopes["detail"] == "missing reactions:read"
    assert "`- reactions:read`" in scopes["fix"]


def test_scope_check_reads_the_granted_header():
    wanted = manifest_scopes()
    assert wanted is not None and "chat:write" in wanted
    granted = Identity("Acme", "cxbot", "U0BOT", frozenset(wanted - {"chat:write"}))
    check = check_scopes(granted, wanted)
    assert check.status == "fail" and check.detail == "missing chat:write"
    assert "`- chat:write` under oauth_config.scopes.bot" in check.fix
    assert check_scopes(Identity("Acme", "cxbot", "U0BOT", wanted), wanted).status == "ok"


def test_a_cli_mistake_is_one_line_and_exit_2(tmp_path, setup):
    result = run("doctor", "--jsn", cwd=tmp_path, env=setup)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "--jsn" in result.stderr
    bad = run("doctor", cwd=tmp_path, env={**setup, "CXBOT_TIMEZONE": "Mars/Olympus"})
    assert bad.returncode == 2 and "CXBOT_TIMEZONE" in bad.stderr
