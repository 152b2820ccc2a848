"""Webhook intake throughput: ``python bench/intake_bench.py [--requests 3000] [--concurrency 16]``.

Starts a real ``cxbot serve`` (a subprocess, uvicorn, fresh SQLite file, Slack
pointed at a dead local port so the outbox stays idle), posts signed
``ticket.closed`` webhooks from a bounded asyncio load generator on
127.0.0.1, and prints accepted webhooks/s and p50/p99 latency next to the
same figures for a bare endpoint of the same server that does no work.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp

from bot.serve_process import ServeProcess, free_port, webhook_headers

SECRET = "bench-secret"


def start_server(db: Path) -> ServeProcess:
    return ServeProcess({
        "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": "bench", "SLACK_API_URL": f"http://127.0.0.1:{free_port()}/api/",
        "CXBOT_WEBHOOK_SECRET": SECRET, "CXBOT_DB": str(db), "CXBOT_SURVEY_DELAY": "1h",
    }, bench_floor=True).start().wait_warm()  # fmt: skip


def webhook(i: int) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({
        "event": "ticket.closed", "ticket_id": f"B{i}", "customer": {"email": f"customer{i % 5000}@example.com"},
        "team": f"team{i % 20}", "agent": {"name": f"agent{i % 200}"}, "tags": ["bench"], "survey": "nps",
    }).encode()  # fmt: skip
    return body, webhook_headers(SECRET, body)


async def load(
    url: str, requests: int, concurrency: int, offset: int
) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    accepted = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(requests):
        queue.put_nowait(offset + i)

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal accepted
        while not queue.empty():
            body, headers = webhook(queue.get_nowait())
            started = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                accepted += response.status == 202
            latencies.append((time.perf_counter() - started) * 1000)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=30)
    ) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return elapsed, latencies, accepted


def report(name: str, elapsed: float, latencies: list[float], accepted: int) -> None:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"{name:<34} {accepted / elapsed:8.0f} req/s   p50 {statistics.median(ordered):6.1f} ms   p99 {p99:6.1f} ms   ({accepted}/{len(latencies)} accepted)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        server = start_server(Path(work) / "bench.db")
        try:
            base = server.url
            asyncio.run(load(f"{base}/webhooks/generic", 100, 4, 10**7))  # warm-up
            floor = asyncio.run(load(f"{base}/bench/noop", args.requests, args.concurrency, 10**8))
            real = asyncio.run(load(f"{base}/webhooks/generic", args.requests, args.concurrency, 0))
        finally:
            server.stop()
    print(f"{args.requests} requests per run, {args.concurrency} concurrent connections, 127.0.0.1")
    report("floor: bare endpoint (no work)", *floor)
    report("signed webhooks, stored durably", *real)


if __name__ == "__main__":
    main()
