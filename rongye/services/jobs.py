"""Background jobs for match runs: an in-process worker thread, or RQ on Redis.

Without `REDIS_URL` (the embedded default) runs go to one worker thread per app process: one
at a time, so a run never competes with another for the CPU the web pages need. With
`REDIS_URL` set (config or environment) they go to the RQ queue "rongye-matching" and a
separate worker process runs them (`flask --app app review worker`), which is how a deployment
with several app processes works: any process may queue, any worker may run.

Either way the job is `run_match_job(run_id)`, which is idempotent: a run already done or
failed is left alone, so a job delivered twice does no harm.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from flask import Flask, current_app, has_app_context

from rongye.extensions import db
from rongye.services.matching_runs import execute_run

log = logging.getLogger(__name__)

QUEUE_NAME = "rongye-matching"
#: A job running longer than this is stopped by the RQ worker (and its run can be retried).
JOB_TIMEOUT = 3600


def redis_url(app: Flask) -> str | None:
    """Return the Redis URL of the job queue, or None for the in-process worker thread."""
    return app.config.get("REDIS_URL") or os.environ.get("REDIS_URL") or None


def run_match_job(run_id: int) -> str:
    """Execute a match run (the job body, in a worker thread or an RQ worker)."""
    if has_app_context():
        return execute_run(db.session, run_id)
    from app import create_app  # an RQ worker started without the Flask CLI

    with create_app().app_context():
        return execute_run(db.session, run_id)


def queue(app: Flask) -> Any:
    """Return the RQ queue on the configured Redis."""
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE_NAME, connection=Redis.from_url(redis_url(app)))


def _executor(app: Flask) -> ThreadPoolExecutor:
    executor: ThreadPoolExecutor | None = app.extensions.get("rongye_jobs")
    if executor is None:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rongye-match")
        app.extensions["rongye_jobs"] = executor
    return executor


def _in_thread(app: Flask, run_id: int) -> str:
    with app.app_context():
        try:
            return execute_run(db.session, run_id)
        finally:
            db.session.remove()


def enqueue(run_id: int) -> Future[str] | Any:
    """Queue the run's job: on RQ when Redis is configured, else on the worker thread."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("MATCH_JOBS") == "inline":  # tests that need no concurrency
        return execute_run(db.session, run_id)
    if redis_url(app):
        job = queue(app).enqueue_call(
            run_match_job, args=(run_id,), timeout=JOB_TIMEOUT, result_ttl=3600,
            description=f"match run {run_id}",
        )
        log.info("match run %s queued on RQ as job %s", run_id, job.id)
        return job
    log.info("match run %s queued on the worker thread", run_id)
    return _executor(app).submit(_in_thread, app, run_id)


def wait_for_thread_jobs(app: Flask, timeout: float = 120) -> None:
    """Wait until the worker thread has run everything queued so far (tests, CLI)."""
    executor: ThreadPoolExecutor | None = app.extensions.get("rongye_jobs")
    if executor is not None:
        executor.submit(lambda: None).result(timeout=timeout)


def work(app: Flask, *, burst: bool = False) -> None:
    """Run an RQ worker on the match-run queue inside the app (the worker process)."""
    from rq import Worker

    with app.app_context():
        Worker([queue(app)], connection=queue(app).connection).work(burst=burst)
