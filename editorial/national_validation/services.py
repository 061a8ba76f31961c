"""National validation: a factsheet sent to its country's national contacts through private links, their answers
brought back into the workflow. The writes (reads: national_validation.selectors).

A link carries a random token of 192 bits; only its SHA-256 is stored. It opens exactly one request (one
factsheet, one contact), expires (30 days by default, and at the deadline plus a grace period), and staff can
revoke it. Wrong, expired and revoked tokens are indistinguishable to the visitor."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from editorial import notifications
from editorial.models import AuditEntry, ValidationAnswer, ValidationOpening, ValidationRequest
from editorial.national_validation.selectors import (
    validation_current_answers,
    validation_is_open,
    validation_reminders_due,
)
from editorial.national_validation.tokens import token_hash, token_new
from editorial.permissions import WorkflowError, ensure_can
from editorial.revisions import revision_record
from editorial.selectors import latest_revision
from editorial.workflow import EDITABLE_STATES
from factsheets.models import Factsheet, Section
from factsheets.validation import CONTROL_CHARACTERS


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
    revision_record(factsheet=fs, by=by, reason="Sent for national validation")
    revision = latest_revision(factsheet=fs)
    if revision is None:
        raise WorkflowError("The factsheet has no content to validate yet.")
    now = timezone.now()
    closes = timezone.make_aware(datetime.combine(
        deadline + timedelta(days=settings.EDITORIAL_VALIDATION_GRACE_DAYS), time.max))
    expires = min(now + timedelta(days=settings.EDITORIAL_VALIDATION_DAYS), closes)
    message = plain(message, 5000)
    sent = []
    for contact in contacts:
        token = token_new()
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


def validation_opening_record(*, request: ValidationRequest) -> None:
    ValidationOpening.objects.create(request=request)


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
    if verdict == ValidationRequest.Verdict.CONFIRMED:  # a confirmation means every section is correct
        effective = {key: answer.status for key, answer in current.items() if key is not None}
        titles = {key: answer.section_title for key, answer in current.items() if key is not None}
        for item in answers:
            titles[item.section.pk] = str(item.section)
            if item.status:
                effective[item.section.pk] = item.status
        corrected = [titles[key] for key, status in effective.items() if status == ValidationAnswer.Status.CORRECTION]
        if corrected:
            raise ValidationError(
                f"You proposed corrections on {', '.join(dict.fromkeys(corrected))}: choose “Corrections needed” "
                "(or mark those sections correct to confirm the factsheet). Nothing was recorded yet.")
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


def validation_reminders_send(*, now=None, days_before: int = 3) -> int:
    """Remind contacts who have not answered a few days before the deadline, once per request (safe to run again).
    Tokens are kept only as hashes, so the reminder carries a second link to the same request."""
    count = 0
    for request in validation_reminders_due(now=now, days_before=days_before):
        token = token_new()
        with transaction.atomic():
            if ValidationRequest.objects.filter(pk=request.pk, reminded_at__isnull=True).update(
                    reminded_at=timezone.now(), reminder_token_hash=token_hash(token)):
                link = notifications.absolute(reverse("editorial:validation", args=[token]))
                notifications.validation_reminder_email(request=request, link=link)
                count += 1
    return count
