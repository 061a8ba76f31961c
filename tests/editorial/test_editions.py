"""Opening a new edition from an earlier one, carrying the demo Mexico 2023 factsheet forward."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from editorial import editions, selectors
from editorial.models import CarryForwardIssue
from factsheets.models import Category, Edition, Factsheet, State, Vocabulary

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
    assert selectors.factsheet_snapshot(factsheet=new) == selectors.factsheet_snapshot(factsheet=source)
    assert all(p.policy_type.edition_id == edition.pk for p in new.policies.all())
    assert not CarryForwardIssue.objects.filter(factsheet=new).exists()
    assert new.revisions.get().reason.startswith("Carried forward from the 2023 edition")
    # opening again creates nothing new
    assert editions.edition_open(source=source.edition, year=2026, by=users["editor"])[1] == []


def test_labels_that_do_not_map_are_listed_for_the_analyst(demo, users, client):
    source = demo[2023]
    prepared = Edition.objects.create(year=2026, assessment_method=source.edition.assessment_method)
    for category in source.edition.categories.exclude(vocabulary=Vocabulary.OBJECTIVE):
        Category.objects.create(edition=prepared, vocabulary=category.vocabulary, label=category.label)
    for category in source.edition.categories.filter(vocabulary=Vocabulary.OBJECTIVE):
        Category.objects.create(edition=prepared, vocabulary=category.vocabulary, label=category.label + " (new)")
    edition, created = editions.edition_open(source=source.edition, year=2026, by=users["editor"])
    new = created[0]
    issues = list(CarryForwardIssue.objects.filter(factsheet=new))
    used = {label for p in selectors.factsheet_snapshot(factsheet=source)["policies"] for label in p["objectives"]}
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
                           {"source": demo[2023].edition.pk, "year": 2026})
    assert response.status_code == 302
    assert Factsheet.objects.filter(edition__year=2026, country__code="MX", state=State.DRAFT).exists()
