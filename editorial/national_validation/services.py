"""National validation: a factsheet sent to its country's national contacts through private links, their answers
brought back into the workflow. The writes (reads: national_validation.selectors).

A link carries a random token of 192 bits; only its SHA-256 is stored. It opens exactly one request (one
factsheet, one contact), expires (30 days by default, and at the deadline plus a grace period), and staff can
revoke it. Wrong, expired and revoked tokens are indistinguishable to the visitor."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from editorial import notifications
from editorial.models import AuditEntry, ValidationAnswer, ValidationOpening, ValidationRequest
from editorial.national_validation.selectors import (
    validation_current_answers,
    validation_is_open,
    validation_reminders_due,
)
from editorial.national_validation.tokens import token_hash, token_new
from editorial.permissions import WorkflowError, ensure_can
from editorial.rendering import pdf as pdf_rendering
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

DEADLINE_MAX_DAYS = 365


def deadline_check(deadline: date) -> None:
    """A deadline between today and a year from now (a link never outlives EDITORIAL_VALIDATION_DAYS anyway)."""
    today = timezone.localdate()
    if deadline < today:
        raise ValidationError("The deadline cannot be in the past.")
    latest = today + timedelta(days=DEADLINE_MAX_DAYS)
    if deadline > latest:
        raise ValidationError(f"The deadline can be at most a year ahead (by {latest:%d %B %Y}).")

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
    deadline_check(deadline)
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


# --- the draft PDF of a request's revision ------------------------------------------------------------------

DRAFTS = "validation-drafts/"


def _draft_name(revision_id: int) -> str:
    """Where a revision's validation draft is kept: a name nobody can guess from the revision's id."""
    return f"{DRAFTS}{salted_hmac('validation-draft', str(revision_id)).hexdigest()[:40]}.pdf"


def validation_draft_pdf_open(*, request: ValidationRequest):
    """The watermarked draft PDF of the revision a request was sent for, opened for reading. A revision never
    changes, so it is rendered once and kept in the media storage for every request (and every GET or HEAD) of
    that revision; `validation_drafts_purge` deletes it when no link to it opens any more."""
    name = _draft_name(request.revision_id)
    if not default_storage.exists(name):
        pdf = pdf_rendering.render_factsheet_pdf(request.factsheet, request.revision.snapshot, draft=True,
                                                 revision_label="for national validation")
        if not default_storage.exists(name):  # another process may have stored it meanwhile
            default_storage.save(name, ContentFile(pdf))
    return default_storage.open(name, "rb")


def validation_drafts_purge(*, now=None) -> int:
    """Delete the kept drafts of revisions that no open link shows any more. Returns how many."""
    now = now or timezone.now()
    try:
        _, files = default_storage.listdir(DRAFTS.rstrip("/"))
    except FileNotFoundError:
        return 0
    wanted = {_draft_name(pk).removeprefix(DRAFTS) for pk in ValidationRequest.objects.filter(
        revoked_at__isnull=True, expires_at__gt=now).values_list("revision_id", flat=True)}
    stale = [name for name in files if name not in wanted]
    for name in stale:
        default_storage.delete(DRAFTS + name)
    return len(stale)


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
    if verdict == ValidationRequest.Verdict.CONFIRMED:
        _confirmation_without_corrections_check(answers, current)
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
        _answers_notify(request, added)
    return added


def _answers_notify(request: ValidationRequest, added: list[ValidationAnswer]) -> None:
    """E-mail staff the first answer at once; answers within EDITORIAL_VALIDATION_NOTIFY_SECONDS of that e-mail go
    out together when the quiet period ends (a contact changing their mind ten times makes two e-mails, the last
    one with their final answer). Called with the request's row locked."""
    from editorial.national_validation.tasks import validation_digest_task

    now = timezone.now()
    quiet = timedelta(seconds=settings.EDITORIAL_VALIDATION_NOTIFY_SECONDS)
    deferrable = validation_digest_task.get_backend().supports_defer
    if request.notified_at is None or now >= request.notified_at + quiet or not deferrable:
        notifications.validation_answer_notify(request=request, answers=added)
        request.notified_at = now
        request.save(update_fields=["notified_at"])
    elif request.digest_due_at is None:
        request.digest_due_at = request.notified_at + quiet
        request.save(update_fields=["digest_due_at"])
        validation_digest_task.using(run_after=request.digest_due_at).enqueue(request.pk)


@transaction.atomic
def validation_digest_send(*, request_id: int) -> int:
    """E-mail staff the answers given since the last e-mail about a request, in one (safe to run twice: a digest
    already sent finds nothing due). Returns how many answers it named."""
    request = (ValidationRequest.objects.select_for_update(of=("self",))
               .select_related("factsheet__country", "factsheet__edition", "factsheet__assigned_analyst", "sent_by")
               .filter(pk=request_id).first())
    if request is None or request.digest_due_at is None:
        return 0
    answers = list(request.answers.filter(created_at__gt=request.notified_at).order_by("created_at", "id"))
    latest: dict[int | None, ValidationAnswer] = {}
    for answer in answers:  # the last word on each section, and on the whole factsheet
        latest[answer.section_id] = answer
    if latest:
        notifications.validation_answer_notify(request=request, answers=list(latest.values()))
    request.notified_at, request.digest_due_at = timezone.now(), None
    request.save(update_fields=["notified_at", "digest_due_at"])
    return len(latest)


def _confirmation_without_corrections_check(answers: list[SectionAnswer], current) -> None:
    """A confirmation means every section is correct as it stands: with a correction proposed in this answer, or
    standing from an earlier one (a section left as it was), it is refused (issue 19.6)."""
    statuses = {key: (answer.status, answer.section_title) for key, answer in current.items() if key is not None}
    for item in answers:
        if item.status:
            statuses[item.section.pk] = (item.status, str(item.section))
    corrected = [title for status, title in statuses.values() if status == ValidationAnswer.Status.CORRECTION]
    if corrected:
        where = ", ".join(f"“{title}”" for title in corrected)
        raise ValidationError(
            f"You propose a correction in {where}: “I confirm this factsheet” means that every section is correct "
            "as it stands. Choose “Corrections needed” to send your corrections, or mark the section correct if you "
            "no longer propose a change."
        )


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
