# ruff: noqa: F811 - the fixtures imported from test_validation are used as arguments
"""The validation links (issue 17.3, 17.12–17.14): wrong tokens are counted per client address in the cache every
process shares and never block a valid link, which has its own bucket; deadlines are bounded; the draft PDF is
rendered once per revision; a HEAD is no opening, answers in a row make one e-mail and a digest, tokens stay out of
the logs, and the page names people, not logins."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from editorial.models import ValidationOpening, ValidationRequest
from editorial.national_validation import services as validation
from factsheets.models import Section
from tests.editorial.test_validation import answer_data, contact, mexico, send, token_of  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def renders(monkeypatch):
    seen = []

    def render(factsheet, snapshot=None, **kwargs):
        seen.append(snapshot)
        return b"%PDF-1.7 test"
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", render)
    return seen


@pytest.fixture(autouse=True)
def _fresh_counters():
    caches["shared"].clear()
    yield
    caches["shared"].clear()


def _get(client, token):
    return client.get(reverse("editorial:validation", args=[token])).status_code


def test_wrong_tokens_never_lock_out_a_contact_with_a_valid_link(mexico, contact, users, settings):
    settings.EDITORIAL_VALIDATION_FAILURES = 5
    settings.EDITORIAL_VALIDATION_RATE = 5
    sent = send(mexico, contact, users["analyst"])
    guesser = Client(REMOTE_ADDR="192.0.2.1")  # behind the same proxy as the contact, say
    assert [_get(guesser, f"guess-{n}") for n in range(6)] == [404] * 5 + [429]
    refused = guesser.get(reverse("editorial:validation", args=["guess-7"]))
    assert refused["Retry-After"] == "600"
    assert _get(guesser, token_of(sent.link)) == 200  # the failures never block a valid link


def test_a_valid_link_has_its_own_bucket(mexico, contact, users, settings):
    settings.EDITORIAL_VALIDATION_RATE = 3
    first = send(mexico, contact, users["analyst"])
    second = send(mexico, contact, users["editor"])
    reader = Client(REMOTE_ADDR="192.0.2.2")
    assert [_get(reader, token_of(first.link)) for _ in range(4)] == [200, 200, 200, 429]
    assert _get(reader, token_of(second.link)) == 200  # another link from the same address
    assert _get(Client(REMOTE_ADDR="192.0.2.3"), token_of(first.link)) == 429  # the link, from anywhere


def test_a_per_process_cache_for_the_counters_fails_the_deploy_check(settings):
    from editorial.checks import shared_cache_check

    assert shared_cache_check() == []
    call_command("check")  # the default configuration passes
    settings.CACHES = {**settings.CACHES, "shared": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    (error,) = shared_cache_check()
    assert error.id == "editorial.E002"


WORKER = """
import django; django.setup()
from django.test import Client
client = Client(REMOTE_ADDR="192.0.2.9")
print(" ".join(str(client.get(f"/validate/guess-{n}/").status_code) for n in range(15)))
"""


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
def test_three_worker_processes_share_the_count(settings):
    """Three processes, as three gunicorn workers, take turns answering one guesser: 30 failures in all. (They
    commit their counts themselves; this test's own transaction holds nothing they need.)"""
    s = connection.settings_dict
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
           "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_SECRET_KEY": "x" * 50, "DJANGO_DEBUG": "0",
           "DJANGO_ALLOWED_HOSTS": "testserver", "DJANGO_SITE_URL": "http://testserver",
           "DJANGO_SECURE_SSL_REDIRECT": "false", "EDITORIAL_VALIDATION_FAILURES": "30",
           "DATABASE_URL": f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"}
    statuses = []
    for _ in range(3):
        run = subprocess.run([sys.executable, "-c", WORKER], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=120)
        assert run.returncode == 0, run.stderr
        statuses += run.stdout.split()
    cleanup = subprocess.run([sys.executable, "-c", "import django; django.setup(); "
                              "from django.core.cache import caches; caches['shared'].clear()"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert cleanup.returncode == 0, cleanup.stderr
    assert statuses.count("404") == 30 and statuses.count("429") == 15


# --- 17.12: deadlines are bounded --------------------------------------------------------------------------

@pytest.mark.parametrize("deadline", ["9999-12-31", "2999-01-01"])
def test_a_deadline_beyond_a_year_is_refused_with_a_message(mexico, contact, users, deadline):
    staff = Client()
    staff.force_login(users["analyst"])
    response = staff.post(reverse("admin:factsheets_factsheet_validation_send", args=[mexico.pk]),
                          {"contacts": [contact.pk], "message": "", "deadline": deadline}, follow=True)
    assert response.status_code == 200
    assert "at most a year ahead" in response.content.decode()
    assert not ValidationRequest.objects.exists() and not mail.outbox


def test_the_service_bounds_the_deadline_too(mexico, contact, users):
    with pytest.raises(ValidationError, match="at most a year ahead"):
        send(mexico, contact, users["analyst"], deadline=timezone.localdate() + timedelta(days=366))
    send(mexico, contact, users["analyst"], deadline=timezone.localdate() + timedelta(days=365))


# --- 17.13: the draft PDF is rendered once per revision ------------------------------------------------------

def test_the_draft_pdf_is_rendered_once_per_revision_and_kept(mexico, contact, users, renders):
    first = send(mexico, contact, users["analyst"])
    second = send(mexico, contact, users["editor"])  # the same revision, another link
    reader = Client()
    for sent in (first, second):
        url = reverse("editorial:validation_draft_pdf", args=[token_of(sent.link)])
        for method in (reader.get, reader.head, reader.get):
            response = method(url)
            assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        response = reader.get(url)
        assert (b"".join(response.streaming_content) if response.streaming else response.content) == b"%PDF-1.7 test"
    assert renders == [first.request.revision.snapshot]
    mexico.refresh_from_db()
    mexico.introduction = "<p>Changed after the first requests.</p>"
    mexico.save()
    third = send(mexico, contact, users["analyst"])  # a new revision: its own draft
    reader.get(reverse("editorial:validation_draft_pdf", args=[token_of(third.link)]))
    assert renders == [first.request.revision.snapshot, third.request.revision.snapshot]
    # The daily command deletes a draft once no link shows it any more.
    validation.validation_request_revoke(request=first.request, by=users["editor"])
    assert validation.validation_drafts_purge() == 0  # the second link still shows it
    validation.validation_request_revoke(request=second.request, by=users["editor"])
    assert validation.validation_drafts_purge() == 1
    renders.clear()
    reader.get(reverse("editorial:validation_draft_pdf", args=[token_of(third.link)]))
    assert renders == []


# --- 17.14: openings, e-mails, logs, names -------------------------------------------------------------------

def test_a_head_request_is_not_an_opening(mexico, contact, users):
    sent = send(mexico, contact, users["analyst"])
    url = reverse("editorial:validation", args=[token_of(sent.link)])
    assert Client().head(url).status_code == 200
    assert not ValidationOpening.objects.filter(request=sent.request).exists()
    Client().get(url)
    assert ValidationOpening.objects.filter(request=sent.request).count() == 1


DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queue(settings, monkeypatch):
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    settings.TASKS = DATABASE_QUEUE

    def work():
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    return work


def test_answers_in_a_row_make_one_e_mail_then_one_digest(mexico, contact, users, queue,
                                                          django_capture_on_commit_callbacks):
    sent = send(mexico, contact, users["analyst"])
    url = reverse("editorial:validation", args=[token_of(sent.link)])
    policies = Section.objects.get(edition=mexico.edition, kind="policies")
    mail.outbox.clear()
    reader = Client()
    for n in range(10):
        data = answer_data(sent.request, verdict="corrections")
        data.update({f"section-{policies.pk}-status": "correction", f"section-{policies.pk}-comment": f"Take {n}."})
        with django_capture_on_commit_callbacks(execute=True):
            assert reader.post(url, data).status_code == 302
    assert len(mail.outbox) == 1 and "Take 0." in mail.outbox[0].body  # the first answer at once
    queue()  # the digest waits for the quiet period
    assert len(mail.outbox) == 1
    DBTaskResult.objects.update(run_after=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        queue()
    assert len(mail.outbox) == 2
    digest = mail.outbox[1].body
    assert "Take 9." in digest and "Take 0." not in digest and "Corrections needed" in digest


def test_tokens_never_reach_the_logs(mexico, contact, users, caplog, settings, tmp_path):
    import logging
    from datetime import timedelta as delta
    from types import SimpleNamespace

    from gunicorn.config import Config

    from config.logredact import TokenRedactingGunicornLogger

    settings.EDITORIAL_VALIDATION_RATE = 1
    sent = send(mexico, contact, users["analyst"])
    token = token_of(sent.link)
    with caplog.at_level(logging.INFO):
        Client().get(f"/validate/{token}/")
        Client().get(f"/validate/{token}/draft.pdf")  # over the link's limit: a 429, logged by django.request
    assert "Too Many Requests" in caplog.text and token not in caplog.text
    # gunicorn's access log (config/gunicorn.py installs this logger)
    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set("logger_class", "config.logredact.TokenRedactingGunicornLogger")
    logger = TokenRedactingGunicornLogger(cfg)
    path = f"/validate/{token}/"
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": path + "?saved=1", "SERVER_PROTOCOL": "HTTP/1.1",
               "PATH_INFO": path, "QUERY_STRING": "saved=1", "REMOTE_ADDR": "192.0.2.4",
               "HTTP_REFERER": f"https://factsheets.example.org{path}"}
    response = SimpleNamespace(status="200 OK", sent=10, headers=[("Location", path)])
    logger.access(response, SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])]), environ, delta(0))
    for handler in logger.access_log.handlers:
        handler.flush()
    line = (tmp_path / "access.log").read_text()
    assert "/validate/" in line and token not in line


def test_the_page_and_the_e_mail_name_the_sender_never_their_login(mexico, contact, users,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = send(mexico, contact, users["analyst"])
    page = Client().get(reverse("editorial:validation", args=[token_of(sent.link)])).content.decode()
    assert "by the ECCP team." in page and "by ana" not in page
    assert "Message from the ECCP team:" in mail.outbox[-1].body
    users["analyst"].first_name, users["analyst"].last_name = "Ana", "Lytic"
    users["analyst"].save()
    page = Client().get(reverse("editorial:validation", args=[token_of(sent.link)])).content.decode()
    assert "by Ana Lytic." in page
