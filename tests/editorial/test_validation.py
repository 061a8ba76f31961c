"""National validation through a private link, without an account (issue 10)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from editorial import services
from editorial.models import ValidationAnswer, ValidationOpening, ValidationRequest
from editorial.national_validation import services as validation
from editorial.national_validation.tokens import token_hash
from editorial.permissions import WorkflowError
from factsheets.models import NationalContact, Section, State
from tests import factories

pytestmark = pytest.mark.django_db
XSS = '<script>window.x=1</script><img src=x onerror="window.x=2">'


@pytest.fixture(autouse=True)
def fast_pdf(monkeypatch):
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", lambda *a, **k: b"%PDF-1.7 draft")
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", lambda *a, **k: b"%PDF-1.7 test")


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    from django.core.cache import cache, caches

    cache.clear()
    caches["shared"].clear()


@pytest.fixture
def mexico(demo, users):
    factsheet = demo[2023]
    services.factsheets_assign(factsheets=[factsheet], by=users["editor"], analyst=users["analyst"])
    factsheet.refresh_from_db()
    return factsheet


@pytest.fixture
def contact(mexico):
    return NationalContact.objects.get(country=mexico.country)


def send(factsheet, contact, by, **kwargs):
    kwargs.setdefault("message", "Please check the 2023 figures.")
    kwargs.setdefault("deadline", timezone.localdate() + timedelta(days=14))
    (sent,) = validation.validation_request_send(factsheet=factsheet, contacts=[contact], by=by, **kwargs)
    return sent


def token_of(link: str) -> str:
    return re.search(r"/validate/([^/]+)/", link)[1]


def answer_data(request, **changes):
    data = {"verdict": "confirmed", "comment": ""}
    for section in Section.objects.filter(edition=request.factsheet.edition):
        data[f"section-{section.pk}-status"] = "correct"
    data.update(changes)
    return data


def test_an_analyst_sends_and_the_contact_gets_a_private_link(mexico, contact, users,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = send(mexico, contact, users["analyst"])
    request = sent.request
    assert request.revision == mexico.revisions.order_by("-number").first()  # bound to the current revision
    token = token_of(sent.link)
    assert len(token) >= 32 and token not in request.token_hash  # only the hash is stored
    assert request.token_hash == token_hash(token)
    assert not ValidationRequest.objects.filter(token_hash=token).exists()
    (message,) = mail.outbox
    assert message.to == ["cluster-policy-mx@example.org"] and sent.link in message.body
    assert sent.link.startswith("http://testserver/validate/")
    assert mexico.audit_entries.filter(action="validation_request").exists()


def test_the_contact_reads_answers_and_the_analyst_sees_it(mexico, contact, users, client,
                                                           django_capture_on_commit_callbacks):
    sent = send(mexico, contact, users["analyst"])
    url = reverse("editorial:validation", args=[token_of(sent.link)])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Please validate the country factsheet Mexico 2023" in html
    assert "Please check the 2023 figures." in html and "Privacy notice" in html
    assert mexico.policies.order_by("order").first().name in html  # Table 1, from the same document as the PDF
    assert 'id="footnotes-title"' in html and 'href="#fnref-1"' in html  # notes linked both ways
    assert ValidationOpening.objects.filter(request=sent.request).count() == 1
    assert page["X-Robots-Tag"] == "noindex, nofollow" and page["Referrer-Policy"] == "same-origin"
    policies = Section.objects.get(edition=mexico.edition, kind="policies")
    data = answer_data(sent.request, verdict="corrections", comment="Almost right.")
    data.update({f"section-{policies.pk}-status": "correction",
                 f"section-{policies.pk}-comment": "The 2023 budget is wrong.",
                 f"section-{policies.pk}-suggestion": "EUR 2 million"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    request = ValidationRequest.objects.get(pk=sent.request.pk)
    assert request.verdict == "corrections" and request.answered_at and request.read_at is None
    correction = ValidationAnswer.objects.get(request=request, section=policies)
    assert correction.comment == "The 2023 budget is wrong." and correction.suggested_text == "EUR 2 million"
    assert users["analyst"].email in mail.outbox[-1].to and "The 2023 budget is wrong." in mail.outbox[-1].body
    staff = Client()
    staff.force_login(users["analyst"])
    change = staff.get(reverse("admin:factsheets_factsheet_change", args=[mexico.pk])).content.decode()
    timeline = change.split('id="timeline"')[1]
    assert "National validation, about 2. National cluster policy" in timeline
    assert "The 2023 budget is wrong." in timeline
    assert "Corrections needed" in change.split('id="validation"')[1]
    index = staff.get(reverse("admin:index")).content.decode()
    assert "Validation answers to read (1)" in re.sub(r"<[^>]+>", "", index)
    staff.post(reverse("admin:factsheets_factsheet_validation_read", args=[mexico.pk, request.pk]))
    index = staff.get(reverse("admin:index")).content.decode()
    assert "Validation answers to read (0)" in re.sub(r"<[^>]+>", "", index)
    reviewer = Client()
    reviewer.force_login(users["reviewer"])  # reviewers see the status before they decide
    assert "Corrections needed" in reviewer.get(reverse("admin:factsheets_factsheet_change", args=[mexico.pk])
                                                 ).content.decode().split('id="validation"')[1]


def test_the_contact_may_change_the_answer_until_the_deadline(mexico, contact, users, client):
    sent = send(mexico, contact, users["analyst"])
    url = reverse("editorial:validation", args=[token_of(sent.link)])
    client.post(url, answer_data(sent.request, verdict="corrections"))
    client.post(url, answer_data(sent.request, verdict="confirmed"))
    assert ValidationRequest.objects.get(pk=sent.request.pk).verdict == "confirmed"
    assert list(sent.request.answers.filter(section=None).values_list("status", flat=True)) == [
        "corrections", "confirmed"]
    page = client.get(url).content.decode()
    assert "Your answer so far: <strong>I confirm this factsheet</strong>" in page


def _same_404(client, token):
    response = client.get(reverse("editorial:validation", args=[token]))
    assert response.status_code == 404
    return response.content


def test_forged_expired_and_revoked_tokens_give_the_same_404(mexico, contact, users, client):
    sent = send(mexico, contact, users["analyst"])
    token = token_of(sent.link)
    forged = _same_404(client, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert _same_404(client, "x") == forged
    ValidationRequest.objects.filter(pk=sent.request.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _same_404(client, token) == forged
    ValidationRequest.objects.filter(pk=sent.request.pk).update(expires_at=timezone.now() + timedelta(days=1))
    assert client.get(reverse("editorial:validation", args=[token])).status_code == 200
    validation.validation_request_revoke(request=sent.request, by=users["editor"])
    assert _same_404(client, token) == forged
    assert _same_404(client, token) == forged  # and again: nothing tells which case it is
    assert client.get(reverse("editorial:validation_draft_pdf", args=[token])).status_code == 404


def test_a_token_opens_exactly_its_own_request(mexico, contact, users, client):
    other = factories.FactsheetFactory(edition=mexico.edition, introduction="<p>Le texte de la France.</p>")
    french = NationalContact.objects.create(country=other.country, name="Contact", organisation="Ministère",
                                            email="fr@example.org")
    mine = send(mexico, contact, users["analyst"])
    theirs = send(other, french, users["editor"])
    page = client.get(reverse("editorial:validation", args=[token_of(mine.link)])).content.decode()
    assert "Mexico 2023" in page and "Le texte de la France" not in page
    page = client.get(reverse("editorial:validation", args=[token_of(theirs.link)])).content.decode()
    assert "Le texte de la France" in page and "Mexico 2023" not in page


def test_everything_a_contact_types_is_plain_text_everywhere(mexico, contact, users, client,
                                                             django_capture_on_commit_callbacks):
    sent = send(mexico, contact, users["analyst"])
    url = reverse("editorial:validation", args=[token_of(sent.link)])
    intro = Section.objects.get(edition=mexico.edition, kind="introduction")
    data = answer_data(sent.request, verdict="corrections", comment=XSS)
    data.update({f"section-{intro.pk}-status": "correction", f"section-{intro.pk}-comment": XSS,
                 f"section-{intro.pk}-suggestion": XSS})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, data)
    page = client.get(url).content.decode()
    assert "<script>window.x" not in page and "&lt;script&gt;window.x=1&lt;/script&gt;" in page
    staff = Client()
    staff.force_login(users["analyst"])
    for path in (reverse("admin:factsheets_factsheet_change", args=[mexico.pk]),
                 reverse("admin:editorial_validationrequest_change", args=[sent.request.pk])):
        html = staff.get(path).content.decode()
        assert "<script>window.x" not in html and 'onerror="window.x' not in html, path
    assert XSS in mail.outbox[-1].body and mail.outbox[-1].content_subtype == "plain"


def test_the_answer_form_is_csrf_protected(mexico, contact, users):
    sent = send(mexico, contact, users["analyst"])
    url = reverse("editorial:validation", args=[token_of(sent.link)])
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(url, answer_data(sent.request)).status_code == 403
    assert not sent.request.answers.exists()
    token = browser.get(url).cookies["csrftoken"].value
    assert browser.post(url, {**answer_data(sent.request), "csrfmiddlewaretoken": token}).status_code == 302


def test_the_page_says_when_the_factsheet_changed_after_the_request(mexico, contact, users, client):
    sent = send(mexico, contact, users["analyst"])
    mexico.refresh_from_db()
    mexico.introduction = "<p>A sentence added after the request.</p>"
    mexico.save()
    services.revision_record(factsheet=mexico, by=users["analyst"])
    page = client.get(reverse("editorial:validation", args=[token_of(sent.link)])).content.decode()
    assert "The factsheet changed since we sent you this request" in page
    assert "<ins>" in page and "added after the request" in page


def test_who_may_send(mexico, contact, users, walk_to):
    with pytest.raises(PermissionDenied):
        send(mexico, contact, users["reviewer"])
    stranger = NationalContact.objects.create(country=factories.CountryFactory(code="FR"), name="Elsewhere",
                                              organisation="Other ministry", email="other@example.org")
    with pytest.raises(WorkflowError, match="not an active contact for Mexico"):
        send(mexico, stranger, users["analyst"])
    mexico.state = State.IN_REVIEW
    mexico.save(update_fields=["state"])
    with pytest.raises(WorkflowError, match="while it is a draft"):
        send(mexico, contact, users["analyst"])
    assert not ValidationRequest.objects.exists()


def test_answers_close_at_the_deadline_and_at_publication(mexico, contact, users, client):
    sent = send(mexico, contact, users["analyst"])
    url = reverse("editorial:validation", args=[token_of(sent.link)])
    ValidationRequest.objects.filter(pk=sent.request.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    assert "Answers are closed" in client.get(url).content.decode()
    assert client.post(url, answer_data(sent.request)).status_code == 404
    assert not sent.request.answers.exists()


def test_a_required_national_confirmation_gates_approve(mexico, contact, users):
    mexico.edition.validation_required = True
    mexico.edition.save()
    sent = send(mexico, contact, users["analyst"])
    services.factsheet_submit(factsheet=mexico, by=users["analyst"])
    mexico.refresh_from_db()
    with pytest.raises(WorkflowError, match="requires the national authority's confirmation"):
        services.factsheet_approve(factsheet=mexico, by=users["reviewer"])
    ValidationRequest.objects.filter(pk=sent.request.pk).update(verdict="confirmed", answered_at=timezone.now())
    mexico.refresh_from_db()
    services.factsheet_approve(factsheet=mexico, by=users["reviewer"])


def test_reminders_go_once_a_few_days_before_the_deadline_with_a_working_link(mexico, contact, users, client,
                                                                             django_capture_on_commit_callbacks):
    sent = send(mexico, contact, users["analyst"], deadline=timezone.localdate() + timedelta(days=2))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_validation_reminders", verbosity=0)
        call_command("send_validation_reminders", verbosity=0)
    (reminder,) = mail.outbox
    link = re.search(r"http://testserver(/validate/[^\s]+/)", reminder.body)[1]
    assert client.get(link).status_code == 200
    assert client.get(reverse("editorial:validation", args=[token_of(sent.link)])).status_code == 200


def test_the_token_endpoint_is_rate_limited(mexico, contact, users, client, settings):
    settings.EDITORIAL_VALIDATION_FAILURES = 3
    from django.core.cache import caches

    caches["shared"].clear()
    for _ in range(3):
        assert client.get(reverse("editorial:validation", args=["nothing-here"])).status_code == 404
    assert client.get(reverse("editorial:validation", args=["nothing-here"])).status_code == 429
    caches["shared"].clear()
