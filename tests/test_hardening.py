"""The platform on the open internet (issue 8, point 5 and 6): login throttling, a Content Security Policy on
every page, a health endpoint for load balancers, persistent connections and one query per download."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def sign_in(client, username, password):
    return client.post(reverse("admin:login"), {"username": username, "password": password,
                                                "next": reverse("admin:index")})


def test_repeated_wrong_passwords_lock_the_account_then_an_admin_unlocks_it():
    user = factories.UserFactory(username="ana", role="Analyst")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "ana", "wrong").status_code == 200  # the login form again, with its error
    assert sign_in(client, "ana", "wrong").status_code == 429  # the last failure allowed locks
    locked = sign_in(client, "ana", "password")  # the right password, too late
    assert locked.status_code == 429
    assert "Sign-in locked for a while" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    other = Client(REMOTE_ADDR="10.0.0.9")  # the same user from elsewhere is not locked out
    assert sign_in(other, "ana", "password").status_code == 302
    AccessAttempt.objects.filter(username="ana").delete()  # what "delete" in Admin › Access attempts does
    response = sign_in(client, "ana", "password")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)


def test_access_attempts_are_listed_for_superusers(admin_client):
    sign_in(Client(), "nobody", "wrong")
    response = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == 200 and "nobody" in response.content.decode()


@pytest.mark.parametrize("url", ["/factsheets/", "/admin/login/", "/health/"])
def test_every_page_carries_a_content_security_policy_without_inline_scripts(client, url):
    response = client.get(url, HTTP_ACCEPT="text/html")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'" and "unsafe" not in directives["script-src"]
    assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


def test_admin_pages_carry_the_policy_too(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 200 and "script-src 'self'" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert "<script>" not in html  # no inline script of ours or of the admin on the page


def test_health_endpoint_reports_database_storage_and_cache(admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = admin_client.get("/health/", HTTP_ACCEPT="application/json")  # the detail is for staff
    assert response.status_code == 200
    body = response.json()
    assert any("Database" in name for name in body) and any("Storage" in name for name in body)
    assert all(value == "OK" for value in body.values()), body


def test_health_endpoint_fails_when_the_storage_cannot_be_written(admin_client, settings, tmp_path):
    target = tmp_path / "read-only"
    target.write_text("not a directory")  # the media root is a file: nothing can be written under it
    settings.MEDIA_ROOT = target
    response = admin_client.get("/health/", HTTP_ACCEPT="application/json")
    assert response.status_code == 500
    assert any("Storage" in name and value != "OK" for name, value in response.json().items())


def test_database_connections_persist_and_are_checked():
    database = settings.DATABASES["default"]
    assert database["CONN_MAX_AGE"] >= 60 and database["CONN_HEALTH_CHECKS"] is True


@pytest.fixture
def published():
    factsheet = factories.FactsheetFactory(country__code="MX", country__name="Mexico", edition__year=2023)
    factories.SectionFactory(edition=factsheet.edition, kind="introduction", number=1, title="Introduction")
    return factories.publication_for(factsheet)


@pytest.mark.parametrize("path", ["/factsheets/2023/mx.pdf", "/factsheets/2023/mx/v1.pdf"])
def test_a_download_and_a_revalidation_cost_one_query_each(client, published, path, django_assert_num_queries):
    client.get(path)  # the first download reads the live versions; then each costs the stamp's read (here the
    # shared cache is the database's; Redis in production, where a download costs no query: test_downloads)
    with django_assert_num_queries(1):
        response = client.get(path)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    with django_assert_num_queries(1):
        assert client.get(path, HTTP_IF_NONE_MATCH=f'"{published.pdf_sha256}"').status_code == 304


@pytest.mark.parametrize("header", ["X-Accel-Redirect", "X-Sendfile"])
def test_with_a_front_server_declared_the_download_is_handed_to_it(client, published, settings, header):
    settings.EDITORIAL_SENDFILE_HEADER = header
    response = client.get("/factsheets/2023/mx.pdf")
    assert response.status_code == 200 and response.content == b""
    expected = ("/protected-media/" + published.pdf.name if header == "X-Accel-Redirect" else published.pdf.path)
    assert response[header] == expected
    assert response["ETag"] == f'"{published.pdf_sha256}"' and "attachment" in response["Content-Disposition"]
