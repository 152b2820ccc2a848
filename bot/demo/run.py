"""The demo's script: seed history, start the emulator and the real server, play a live minute,
show what Slack would show, and leave nothing running."""

from __future__ import annotations

import json
import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.markup import escape
from sqlite_utils import Database

from bot.classifier import label_pending
from bot.cx.charts import trend_png
from bot.demo.history import CommentPicker, seed_alert_history, seed_history
from bot.demo.terminal import message_panel
from bot.emulator import SlackEmulator
from bot.emulator.payloads import comment_submission, interaction_body, score_click, slash_command
from bot.formatting import METRIC_NAMES
from bot.helpdesk_emulator import HelpdeskEmulator
from bot.helpdesks.registry import helpdesk_clients
from bot.jobs.writeback import WritebackPolicy, WriteBackScores
from bot.scheduler import run_jobs
from bot.serve_process import ServeProcess, post, slack_headers, wait_until, webhook_headers
from bot.settings import load_settings
from bot.themes import theme_labels
from bot.webhooks.signatures import hmac_base64
from storage.db import open_db
from storage.metrics import weekly_series

MANAGER = "U0DEMOMGR"
ALERTS = "C0CXALERTS"
ZENDESK_TICKET, ZENDESK_REQUESTER = "5158", "8447399911223"  # helpdesks.md's example ids
CUSTOMERS = [  # (user id, name, locale, survey, score)
    ("U0DEMOEN1", "emma", "en-GB", "nps", 10),
    ("U0DEMOHE1", "noa", "he-IL", "csat", 5),
    ("U0DEMOZH1", "li", "zh-CN", "ces", 6),
    ("U0DEMORO1", "ioana", "ro-RO", "csat", 4),  # her ticket comes from Zendesk: written back
    ("U0DEMOKA1", "nino", "ka-GE", "nps", 8),
    ("U0DEMOFA1", "dariush", "fa-IR", "nps", 2),  # the detractor: raises an alert
]


@dataclass
class DemoResult:
    directory: Path
    db_path: Path
    chart: Path
    seeded: dict[str, int]
    live_surveys: list[int] = field(default_factory=list)
    replies: dict[str, dict] = field(default_factory=dict)
    #: What cxbot wrote onto the Zendesk ticket: {"ticket", "notes": [...], "tags": [...]}.
    writeback: dict = field(default_factory=dict)


class DemoServer(ServeProcess):
    """``cxbot serve`` for the demo: pointed at the emulator, no survey delay, alerts on."""

    def __init__(self, db_path: Path, emulator: SlackEmulator, helpdesk: HelpdeskEmulator):
        self.signing_secret, self.webhook_secret = secrets.token_hex(16), secrets.token_hex(16)
        self.helpdesk_env = {
            "CXBOT_ZENDESK_URL": helpdesk.url("zendesk"), "CXBOT_ZENDESK_EMAIL": helpdesk.zendesk_email,
            "CXBOT_ZENDESK_TOKEN": helpdesk.zendesk_token,
        }  # fmt: skip
        super().__init__({
            "SLACK_BOT_TOKEN": emulator.token, "SLACK_SIGNING_SECRET": self.signing_secret, "SLACK_API_URL": emulator.base_url,
            "CXBOT_DB": str(db_path), "CXBOT_WEBHOOK_SECRET": self.webhook_secret, "CXBOT_SURVEY_DELAY": "0s",
            "CXBOT_ALERT_CHANNEL": ALERTS, "CXBOT_ADMINS": MANAGER, **self.helpdesk_env,
        })  # fmt: skip

    def zendesk_event(self, payload: dict) -> dict:
        """A Zendesk event-subscription webhook, signed the way Zendesk signs (timestamp + body)."""
        body = json.dumps(payload).encode()
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        headers = {
            "Content-Type": "application/json",
            "X-Zendesk-Webhook-Signature": hmac_base64(self.webhook_secret, stamp.encode() + body),
            "X-Zendesk-Webhook-Signature-Timestamp": stamp,
        }
        status, reply = post(f"{self.url}/webhooks/zendesk", body, headers)
        if status != 202:
            raise RuntimeError(f"Zendesk webhook refused: {status} {reply!r}")
        return json.loads(reply)

    def webhook(self, payload: dict) -> dict:
        body = json.dumps(payload).encode()
        status, reply = post(
            f"{self.url}/webhooks/generic", body, webhook_headers(self.webhook_secret, body)
        )
        if status != 202:
            raise RuntimeError(f"webhook refused: {status} {reply!r}")
        return json.loads(reply)

    def slack(self, body: bytes) -> dict:
        status, reply = post(
            f"{self.url}/slack/events", body, slack_headers(self.signing_secret, body)
        )
        if status != 200:
            raise RuntimeError(f"Slack request refused: {status}")
        return json.loads(reply) if reply else {}

    def cx(self, text: str, response_url: str) -> dict:
        return self.slack(slash_command(text, MANAGER, response_url))

    def interact(self, payload: dict) -> None:
        self.slack(interaction_body(payload))


def _fresh(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    db_path = directory / "cxbot.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    return db_path


def run_demo(directory: Path, console: Console) -> DemoResult:
    started = time.monotonic()

    def say(text: str) -> None:
        console.print(f"[dim]{time.monotonic() - started:5.1f}s[/dim] {escape(text)}")

    db_path = _fresh(directory)
    db = open_db(db_path)
    now = datetime.now(UTC)
    seeded = seed_history(db, now)
    say(
        f"Seeded 90 days of history: {seeded['tickets']:,} tickets, {seeded['responses']:,} answers, {seeded['comments']:,} comments in six languages"
    )
    labelled = label_pending(db)
    say(f"Classified {labelled:,} comments by theme and sentiment (offline, scikit-learn + nltk)")
    seeded["alerts"] = seed_alert_history(db, now, ALERTS)
    say(f"Seeded {seeded['alerts']:,} past detractor alerts, most followed up within hours")
    result = DemoResult(directory, db_path, directory / "nps-trend.png", seeded)
    with SlackEmulator() as emulator, HelpdeskEmulator(examples=False) as helpdesk:
        for user, name, locale, _, _ in CUSTOMERS:
            emulator.add_user(user, name, email=f"{name}@example.com", locale=locale)
        emulator.add_user(MANAGER, "manager", email="manager@example.com", tz="Europe/Bucharest")
        emulator.add_channel(ALERTS, "cx-alerts", members=[emulator.bot_user_id])  # invited
        helpdesk.add_person(
            "zendesk", ZENDESK_REQUESTER, email="ioana@example.com", name="Ioana Pop", locale="ro"
        )
        helpdesk.add_ticket(
            "zendesk", ZENDESK_TICKET, status="solved", requester_id=ZENDESK_REQUESTER
        )
        say(f"Started the local Slack Web API emulator at {emulator.base_url}")
        say(
            f"Started the local helpdesk API emulator (Zendesk, Freshdesk, Jira, Intercom) at {helpdesk.base_url}"
        )
        server = DemoServer(db_path, emulator, helpdesk)
        try:
            server.start()
            say(f"Started `cxbot serve` (uvicorn) at {server.url}")
            _live_minute(server, emulator, db, result, say)
            _write_back(server, helpdesk, db, result, say)
            _show_slack(server, emulator, result, console)
            _show_ticket(result, console)
        finally:
            server.stop()
            say("Stopped the server and the emulator: nothing is left running")
    points = weekly_series(db, "nps", 12, ZoneInfo("UTC"), datetime.now(UTC))
    result.chart.write_bytes(trend_png("nps", points, "NPS by week — demo data"))
    db.close()
    return result


def _posted_survey(db: Database, survey_id: int) -> dict | None:
    """The survey's row once the outbox has posted it to Slack."""
    row = db.table("surveys").get(survey_id)
    return row if row["slack_ts"] else None


def _live_minute(server: DemoServer, emulator: SlackEmulator, db, result: DemoResult, say) -> None:
    picker = CommentPicker(random.Random(7))
    for i, (user, name, _, survey, score) in enumerate(CUSTOMERS):
        ticket = f"LIVE-{100 + i}"
        agent = "Omar Haddad" if score <= 6 else "Dana Levi"
        if name == "ioana":
            ticket, accepted = ZENDESK_TICKET, server.zendesk_event(_zendesk_solved(survey))
            say(
                f"Zendesk: ticket {ticket} solved → event webhook accepted (survey {accepted['survey_id']}, "
                f"{accepted['status']}); it names the requester by id only, so cxbot asks Zendesk's API"
            )
        else:
            accepted = server.webhook({"event": "ticket.closed", "ticket_id": ticket, "customer": {"slack_user_id": user}, "survey": survey,
                                       "team": "technical" if score <= 6 else "billing", "agent": {"name": agent}, "tags": ["demo"]})  # fmt: skip
            say(
                f"Helpdesk: ticket {ticket} closed → signed webhook accepted (survey {accepted['survey_id']}, {accepted['status']})"
            )
        survey_id = accepted["survey_id"]
        result.live_surveys.append(survey_id)
        sent = wait_until(partial(_posted_survey, db, survey_id), 20, "the survey")
        say(f"Slack: {METRIC_NAMES[survey]} survey sent to @{name} in their language")
        server.interact(
            score_click(
                user,
                survey_id,
                score,
                sent["slack_channel"],
                sent["slack_ts"],
                emulator.response_url(),
            )
        )
        say(f"@{name} clicked {score}")
        comment = picker.pick(survey, score, "response_speed" if score <= 6 else None, agent)
        if comment:
            server.interact(comment_submission(user, survey_id, comment.text))
            say(f"@{name} wrote: {comment.text[:70]}{'…' if len(comment.text) > 70 else ''}")
        time.sleep(0.3)
    ids = ",".join(str(i) for i in result.live_surveys)
    wait_until(
        lambda: (
            db.execute(
                f"SELECT count(*) FROM classifications c JOIN responses r ON r.id = c.response_id WHERE r.survey_id IN ({ids})"
            ).fetchone()[0]
            >= 5
        ),
        30,
        "classification",
    )
    say("Comments classified within seconds of arriving")
    wait_until(
        lambda: [
            c
            for c in _alert_versions(emulator)
            if "not classified" not in json.dumps(c["params"]["blocks"])
        ],
        20,
        "the alert",
    )
    say(
        "Detractor alert posted to #cx-alerts with “I'll follow up”, “Resolved” and “Wrong theme” buttons"
    )


def _zendesk_solved(survey: str) -> dict:
    """Zendesk's ``ticket.status_changed`` event as documented (no email, string ids)."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "account_id": 22129848, "id": secrets.token_hex(8), "subject": f"zen:ticket:{ZENDESK_TICKET}",
        "time": now, "type": "zen:event-type:ticket.status_changed", "zendesk_event_version": "2022-11-06",
        "event": {"current": "SOLVED", "previous": "OPEN"},
        "detail": {
            "id": ZENDESK_TICKET, "status": "SOLVED", "requester_id": ZENDESK_REQUESTER, "priority": "NORMAL",
            "tags": ["billing", "demo"], "created_at": now, "updated_at": now, "via": {"channel": "web"},
        },
    }  # fmt: skip


def _write_back(
    server: DemoServer, helpdesk: HelpdeskEmulator, db: Database, result: DemoResult, say
) -> None:
    """One pass of the write-back job, with no settle time (the server waits 2 minutes)."""
    settings = load_settings(
        db_path=str(result.db_path), **{_field(k): v for k, v in server.helpdesk_env.items()}
    )
    job = WriteBackScores(
        helpdesk_clients(settings),
        WritebackPolicy(theme_labels(settings), settle=timedelta(0), label_wait=timedelta(0)),
    )
    run_jobs([job], db)
    notes, tags = (
        helpdesk.notes("zendesk", ZENDESK_TICKET),
        helpdesk.tags("zendesk", ZENDESK_TICKET),
    )
    result.writeback = {"ticket": ZENDESK_TICKET, "notes": [n["text"] for n in notes], "tags": tags}
    if notes:
        say(
            f"Zendesk: the score went back onto ticket {ZENDESK_TICKET} as a private comment and the tag {', '.join(t for t in tags if t.startswith('cxbot_'))}"
        )


def _field(variable: str) -> str:
    """``CXBOT_ZENDESK_URL`` → ``zendesk_url`` (the Settings field of that variable)."""
    return variable.removeprefix("CXBOT_").lower()


def _show_ticket(result: DemoResult, console: Console) -> None:
    if not result.writeback.get("notes"):
        return
    console.rule(f"What the agent sees on Zendesk ticket {result.writeback['ticket']}")
    console.print(escape("\n\n".join(result.writeback["notes"])))
    console.print(escape("Tags: " + " ".join(result.writeback["tags"])))


def _alert_versions(emulator: SlackEmulator) -> list[dict]:
    """Every version of the alert message (posted, then updated as labels arrive)."""
    return [
        c
        for c in emulator.calls()
        if c["method"] in ("chat.postMessage", "chat.update")
        and c["params"].get("channel") == ALERTS
        and c["status"] == 200
    ]


def _show_slack(
    server: DemoServer, emulator: SlackEmulator, result: DemoResult, console: Console
) -> None:
    console.rule("What Slack shows")
    survey = next(c for c in emulator.calls("chat.postMessage") if c["params"].get("metadata"))
    console.print(
        message_panel("A survey, as the customer sees it (DM)", survey["params"]["blocks"])
    )
    console.print(message_panel("#cx-alerts", _alert_versions(emulator)[-1]["params"]["blocks"]))
    for text in ("nps", "themes 30d", "comments sentiment=negative limit=5", "digest preview"):
        reply = server.cx(text, emulator.response_url())
        result.replies[text] = reply
        console.print(message_panel(f"/cx {text}", reply.get("blocks", []), reply.get("text", "")))
