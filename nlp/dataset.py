"""Labeled comments in memory, from the shipped corpus or a team's CSV file.

A dataset may carry themes, sentiment or both; theme names are whatever the
file uses (a file can bring its own theme set). The content hash goes into the
model sidecar so a model can always be traced to the exact rows it was fit on.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

THEME_SEPARATOR = ";"
SENTIMENTS = ("negative", "neutral", "positive")


class DatasetError(ValueError):
    """A labeled file that cannot be used (missing column, no rows…)."""


@dataclass(frozen=True)
class LabeledData:
    """Parallel lists of texts and labels; ``None`` for a label kind the data lacks."""

    texts: list[str]
    themes: list[list[str]] | None = None
    sentiments: list[str] | None = None
    langs: list[str] | None = None

    def __post_init__(self) -> None:
        for name in ("themes", "sentiments", "langs"):
            values = getattr(self, name)
            if values is not None and len(values) != len(self.texts):
                raise DatasetError(f"{name}: {len(values)} labels for {len(self.texts)} texts")

    def __len__(self) -> int:
        return len(self.texts)

    def content_hash(self) -> str:
        """sha256 over texts and labels in order (same rows → same hash → same model)."""
        digest = hashlib.sha256()
        for i, text in enumerate(self.texts):
            row = [
                text,
                sorted(self.themes[i]) if self.themes is not None else None,
                self.sentiments[i] if self.sentiments is not None else None,
            ]
            digest.update(json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n")
        return digest.hexdigest()

    def theme_counts(self) -> dict[str, int]:
        counts = Counter(t for row in self.themes or [] for t in row)
        return dict(sorted(counts.items()))

    def sentiment_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(self.sentiments or []).items()))

    def plus(self, extra: LabeledData | None) -> LabeledData:
        """These rows followed by ``extra`` (e.g. stored corrections); label kinds must agree."""
        if extra is None or len(extra) == 0:
            return self
        if (self.themes is None) != (extra.themes is None) or (self.sentiments is None) != (
            extra.sentiments is None
        ):
            raise DatasetError("extra rows must carry the same label columns as the data")
        return LabeledData(
            texts=self.texts + extra.texts,
            themes=None if self.themes is None else self.themes + (extra.themes or []),
            sentiments=None
            if self.sentiments is None
            else self.sentiments + (extra.sentiments or []),
        )


def corpus_dir() -> Path:
    return Path(str(resources.files("nlp") / "data" / "corpus"))


def load_corpus(directory: Path | None = None) -> LabeledData:
    """The shipped multilingual corpus (all ``*.jsonl`` files, sorted by name)."""
    texts: list[str] = []
    themes: list[list[str]] = []
    sentiments: list[str] = []
    langs: list[str] = []
    for path in sorted((directory or corpus_dir()).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                texts.append(row["text"])
                themes.append(list(row["themes"]))
                sentiments.append(row["sentiment"])
                langs.append(row["lang"])
    if not texts:
        raise DatasetError(f"no corpus rows under {directory or corpus_dir()}")
    return LabeledData(texts, themes, sentiments, langs)


def split_themes(cell: str | None) -> list[str]:
    """``"billing; resolution"`` → ``["billing", "resolution"]`` (blank → unthemed)."""
    if not cell:
        return []
    return sorted({part.strip() for part in cell.split(THEME_SEPARATOR) if part.strip()})


def read_labeled_csv(
    path: str | Path,
    *,
    text_col: str = "text",
    themes_col: str | None = "themes",
    sentiment_col: str | None = "sentiment",
) -> LabeledData:
    """Read a labeled CSV; a label column that is absent from the header is skipped.

    At least one of the two label columns must be present. Sentiment values are
    lower-cased and kept as written, so a binary file (only positive/negative)
    works as well as a three-way one.
    """
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            reader = csv.DictReader(file)
            header = reader.fieldnames or []
            rows = list(reader)
    except FileNotFoundError as exc:
        raise DatasetError(f"file not found: {path}") from exc
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DatasetError(f"{path}: cannot read as UTF-8 CSV ({exc})") from exc
    if text_col not in header:
        raise DatasetError(f"{path}: no {text_col!r} column (columns: {', '.join(header)})")
    has_themes = bool(themes_col) and themes_col in header
    has_sentiment = bool(sentiment_col) and sentiment_col in header
    if not (has_themes or has_sentiment):
        raise DatasetError(f"{path}: needs a {themes_col!r} or a {sentiment_col!r} column")
    rows = [row for row in rows if (row.get(text_col) or "").strip()]
    if not rows:
        raise DatasetError(f"{path}: no rows with text")
    return LabeledData(
        texts=[row[text_col] for row in rows],
        themes=[split_themes(row.get(themes_col)) for row in rows] if has_themes else None,
        sentiments=[(row.get(sentiment_col) or "").strip().lower() for row in rows]
        if has_sentiment
        else None,
    )
