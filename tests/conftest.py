"""Shared fixtures: fast hashing, locmem mail, factories, demo data, logged-in clients per role."""

import pytest
from django.core.management import call_command

from tests import factories


def _order(item) -> int:
    """0: no database, 1: database in a transaction, 2: transactional (flushes the database when done)."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", [])
    if (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))) \
            or "transactional_db" in fixtures or "live_server" in fixtures:
        return 2
    return 1 if marker or "db" in fixtures else 0


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Every run shuffles (pytest-randomly), then transactional tests go last, as Django orders them: they flush
    the database (the roles of the data migrations included) when they finish, so a test after them in the same
    process would start without the roles. The sort is stable, so the shuffled order holds within each kind."""
    items.sort(key=_order)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_download_map():
    """The download fast path's map of live versions lives as long as the process: each test starts without it (the
    stamp it was read under may outlive a test's database in a cache that is not rolled back)."""
    from editorial.publishing.downloads import live_downloads

    live_downloads.forget()


@pytest.fixture
def demo(db):
    """Both Mexico factsheets loaded by the demo loader (no demo users)."""
    call_command("load_demo", "--no-users", verbosity=0)
    from factsheets.models import Factsheet

    return {f.edition.year: f for f in Factsheet.objects.select_related("edition", "country")}


@pytest.fixture
def make_user(db):
    def make(role=None, **kwargs):
        return factories.UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def superuser(db):
    return factories.UserFactory(username="root", is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def analyst(make_user):
    return make_user(role="Analyst", username="analyst1")


@pytest.fixture
def reviewer(make_user):
    return make_user(role="Reviewer", username="reviewer1")


@pytest.fixture
def editor(make_user):
    return make_user(role="Editor", username="editor1")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Transactional tests (live server, PostgreSQL threads) flush the database, the roles of the data
    migrations included, so a reused test database can start without them: put them back, and make them part
    of what serialized_rollback restores. An override of pytest-django's own fixture, so it runs only when a
    selected test uses the database, and only ever against the test database."""
    from django.apps import apps
    from django.db import connection

    from editorial.roles import ALL_GRANTS, grant

    with django_db_blocker.unblock():
        for role_permissions in ALL_GRANTS:
            grant(apps, role_permissions)
        if getattr(connection, "_test_serialized_contents", None) is not None:
            connection._test_serialized_contents = connection.creation.serialize_db_to_string()
