"""Bulk import of historical survey answers from CSV (or the JSON export).

The whole file is one transaction: bad rows are reported with their line and
skipped, good rows land together or not at all, so an interrupted import can
simply be run again (the de-duplication key makes re-runs add nothing).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from storage.db import write_transaction
from storage.responses import (
    InvalidResponse,
    ResponseRow,
    insert_responses,
    response_from_mapping,
)

IMPORT_COLUMNS = (
    "ticket_id",
    "survey",
    "score",
    "comment",
    "answered_at",
    "team",
    "agent",
    "tags",
    "channel",
)
REQUIRED_COLUMNS = ("survey", "score", "answered_at")
BATCH_ROWS = 20_000

ProgressCallback = Callable[[int], None]


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (unreadable, no header, missing columns)."""


@dataclass
class ImportResult:
    rows_read: int = 0
    inserted: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def skipped_duplicates(self) -> int:
        return self.rows_read - len(self.errors) - self.inserted


def _csv_records(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number where the record starts, record) for each CSV data row."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            header = [name.strip().lower() for name in next(reader)]
        except StopIteration:
            raise ImportFileError(f"{path}: the file is empty (a header row is required)") from None
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise ImportFileError(
                f"{path}: header lacks required column(s) {', '.join(missing)}; "
                f"expected columns: {', '.join(IMPORT_COLUMNS)}"
            )
        wanted = [(i, name) for i, name in enumerate(header) if name in IMPORT_COLUMNS]
        width = len(header)
        line = reader.line_num
        for values in reader:
            start, line = line + 1, reader.line_num
            if not values or (len(values) == 1 and not values[0].strip()):
                continue
            if len(values) > width:
                yield start, {"__error__": f"{len(values)} fields, the header has {width}"}
                continue
            yield start, {name: values[i] for i, name in wanted if i < len(values)}


def _json_records(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    """Records of a JSON array (numbered from 1) or JSON Lines (by line)."""
    text = path.read_text(encoding="utf-8-sig")
    stripped = text.lstrip()
    numbered: Iterator[tuple[int, object]]
    if stripped.startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportFileError(f"{path}: invalid JSON ({exc})") from None
        numbered = enumerate(items, start=1)
    else:
        numbered = _json_lines(text)
    for number, item in numbered:
        if isinstance(item, dict):
            yield number, item
        else:
            yield number, {"__error__": "not a JSON object"}


def _json_lines(text: str) -> Iterator[tuple[int, object]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, {"__error__": f"invalid JSON ({exc.msg})"}


def read_records(path: Path) -> Iterator[tuple[int, dict]]:
    """Records from a .csv, .json or .jsonl file, by extension."""
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    if path.suffix.lower() in (".json", ".jsonl", ".ndjson"):
        return _json_records(path)
    return _csv_records(path)


@dataclass
class _Batch:
    rows: list[ResponseRow]
    rows_read: int
    errors: list[tuple[int, str]]


def _validated_batches(records: Iterator[tuple[int, dict]]) -> Iterator[_Batch]:
    """Parse and validate records into batches of good rows plus the bad rows' reasons."""
    batch = _Batch([], 0, [])
    for number, record in records:
        batch.rows_read += 1
        try:
            if "__error__" in record:
                raise InvalidResponse(str(record["__error__"]))
            batch.rows.append(response_from_mapping(record))
        except InvalidResponse as exc:
            batch.errors.append((number, str(exc)))
        if batch.rows_read >= BATCH_ROWS:
            yield batch
            batch = _Batch([], 0, [])
    yield batch


def import_file(
    db: Database, path: str | Path, progress: ProgressCallback | None = None
) -> ImportResult:
    """Validate and insert every good record of ``path`` in a single transaction."""
    result = ImportResult()
    records = read_records(Path(path))
    with write_transaction(db):  # takes the write lock first: concurrent writers queue, none fails
        for batch in _validated_batches(records):
            result.rows_read += batch.rows_read
            result.errors.extend(batch.errors)
            result.inserted += insert_responses(db, batch.rows)
            if progress:
                progress(result.rows_read)
    return result
