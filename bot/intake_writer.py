"""Group commit for webhook intake: one writer thread, one fsync for many webhooks.

Each webhook still gets its own savepoint (one bad event cannot spoil the
others) and its 202 only after the COMMIT that contains it, so durability is
unchanged; but concurrent webhooks share a transaction instead of queueing on
SQLite's write lock, whose busy handler sleeps in coarse steps and made the
latency tail hundreds of milliseconds long.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from storage.db import write_transaction
from storage.tickets import IntakeResult, SurveyRules, TicketEvent, apply_ticket_event

log = logging.getLogger("cxbot.intake")
MAX_BATCH = 256


@dataclass
class _Job:
    event: TicketEvent
    now: datetime
    future: Future


class IntakeWriter:
    def __init__(self, connect: Callable[[], Database], rules: SurveyRules):
        self._connect, self._rules = connect, rules
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="cxbot-intake-writer", daemon=True)
        self._thread.start()

    async def submit(self, event: TicketEvent, now: datetime) -> IntakeResult:
        """Store the event; returns once the transaction holding it has committed."""
        future: Future = Future()
        self._jobs.put(_Job(event, now, future))
        return await asyncio.wrap_future(future)

    def close(self, timeout: float = 10.0) -> None:
        self._jobs.put(None)
        self._thread.join(timeout)

    def _batch(self, first: _Job) -> tuple[list[_Job], bool]:
        jobs, stop = [first], False
        while len(jobs) < MAX_BATCH:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is None:
                stop = True
                break
            jobs.append(job)
        return jobs, stop

    def _run(self) -> None:
        db = self._connect()
        try:
            while (first := self._jobs.get()) is not None:
                jobs, stop = self._batch(first)
                self._commit(db, jobs)
                if stop:
                    break
        finally:
            db.close()

    def _commit(self, db: Database, jobs: list[_Job]) -> None:
        outcomes: list[tuple[_Job, IntakeResult | BaseException]] = []
        try:
            with write_transaction(db):
                for job in jobs:
                    try:
                        with db.atomic():  # a savepoint per webhook
                            outcomes.append(
                                (job, apply_ticket_event(db, job.event, self._rules, job.now))
                            )
                    except Exception as exc:
                        log.exception("webhook event could not be applied")
                        outcomes.append((job, exc))
        except Exception as exc:  # the COMMIT itself failed: nothing of this batch is stored
            log.exception("intake batch of %d could not be committed", len(jobs))
            outcomes = [(job, exc) for job in jobs]
        for job, outcome in outcomes:
            if isinstance(outcome, BaseException):
                job.future.set_exception(outcome)
            else:
                job.future.set_result(outcome)
