"""The task worker of the platform: django-tasks-db's `db_worker` (same options), plus the housekeeping a worker owes
the queue on its own schedule, whether or not jobs come: publish jobs whose worker was killed mid-render are
queued again (editorial.publishing.tasks.publish_jobs_recover), every EDITORIAL_WORKER_HOUSEKEEPING_SECONDS."""

import logging
import os
import threading

from django.conf import settings
from django.db import connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from editorial.publishing.tasks import publish_jobs_recover

logger = logging.getLogger("editorial.worker")


def housekeeping() -> None:
    recovered = publish_jobs_recover()
    if recovered:
        logger.warning("Queued again %d publish job(s) whose worker stopped mid-render.", recovered)


class Housekeeping(threading.Thread):
    """Runs `housekeeping` every `period` seconds beside the worker's loop (a thread of its own, with its own
    database connection, closed after each run)."""

    def __init__(self, *, period: float):
        super().__init__(name="housekeeping", daemon=True)
        self.period = period
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.wait(self.period):
            try:
                housekeeping()
            except Exception:  # noqa: BLE001 - a failed run is logged; the next one tries again
                logger.exception("Worker housekeeping failed")
            finally:
                connection.close()

    def stop(self):
        self.stopped.set()
        self.join(timeout=5)


class Command(db_worker.Command):
    help = ("Run a task worker (django-tasks-db's db_worker) that also queues again, on its own schedule, the publish "
            "jobs of workers killed mid-render.")

    def handle(self, *args, batch: bool, reload: bool, **options):
        housekeeping()  # at start: what a killed worker left behind
        schedule = None
        # With --reload the command runs twice (the watcher and its child): the child does the housekeeping.
        if not batch and (not reload or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"):
            schedule = Housekeeping(period=settings.EDITORIAL_WORKER_HOUSEKEEPING_SECONDS)
            schedule.start()
        try:
            super().handle(*args, batch=batch, reload=reload, **options)
        finally:
            if schedule is not None:
                schedule.stop()
