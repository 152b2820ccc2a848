"""``cxbot nlp``: classify comments, train and evaluate the comment model.

Thin commands over ``nlp``: parse options, call the library, render with rich.
Every expected failure (missing file, bad column, model refused) is one red
line on stderr and exit code 2; ``train`` exits 1 when the retrain guard keeps
the new model aside because its cross-validated score dropped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from bot.cli_output import err, fail, out

if TYPE_CHECKING:
    from bot.settings import Settings

nlp_app = typer.Typer(
    no_args_is_help=True, help="Comment intelligence: themes, sentiment and language."
)

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one JSON object instead of tables.")
]
ModelOption = Annotated[
    Path | None,
    typer.Option("--model", help="Model folder (default: the active or shipped model)."),
]
TextCol = Annotated[str, typer.Option("--text-col", help="Column holding the comment text.")]
ThemesCol = Annotated[
    str, typer.Option("--themes-col", help="Column of ';'-separated theme ids (blank = none).")
]
SentimentCol = Annotated[str, typer.Option("--sentiment-col", help="Column of sentiment labels.")]


def _expected_errors() -> tuple[type[Exception], ...]:
    from nlp.dataset import DatasetError
    from nlp.embeddings import EmbeddingsUnavailable
    from nlp.model_io import ModelLoadError
    from nlp.taxonomy import TaxonomyError
    from nlp.train import TrainingError

    return (
        DatasetError,
        EmbeddingsUnavailable,
        ModelLoadError,
        TaxonomyError,
        TrainingError,
        OSError,
    )


def _settings() -> Settings:
    """The bot's settings (``CXBOT_MODEL_DIR``, ``CXBOT_THEMES``…), or a one-line error (exit 2)."""
    from bot.settings import SettingsError, load_settings

    try:
        return load_settings()
    except SettingsError as exc:
        raise fail(str(exc)) from None


def _model(directory: Path | None, settings: Settings):
    """The model in ``directory``, else the one the bot uses (see ``nlp.classify``)."""
    from nlp.classify import load_default_model, model_cache
    from nlp.model_io import load_model

    if directory is None:
        return load_default_model(settings.model_dir)
    model_cache(settings.model_dir)  # VADER's lexicon goes in the cache folder, not nltk's default
    return load_model(directory)


@nlp_app.command("classify")
def classify(
    text: Annotated[str, typer.Argument(help="The comment to classify.")],
    as_json: JsonOption = False,
    model: ModelOption = None,
) -> None:
    """Themes (with confidence), sentiment and language of one comment."""
    from nlp.classify import classify_texts
    from nlp.taxonomy import load_taxonomy

    settings = _settings()
    try:
        taxonomy = load_taxonomy(settings.themes_path)
        result = classify_texts([text], _model(model, settings), taxonomy)[0]
    except _expected_errors() as exc:
        raise fail(str(exc)) from None
    if as_json:
        out.print_json(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    themes = ", ".join(
        f"{t.theme} {t.confidence:.2f}" + (" (seed terms)" if t.source == "seeds" else "")
        for t in result.themes
    )
    out.print(f"[bold]Themes:[/bold] {themes or 'none (unthemed)'}", highlight=False)
    if result.sentiment is not None:
        out.print(
            f"[bold]Sentiment:[/bold] {result.sentiment} {result.sentiment_confidence:.2f}",
            highlight=False,
        )
    out.print(f"[bold]Language:[/bold] {result.language}", highlight=False)
    out.print(f"[dim]model {result.model_version}[/dim]", highlight=False)


@nlp_app.command("train")
def train(
    data: Annotated[
        Path | None, typer.Option("--data", help="Labeled CSV file added to the training data.")
    ] = None,
    text_col: TextCol = "text",
    themes_col: ThemesCol = "themes",
    sentiment_col: SentimentCol = "sentiment",
    include_corrections: Annotated[
        bool,
        typer.Option(
            "--include-corrections", help="Add the label corrections stored in the database."
        ),
    ] = False,
    data_only: Annotated[
        bool,
        typer.Option(
            "--data-only",
            help="Train on --data alone (its own label set), not with the shipped corpus.",
        ),
    ] = False,
    db: Annotated[
        Path | None, typer.Option("--db", help="Database with corrections (default: CXBOT_DB).")
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Model folder (default: the active model in the cache folder)."),
    ] = None,
    embedding_weight: Annotated[
        float,
        typer.Option(
            "--embedding-weight",
            min=0.0,
            help="Add averaged static word vectors at this weight (needs cxbot[embeddings]). "
            "Helps many-intent and aspect-category data; costs accuracy on support comments.",
        ),
    ] = 0.0,
) -> None:
    """Retrain: shipped corpus + corrections + --data; replace the model only if CV scores don't drop."""
    from nlp.classify import active_model_dir, load_default_model
    from nlp.dataset import load_corpus, read_labeled_csv
    from nlp.model_io import ModelLoadError, read_sidecar
    from nlp.train import apply_decision, train_candidate

    if data_only and data is None:
        raise fail("--data-only needs --data")
    settings = _settings()
    try:
        active = active_model_dir(settings.model_dir)  # also puts VADER's lexicon in the cache
        target = out_dir or active
        given = (
            read_labeled_csv(
                data, text_col=text_col, themes_col=themes_col, sentiment_col=sentiment_col
            )
            if data is not None
            else None
        )
        base, extra = (given, None) if data_only and given is not None else (load_corpus(), given)
        if include_corrections:
            corrected = _stored_corrections(db)
            extra = corrected if extra is None else extra.plus(corrected)
            out.print(f"Including {len(corrected):,} stored label corrections.")
        try:
            current = read_sidecar(target)
        except ModelLoadError:
            current = None
        rows = len(base) + (len(extra) if extra is not None else 0)
        with err.status(f"Training on {rows:,} rows (5-fold cross-validation)…"):
            jobs = -1 if rows >= 1000 else 1  # worker start-up outweighs small data
            candidate = train_candidate(
                base,
                current_info=current,
                extra=extra,
                n_jobs=jobs,
                feature_params={"embedding_weight": embedding_weight} if embedding_weight else None,
            )
        written = apply_decision(candidate, target)
    except _expected_errors() as exc:
        raise fail(str(exc)) from None
    load_default_model.cache_clear()
    _print_cv(candidate.model.info)
    if candidate.decision.accepted:
        out.print(f"Saved model {candidate.model.version} to {written}", highlight=False)
        return
    out.print(f"[yellow]Kept aside[/yellow] in {written}: " + "; ".join(candidate.decision.reasons))
    raise typer.Exit(1)


def _stored_corrections(db_path: Path | None):
    """Corrections made in Slack ("Wrong theme"), as labeled rows."""
    from bot.settings import load_settings
    from nlp.dataset import LabeledData
    from storage.alerts import corrections
    from storage.db import open_db

    handle = open_db(db_path or load_settings().db_path)
    rows = corrections(handle)
    handle.close()
    return LabeledData(
        [r["text"] for r in rows],
        [r["themes"] for r in rows],
        [r["sentiment"] or "neutral" for r in rows],
    )


def _stored_comments(period: str, db: Path | None):
    """Settings, the parsed period and the database, or a one-line error (exit 2)."""
    from datetime import UTC, datetime

    from bot.settings import SettingsError, load_settings
    from storage.db import open_db
    from storage.periods import PeriodError, parse_period

    try:
        settings = load_settings()
        window = parse_period(period, settings.tz, datetime.now(UTC))
    except (SettingsError, PeriodError) as exc:
        raise fail(str(exc)) from None
    return settings, window, open_db(db or settings.db_path)


@nlp_app.command("reclassify")
def reclassify(
    period: Annotated[
        str,
        typer.Option(
            "--period", "-p", help="Only comments answered in this period (default: all)."
        ),
    ] = "all",
    db: Annotated[
        Path | None, typer.Option("--db", help="SQLite file (default: CXBOT_DB).")
    ] = None,
) -> None:
    """Relabel stored comments with the current model (after training or a taxonomy change)."""
    from bot.classifier import label_comments
    from nlp.classify import load_default_model
    from nlp.taxonomy import load_taxonomy
    from storage.classifications import comments_in_period

    settings, window, handle = _stored_comments(period, db)
    model = load_default_model(settings.model_dir)
    taxonomy = load_taxonomy(settings.themes_path)
    done, last = 0, 0
    while batch := comments_in_period(handle, window, after_id=last, limit=1000):
        done += label_comments(handle, batch, model, taxonomy)
        last = batch[-1].response_id
    out.print(f"Relabelled {done:,} comments with model {model.version}.", highlight=False)


@nlp_app.command("discover")
def discover(
    period: Annotated[
        str, typer.Option("--period", "-p", help="Comments answered in this period.")
    ] = "90d",
    below: Annotated[
        float, typer.Option(help="Also take comments whose best theme confidence is below this.")
    ] = 0.5,
    clusters: Annotated[
        int | None, typer.Option(help="How many candidate themes (default: chosen from the data).")
    ] = None,
    db: Annotated[
        Path | None, typer.Option("--db", help="SQLite file (default: CXBOT_DB).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Propose candidate new themes from recent unthemed or low-confidence comments."""
    from nlp.discover import discover_themes
    from storage.classifications import unthemed_or_unsure

    _, window, handle = _stored_comments(period, db)
    texts = unthemed_or_unsure(handle, window, below)
    if len(texts) < 10:
        out.print(
            f"Only {len(texts)} unthemed or unsure comments in {period}: not enough to find new themes."
        )
        return
    candidates = discover_themes(texts, clusters)
    if as_json:
        out.print_json(
            json.dumps(
                [
                    {"terms": c.terms, "examples": c.examples, "size": c.size, "share": c.share}
                    for c in candidates
                ],
                ensure_ascii=False,
            )
        )
        return
    out.print(f"{len(texts):,} unthemed or unsure comments in {period}; candidate themes:")
    for number, candidate in enumerate(candidates, start=1):
        out.print(
            f"[bold]{number}. {escape(', '.join(candidate.terms[:6]))}[/bold] — {candidate.size} comments ({candidate.share:.0%})",
            highlight=False,
        )
        for example in candidate.examples:
            out.print(f"   “{example}”", highlight=False, markup=False)


def _print_cv(info: dict[str, Any]) -> None:
    scores = info["cv"]["scores"]
    table = Table(title=f"Cross-validated scores ({info['cv']['folds']} folds)")
    table.add_column("score")
    table.add_column("value", justify="right")
    for name, value in scores.items():
        if isinstance(value, float):
            table.add_row(name, f"{value:.4f}")
    out.print(table)
    per_language = scores.get("per_language") or {}
    if per_language:
        out.print(_language_table(per_language))


def _language_table(per_language: dict[str, dict[str, Any]]) -> Table:
    """Cross-validated scores per detected language (``und``: no letters to tell)."""
    table = Table(title="Per language")
    for column in ("language", "comments", "themes micro-F1", "sentiment accuracy"):
        table.add_column(column, justify="left" if column == "language" else "right")
    for lang, entry in per_language.items():
        cells = [entry.get(key) for key in ("themes_micro_f1", "sentiment_accuracy")]
        table.add_row(
            lang, f"{entry['n']:,}", *("—" if cell is None else f"{cell:.4f}" for cell in cells)
        )
    return table


@nlp_app.command("evaluate")
def evaluate(
    file: Annotated[Path, typer.Argument(help="Labeled CSV file to score the model on.")],
    model: ModelOption = None,
    text_col: TextCol = "text",
    themes_col: ThemesCol = "themes",
    sentiment_col: SentimentCol = "sentiment",
    as_json: JsonOption = False,
) -> None:
    """Precision/recall/F1 per class, macro and micro F1, accuracy, confusion matrix."""
    from nlp.dataset import read_labeled_csv
    from nlp.evaluate import evaluate_model

    try:
        labeled = read_labeled_csv(
            file, text_col=text_col, themes_col=themes_col, sentiment_col=sentiment_col
        )
        report = evaluate_model(_model(model, _settings()), labeled)
    except _expected_errors() as exc:
        raise fail(str(exc)) from None
    if as_json:
        out.print_json(json.dumps(report, ensure_ascii=False))
        return
    out.print(f"Model {report['model_version']} on {report['n']:,} rows", highlight=False)
    if "sentiment" in report:
        _print_sentiment(report["sentiment"])
    if "themes" in report:
        _print_themes(report["themes"])


def _class_table(title: str, per_class: dict[str, dict[str, float]]) -> Table:
    table = Table(title=title)
    for column in ("class", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="left" if column == "class" else "right")
    for label, row in per_class.items():
        table.add_row(
            label,
            f"{row['precision']:.3f}",
            f"{row['recall']:.3f}",
            f"{row['f1']:.3f}",
            str(row["support"]),
        )
    return table


def _print_sentiment(report: dict[str, Any]) -> None:
    out.print(
        f"[bold]Sentiment[/bold] accuracy {report['accuracy']:.4f} · macro F1 {report['macro_f1']:.4f}"
    )
    out.print(_class_table("Sentiment per class", report["per_class"]))
    matrix = Table(title="Confusion matrix (rows: true, columns: predicted)")
    matrix.add_column("")
    for label in report["labels"]:
        matrix.add_column(label, justify="right")
    for label, row in zip(report["labels"], report["confusion_matrix"], strict=True):
        matrix.add_row(label, *map(str, row))
    out.print(matrix)


def _print_themes(report: dict[str, Any]) -> None:
    out.print(
        f"[bold]Themes[/bold] micro F1 {report['micro_f1']:.4f} · macro F1 {report['macro_f1']:.4f}"
    )
    out.print(_class_table("Themes per class", report["per_class"]))
