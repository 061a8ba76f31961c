"""Requests refused before a view runs still carry the site's headers, and hostile bytes in a URL are a 400
(issue 17.16 and 17.20)."""

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, str]:
    header = response.get("Content-Security-Policy", "")
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def test_a_request_too_large_is_refused_with_the_content_security_policy(client):
    response = client.post("/admin/login/", data=b"x", content_type="text/plain",
                           CONTENT_LENGTH=str(200 * 1024 * 1024))
    assert response.status_code == 413
    assert _policy(response).get("script-src") == "'self'"


def test_a_disallowed_host_is_refused_with_the_content_security_policy(client):
    response = client.get("/factsheets/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert _policy(response).get("script-src") == "'self'"
    assert _policy(response).get("frame-ancestors") == "'none'"


@pytest.mark.parametrize("url", [
    "/admin/factsheets/factsheet/?state=%00", "/admin/factsheets/factsheet/?q=a%00b",
    "/admin/factsheets/policy/?factsheet__edition__year=2023%00", "/factsheets/2023/?objective=%00",
    "/factsheets/compare/?f=2023-mx%00",
])
def test_a_nul_character_in_the_query_is_a_bad_request_not_an_error(url):
    client = Client(raise_request_exception=False)
    client.force_login(factories.UserFactory(username="root", is_superuser=True))
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert _policy(response).get("script-src") == "'self'"
