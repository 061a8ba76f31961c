# ruff: noqa: F811 - the fixtures imported from test_validation are used as arguments
"""The validation links' rate limit (issue 17.3): wrong tokens are counted per client address in the cache every
process shares, and never block a valid link; a valid link has its own bucket."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.editorial.test_validation import contact, mexico, send, token_of  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fast_pdf(monkeypatch):
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", lambda *a, **k: b"%PDF-1.7 test")


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
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
def test_three_worker_processes_share_the_count(settings):
    """Three processes, as three gunicorn workers, take turns answering one guesser: 30 failures in all."""
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
    assert statuses.count("404") == 30 and statuses.count("429") == 15
