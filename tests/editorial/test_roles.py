"""The roles created by the migrations hold the workflow permissions of their job, and no more."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from editorial.models import Revision

pytestmark = pytest.mark.django_db


def codenames(group_name):
    return set(Group.objects.get(name=group_name).permissions.filter(content_type__app_label="editorial")
               .values_list("codename", flat=True))


def test_workflow_permissions_per_role():
    analyst, reviewer, editor = codenames("Analyst"), codenames("Reviewer"), codenames("Editor")
    assert {"submit_factsheet", "add_reviewcomment", "view_revision"} <= analyst
    assert not {"review_factsheet", "publish_factsheet", "open_edition"} & analyst
    assert {"review_factsheet", "add_reviewcomment", "view_revision", "view_auditentry"} <= reviewer
    assert not {"submit_factsheet", "publish_factsheet", "open_edition"} & reviewer
    everything = set(Permission.objects.filter(content_type__app_label="editorial").values_list("codename", flat=True))
    validation_records = {f"{action}_{model}" for action in ("add", "change", "delete")
                          for model in ("validationrequest", "validationanswer", "validationopening", "publishjob",
                                        "editionrelease", "editionsummary")}
    assert editor == everything - validation_records  # these records are written by their services only
    assert not validation_records & (analyst | reviewer)


def test_a_factsheet_added_in_the_admin_starts_its_history(users, client, factsheet):
    from tests import factories

    code = "NL" if factsheet.country.code != "NL" else "LU"  # the fixture's country is drawn at random
    country = factories.CountryFactory(code=code)
    client.force_login(users["analyst"])
    response = client.post(reverse("admin:factsheets_factsheet_add"),
                           {"country_code": code, "edition": factsheet.edition.pk})
    assert response.status_code == 302
    revision = Revision.objects.get(factsheet__country=country)
    assert revision.number == 1 and revision.reason == "Created" and revision.created_by == users["analyst"]


@pytest.mark.parametrize("role", ["Analyst", "Reviewer", "Editor"])
def test_every_role_sees_the_record_of_bulk_imports(role):
    assert Group.objects.get(name=role).permissions.filter(
        content_type__app_label="factsheets", codename="view_dataimport"
    ).exists()
