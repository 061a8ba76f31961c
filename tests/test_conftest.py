"""The test run's own rules (tests/conftest.py): role groups are there for every test, whatever ran before it."""

import pytest

from tests import conftest


class _Item:
    def __init__(self, name, marker=None, fixtures=()):
        self.name, self._marker, self.fixturenames = name, marker, list(fixtures)

    def get_closest_marker(self, name):
        return self._marker if name == "django_db" else None


def test_transactional_tests_run_after_the_others_whatever_the_shuffle():
    """Rule: a transactional test flushes the database (the role groups of the data migrations included) when it
    ends, so every other test must run before it, even when pytest-randomly put it first."""
    items = [
        _Item("browser", fixtures=["live_server"]),
        _Item("threads", marker=pytest.mark.django_db(transaction=True, serialized_rollback=True).mark),
        _Item("plain", marker=pytest.mark.django_db.mark),
        _Item("sequences", marker=pytest.mark.django_db(reset_sequences=True).mark),
        _Item("no_db"),
        _Item("db_fixture", fixtures=["db"]),
    ]
    conftest.pytest_collection_modifyitems(items)
    assert [i.name for i in items] == ["no_db", "plain", "db_fixture", "browser", "threads", "sequences"]


@pytest.mark.django_db
def test_every_role_group_is_there_with_its_permissions():
    from django.contrib.auth.models import Group

    from editorial.roles import ALL_GRANTS

    roles = {role for grants in ALL_GRANTS for role in grants}
    groups = {g.name: g.permissions.count() for g in Group.objects.filter(name__in=roles)}
    assert set(groups) == roles and all(groups.values()), groups
