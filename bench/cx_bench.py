"""``/cx nps 30d`` end to end at scale: ``python bench/cx_bench.py [--rows 1000000] [--requests 300]``.

Fills a database with N answers (or reuses ``--db``), starts a real
``cxbot serve`` subprocess against the local Slack emulator, and sends signed
slash-command requests one after another (as a team's users would), timing
request-in to reply-out.  The floor is the same server's bare endpoint.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from bot.emulator import SlackEmulator
from bot.emulator.payloads import slash_command
from bot.serve_process import ServeProcess, slack_headers
from storage.db import open_db
from storage.sample_data import generate_history

SECRET = "bench-signing-secret"


def ensure_rows(path: Path, rows: int) -> int:
    db = open_db(path)
    if db["responses"].count < rows:
        started = time.perf_counter()
        generate_history(
            db,
            rows - db["responses"].count,
            days=730,
            now=datetime.now(UTC),
            with_tickets=False,
            seed=11,
        )
        db.execute("ANALYZE")
        print(f"generated answers in {time.perf_counter() - started:.1f} s")
    count = db["responses"].count
    db.close()
    return count


def start(db: Path, api: str) -> ServeProcess:
    return ServeProcess({
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": api, "CXBOT_DB": str(db),
        "CXBOT_ADMINS": "U0BENCH01",
    }, bench_floor=True).start().wait_warm()  # fmt: skip


def timed(url: str, body: bytes, requests: int, sign: bool) -> list[float]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    latencies = []
    for _ in range(requests):
        headers = (
            slack_headers(SECRET, body)
            if sign
            else {"Content-Type": "application/x-www-form-urlencoded"}
        )
        started = time.perf_counter()
        with opener.open(
            urllib.request.Request(url, data=body, headers=headers), timeout=10
        ) as response:
            payload = response.read()
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status in (200, 202), payload
    return latencies


def show(name: str, latencies: list[float]) -> None:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"{name:<40} p50 {statistics.median(ordered):7.1f} ms   p99 {p99:7.1f} ms   max {ordered[-1]:7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp()) / "cx.db"
    count = ensure_rows(path, args.rows)
    with SlackEmulator() as emulator:
        server = start(path, emulator.base_url)
        try:
            base = server.url
            body = slash_command("nps 30d", "U0BENCH01", emulator.response_url())
            timed(f"{base}/slack/events", body, 10, True)  # warm-up (auth.test, caches)
            floor = timed(f"{base}/bench/noop", body, args.requests, False)
            real = timed(f"{base}/slack/events", body, args.requests, True)
        finally:
            server.stop()
    print(f"{count:,} stored responses · {args.requests} sequential requests · 127.0.0.1")
    show("floor: bare endpoint of the same server", floor)
    show("/cx nps 30d (signed, answered in the ack)", real)


if __name__ == "__main__":
    main()
