"""Background tasks (Django's Tasks API through django-tasks): run by `manage.py db_worker`."""

from django_tasks import task


@task()
def publish_job_task(job_id: int) -> str:
    """Render and publish one publish job (editorial.services.publish_job_run)."""
    from editorial import services

    return services.publish_job_run(job_id=job_id)
