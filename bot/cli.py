"""The ``cxbot`` command line: database, metrics, import and export.

Commands are thin: parse options, call ``storage``, render with ``bot.console``.
Settings are read when a command runs (not at import) so ``cxbot --help``
works even with a broken ``.env``.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from sqlite_utils import Database

from bot import console as render
from bot.cli_nlp import nlp_app
from bot.cli_output import err, fail, out
from bot.settings import Settings, SettingsError, load_settings
from storage.db import SchemaTooNewError, open_db, schema_status
from storage.effort import effort, effort_dict
from storage.exporter import export_records, write_csv, write_json
from storage.filters import Filters
from storage.importer import ImportFileError, import_file
from storage.metrics import breakdown, metric_report, report_dict, summary_dict, weekly_series
from storage.operations import operations_report, satisfaction_by_resolution_time
from storage.periods import PeriodError, parse_period
from storage.sample_data import generate_history
from storage.survey_types import SURVEYS, SurveyType, names_text
from storage.teams import UnknownTeam, stored_team

app = typer.Typer(no_args_is_help=True, help="cxbot — close the customer-feedback loop in Slack.")
db_app = typer.Typer(no_args_is_help=True, help="Create, migrate and inspect the SQLite database.")
metrics_app = typer.Typer(no_args_is_help=True, help="CX metrics: NPS, CSAT, CES and operations.")
surveys_app = typer.Typer(
    help="Surveys in the outbox: list them (e.g. --state failed) and re-queue."
)
app.add_typer(db_app, name="db")
app.add_typer(metrics_app, name="metrics")
app.add_typer(surveys_app, name="surveys")
digest_app = typer.Typer(
    no_args_is_help=True, help="Weekly digests: list subscriptions, preview, send now."
)
app.add_typer(digest_app, name="digest")
app.add_typer(nlp_app, name="nlp")

SAMPLE_DB = Path("cxbot-sample") / "cxbot.db"

DbOption = Annotated[Path | None, typer.Option("--db", help="SQLite file (default: CXBOT_DB).")]
PeriodOption = Annotated[
    str, typer.Option("--period", "-p", help="e.g. 7d, 30d, last-month, q3, 2026, A..B, all.")
]
TeamOption = Annotated[str | None, typer.Option(help="Only this team.")]
AgentOption = Annotated[str | None, typer.Option(help="Only this agent.")]
TagOption = Annotated[str | None, typer.Option(help="Only tickets with this tag.")]
ChannelOption = Annotated[
    str | None, typer.Option(help="Only this support channel (email, chat…).")
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one JSON object instead of a table.")
]


class By(StrEnum):
    team = "team"
    agent = "agent"
    tag = "tag"
    channel = "channel"


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


def settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise fail(str(exc)) from None


def database(path: Path | None, *, migrate: bool = True) -> Database:
    target = path or Path(settings().db_path)
    try:
        return open_db(target, migrate=migrate)
    except SchemaTooNewError as exc:
        raise fail(str(exc)) from None


def _checked_team(handle: Database, filters: Filters) -> Filters:
    """``--team Billing`` means the stored ``billing``; an unknown team is said on stderr.

    Unlike ``/cx``, an unknown team is not an error here: scripts read the
    ``--json`` output, where a team with no answers is data (null scores).
    """
    if filters.team is None:
        return filters
    try:
        return replace(filters, team=stored_team(handle, filters.team))
    except UnknownTeam as exc:
        teams = ", ".join(exc.teams) or "none yet"
        err.print(
            f"note: no tickets or answers from team '{escape(exc.team)}'; teams: {escape(teams)}",
            highlight=False,
        )
        return filters


def _now() -> datetime:
    return datetime.now(UTC)


@db_app.command("init")
def db_init(db: DbOption = None) -> None:
    """Create the database (if needed) and bring its schema up to date."""
    handle = database(db)
    status = schema_status(handle)
    out.print(
        f"Database ready: {db or settings().db_path} ({len(status['applied'])} migrations applied)"
    )


@db_app.command("migrate")
def db_migrate(db: DbOption = None) -> None:
    """Apply pending schema migrations."""
    before = schema_status(database(db, migrate=False))["pending"]
    database(db)
    if before:
        out.print("Applied: " + ", ".join(before))
    else:
        out.print("Schema is up to date; nothing to apply.")


@db_app.command("info")
def db_info(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Path, size, schema version and row counts."""
    path = db or Path(settings().db_path)
    handle = database(path, migrate=False)
    status = schema_status(handle)
    tables = {name: handle[name].count for name in handle.table_names() if not name.startswith("_")}
    info = {
        "path": str(path),
        "size_bytes": path.stat().st_size if path.exists() else 0,
        "journal_mode": handle.execute("PRAGMA journal_mode").fetchone()[0],
        "applied_migrations": status["applied"],
        "pending_migrations": status["pending"],
        "tables": tables,
    }
    if as_json:
        out.print_json(json.dumps(info))
        return
    out.print(
        f"[bold]{info['path']}[/bold] · {info['size_bytes']:,} bytes · journal {info['journal_mode']}"
    )
    out.print(f"Migrations applied: {', '.join(status['applied']) or 'none'}")
    out.print(f"Pending: {', '.join(status['pending']) or 'none'}")
    for name, count in tables.items():
        out.print(f"  {name:<18} {count:>12,} rows")


def _ensure_sample(db_path: Path) -> None:
    handle = open_db(db_path)
    if handle["responses"].count == 0:
        err.print(f"Creating a sample database at {db_path} (90 days of synthetic history)…")
        generate_history(handle, 6000, days=90, seed=42)
    handle.close()


def _show_metric(
    metric: str,
    db: Path | None,
    period: str,
    filters: Filters,
    as_json: bool,
    by: By | None,
    weeks: int | None,
    sample: bool,
) -> None:
    if sample:
        db = db or SAMPLE_DB
        _ensure_sample(db)
    config = settings()
    try:
        parsed = parse_period(period, config.tz, _now())
    except PeriodError as exc:
        raise fail(str(exc)) from None
    handle = database(db)
    filters = _checked_team(handle, filters)
    if by is not None:
        rows = breakdown(handle, metric, by.value, parsed, filters)
        if as_json:
            data = [{"key": r.key, **summary_dict(r.summary)} for r in rows]
            out.print_json(json.dumps(data, ensure_ascii=False))
        else:
            out.print(
                render.breakdown_table(
                    metric, by.value, rows, f"{parsed.label} · {filters.describe()}"
                )
            )
        return
    if weeks is not None:
        points = weekly_series(handle, metric, weeks, config.tz, _now(), filters)
        if as_json:
            data = [{"week": p.label, **summary_dict(p.summary)} for p in points]
            out.print_json(json.dumps(data, ensure_ascii=False))
        else:
            out.print(render.series_table(metric, points))
        return
    report = metric_report(handle, metric, parsed, filters)
    if as_json:
        out.print_json(json.dumps(report_dict(report), ensure_ascii=False))
    else:
        out.print(render.report_panel(report))


def _register_metric(metric: str, title: str) -> None:
    @metrics_app.command(
        metric, help=f"{title} for a period, with interval, buckets, delta and response rate."
    )
    def command(
        period: PeriodOption = "30d",
        team: TeamOption = None,
        agent: AgentOption = None,
        tag: TagOption = None,
        channel: ChannelOption = None,
        by: Annotated[
            By | None, typer.Option(help="Break down by team, agent, tag or channel.")
        ] = None,
        weeks: Annotated[
            int | None, typer.Option(min=1, max=104, help="Weekly series of the last N ISO weeks.")
        ] = None,
        as_json: JsonOption = False,
        db: DbOption = None,
        sample: Annotated[
            bool, typer.Option("--sample", help="Use (and create if needed) a sample database.")
        ] = False,
    ) -> None:
        filters = Filters(team=team, agent=agent, tag=tag, channel=channel)
        _show_metric(metric, db, period, filters, as_json, by, weeks, sample)


def _metric_title(survey: SurveyType) -> str:
    """``Net Promoter Score (−100..100)``, ``Customer effort score (mean of 1–7)``: what the score is."""
    if survey.formula == "share":
        return f"{survey.title} (% of {survey.promoter_min}–{survey.high} answers)"
    if survey.formula == "mean":
        return f"{survey.title} (mean of {survey.low}–{survey.high})"
    low, high = (f"{limit:g}".replace("-", "−") for limit in survey.score_limits)
    return f"{survey.title} ({low}..{high})"


for _survey in SURVEYS.values():
    _register_metric(_survey.name, _metric_title(_survey))


@metrics_app.command("ops")
def metrics_ops(
    period: PeriodOption = "30d",
    team: TeamOption = None,
    agent: AgentOption = None,
    tag: TagOption = None,
    channel: ChannelOption = None,
    metric: Annotated[
        str, typer.Option(help="Score shown per resolution-time bucket and per number of contacts.")
    ] = "csat",
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Median first-response and resolution time, reopen rate, handle time, contacts per
    resolution, one-touch rate, satisfaction by resolution time and by number of contacts."""
    if metric not in SURVEYS:
        raise fail(f"--metric must be {names_text()}, not {metric!r}")
    try:
        parsed = parse_period(period, settings().tz, _now())
    except PeriodError as exc:
        raise fail(str(exc)) from None
    handle = database(db)
    filters = _checked_team(handle, Filters(team=team, agent=agent, tag=tag, channel=channel))
    report = operations_report(handle, parsed, filters)
    by_time = satisfaction_by_resolution_time(handle, metric, parsed, filters)
    before = parsed.previous()
    now_effort = effort(handle, metric, parsed, filters)
    previous = operations_report(handle, before, filters) if before else None
    was = effort(handle, metric, before, filters) if previous and previous.tickets_closed else None
    if as_json:
        seconds = lambda d: d.total_seconds() if d is not None else None  # noqa: E731
        data = {
            "tickets_closed": report.tickets_closed,
            "median_first_response_seconds": seconds(report.median_first_response),
            "median_resolution_seconds": seconds(report.median_resolution),
            "reopened": report.reopened,
            "reopen_rate": report.reopen_rate,
            "by_resolution_time": [{"bucket": b, **summary_dict(s)} for b, s in by_time],
            "effort": effort_dict(now_effort),
            "previous_effort": effort_dict(was) if was else None,
        }
        out.print_json(json.dumps(data))
        return
    out.print(render.operations_table(report, by_time, metric, now_effort, was))


@app.command("import")
def import_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV with ticket_id, survey, score, comment, answered_at, team, agent, tags, channel."
        ),
    ],
    db: DbOption = None,
) -> None:
    """Bulk-import historical survey answers (CSV, or the JSON from `cxbot export`)."""
    handle = database(db)
    total = _count_lines(file)
    started = time.perf_counter()
    progress = Progress(
        TextColumn("importing"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} rows"),
        TimeElapsedColumn(),
        console=err,
    )
    try:
        with progress:
            task = progress.add_task("import", total=total)
            result = import_file(handle, file, lambda done: progress.update(task, completed=done))
    except ImportFileError as exc:
        raise fail(str(exc)) from None
    elapsed = time.perf_counter() - started
    for line, reason in result.errors[:50]:
        err.print(f"line {line}: {escape(reason)}", highlight=False)
    if len(result.errors) > 50:
        err.print(f"… and {len(result.errors) - 50} more bad rows")
    out.print(
        f"Imported {result.inserted:,} new answers from {result.rows_read:,} rows in {elapsed:.2f} s "
        f"({result.skipped_duplicates:,} already present, {len(result.errors):,} bad rows skipped)."
    )
    if result.errors:
        # The good rows are stored either way; a script (or cron) still has to
        # hear that part of its file was refused.
        raise typer.Exit(1)


def _count_lines(path: Path) -> int | None:
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        return max(
            sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) - 1, 1
        )


@app.command("export")
def export_command(
    format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="csv or json.")
    ] = ExportFormat.csv,
    period: Annotated[
        str, typer.Option("--period", "-p", help="Only answers in this period (default: all).")
    ] = "all",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Export answers in the import format (export → import round-trips)."""
    try:
        parsed = parse_period(period, settings().tz, _now())
    except PeriodError as exc:
        raise fail(str(exc)) from None
    records = export_records(database(db), parsed)
    writer = write_json if format is ExportFormat.json else write_csv
    if output is None:
        count = writer(records, sys.stdout)
    else:
        with output.open("w", encoding="utf-8", newline="") as handle:
            count = writer(records, handle)
    err.print(f"Exported {count:,} answers.")


@app.command("serve")
def serve(
    port: Annotated[int, typer.Option(help="HTTP port for Slack, webhooks and /healthz.")] = 3000,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "0.0.0.0",
    socket: Annotated[
        bool,
        typer.Option("--socket", help="Receive Slack events over Socket Mode (SLACK_APP_TOKEN)."),
    ] = False,
    poll_interval: Annotated[float, typer.Option(help="Seconds between outbox passes.")] = 1.0,
    bench_floor: Annotated[
        bool,
        typer.Option(
            "--bench-floor", hidden=True, help="Add POST /bench/noop, the benchmarks' baseline."
        ),
    ] = False,
) -> None:
    """Run the bot: Slack events, helpdesk webhooks, /healthz and the survey outbox (uvicorn)."""
    import uvicorn

    from bot.server import create_server

    config = settings()
    needed = ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN" if socket else "SLACK_SIGNING_SECRET"]
    values = {
        "SLACK_BOT_TOKEN": config.slack_bot_token,
        "SLACK_APP_TOKEN": config.slack_app_token,
        "SLACK_SIGNING_SECRET": config.slack_signing_secret,
    }
    missing = [name for name in needed if not values[name]]
    if missing:
        raise fail(f"{', '.join(missing)} must be set to serve (see .env.example)")
    from bot.observability import configure_logging

    configure_logging(config.secret_values())  # every SecretStr setting, so a new token is covered
    server = create_server(
        config,
        worker_interval=poll_interval,
        socket_mode=socket,
        bench_floor=bench_floor,
        startup_checks=True,
    )
    uvicorn.run(server, host=host, port=port, log_config=None, access_log=False)


@app.command("doctor", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
def doctor(
    ctx: typer.Context,
    as_json: JsonOption = False,
    socket: Annotated[
        bool, typer.Option("--socket", help="Check for Socket Mode (SLACK_APP_TOKEN).")
    ] = False,
    model: Annotated[bool, typer.Option(help="Also load the comment model.")] = True,
    manifest: Annotated[
        Path | None, typer.Option(help="The app manifest whose scopes must be granted.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Check the set-up: Slack token, scopes, channels, secrets, helpdesk APIs, database, model."""
    from bot.doctor import MANIFEST, healthy, run_checks
    from bot.doctor import as_json as report_json

    if ctx.args:
        raise fail(
            f"doctor does not take {ctx.args[0]!r} (options: --json, --socket, --no-model, --manifest, --db)"
        )
    config = settings()
    if db is not None:
        config = config.model_copy(update={"db_path": str(db)})
    checks = run_checks(config, socket=socket, model=model, manifest=manifest or MANIFEST)
    if as_json:
        out.print_json(json.dumps(report_json(checks), ensure_ascii=False))
    else:
        for check in checks:
            out.print(escape(check.line()), highlight=False, soft_wrap=True)
    if not healthy(checks):
        raise typer.Exit(1)


@surveys_app.callback(invoke_without_command=True)
def surveys_list(
    ctx: typer.Context,
    state: Annotated[
        str | None, typer.Option(help="scheduled, sent, answered, expired, failed or skipped.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many, newest first.")] = 50,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """List surveys, newest first, with their state and the reason for failures and skips.

    Also counts the skipped ones by reason (without --state, or with --state skipped)
    and lists the scores that could not be written back to their tickets
    (without --state, or with --state failed).
    """
    if ctx.invoked_subcommand:
        return
    from storage.migrations import SURVEY_STATES
    from storage.surveys import list_surveys, skip_reasons
    from storage.writebacks import failed_writebacks

    if state is not None and state not in SURVEY_STATES:
        raise fail(f"--state must be one of {', '.join(SURVEY_STATES)}")
    handle = database(db)
    rows = list_surveys(handle, state, limit)
    if as_json:
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    tz = settings().tz
    render.print_surveys(out, rows, tz, limit)
    if state in (None, "skipped"):
        render.print_skip_reasons(out, skip_reasons(handle))
    if state in (None, "failed"):
        render.print_failed_writebacks(out, failed_writebacks(handle), tz)


@surveys_app.command("retry")
def surveys_retry(
    survey_id: Annotated[
        int, typer.Argument(help="Survey id (see `cxbot surveys --state failed`).")
    ],
    db: DbOption = None,
) -> None:
    """Re-queue a failed or skipped survey so the outbox sends it now."""
    from storage.surveys import retry_survey

    if not retry_survey(database(db), survey_id, _now()):
        raise fail(f"survey {survey_id} does not exist or is not failed/skipped", code=1)
    out.print(f"Survey {survey_id} re-queued; a running `cxbot serve` sends it within seconds.")


@digest_app.command("list")
def digest_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Every active digest subscription with its schedule and the last week sent."""
    from bot.cx.digest_command import describe
    from storage.subscriptions import subscriptions

    rows = subscriptions(database(db))
    if as_json:
        out.print_json(json.dumps([s.__dict__ for s in rows]))
        return
    for row in rows:
        out.print(
            f"{describe(row)} · subscriber {row.subscriber} · last sent {row.sent_week or 'never'}",
            highlight=False,
        )
    if not rows:
        out.print("No digest subscriptions. In Slack: /cx digest subscribe")


@digest_app.command("preview")
def digest_preview(
    team: TeamOption = None,
    tz: Annotated[
        str | None, typer.Option("--tz", help="Time zone of the week (default CXBOT_TIMEZONE).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Print this week's digest (the last complete ISO week) to the terminal."""
    from zoneinfo import ZoneInfo

    from bot.blocks.digest import digest_paragraphs
    from bot.demo.terminal import plain
    from bot.themes import theme_labels
    from storage.digest import build_digest

    config = settings()
    try:
        zone = ZoneInfo(tz) if tz else config.tz
    except Exception:
        raise fail(f"unknown time zone {tz!r}") from None
    digest = build_digest(database(db), zone, _now(), Filters(team=team))
    for paragraph in digest_paragraphs(digest, theme_labels(config)):
        out.print(plain(paragraph).replace("*", ""), highlight=False, markup=False)
        out.print()


@digest_app.command("send")
def digest_send(
    now_flag: Annotated[
        bool, typer.Option("--now", help="Send now instead of waiting for the schedule.")
    ] = False,
    subscription: Annotated[
        int | None, typer.Option("--subscription", help="Only this subscription id.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Send digests now through Slack (all subscriptions, or one); counts as that week's digest."""
    from bot.digests import deliver_digest
    from bot.slack_client import delivery_client
    from bot.themes import theme_labels
    from storage.subscriptions import get_subscription, mark_sent, subscriptions

    if not now_flag:
        raise fail("add --now: scheduled digests are sent by a running `cxbot serve`")
    config = settings()
    if not config.slack_bot_token:
        raise fail("SLACK_BOT_TOKEN must be set to send digests")
    handle = database(db)
    chosen = subscriptions(handle)
    if subscription:
        one = get_subscription(handle, subscription)
        if one is None:
            raise fail(f"no active subscription {subscription}", code=1)
        chosen = [one]
    client, now = delivery_client(config), _now()
    for item in chosen:
        deliver_digest(client, handle, item, theme_labels(config), now)
        mark_sent(handle, item.id, item.due_moment(now)[0], now)
        out.print(f"Sent digest #{item.id} to {item.channel or item.subscriber}.")


@app.command("forget")
def forget(
    customer: Annotated[
        str, typer.Option("--customer", help="The customer's email or Slack user id.")
    ],
    db: DbOption = None,
) -> None:
    """Delete a customer's tickets, surveys, answers, comments, labels and alerts everywhere."""
    from storage.privacy import forget_customer

    done = forget_customer(database(db), customer.strip())
    out.print(
        f"Forgot {customer}: {done.tickets} tickets, {done.responses} answers, {done.comments} comments deleted."
    )


@app.command("demo")
def demo(
    directory: Annotated[
        Path, typer.Option("--dir", help="Where the demo database and chart go.")
    ] = Path("cxbot-demo"),
) -> None:
    """See cxbot work in a minute with no Slack account: emulator, real server, live events, /cx, digest."""
    from bot.demo.run import run_demo

    started = time.perf_counter()
    out.rule("cxbot demo")
    result = run_demo(directory, out)
    out.rule("Explore further")
    out.print(
        f"Database: {result.db_path} · chart: {result.chart}\n"
        f"  cxbot metrics nps --db {result.db_path} --by team\n"
        f"  cxbot metrics ops --db {result.db_path} --team technical\n"
        f"  cxbot digest preview --db {result.db_path}\n"
        "Connect a real workspace: see README, 'Connect a Slack workspace' (manifest.yml, then cxbot serve).\n"
        f"Demo finished in {time.perf_counter() - started:.1f} s.",
        highlight=False,
    )


def main() -> None:
    """Console-script entry point."""
    app()
