"""Metric query latency at scale: ``python bench/metrics_bench.py [--rows 1000000]``.

Generates N answers (2 years, 20 teams, 200 agents, tags, channels) into a
fresh SQLite file, then prints the median latency of the hot queries next to
the floor: a bare ``SELECT count(*)`` over the same rows.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from storage.db import open_db
from storage.filters import Filters
from storage.formulas import summarize
from storage.metrics import breakdown, metric_report, score_counts, weekly_series
from storage.periods import parse_period
from storage.sample_data import generate_history

UTC_TZ = ZoneInfo("UTC")


def median_ms(action: Callable[[], object], repeat: int) -> float:
    action()  # warm the page cache and statement cache
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=25)
    parser.add_argument("--db", type=Path, help="keep the generated database here")
    args = parser.parse_args()

    path = args.db or Path(tempfile.mkdtemp()) / "bench.db"
    db = open_db(path)
    now = datetime.now(UTC)
    if db["responses"].count < args.rows:
        started = time.perf_counter()
        generate_history(
            db, args.rows, days=730, teams=20, agents=200, now=now, with_tickets=False, seed=1
        )
        db.execute("ANALYZE")
        print(
            f"generated {args.rows:,} responses in {time.perf_counter() - started:.1f} s → {path}"
        )
    rows = db["responses"].count
    agent = db.execute("SELECT agent FROM responses LIMIT 1").fetchone()[0]
    p30, p90 = parse_period("30d", UTC_TZ, now), parse_period("90d", UTC_TZ, now)

    floor = median_ms(lambda: db.execute("SELECT count(*) FROM responses").fetchone(), args.repeat)
    cases = {
        "NPS, last 30 days": lambda: summarize("nps", score_counts(db, "nps", p30)),
        "NPS by team, last 90 days": lambda: breakdown(db, "nps", "team", p90),
        "NPS weekly series, 12 weeks": lambda: weekly_series(db, "nps", 12, UTC_TZ, now),
        f"CSAT for one agent ({agent}), 30 days": lambda: summarize(
            "csat", score_counts(db, "csat", p30, Filters(agent=agent))
        ),
        "NPS report (+previous, response rate), 30d": lambda: metric_report(db, "nps", p30),
    }
    print(
        f"\n{rows:,} responses · median of {args.repeat} runs · SQLite {db.execute('select sqlite_version()').fetchone()[0]}"
    )
    print(f"{'floor: SELECT count(*) FROM responses':<48} {floor:8.2f} ms")
    for name, action in cases.items():
        ms = median_ms(action, args.repeat)
        target = "ok" if ms <= 50 else "OVER 50 ms"
        print(f"{name:<48} {ms:8.2f} ms   {ms / floor:5.2f}× floor   {target}")


if __name__ == "__main__":
    main()
