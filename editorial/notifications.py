"""E-mail notifications of the workflow, sent with Django's mail once the transaction has committed. Every
e-mail carries an absolute link (EDITORIAL_SITE_URL) and says what to do next."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from editorial.roles import REVIEWER
from factsheets.models import Factsheet


def site_url() -> str:
    return getattr(settings, "EDITORIAL_SITE_URL", "").rstrip("/")


def absolute(path: str) -> str:
    return site_url() + path


def sender_name(user) -> str:
    """How staff are named to people outside the team (national contacts): their full name, never their login."""
    name = user.get_full_name().strip() if user is not None else ""
    return name or "the ECCP team"


def _link(factsheet: Factsheet) -> str:
    return absolute(reverse("admin:factsheets_factsheet_change", args=[factsheet.pk]))


def _send(subject: str, body: str, recipients: list[str]) -> list[str]:
    to = tuple(recipients)  # the caller may extend the list it gets back: the e-mail keeps its own
    if to:
        transaction.on_commit(
            lambda: send_mail(f"[ECCP factsheets] {subject}", body, None, list(to)), robust=True
        )
    return list(to)


def _emails(users) -> list[str]:
    return sorted({u.email for u in users if u.is_active and u.email})


def _with_permission(codename: str, exclude=None):
    app_label, _, code = codename.partition(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=code).first()
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    if permission is not None:
        users = users.filter(Q(groups__permissions=permission) | Q(user_permissions=permission)
                             | Q(is_superuser=True)).distinct()
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return list(users)


def reviewers_notify(*, factsheet: Factsheet, by, comment: str = "") -> list[str]:
    """Tell the assigned reviewer (or every reviewer, but the submitter) that a factsheet awaits review."""
    reviewer = getattr(factsheet, "assigned_reviewer", None)
    if reviewer is not None and reviewer.pk != getattr(by, "pk", None):
        recipients = _emails([reviewer])
    else:
        recipients = list(get_user_model().objects.filter(is_active=True, groups__name=REVIEWER).exclude(email="")
                          .exclude(pk=getattr(by, "pk", None)).values_list("email", flat=True))
    changes = absolute(reverse("admin:factsheets_factsheet_compare", args=[factsheet.pk]) + "?since=my-review")
    body = (f"{by} submitted the factsheet {factsheet} for review.\n\n"
            + (f"Comment: {comment}\n\n" if comment else "")
            + "What to do next: read it, then Approve it or Request changes (with a comment) on its page:\n"
            + f"{_link(factsheet)}\n\nWhat changed since your last review: {changes}\n")
    return _send(f"{factsheet} awaits review", body, sorted(set(recipients)))


NEXT_STEP = {
    "Changes requested": "What to do next: make the changes asked for in the comment, save, mark the comments "
                         "resolved, and submit the factsheet for review again.",
    "Approved": "Nothing to do for now: an editor will publish it.",
    "Withdrawn": "Nothing to do unless an editor starts a new draft.",
}


def author_notify(*, factsheet: Factsheet, author_id: int | None, by, decision: str, comment: str = "") -> list[str]:
    """Tell the assigned analyst (or, without one, the last editor or submitter) about a decision."""
    user_model = get_user_model()
    analyst_id = getattr(factsheet, "assigned_analyst_id", None) or author_id
    if analyst_id is None or analyst_id == getattr(by, "pk", None):
        return []
    author = user_model.objects.filter(pk=analyst_id, is_active=True).exclude(email="").first()
    if author is None:
        return []
    step = NEXT_STEP.get(decision, "Nothing to do: this is for your information.")
    body = (f"{by} took the decision “{decision}” on the factsheet {factsheet}.\n\n"
            + (f"Comment: {comment}\n\n" if comment else "") + f"{step}\n\nOpen it: {_link(factsheet)}\n")
    return _send(f"{factsheet}: {decision}", body, [author.email])


def editors_notify_approved(*, factsheet: Factsheet, by) -> list[str]:
    """Tell the editors that a factsheet is approved and ready to publish."""
    recipients = _emails(_with_permission("editorial.publish_factsheet", exclude=by))
    queue = absolute(reverse("admin:index") + "#ready-to-publish")
    body = (f"{by} approved the factsheet {factsheet}.\n\n"
            f"What to do next: publish it from its page, or with the others from the edition dashboard:\n"
            f"{_link(factsheet)}\n\nReady to publish: {queue}\n")
    return _send(f"{factsheet} is ready to publish", body, recipients)


def assignment_next_step(factsheet: Factsheet) -> str:
    """What the assigned analyst can do now, in the words of what their page allows."""
    state = factsheet.state
    if state in ("draft", "changes_requested"):
        return "What to do next: open it, write or update it, save, and submit it for review when it is ready."
    if state == "in_review":
        return "Nothing to write for now: it is in review; you will hear about the decision."
    if state == "approved":
        return "Nothing to write for now: it is approved and waits to be published."
    if getattr(factsheet, "analyst_may_reopen", False):
        return ("What to do next: it is published; when you are ready to revise it, open it and click “Start new "
                "draft” (the published version stays public until the new one is published).")
    return ("It is published and read-only: nothing to write until an editor opens a new draft. If it needs "
            "changes, open it and click “Ask the editor”.")


def assignment_notify(*, factsheet: Factsheet, by) -> list[str]:
    analyst = getattr(factsheet, "assigned_analyst", None)
    if analyst is None or analyst.pk == getattr(by, "pk", None):
        return []
    body = (f"{by} assigned the factsheet {factsheet} to you.\n\n{assignment_next_step(factsheet)}\n"
            f"{_link(factsheet)}\n")
    return _send(f"{factsheet} is assigned to you", body, _emails([analyst]))


def reopen_asked_notify(*, factsheet: Factsheet, by, editors) -> list[str]:
    """Tell the editors that an analyst asks for a new draft of a published factsheet."""
    body = (f"{by} asks for a new draft of the published factsheet {factsheet}, to revise it.\n\n"
            "What to do next: open it and click “Start new draft” (the published version stays public until the "
            f"new one is published), or reply to {by}:\n{_link(factsheet)}\n")
    return _send(f"{factsheet}: a new draft is asked for", body, _emails(editors))


def validation_request_email(*, request, link: str) -> list[str]:
    """The national contact's invitation, with their private link."""
    factsheet = request.factsheet
    body = (f"Dear {request.contact.name},\n\n"
            f"The European Cluster Collaboration Platform asks you to validate the country factsheet {factsheet} "
            f"before it is published.\n\n"
            + (f"Message from {sender_name(request.sent_by)}:\n{request.message}\n\n" if request.message else "")
            + f"What to do next: open your private link, read the factsheet, say for each section whether it is "
              f"correct or propose a correction, then confirm it or say that corrections are needed, by "
              f"{request.deadline:%d %B %Y}. You can come back and change your answer until then.\n\n"
              f"{link}\n\nThe link is personal: it opens this factsheet only, no account is needed. "
              "Do not forward it.\n")
    return _send(f"Please validate the factsheet {factsheet} by {request.deadline:%d %B %Y}", body,
                 [request.contact_email])


def validation_reminder_email(*, request, link: str) -> list[str]:
    factsheet = request.factsheet
    body = (f"Dear {request.contact.name},\n\n"
            f"This is a reminder: we would like your validation of the country factsheet {factsheet} by "
            f"{request.deadline:%d %B %Y}.\n\nWhat to do next: open your private link (this one or the one in "
            f"our first e-mail), check each section and confirm the factsheet or ask for corrections.\n\n{link}\n")
    return _send(f"Reminder: the factsheet {factsheet} awaits your validation", body, [request.contact_email])


def validation_answer_notify(*, request, answers) -> list[str]:
    """Tell the assigned analyst and the sender that a national contact answered (their words as plain text)."""
    factsheet = request.factsheet
    users = [u for u in (getattr(factsheet, "assigned_analyst", None), request.sent_by) if u is not None]
    lines = []
    for answer in answers:
        where = answer.section_title or "The whole factsheet"
        lines.append(f"- {where}: {answer.get_status_display()}")
        if answer.comment:
            lines.append(f"  Comment: {answer.comment}")
        if answer.suggested_text:
            lines.append(f"  Suggested text: {answer.suggested_text}")
    body = (f"{request.contact_label} answered the national validation of {factsheet}: "
            f"{request.get_verdict_display()}.\n\n" + "\n".join(lines)
            + f"\n\nWhat to do next: read the answer in the factsheet's Validation panel and timeline, and make "
              f"the corrections you accept:\n{_link(factsheet)}\n")
    return _send(f"{factsheet}: national validation answered ({request.get_verdict_display()})", body,
                 _emails(users))
