"""The scheduler: one job list, each job on its own thread; one failure stops nothing else."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlite_utils import Database

from bot.scheduler import JobRunner, Scheduler, build_jobs
from bot.serve_process import wait_until
from bot.settings import load_settings
from storage.db import open_db


class Counting:
    """A job that counts its runs, failing the first ``fail_runs`` of them."""

    every: timedelta | None = None

    def __init__(self, name: str, fail_prepare: bool = False, fail_runs: int = 0):
        self.name, self._fail_prepare, self._fail_runs = name, fail_prepare, fail_runs
        self.runs = 0
        self.threads: set[str] = set()

    def prepare(self, db: Database) -> None:
        if self._fail_prepare:
            raise RuntimeError("cannot start")

    def run(self, db: Database, now: datetime) -> dict[str, int]:
        self.runs += 1
        self.threads.add(threading.current_thread().name)
        if self.runs <= self._fail_runs:
            raise RuntimeError("a bad pass")
        return {"ran": 1}


def test_every_job_has_one_entry_and_retention_only_when_configured(tmp_path):
    plain = load_settings(db_path=str(tmp_path / "a.db"))
    names = [job.name for job in build_jobs(plain)]
    assert names == ["surveys", "alerts", "digests", "classification"]
    kept = load_settings(db_path=str(tmp_path / "a.db"), retention="365d")
    assert [job.name for job in build_jobs(kept)] == [*names, "retention"]


def test_a_failing_job_neither_stops_itself_nor_the_others(tmp_path):
    path = tmp_path / "jobs.db"
    open_db(path).close()
    broken = Counting("broken", fail_prepare=True)
    flaky = Counting("flaky", fail_runs=2)
    steady = Counting("steady")
    scheduler = Scheduler(lambda: open_db(path, migrate=False), [broken, flaky, steady], 0.01)
    scheduler.start()
    try:
        wait_until(lambda: flaky.runs > 3 and steady.runs > 3, what="both jobs to keep running")
    finally:
        scheduler.stop()
    assert broken.runs == 0 and not scheduler.prepared("broken")
    assert scheduler.prepared("flaky") and scheduler.prepared("steady")
    assert flaky.threads == {"cxbot-flaky"} and steady.threads == {"cxbot-steady"}


def test_a_job_with_a_period_runs_at_once_then_only_when_due(db):
    job = Counting("hourly")
    job.every = timedelta(hours=1)
    runner = JobRunner(job, lambda: db)
    start = datetime(2026, 11, 23, 12, 0)
    assert runner.run_once(db, start) == {"ran": 1}
    assert runner.run_once(db, start + timedelta(minutes=59)) == {}
    assert runner.run_once(db, start + timedelta(hours=1)) == {"ran": 1}
