"""E-mail notifications of the workflow, sent with Django's mail once the transaction has committed."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from editorial.roles import REVIEWER
from factsheets.models import Factsheet


def _link(factsheet: Factsheet) -> str:
    base = getattr(settings, "EDITORIAL_SITE_URL", "").rstrip("/")
    return base + reverse("admin:factsheets_factsheet_change", args=[factsheet.pk])


def _send(subject: str, body: str, recipients: list[str]) -> list[str]:
    if recipients:
        transaction.on_commit(
            lambda: send_mail(f"[ECCP factsheets] {subject}", body, None, recipients), robust=True
        )
    return recipients


def reviewers_notify(*, factsheet: Factsheet, by, comment: str = "") -> list[str]:
    """Tell every reviewer (but the submitter) that a factsheet awaits review."""
    recipients = sorted(set(
        get_user_model().objects.filter(is_active=True, groups__name=REVIEWER).exclude(email="")
        .exclude(pk=getattr(by, "pk", None)).values_list("email", flat=True)
    ))
    body = (f"{by} submitted the factsheet {factsheet} for review.\n\n"
            + (f"Comment: {comment}\n\n" if comment else "") + f"Review it: {_link(factsheet)}\n")
    return _send(f"{factsheet} awaits review", body, recipients)


def author_notify(*, factsheet: Factsheet, author_id: int | None, by, decision: str, comment: str = "") -> list[str]:
    """Tell the author (last editor or submitter) about a decision on their factsheet."""
    if author_id is None or author_id == getattr(by, "pk", None):
        return []
    author = get_user_model().objects.filter(pk=author_id, is_active=True).exclude(email="").first()
    if author is None:
        return []
    body = (f"{by} took the decision “{decision}” on the factsheet {factsheet}.\n\n"
            + (f"Comment: {comment}\n\n" if comment else "") + f"Open it: {_link(factsheet)}\n")
    return _send(f"{factsheet}: {decision}", body, [author.email])
