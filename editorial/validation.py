"""National validation: a factsheet sent to its country's national contacts through private links, their answers
brought back into the workflow. Writes (services) and the reads that go with them.

A link carries a random token of 192 bits; only its SHA-256 is stored. It opens exactly one request (one
factsheet, one contact), expires (30 days by default, and at the deadline plus a grace period), and staff can
revoke it. Wrong, expired and revoked tokens are indistinguishable to the visitor."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from editorial import notifications
from editorial.models import AuditEntry, ValidationAnswer, ValidationOpening, ValidationRequest
from editorial.permissions import WorkflowError, ensure_can
from editorial.selectors import latest_revision, snapshot_compare
from editorial.workflow import EDITABLE_STATES
from factsheets.models import Factsheet, NationalContact, Section, State
from factsheets.validation import CONTROL_CHARACTERS

DEFAULT_DAYS = 30
GRACE_DAYS = 7


def _days(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def plain(text: str | None, limit: int) -> str:
    """What a contact typed, kept as plain text: control characters removed, length capped. It is escaped
    wherever it is shown (templates, e-mails are plain text)."""
    return CONTROL_CHARACTERS.sub("", (text or "").replace("\r\n", "\n")).strip()[:limit]


# --- sending ------------------------------------------------------------------------------------------------

@dataclass
class SentRequest:
    request: ValidationRequest
    link: str


@transaction.atomic
def validation_request_send(*, factsheet: Factsheet, contacts, message: str, deadline: date, by) -> list[SentRequest]:
    """Send a factsheet (draft or changes requested) to national contacts of its country, each with a private
    link bound to the current revision; each contact gets an e-mail. Returns the requests and their links (the
    only time a token exists in clear)."""
    fs = Factsheet.objects.select_for_update(of=("self",)).select_related("country", "edition").get(pk=factsheet.pk)
    ensure_can(by, "request_validation", fs)
    if fs.state not in EDITABLE_STATES:
        raise WorkflowError("A factsheet is sent for national validation while it is a draft or has changes "
                            f"requested; it is {fs.get_state_display().lower()}.")
    contacts = list(contacts)
    if not contacts:
        raise WorkflowError("Choose at least one national contact.")
    wrong = [c for c in contacts if c.country_id != fs.country_id or not c.active]
    if wrong:
        raise WorkflowError(f"{', '.join(str(c) for c in wrong)}: not an active contact for {fs.country}.")
    today = timezone.localdate()
    if deadline < today:
        raise ValidationError("The deadline cannot be in the past.")
    from editorial.services import revision_record

    revision_record(factsheet=fs, by=by, reason="Sent for national validation")
    revision = latest_revision(factsheet=fs)
    if revision is None:
        raise WorkflowError("The factsheet has no content to validate yet.")
    now = timezone.now()
    closes = timezone.make_aware(datetime.combine(deadline + timedelta(days=_days(
        "EDITORIAL_VALIDATION_GRACE_DAYS", GRACE_DAYS)), time.max))
    expires = min(now + timedelta(days=_days("EDITORIAL_VALIDATION_DAYS", DEFAULT_DAYS)), closes)
    message = plain(message, 5000)
    sent = []
    for contact in contacts:
        token = secrets.token_urlsafe(24)
        request = ValidationRequest.objects.create(
            factsheet=fs, contact=contact, contact_label=str(contact)[:600], contact_email=contact.email,
            revision=revision, message=message, deadline=deadline, token_hash=token_hash(token), sent_by=by,
            expires_at=expires,
        )
        link = notifications.absolute(reverse("editorial:validation", args=[token]))
        notifications.validation_request_email(request=request, link=link)
        sent.append(SentRequest(request=request, link=link))
    AuditEntry.objects.create(
        factsheet=fs, actor=by, action=AuditEntry.Action.VALIDATION_REQUEST, from_state=fs.state, to_state=fs.state,
        revision=revision, notified="\n".join(s.request.contact_email for s in sent),
        comment=f"Sent to {', '.join(s.request.contact_label for s in sent)}; answer by {deadline:%d %B %Y}.",
    )
    return sent


@transaction.atomic
def validation_request_revoke(*, request: ValidationRequest, by) -> ValidationRequest:
    request = ValidationRequest.objects.select_for_update(of=("self",)).select_related("factsheet").get(pk=request.pk)
    ensure_can(by, "request_validation")
    if request.revoked_at is None:
        request.revoked_at, request.revoked_by = timezone.now(), by
        request.save(update_fields=["revoked_at", "revoked_by"])
        AuditEntry.objects.create(
            factsheet=request.factsheet, actor=by, action=AuditEntry.Action.VALIDATION_REVOKE,
            from_state=request.factsheet.state, to_state=request.factsheet.state,
            comment=f"The link sent to {request.contact_label} no longer opens.",
        )
    return request


@transaction.atomic
def validation_mark_read(*, request: ValidationRequest, by) -> None:
    ensure_can(by, "request_validation")
    ValidationRequest.objects.filter(pk=request.pk).update(read_at=timezone.now(), read_by=by)


# --- the contact's side ----------------------------------------------------------------------------------------

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


def validation_opening_record(*, request: ValidationRequest) -> None:
    ValidationOpening.objects.create(request=request)


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


@dataclass
class SectionAnswer:
    section: Section
    status: str  # "" (not answered) | correct | correction
    comment: str = ""
    suggested_text: str = ""


@transaction.atomic
def validation_answer_submit(*, request: ValidationRequest, answers: list[SectionAnswer], verdict: str,
                             comment: str = "") -> list[ValidationAnswer]:
    """Record a contact's answers: each section whose answer changed, then the verdict. Returns what was added."""
    request = (ValidationRequest.objects.select_for_update(of=("self",))
               .select_related("factsheet__country", "factsheet__edition", "factsheet__assigned_analyst", "sent_by")
               .get(pk=request.pk))
    if request.revoked_at is not None or request.expires_at <= timezone.now() or not validation_is_open(request):
        raise WorkflowError("Answers to this request are closed.")
    if verdict not in ValidationRequest.Verdict.values:
        raise ValidationError("Choose “I confirm this factsheet” or “Corrections needed”.")
    problems = []
    for item in answers:
        if item.section.edition_id != request.factsheet.edition_id:
            raise WorkflowError("That section belongs to another edition.")
        if item.status == ValidationAnswer.Status.CORRECTION and not (item.comment.strip() or
                                                                       item.suggested_text.strip()):
            problems.append(f"{item.section}: say what should change (a comment or a suggested text).")
        if item.status not in ("", ValidationAnswer.Status.CORRECT, ValidationAnswer.Status.CORRECTION):
            problems.append(f"{item.section}: choose “correct” or “propose a correction”.")
    if problems:
        raise ValidationError(problems)
    current = validation_current_answers(request=request)
    added = []
    for item in answers:
        if not item.status:
            continue
        new = (item.status, plain(item.comment, 5000), plain(item.suggested_text, 20000))
        old = current.get(item.section.pk)
        if old is not None and (old.status, old.comment, old.suggested_text) == new:
            continue
        added.append(ValidationAnswer.objects.create(
            request=request, section=item.section, section_title=str(item.section)[:300], status=new[0],
            comment=new[1], suggested_text=new[2],
        ))
    old_verdict = current.get(None)
    comment = plain(comment, 5000)
    if added or old_verdict is None or (old_verdict.status, old_verdict.comment) != (verdict, comment):
        added.append(ValidationAnswer.objects.create(request=request, section=None, status=verdict,
                                                     comment=comment))
    if added:
        request.verdict, request.answered_at, request.read_at, request.read_by = verdict, timezone.now(), None, None
        request.save(update_fields=["verdict", "answered_at", "read_at", "read_by"])
        notifications.validation_answer_notify(request=request, answers=added)
    return added


# --- reads for staff -----------------------------------------------------------------------------------------

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
        request.status = ("revoked" if request.revoked_at else "answered" if request.answered_at
                          else "expired" if request.expires_at <= now else "waiting")
    return requests


def validation_answers_to_read() -> QuerySet[ValidationRequest]:
    return (ValidationRequest.objects.filter(answered_at__isnull=False, read_at__isnull=True)
            .select_related("factsheet__country", "factsheet__edition").order_by("answered_at"))


def validation_reminders_due(*, now=None, days_before: int = 3) -> QuerySet[ValidationRequest]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    return (ValidationRequest.objects.filter(
        answered_at__isnull=True, revoked_at__isnull=True, reminded_at__isnull=True, expires_at__gt=now,
        deadline__gte=today, deadline__lte=today + timedelta(days=days_before),
    ).exclude(factsheet__state=State.PUBLISHED).select_related("factsheet__country", "factsheet__edition"))


def validation_reminders_send(*, now=None, days_before: int = 3) -> int:
    """Remind contacts who have not answered a few days before the deadline, once per request (safe to run again).
    Tokens are kept only as hashes, so the reminder carries a second link to the same request."""
    count = 0
    for request in validation_reminders_due(now=now, days_before=days_before):
        token = secrets.token_urlsafe(24)
        with transaction.atomic():
            if ValidationRequest.objects.filter(pk=request.pk, reminded_at__isnull=True).update(
                    reminded_at=timezone.now(), reminder_token_hash=token_hash(token)):
                link = notifications.absolute(reverse("editorial:validation", args=[token]))
                notifications.validation_reminder_email(request=request, link=link)
                count += 1
    return count


def contacts_for(*, factsheet: Factsheet) -> QuerySet[NationalContact]:
    return NationalContact.objects.filter(country_id=factsheet.country_id, active=True).order_by("name")

