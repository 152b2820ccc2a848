"""CSV import throughput: ``python bench/import_bench.py [--rows 200000]``.

Writes a realistic CSV (comments in several scripts, tags, 2 years of
answers), imports it into a fresh database, then imports it again (all
duplicates) and prints rows per second for both, plus the floor: SQLite
inserting the same prepared tuples with no parsing or validation.
"""

from __future__ import annotations

import argparse
import csv
import random
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.db import open_db
from storage.importer import IMPORT_COLUMNS, import_file
from storage.responses import RESPONSE_COLUMNS, insert_responses, response_from_mapping
from storage.sample_data import COMMENTS, TAGS, TEAM_NAMES
from storage.survey_types import SURVEY_NAMES, SURVEYS


def write_csv(path: Path, rows: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(days=730)
    comments = [c for group in COMMENTS.values() for c in group]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(IMPORT_COLUMNS)
        for i in range(rows):
            survey = rng.choice(SURVEY_NAMES)
            scale = SURVEYS[survey].scale
            at = start + timedelta(seconds=i * 730 * 86400 // rows)
            writer.writerow([
                f"T{i}", survey, rng.randint(scale[0], scale[-1]),
                rng.choice(comments) if rng.random() < 0.3 else "",
                at.strftime("%Y-%m-%dT%H:%M:%SZ"), rng.choice(TEAM_NAMES), f"agent{rng.randrange(200):03d}",
                ";".join(rng.sample(TAGS, rng.randint(0, 2))), rng.choice(("email", "chat", "phone")),
            ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp())
    source = work / "answers.csv"
    write_csv(source, args.rows)
    print(f"{args.rows:,} rows, {source.stat().st_size / 1e6:.1f} MB CSV")

    db = open_db(work / "import.db")
    started = time.perf_counter()
    result = import_file(db, source)
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = import_file(db, source)
    second = time.perf_counter() - started
    assert result.inserted == args.rows and again.inserted == 0, (result, again)

    started = time.perf_counter()
    with source.open(newline="", encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    parse = time.perf_counter() - started
    started = time.perf_counter()
    prepared = [response_from_mapping(r) for r in records]
    validate = time.perf_counter() - started
    floor_db = open_db(work / "floor.db")
    started = time.perf_counter()
    insert_responses(floor_db, prepared)
    floor = time.perf_counter() - started
    bare = sqlite3.connect(work / "bare.db")
    bare.execute(f"CREATE TABLE responses ({', '.join(RESPONSE_COLUMNS)})")
    tuples = [(r.dedupe_key(), r.survey_type, r.score, r.answered_at, r.comment) for r in prepared]
    started = time.perf_counter()
    with bare:
        bare.executemany(
            "INSERT INTO responses (dedupe_key, survey_type, score, answered_at, comment) VALUES (?, ?, ?, ?, ?)",
            tuples,
        )
    bare_floor = time.perf_counter() - started

    for name, seconds in (
        ("import into an empty database", first),
        ("re-import (every row a duplicate)", second),
        ("floor: csv module reading the file", parse),
        ("floor: validating parsed records", validate),
        ("floor: insert of pre-validated rows", floor),
        ("floor: 5 columns into a bare table", bare_floor),
    ):
        print(f"{name:<40} {seconds:6.2f} s  {args.rows / seconds:>10,.0f} rows/s")


if __name__ == "__main__":
    main()
