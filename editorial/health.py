"""Health checks of the editorial app (django-health-check), for load balancers and monitoring."""

import dataclasses
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable


def late_tasks() -> int:
    """Tasks of the database queue that have been due for longer than EDITORIAL_QUEUE_LATE_SECONDS."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return 0  # another backend reports its own workers (e.g. RQ's)
    from django_tasks_db.models import DBTaskResult, get_date_max

    late = timezone.now() - timedelta(seconds=settings.EDITORIAL_QUEUE_LATE_SECONDS)
    # A task queued to run at once has no run_after of its own: the backend stores a far-future placeholder, and
    # its due time is when it was queued.
    due_at_once = Q(run_after=get_date_max(), enqueued_at__lte=late)
    return DBTaskResult.objects.filter(Q(run_after__lte=late) | due_at_once, status="READY").count()


def stale_publish_jobs() -> int:
    """Publish jobs rendering for longer than EDITORIAL_PUBLISH_STALE_SECONDS: their worker was killed."""
    from editorial.models import PublishJob

    stale = timezone.now() - timedelta(seconds=settings.EDITORIAL_PUBLISH_STALE_SECONDS)
    return PublishJob.objects.filter(status=PublishJob.Status.RUNNING, started_at__lt=stale).count()


@dataclasses.dataclass
class TaskQueue(HealthCheck):
    """The task workers are alive: nothing due waits longer than a worker takes to pick it up."""

    async def run(self):
        waiting = await sync_to_async(late_tasks, thread_sensitive=True)()
        if waiting:
            raise ServiceUnavailable(
                f"{waiting} task(s) due for more than {settings.EDITORIAL_QUEUE_LATE_SECONDS} s: no worker is "
                "taking jobs (is `manage.py tasks_worker` running?)."
            )


@dataclasses.dataclass
class PublishJobs(HealthCheck):
    """No publish job is stuck "rendering": its worker was killed, and no running `tasks_worker` took it up again."""

    async def run(self):
        stuck = await sync_to_async(stale_publish_jobs, thread_sensitive=True)()
        if stuck:
            raise ServiceUnavailable(
                f"{stuck} publish job(s) rendering for more than {settings.EDITORIAL_PUBLISH_STALE_SECONDS} s: their "
                "worker stopped, and no running `manage.py tasks_worker` has queued them again."
            )


@dataclasses.dataclass
class EditionReleases(HealthCheck):
    """No edition's release is late: one due for longer than EDITORIAL_QUEUE_LATE_SECONDS has not been made (no
    worker running, or a preparation failed)."""

    async def run(self):
        from editorial.publishing.releases import releases_late

        late = await sync_to_async(releases_late, thread_sensitive=True)(
            late_seconds=settings.EDITORIAL_QUEUE_LATE_SECONDS)
        if late:
            raise ServiceUnavailable("; ".join(
                f"the {r.edition.year} edition's release was due at {r.local_time:%Y-%m-%d %H:%M} ({r.time_zone}) "
                f"and is not made: {r.problem or 'no worker has taken it (is `manage.py db_worker` running?)'}"
                for r in late))
