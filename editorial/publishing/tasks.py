"""Background tasks of publishing (Django's Tasks API through django-tasks), run by `manage.py tasks_worker`. Each task
is a thin call of editorial.publishing.jobs; what follows a run (a retry after a delay, the recovery of jobs whose
worker died) is scheduled here."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from editorial.models import PublishJob
from editorial.publishing import jobs, releases

RELEASE_WAIT_SECONDS = 10  # a due release waiting for a preparation looks again after this


@task()
def publish_job_task(job_id: int) -> str:
    """Render and publish one publish job; on a failure with attempts left, queue it again after a delay. A
    finished preparation lets a due release that waited for it go ahead."""
    publish_jobs_recover()
    outcome = jobs.publish_job_run(job_id=job_id)
    if outcome.retry:
        return publish_job_retry(job_id=job_id)
    release_id = PublishJob.objects.filter(pk=job_id).values_list("release", flat=True).first()
    if release_id is not None:  # the last preparation also prepares the summary report the release will show
        releases.release_summary_prepare(release_id=release_id)
    releases.releases_due_run()
    return outcome.status


@task()
def edition_release_task(release_id: int) -> str:
    """Make an edition's release when it is due (queued for the release time; a worker that starts later takes
    it then). While a preparation is under way it looks again a few seconds later; a failed preparation leaves
    it to the editor (health reports the late release)."""
    publish_jobs_recover()
    outcome = releases.release_run(release_id=release_id)
    if outcome == "waiting" and edition_release_task.get_backend().supports_defer:
        with transaction.atomic():
            edition_release_task.using(
                run_after=timezone.now() + timedelta(seconds=RELEASE_WAIT_SECONDS)).enqueue(release_id)
    return outcome


def retry_delay(attempts: int) -> int:
    """Seconds before attempt `attempts + 1`: EDITORIAL_PUBLISH_RETRY_SECONDS gives the delay after the first,
    second… failure (the last value repeats)."""
    delays = settings.EDITORIAL_PUBLISH_RETRY_SECONDS or [0]
    return delays[min(max(attempts, 1), len(delays)) - 1]


def publish_job_retry(*, job_id: int) -> str:
    """Queue a failed attempt again, after its delay (the job's status and its task change together)."""
    with transaction.atomic():
        job = PublishJob.objects.select_for_update(of=("self",)).get(pk=job_id)
        if job.status != PublishJob.Status.RUNNING:
            return job.status
        job.status = PublishJob.Status.QUEUED
        job.save(update_fields=["status"])
        delay = retry_delay(job.attempts)
        runner = publish_job_task
        if delay and publish_job_task.get_backend().supports_defer:
            runner = publish_job_task.using(run_after=timezone.now() + timedelta(seconds=delay))
        runner.enqueue(job.pk)
    return PublishJob.Status.QUEUED


def publish_jobs_recover() -> int:
    """Queue again the jobs whose worker died mid-render. Returns how many."""
    with transaction.atomic():
        ids = jobs.publish_jobs_stale()
        for job_id in ids:
            publish_job_task.enqueue(job_id)
    return len(ids)
