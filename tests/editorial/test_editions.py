"""Opening a new edition from an earlier one, carrying the demo Mexico 2023 factsheet forward."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from editorial import editions, snapshots
from editorial.models import CarryForwardIssue
from factsheets.models import Edition, Factsheet, State, Vocabulary

pytestmark = pytest.mark.django_db


def test_mexico_2023_is_carried_into_2026(demo, users):
    source = demo[2023]
    edition, created = editions.edition_open(source=source.edition, year=2026, by=users["editor"])
    assert [str(f.country.code) for f in created] == ["MX"]
    new = Factsheet.objects.get(edition=edition, country__code="MX")
    assert new.state == State.DRAFT
    old_edition = source.edition
    assert edition.assessment_method == old_edition.assessment_method
    assert edition.methodology_intro == old_edition.methodology_intro
    sections = list(edition.sections.values_list("kind", "title"))
    assert sections == list(old_edition.sections.values_list("kind", "title"))
    assert edition.categories.count() == old_edition.categories.count()
    assert [(c.name, [lv.label for lv in c.levels.all()]) for c in edition.criteria.all()] == [
        (c.name, [lv.label for lv in c.levels.all()]) for c in old_edition.criteria.all()
    ]
    assert edition.topics.count() == old_edition.topics.count()
    # the content is the same, every label now points into the 2026 vocabularies
    new_snapshot = snapshots.factsheet_snapshot(factsheet=new)
    old_snapshot = snapshots.factsheet_snapshot(factsheet=source)
    assert new_snapshot.pop("edition") == {**old_snapshot.pop("edition"), "year": 2026}
    assert new_snapshot == old_snapshot
    assert all(p.policy_type.edition_id == edition.pk for p in new.policies.all())
    assert not CarryForwardIssue.objects.filter(factsheet=new).exists()
    assert new.revisions.get().reason.startswith("Carried forward from the 2023 edition")
    # the year is taken now
    with pytest.raises(ValidationError, match="already a 2026 edition"):
        editions.edition_open(source=source.edition, year=2026, by=users["editor"])


def test_labels_that_do_not_map_are_listed_for_the_analyst(demo, users, client):
    from editorial.services import demo_publish

    source = demo[2023]
    demo_publish(factsheet=source)  # carried forward from its published version, written with the old labels
    used = {label for p in snapshots.factsheet_snapshot(factsheet=source)["policies"] for label in p["objectives"]}
    for category in source.edition.categories.filter(vocabulary=Vocabulary.OBJECTIVE):
        category.label += " (new)"
        category.save()
    edition, created = editions.edition_open(source=source.edition, year=2026, by=users["editor"])
    new = created[0]
    issues = list(CarryForwardIssue.objects.filter(factsheet=new))
    assert used and {i.message.split("“")[1].split("”")[0] for i in issues if "objectives" in i.message} == used
    assert all(not p.objectives.exists() for p in new.policies.all())
    client.force_login(users["analyst"])
    html = client.get(reverse("admin:factsheets_factsheet_change", args=[new.pk])).content.decode()
    assert "To check after carrying forward" in html and sorted(used)[0] in html


def test_only_editors_open_editions_and_years_are_checked(demo, users, client):
    with pytest.raises(PermissionDenied):
        editions.edition_open(source=demo[2023].edition, year=2026, by=users["analyst"])
    with pytest.raises(ValidationError):
        editions.edition_open(source=demo[2023].edition, year=2023, by=users["editor"])
    assert not Edition.objects.filter(year=2026).exists()
    client.force_login(users["analyst"])
    assert client.get(reverse("admin:factsheets_edition_open")).status_code == 403
    client.force_login(users["editor"])
    response = client.post(reverse("admin:factsheets_edition_open"),
                           {"source": demo[2023].edition.pk, "year": 2026, "confirmed": "yes"})
    assert response.status_code == 302
    assert Factsheet.objects.filter(edition__year=2026, country__code="MX", state=State.DRAFT).exists()


@pytest.mark.parametrize("year, message", [(2019, "after the 2023 edition"), (2023, "after the 2023 edition"),
                                           (2020, "after the 2023 edition")])
def test_a_new_edition_comes_after_its_source(demo, users, year, message):
    with pytest.raises(ValidationError, match=message):
        editions.edition_open(source=demo[2023].edition, year=year, by=users["editor"])
    assert Edition.objects.count() == 2


def test_the_editor_sees_what_will_be_created_before_confirming(demo, users, client):
    client.force_login(users["editor"])
    url = reverse("admin:factsheets_edition_open")
    preview = client.post(url, {"source": demo[2023].edition.pk, "year": 2026})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Opening the 2026 edition from the 2023 edition will create" in html
    assert "Mexico, from its working copy" in html and "Policy objectives (" in html
    assert not Edition.objects.filter(year=2026).exists()
    refused = client.post(url, {"source": demo[2023].edition.pk, "year": 2019})
    assert "choose a year after 2023" in refused.content.decode()
    assert Edition.objects.count() == 2


def test_an_unpublished_edition_is_deleted_with_its_drafts_in_one_action(demo, users, client):
    edition, created = editions.edition_open(source=demo[2023].edition, year=2026, by=users["editor"])
    client.force_login(users["editor"])
    url = reverse("admin:factsheets_edition_delete", args=[edition.pk])
    page = client.get(url).content.decode()
    assert "Mexico (draft)" in page and "1 draft factsheet" in page
    client.force_login(users["analyst"])
    assert client.post(url, {"post": "yes"}).status_code == 403
    client.force_login(users["editor"])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Edition.objects.filter(year=2026).exists()
    assert not Factsheet.objects.filter(pk=created[0].pk).exists()
    assert Factsheet.objects.filter(edition__year=2023).exists()
    from django.contrib.admin.models import LogEntry

    assert LogEntry.objects.filter(object_repr__contains="2026").exists()


def test_an_edition_with_publications_cannot_be_deleted(demo, users, client):
    from editorial.services import demo_publish

    demo_publish(factsheet=demo[2023])
    with pytest.raises(ValidationError, match="published"):
        editions.edition_delete(edition=demo[2023].edition, by=users["editor"])
    client.force_login(users["editor"])
    client.post(reverse("admin:factsheets_edition_delete", args=[demo[2023].edition_id]), {"post": "yes"})
    assert Edition.objects.filter(year=2023).exists()
