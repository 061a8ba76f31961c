"""Background tasks of national validation (run by the task workers): the digest of answers given in a row."""

from django_tasks import task

from editorial.national_validation import services


@task()
def validation_digest_task(request_id: int) -> int:
    """E-mail staff, in one, the answers a contact gave since the last e-mail about their request."""
    return services.validation_digest_send(request_id=request_id)
