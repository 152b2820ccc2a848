"""Crash test: ``python bench/chaos.py [--webhooks 1000] [--kills 6]``.

Runs a real ``cxbot serve`` against the Slack emulator, sends signed
ticket-closed webhooks (retrying, as helpdesks do, while the server is down)
and customers' score clicks, and kills the server with SIGKILL at random
moments, restarting it each time.  Then it checks: every webhook answered 202
has its survey delivered; no closure surveyed twice (doubles counted); every
click answered 200 has its response stored.  Prints the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.emulator import SlackEmulator  # noqa: E402
from bot.emulator.payloads import interaction_body, score_click  # noqa: E402
from bot.serve_process import ServeProcess, post, slack_headers, webhook_headers  # noqa: E402
from storage.db import open_db  # noqa: E402

WEBHOOK_SECRET = "chaos-webhook-secret"
SIGNING_SECRET = "chaos-signing-secret"
CUSTOMERS = [f"U0CHAOS{i:03d}" for i in range(60)]


@dataclass
class Figures:
    webhooks_sent: int = 0
    accepted: set[str] = field(default_factory=set)
    retries: int = 0
    kills: int = 0
    clicks_ok: dict[int, int] = field(default_factory=dict)
    delivered: int = 0
    undelivered: list[str] = field(default_factory=list)
    doubles: int = 0
    lost_responses: int = 0
    seconds: float = 0.0


def _post(url: str, body: bytes, headers: dict[str, str]) -> int | None:
    return post(url, body, headers, timeout=5)[0]


def _server(db: Path, emulator: SlackEmulator) -> ServeProcess:
    return ServeProcess({
        "SLACK_BOT_TOKEN": emulator.token, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": emulator.base_url,
        "CXBOT_DB": str(db), "CXBOT_WEBHOOK_SECRET": WEBHOOK_SECRET, "CXBOT_SURVEY_DELAY": "0s", "CXBOT_SURVEY_COOLDOWN": "0s",
    }, cwd=str(ROOT))  # fmt: skip


def _webhook(i: int) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"event": "ticket.closed", "ticket_id": f"C{i}", "customer": {"slack_user_id": CUSTOMERS[i % len(CUSTOMERS)]},
                       "survey": ("nps", "csat", "ces")[i % 3], "team": f"team{i % 4}"}).encode()  # fmt: skip
    return body, webhook_headers(WEBHOOK_SECRET, body)


def _click(
    server: ServeProcess, survey_id: int, user: str, channel: str, ts: str, score: int
) -> int | None:
    payload = score_click(user, survey_id, score, channel, ts, "http://127.0.0.1:9/unused")
    body = interaction_body(payload)
    return _post(f"{server.url}/slack/events", body, slack_headers(SIGNING_SECRET, body))


def _why_undelivered(db, ticket: str) -> str:
    """``"C12: failed (channel_not_found)"``: what the database says, so a failure explains itself."""
    row = db.execute(
        "SELECT s.state, coalesce(s.last_error, s.skip_reason), s.attempts FROM tickets t "
        "LEFT JOIN surveys s ON s.ticket_id = t.id "
        "WHERE t.external_id = ?",
        [ticket],
    ).fetchone()
    if row is None:
        return f"{ticket}: no ticket row"
    state, error, attempts = row
    return (
        f"{ticket}: {state or 'no survey'} after {attempts or 0} attempts ({error or 'no error'})"
    )


def run_chaos(
    webhooks: int = 1000, kills: int = 6, seed: int = 1, timeout: float = 240.0, log=print
) -> Figures:
    rng = random.Random(seed)
    figures = Figures()
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="cxbot-chaos-"))
    with SlackEmulator() as emulator:
        for user in CUSTOMERS:
            emulator.add_user(user, user.lower())
        server = _server(work / "chaos.db", emulator)
        server.start()
        kill_at = sorted(rng.sample(range(1, webhooks), kills))
        lock = threading.Lock()

        def send(i: int) -> None:
            body, headers = _webhook(i)
            while True:
                status = _post(f"{server.url}/webhooks/generic", body, headers)
                with lock:
                    figures.webhooks_sent += 1
                if status == 202:
                    with lock:
                        figures.accepted.add(f"C{i}")
                    return
                with lock:
                    figures.retries += 1
                time.sleep(0.05)
                body, headers = _webhook(i)  # fresh timestamp, as a helpdesk retry would

        def killer() -> None:
            while kill_at:
                if figures.webhooks_sent >= kill_at[0]:
                    kill_at.pop(0)
                    time.sleep(rng.uniform(0, 0.05))
                    server.kill()
                    figures.kills += 1
                    log(
                        f"  SIGKILL #{figures.kills} after {figures.webhooks_sent} webhook requests"
                    )
                    time.sleep(rng.uniform(0.1, 0.4))
                    server.start()
                time.sleep(0.005)

        chaos = threading.Thread(target=killer, daemon=True)
        chaos.start()
        threads = []
        for i in range(webhooks):
            thread = threading.Thread(target=send, args=(i,))
            thread.start()
            threads.append(thread)
            if len(threads) >= 8:
                threads.pop(0).join()
        for thread in threads:
            thread.join()
        chaos.join(timeout=60)
        db = open_db(work / "chaos.db", migrate=False)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pending = db.execute(
                "SELECT count(*) FROM surveys WHERE state = 'scheduled'"
            ).fetchone()[0]
            if pending == 0:
                break
            time.sleep(0.5)
        sent = db.execute(
            "SELECT s.id, t.external_id, s.slack_channel, s.slack_ts, s.slack_user_id FROM surveys s JOIN tickets t ON t.id = s.ticket_id WHERE s.state = 'sent'"
        ).fetchall()
        log(f"  clicking scores on {min(len(sent), 200)} delivered surveys (with two more kills)")
        for n, (survey_id, _, channel, ts, user) in enumerate(sent[:200]):
            if n in (60, 140):
                server.kill()
                figures.kills += 1
                server.start()
            score = 1 + n % 5
            status = _click(server, survey_id, user, channel, ts, score)
            if status == 200:
                figures.clicks_ok[survey_id] = score
        server.stop()
        messages = Counter(
            m["metadata"]["event_payload"]["survey_id"]
            for m in emulator.messages()
            if m.get("metadata")
        )
        surveyed = dict(
            db.execute(
                "SELECT t.external_id, s.id FROM surveys s JOIN tickets t ON t.id = s.ticket_id WHERE s.state IN ('sent', 'answered')"
            ).fetchall()
        )
        figures.delivered = sum(
            1
            for ticket in figures.accepted
            if ticket in surveyed and messages[surveyed[ticket]] >= 1
        )
        figures.undelivered = [
            _why_undelivered(db, ticket)
            for ticket in sorted(figures.accepted)
            if ticket not in surveyed or messages[surveyed[ticket]] == 0
        ]
        figures.doubles = sum(count - 1 for count in messages.values() if count > 1)
        stored = dict(
            db.execute(
                "SELECT survey_id, score FROM responses WHERE survey_id IS NOT NULL"
            ).fetchall()
        )
        figures.lost_responses = sum(
            1 for survey_id, score in figures.clicks_ok.items() if stored.get(survey_id) != score
        )
        db.close()
    figures.seconds = time.monotonic() - started
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--webhooks", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(
        f"chaos: {args.webhooks} webhooks, {args.kills} random SIGKILLs while sending, 2 more while clicking"
    )
    f = run_chaos(args.webhooks, args.kills, args.seed)
    print(
        f"webhook requests sent (with retries while down): {f.webhooks_sent} · retries: {f.retries}"
    )
    print(
        f"webhooks answered 202: {len(f.accepted)} · surveys delivered: {f.delivered} · undelivered: {len(f.undelivered)}"
    )
    print(
        f"closures surveyed twice (crash between Slack accepting and the database recording): {f.doubles}"
    )
    print(f"clicks answered 200: {len(f.clicks_ok)} · responses lost: {f.lost_responses}")
    print(f"server kills (SIGKILL): {f.kills} · total time {f.seconds:.1f} s")
    for reason in f.undelivered[:10]:
        print(f"  undelivered {reason}")
    if f.undelivered or f.lost_responses:
        sys.exit(1)


if __name__ == "__main__":
    main()
