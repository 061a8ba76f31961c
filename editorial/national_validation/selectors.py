"""Reads of national validation: which request a link opens, whether it still takes answers, what changed since it
was sent, and each factsheet's requests for staff."""

from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from editorial import permissions
from editorial.models import ValidationAnswer, ValidationRequest
from editorial.national_validation.tokens import token_hash
from editorial.selectors import latest_revision
from editorial.snapshots import snapshot_compare
from factsheets.models import Factsheet, NationalContact, State


def validation_request_open(*, token: str) -> ValidationRequest | None:
    """The request a token opens, or None when it is wrong, expired or revoked (the caller answers them alike)."""
    if not token or len(token) > 100:
        return None
    digest = token_hash(token)
    request = (ValidationRequest.objects.select_related("factsheet__country", "factsheet__edition", "revision",
                                                        "sent_by")
               .filter(Q(token_hash=digest) | Q(reminder_token_hash=digest)).first())
    if request is None or request.revoked_at is not None or request.expires_at <= timezone.now():
        return None
    return request


def validation_is_open(request: ValidationRequest) -> bool:
    """Answers may change until the deadline (end of its day) or until the factsheet is published."""
    ends = timezone.make_aware(datetime.combine(request.deadline, time.max))
    published = request.factsheet.publications.filter(published_at__gt=request.sent_at).exists()
    return timezone.now() <= ends and not published


def validation_current_answers(*, request: ValidationRequest) -> dict[int | None, ValidationAnswer]:
    """The latest answer per section (None: the verdict on the whole factsheet)."""
    latest: dict[int | None, ValidationAnswer] = {}
    for answer in request.answers.order_by("created_at", "id"):
        latest[answer.section_id] = answer
    return latest


def validation_changes_since(*, request: ValidationRequest):
    """What changed in the factsheet since the request was sent (word-level, as in the revision compare)."""
    latest = latest_revision(factsheet=request.factsheet)
    if latest is None or latest.pk == request.revision_id:
        return []
    return snapshot_compare(request.revision.snapshot, latest.snapshot)


def validation_requests_of(*, factsheet: Factsheet) -> list[ValidationRequest]:
    """The factsheet's requests with what happened to each (openings, answers), newest first."""
    requests = list(
        ValidationRequest.objects.filter(factsheet=factsheet)
        .select_related("contact", "sent_by", "revision")
        .annotate(opened=Count("openings", distinct=True), last_opened=Max("openings__at"))
        .order_by("-sent_at", "-id")
    )
    answers: dict[int, list[ValidationAnswer]] = {}
    for answer in ValidationAnswer.objects.filter(request__in=requests).order_by("created_at", "id"):
        answers.setdefault(answer.request_id, []).append(answer)
    now = timezone.now()
    for request in requests:
        latest: dict[int | None, ValidationAnswer] = {}
        for answer in answers.get(request.pk, []):
            latest[answer.section_id] = answer
        request.current_answers = [a for key, a in latest.items() if key is not None]
        request.verdict_answer = latest.get(None)
        request.correction_sections = [a.section_title for a in request.current_answers
                                       if a.status == ValidationAnswer.Status.CORRECTION]
        request.status = ("revoked" if request.revoked_at else "answered" if request.answered_at
                          else "expired" if request.expires_at <= now else "waiting")
    return requests


def validation_reminders_due(*, now=None, days_before: int = 3) -> QuerySet[ValidationRequest]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    return (ValidationRequest.objects.filter(
        answered_at__isnull=True, revoked_at__isnull=True, reminded_at__isnull=True, expires_at__gt=now,
        deadline__gte=today, deadline__lte=today + timedelta(days=days_before),
    ).exclude(factsheet__state=State.PUBLISHED).select_related("factsheet__country", "factsheet__edition"))


def contacts_for(*, factsheet: Factsheet) -> QuerySet[NationalContact]:
    return NationalContact.objects.filter(country_id=factsheet.country_id, active=True).order_by("name")


def validation_panel(*, user, factsheet: Factsheet) -> dict[str, Any]:
    requests = validation_requests_of(factsheet=factsheet)
    can_send = permissions.can(user, "request_validation", factsheet) and factsheet.state in (
        State.DRAFT, State.CHANGES_REQUESTED)
    return {
        "requests": requests,
        "can_send": can_send,
        "can_manage": permissions.can(user, "request_validation"),
        "contacts": list(contacts_for(factsheet=factsheet)) if can_send else [],
        "required": factsheet.edition.validation_required,
        "confirmed": any(r.verdict == "confirmed" and not r.revoked_at and not r.correction_sections
                         for r in requests),
        "unread": sum(1 for r in requests if r.answered_at and not r.read_at),
        "default_deadline": timezone.localdate() + timedelta(days=21),
    }
