"""Behind a front proxy, login throttling keys on the client's address read from X-Forwarded-For (django-ipware),
not on the proxy's, so wrong passwords from one client never lock a user out for everyone (issue 17.11)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.1"


def sign_in(forwarded_for: str, password: str):
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)
    return client.post(reverse("admin:login"), {"username": "editor", "password": password,
                                                "next": reverse("admin:index")})


@pytest.fixture
def editor(settings):
    settings.CLIENT_IP_PROXY_COUNT = 1
    return factories.UserFactory(username="editor", role="Editor")


def test_wrong_passwords_from_one_client_behind_the_proxy_lock_out_that_client_only(editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in("203.0.113.7", "wrong")
    assert sign_in("203.0.113.7", "password").status_code == 429  # the guesser is locked out
    assert sign_in("198.51.100.20", "password").status_code == 302  # the editor elsewhere signs in


def test_a_forged_x_forwarded_for_neither_escapes_nor_frames_anyone(editor, settings):
    # The proxy appends the address it sees: a client can only prepend made-up ones, which are ignored.
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(f"192.0.2.{n}, 203.0.113.7", "wrong")
    assert sign_in("192.0.2.99, 203.0.113.7", "password").status_code == 429
    assert sign_in("203.0.113.7, 198.51.100.20", "password").status_code == 302


def test_without_a_proxy_the_header_is_ignored(settings):
    settings.CLIENT_IP_PROXY_COUNT = 0
    factories.UserFactory(username="editor", role="Editor")
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(f"203.0.113.{n}", "wrong")  # made-up headers from one machine: still that machine
    assert sign_in("198.51.100.20", "password").status_code == 429
