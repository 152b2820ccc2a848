"""Export stored answers in the import format, so export → import round-trips."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import TextIO

from sqlite_utils import Database

from storage.importer import IMPORT_COLUMNS
from storage.metrics import period_clauses
from storage.periods import Period

_SELECT = (
    "SELECT ticket_ref, survey_type, score, comment, answered_at, team, agent, tags, channel "
    "FROM responses"
)


def export_records(db: Database, period: Period | None = None) -> Iterator[dict[str, object]]:
    """Answers in time order as import-format records (tags as a list)."""
    clauses, params = period_clauses(period, "answered_at")
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    for row in db.execute(f"{_SELECT}{where} ORDER BY answered_at, id", params):
        record = dict(zip(IMPORT_COLUMNS, row, strict=True))
        record["tags"] = json.loads(record["tags"] or "[]")
        yield record


def write_csv(records: Iterator[dict[str, object]], out: TextIO) -> int:
    """Write records as CSV (tags joined with ``;``); returns the row count."""
    writer = csv.writer(out)
    writer.writerow(IMPORT_COLUMNS)
    count = 0
    for record in records:
        record["tags"] = ";".join(record["tags"])  # type: ignore[arg-type]
        writer.writerow(["" if record[c] is None else record[c] for c in IMPORT_COLUMNS])
        count += 1
    return count


def write_json(records: Iterator[dict[str, object]], out: TextIO) -> int:
    """Write records as one JSON array, streaming, non-ASCII kept readable."""
    count = 0
    out.write("[")
    for record in records:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(record, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count
