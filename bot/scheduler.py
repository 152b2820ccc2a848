"""Every background job of ``cxbot serve`` in one list, each run on its own thread.

A job (``bot/jobs/``) is a name, how often it runs, an optional ``prepare``
done once before its first run (releasing claims an earlier process left,
loading a model) and a ``run`` that does one pass and returns counts for logs
and tests.  Each job gets its own thread and database connection, so a slow
Slack or a slow model delays only its own work; a failed pass is logged and
retried on the next tick, and a job whose ``prepare`` failed stays off
without stopping the others.

Adding a job: a module in ``bot/jobs/`` with its policy and job class, and
one entry in ``build_jobs`` below.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlite_utils import Database

from bot.helpdesks.registry import helpdesk_clients
from bot.jobs.alerts import AlertPolicy, PublishAlerts
from bot.jobs.classification import ClassificationPolicy, LabelComments
from bot.jobs.digests import DigestPolicy, SendDigests
from bot.jobs.figures import FetchTicketFigures, FiguresPolicy
from bot.jobs.retention import PruneComments, RetentionPolicy
from bot.jobs.surveys import SendSurveys, SurveyPolicy
from bot.jobs.writeback import WritebackPolicy, WriteBackScores
from bot.settings import Settings
from bot.slack_client import TokenHealth, delivery_client
from bot.themes import theme_labels

log = logging.getLogger("cxbot.scheduler")
Counts = dict[str, int]


class Job(Protocol):
    """What the scheduler runs; see ``bot/jobs/`` for the jobs themselves."""

    name: str
    #: How long after a run the next one is due; None: on every tick.
    every: timedelta | None

    def prepare(self, db: Database) -> None:
        """Once, on the job's thread, before its first run."""

    def run(self, db: Database, now: datetime) -> Counts:
        """One pass; returns how many things it did, by outcome (empty: nothing to do)."""
        ...


def build_jobs(settings: Settings, token: TokenHealth | None = None) -> list[Job]:
    """The one list of background jobs, each with its policy taken from the settings.

    ``token`` is shared by the jobs that send, so a dead bot token seen by one
    pauses them all and ``/healthz`` can say so.
    """
    token = token or TokenHealth()
    labels = theme_labels(settings)
    jobs: list[Job] = [
        SendSurveys(
            delivery_client(settings),
            SurveyPolicy(
                expires_after=settings.survey_expires,
                reminder_after=settings.reminder_after,
                cooldown=settings.survey_cooldown,
            ),
            helpdesk_clients(settings),
            token,
        ),
        PublishAlerts(delivery_client(settings), AlertPolicy(labels, settings.ticket_url), token),
        SendDigests(delivery_client(settings), DigestPolicy(labels), token),
        LabelComments(ClassificationPolicy(settings.themes_path, settings.model_dir)),
    ]
    if settings.retention:
        jobs.append(PruneComments(RetentionPolicy(settings.retention)))
    if settings.helpdesk_apis():  # ticket figures from the helpdesks with API credentials
        jobs.append(FetchTicketFigures(helpdesk_clients(settings), FiguresPolicy()))
    if settings.writeback:
        jobs.append(WriteBackScores(helpdesk_clients(settings), WritebackPolicy(labels)))
    return jobs


def run_jobs(jobs: Sequence[Job], db: Database, now: datetime | None = None) -> Counts:
    """Run each job once, now, one after another; their counts merged (tests, one-off passes)."""
    now = now or datetime.now(UTC)
    counts: Counts = {}
    for job in jobs:
        for outcome, count in job.run(db, now).items():
            counts[outcome] = counts.get(outcome, 0) + count
    return counts


class JobRunner:
    """Runs one job on its own thread: every tick, if it is due, until stopped."""

    def __init__(self, job: Job, connect: Callable[[], Database], tick: float = 1.0):
        self.job, self._connect, self._tick = job, connect, tick
        self.prepared = False
        self._last_run: datetime | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"cxbot-{job.name}", daemon=True)
        if hasattr(job, "stopping"):  # a job with a long pass can end it early on shutdown
            job.stopping = self._stop.is_set

    def start(self) -> JobRunner:
        self._thread.start()
        return self

    def signal_stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float = 10.0) -> None:
        self._thread.join(timeout)

    def run_once(self, db: Database, now: datetime | None = None) -> Counts:
        """Run the job if it is due (always on the first call); {} when it is not."""
        now = now or datetime.now(UTC)
        every = self.job.every
        if every is not None and self._last_run is not None and now - self._last_run < every:
            return {}
        self._last_run = now
        return self.job.run(db, now)

    def _loop(self) -> None:
        db = self._connect()
        try:
            try:
                self.job.prepare(db)
            except Exception:
                log.exception(
                    "%s could not start; it stays off until cxbot restarts", self.job.name
                )
                return
            self.prepared = True
            while not self._stop.is_set():
                try:
                    self.run_once(db)
                except Exception:  # one bad pass must not stop the job for good
                    log.exception("%s pass failed; retrying", self.job.name)
                self._stop.wait(self._tick)
        finally:
            db.close()


class Scheduler:
    """Starts and stops a runner per job."""

    def __init__(self, connect: Callable[[], Database], jobs: Sequence[Job], tick: float = 1.0):
        self._runners = {job.name: JobRunner(job, connect, tick) for job in jobs}

    def start(self) -> Scheduler:
        for runner in self._runners.values():
            runner.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Ask every job to stop, then wait for each (a pass in flight finishes first)."""
        for runner in self._runners.values():
            runner.signal_stop()
        for runner in self._runners.values():
            runner.join(timeout)

    def prepared(self, name: str) -> bool:
        """Whether job ``name`` has finished its ``prepare`` (e.g. the comment model loaded)."""
        runner = self._runners.get(name)
        return runner is not None and runner.prepared
