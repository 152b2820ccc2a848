"""CSV/JSON import (bad rows reported, nothing half-imported, idempotent) and export round-trips."""

from __future__ import annotations

import io
import json

import pytest

from storage.db import open_db
from storage.exporter import export_records, write_csv, write_json
from storage.importer import ImportFileError, import_file

HEADER = "ticket_id,survey,score,comment,answered_at,team,agent,tags,channel\n"
MULTILINGUAL = {
    "he": "השירות היה איטי, אבל דנה פתרה הכול 👍",
    "fa": "پشتیبانی خیلی کند بود و می‌خواستم پولم را پس بگیرم",
    "zh": "客服很耐心，问题终于解决了！",
    "ka": "ძალიან დიდხანს ველოდე პასუხს",
    "ro": "Mulțumesc, s-a rezolvat rapid",
}


def write(tmp_path, text: str, name: str = "answers.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_rows_kept_bad_rows_reported_with_line_numbers(db, tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "T1,nps,9,Great,2026-11-01T10:00:00Z,billing,dana,refund;vip,email\n"
        + 'T2,csat,4,"two\nline comment",2026-11-01T11:00:00+02:00,billing,dana,,chat\n'
        + "T3,nps,11,,2026-11-01T10:00:00Z,,,,\n"
        + "T4,xps,5,,2026-11-01T10:00:00Z,,,,\n"
        + "T5,ces,5,,yesterday,,,,\n"
        + "T6,ces,,,2026-11-01T10:00:00Z,,,,\n"
        + "T7,ces,6,,2026-11-01T10:00:00Z,,,,,extra,fields\n"
        + "T8,CES,7.0,,2026-11-02,,,,\n",
    )
    result = import_file(db, path)
    assert result.rows_read == 8
    assert result.inserted == 3
    assert result.errors == [
        # T2's quoted comment spans lines 3–4, so T3 starts on line 5
        (5, "score: 11 is outside the nps scale 0–10"),
        (6, "survey: 'xps' is not nps, csat or ces"),
        (7, "answered_at: 'yesterday' is not an ISO-8601 time"),
        (8, "score: missing"),
        (9, "11 fields, the header has 9"),
    ]
    rows = db.execute(
        "SELECT ticket_ref, survey_type, score, answered_at, tags FROM responses ORDER BY id"
    ).fetchall()
    assert rows == [
        ("T1", "nps", 9, "2026-11-01T10:00:00.000Z", '["refund", "vip"]'),
        ("T2", "csat", 4, "2026-11-01T09:00:00.000Z", "[]"),
        ("T8", "ces", 7, "2026-11-02T00:00:00.000Z", "[]"),
    ]


def test_reimporting_the_same_file_adds_nothing(db, tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "T1,nps,9,,2026-11-01T10:00:00Z,,,,\n,csat,5,no ticket id,2026-11-01T10:00:00Z,,,,\n",
    )
    assert import_file(db, path).inserted == 2
    again = import_file(db, path)
    assert (again.inserted, again.skipped_duplicates) == (0, 2)
    assert db["responses"].count == 2


def test_only_required_columns_and_unknown_columns_ignored(db, tmp_path):
    path = write(
        tmp_path, "\ufeffScore,Survey,answered_at,whatever\n8,nps,2026-11-01T10:00:00Z,zzz\n"
    )
    assert import_file(db, path).inserted == 1


def test_missing_required_column_rejects_the_whole_file(db, tmp_path):
    path = write(tmp_path, "ticket_id,survey,comment\nT1,nps,hi\n")
    with pytest.raises(ImportFileError, match="score, answered_at"):
        import_file(db, path)
    assert db["responses"].count == 0


def test_empty_and_missing_files(db, tmp_path):
    with pytest.raises(ImportFileError, match="empty"):
        import_file(db, write(tmp_path, ""))
    with pytest.raises(ImportFileError, match="no such file"):
        import_file(db, tmp_path / "nope.csv")


def test_failure_midway_leaves_nothing_half_imported(db, tmp_path, monkeypatch):
    import storage.importer as importer

    monkeypatch.setattr(importer, "BATCH_ROWS", 2)
    lines = "".join(f"T{i},nps,{i % 11},,2026-11-01T10:00:{i:02d}Z,,,,\n" for i in range(6))
    path = write(tmp_path, HEADER + lines)

    def explode(done: int) -> None:
        if done >= 4:
            raise KeyboardInterrupt  # the user pressed Ctrl-C half-way

    with pytest.raises(KeyboardInterrupt):
        import_file(db, path, progress=explode)
    assert db["responses"].count == 0
    assert import_file(db, path).inserted == 6  # and a re-run imports everything


def test_non_latin_and_rtl_comments_round_trip_byte_exact(db, tmp_path):
    lines = "".join(
        f'T-{lang},csat,{i + 1},"{text}",2026-11-0{i + 1}T10:00:00Z,intl,,,chat\n'
        for i, (lang, text) in enumerate(MULTILINGUAL.items())
    )
    import_file(db, write(tmp_path, HEADER + lines))
    exported = {r["ticket_id"]: r["comment"] for r in export_records(db)}
    assert exported == {f"T-{lang}": text for lang, text in MULTILINGUAL.items()}
    assert "\u200c" in exported["T-fa"]  # the Persian zero-width non-joiner survives


@pytest.mark.parametrize(
    ("fmt", "writer", "suffix"), [("csv", write_csv, ".csv"), ("json", write_json, ".json")]
)
def test_export_then_import_round_trips(db, tmp_path, fmt, writer, suffix):
    import_file(db, write(tmp_path, HEADER
        + "T1,nps,9,\"Great, really\",2026-11-01T10:00:00Z,billing,dana,refund;vip,email\n"
        + ",csat,2,\"quote \"\"this\"\"\",2026-11-02T10:00:00Z,,,,\n"
        + f"T3,ces,6,\"{MULTILINGUAL['he']}\",2026-11-03T10:00:00Z,support,omar,bug,chat\n"))  # fmt: skip
    first = io.StringIO()
    assert writer(export_records(db), first) == 3
    exported = write(tmp_path, first.getvalue(), "export" + suffix)

    assert import_file(db, exported).inserted == 0  # same database: nothing twice
    fresh = open_db(tmp_path / "fresh.db")
    assert import_file(fresh, exported).inserted == 3
    second = io.StringIO()
    writer(export_records(fresh), second)
    assert second.getvalue() == first.getvalue()
    if fmt == "json":
        assert json.loads(first.getvalue())[0]["tags"] == ["refund", "vip"]


def test_json_lines_with_a_bad_record(db, tmp_path):
    path = write(
        tmp_path,
        '{"survey": "nps", "score": 10, "answered_at": "2026-11-01T10:00:00Z"}\n'
        "not json\n"
        '{"survey": "nps", "score": "ten", "answered_at": "2026-11-01T10:00:00Z"}\n',
        "answers.jsonl",
    )
    result = import_file(db, path)
    assert result.inserted == 1
    assert [line for line, _ in result.errors] == [2, 3]
    assert "not a number" in result.errors[1][1]
