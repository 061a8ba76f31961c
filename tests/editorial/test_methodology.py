"""Everything that prints belongs to what is approved (issue 11.2) and published URLs keep their meaning
(issue 11.3): methodology changes make approvals stale, categories in use are merged, never deleted."""

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from editorial import services
from editorial.models import Publication
from editorial.permissions import WorkflowError
from editorial.snapshots import snapshot_compare
from factsheets.models import Category, Country, Edition, Level, Section, State, Topic, Vocabulary
from tests import factories
from tests.factsheets.test_admin import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_pdf(monkeypatch):
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", lambda *a, **k: b"%PDF-1.7 test")


def _criterion(factsheet):
    return factsheet.assessments.get().criterion


def test_an_edited_criterion_definition_in_the_admin_sends_the_approved_factsheet_back(users, factsheet, walk_to,
                                                                                     client):
    walk_to(factsheet, State.APPROVED)
    criterion = _criterion(factsheet)
    client.force_login(users["editor"])
    url = reverse("admin:factsheets_criterion_change", args=[criterion.pk])
    data = form_data(client.get(url))
    data["definition"] = "<p>An unreviewed definition.</p>"
    response = client.post(url, data)
    assert response.status_code == 302
    factsheet.refresh_from_db()
    assert factsheet.state == State.DRAFT
    latest = factsheet.revisions.order_by("-number").first()
    assert latest.reason.startswith("Methodology changed: criterion")
    changes = snapshot_compare(factsheet.revisions.order_by("-number")[1].snapshot, latest.snapshot)
    assert [c.label for c in changes] == [f"Methodology › Criterion “{criterion.name}” › Definition"]
    assert "unreviewed" in changes[0].new
    with pytest.raises(WorkflowError):
        services.publish_job_request(factsheet=factsheet, by=users["editor"])
    assert not Publication.objects.exists()


def _edition_text(fs):
    Edition.objects.filter(pk=fs.edition_id).update(methodology_intro="<p>New method.</p>")


def _section_title(fs):
    Section.objects.filter(edition=fs.edition_id).update(title="Renamed section")


def _level(fs):
    criterion = _criterion(fs)
    factories.LevelFactory(criterion=criterion, label="A new level", definition="Something else")


def _level_definition(fs):
    criterion = _criterion(fs)
    level = factories.LevelFactory(criterion=criterion, label="Kept", definition="Before")
    return lambda: Level.objects.filter(pk=level.pk).update(definition="After")


def _topic(fs):
    Topic.objects.filter(edition=fs.edition_id).update(title="Renamed topic")


def _category_label(fs):
    Category.objects.filter(edition=fs.edition_id, label="Innovation").update(label="Innovation ecosystems")


def _category_order(fs):
    policy = fs.policies.get()
    policy.objectives.add(Category.objects.get(edition=fs.edition_id, label="Internationalisation"))
    services.revision_record(factsheet=fs, by=None)
    return lambda: Category.objects.filter(edition=fs.edition_id, label="Innovation").update(order=9999)


@pytest.mark.parametrize("change", [_edition_text, _section_title, _level, _level_definition, _topic, _category_label,
                                    _category_order])
def test_publish_refuses_any_printed_methodology_changed_behind_the_approval(users, factsheet, walk_to, change):
    prepared = change if change in (_level_definition, _category_order) else None
    late = prepared(factsheet) if prepared else None
    walk_to(factsheet, State.APPROVED)
    late() if late else change(factsheet)
    with pytest.raises(WorkflowError, match="changed after the approval"):
        services.publish_job_request(factsheet=factsheet, by=users["editor"])
    assert not Publication.objects.exists()
    factsheet.refresh_from_db()
    assert factsheet.state == State.DRAFT


def test_a_methodology_change_leaves_published_factsheets_published(users, factsheet, walk_to, client):
    walk_to(factsheet, State.PUBLISHED)
    client.force_login(users["editor"])
    url = reverse("admin:factsheets_edition_change", args=[factsheet.edition_id])
    data = form_data(client.get(url))
    data["methodology_intro"] = "<p>Changed after publication.</p>"
    assert client.post(url, data).status_code == 302
    factsheet.refresh_from_db()
    assert factsheet.state == State.PUBLISHED
    assert factsheet.audit_entries.filter(action="edited", comment__contains="published version is unchanged").exists()
    compare = client.get(reverse("admin:factsheets_factsheet_compare", args=[factsheet.pk]) + "?a=published")
    assert "Edition › Methodology intro" in compare.content.decode()


def test_revisions_recorded_before_the_methodology_was_part_of_them_still_compare(factsheet):
    services.revision_record(factsheet=factsheet, by=None)
    snapshot = factsheet.revisions.get().snapshot
    old = {k: v for k, v in snapshot.items() if k != "edition"}
    assert snapshot_compare(old, snapshot) == []


# --- categories in use, identities with publications (11.3) ----------------------------------------------

def test_a_category_in_use_cannot_be_deleted_by_any_path(users, factsheet, walk_to, client):
    walk_to(factsheet, State.PUBLISHED)
    category = Category.objects.get(edition=factsheet.edition, label="Innovation")
    with pytest.raises(ProtectedError):
        category.delete()
    with pytest.raises(ProtectedError):
        Category.objects.filter(pk=category.pk).delete()
    client.force_login(users["editor"])
    page = client.get(reverse("admin:factsheets_category_delete", args=[category.pk]))
    assert "merge the category into another instead" in page.content.decode()
    client.post(reverse("admin:factsheets_category_delete", args=[category.pk]), {"post": "yes"})
    assert Category.objects.filter(pk=category.pk).exists()
    assert list(factsheet.policies.get().objectives.values_list("label", flat=True)) == ["Innovation"]


def test_the_edition_page_refuses_to_delete_a_category_in_use(users, factsheet, client):
    client.force_login(users["editor"])
    url = reverse("admin:factsheets_edition_change", args=[factsheet.edition_id])
    page = client.get(url)
    data = form_data(page)
    formset = next(f.formset for f in page.context["inline_admin_formsets"] if f.formset.model is Category)
    index = next(i for i, form in enumerate(formset.forms) if form.instance.label == "Innovation")
    data[f"{formset.prefix}-{index}-DELETE"] = "on"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "cannot be deleted; merge it into another" in response.content.decode()
    assert Category.objects.filter(label="Innovation").exists()


def test_merging_a_category_records_a_revision_in_every_factsheet_it_touches(users, factsheet, walk_to, client):
    walk_to(factsheet, State.APPROVED)
    first_revision = factsheet.revisions.order_by("number").first()
    source = Category.objects.get(edition=factsheet.edition, label="Innovation")
    target = Category.objects.get(edition=factsheet.edition, label="Internationalisation")
    client.force_login(users["editor"])
    response = client.post(reverse("admin:factsheets_category_merge", args=[source.pk]), {"into": target.pk})
    assert response.status_code == 302
    assert not Category.objects.filter(pk=source.pk).exists()
    factsheet.refresh_from_db()
    assert list(factsheet.policies.get().objectives.values_list("label", flat=True)) == ["Internationalisation"]
    assert factsheet.state == State.DRAFT
    latest = factsheet.revisions.order_by("-number").first()
    assert latest.reason == "Category “Innovation” merged into “Internationalisation”"
    assert latest.created_by == users["editor"]
    # the revision written with the old label is still restorable: the label maps to the merged category
    services.revision_revert(factsheet=factsheet, revision=first_revision, by=users["analyst"])
    assert list(factsheet.policies.get().objectives.values_list("label", flat=True)) == ["Internationalisation"]


def test_merging_is_for_editors_and_within_one_vocabulary(users, factsheet):
    source = Category.objects.get(edition=factsheet.edition, label="Innovation")
    other = factories.CategoryFactory(edition=factsheet.edition, vocabulary=Vocabulary.FOCUS, label="Sectoral")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.category_merge(source=source, target=other, by=users["analyst"])
    with pytest.raises(WorkflowError, match="same edition and vocabulary"):
        services.category_merge(source=source, target=other, by=users["editor"])
    assert Category.objects.filter(pk=source.pk).exists()


def test_the_year_of_an_edition_and_the_code_of_a_country_with_publications_never_change(demo, users, client):
    from editorial.services import demo_publish

    demo_publish(factsheet=demo[2023])
    client.force_login(users["editor"])
    assert client.get("/factsheets/2023/mx.pdf").status_code == 200
    edition_url = reverse("admin:factsheets_edition_change", args=[demo[2023].edition_id])
    data = form_data(client.get(edition_url))
    data["year"] = "2024"
    client.post(edition_url, data)
    country = Country.objects.get(code="MX")
    country_url = reverse("admin:factsheets_country_change", args=[country.pk])
    data = form_data(client.get(country_url))
    data["code"] = "CA"
    client.post(country_url, data)
    assert Edition.objects.filter(year=2023).exists() and not Edition.objects.filter(year=2024).exists()
    assert Country.objects.get(pk=country.pk).code == "MX"
    response = client.get("/factsheets/2023/mx.pdf")
    assert response.status_code == 200 and "Mexico-2023" in response["Content-Disposition"]
    assert client.get("/factsheets/2024/mx.pdf").status_code == 404
    assert client.get("/factsheets/2023/ca.pdf").status_code == 404


def test_an_edition_without_publications_may_still_change_its_year(users, factsheet, client):
    client.force_login(users["editor"])
    url = reverse("admin:factsheets_edition_change", args=[factsheet.edition_id])
    data = form_data(client.get(url))
    data["year"] = "2032"
    assert client.post(url, data).status_code == 302
    assert Edition.objects.filter(year=2032).exists()


# --- issue 17.15: every way the printed methodology changes makes approvals stale at once ---------------------

def test_a_criterion_added_through_the_add_form_sends_the_approved_factsheet_back(users, factsheet, walk_to,
                                                                                  client):
    walk_to(factsheet, State.APPROVED)
    client.force_login(users["editor"])
    url = reverse("admin:factsheets_criterion_add")
    data = form_data(client.get(url))
    data.update({"edition": str(factsheet.edition_id), "name": "Added criterion", "order": "9",
                 "long_name": "A criterion nobody reviewed", "definition": "<p>Unreviewed.</p>"})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    factsheet.refresh_from_db()
    assert factsheet.state == State.DRAFT
    latest = factsheet.revisions.order_by("-number").first()
    assert latest.reason.startswith("Methodology changed: criterion “Added criterion” added")


def test_a_bulk_deleted_criterion_sends_the_approved_factsheet_back(users, factsheet, walk_to, client):
    spare = factories.CriterionFactory(edition=factsheet.edition, name="Spare criterion")
    walk_to(factsheet, State.APPROVED)
    client.force_login(users["editor"])
    response = client.post(reverse("admin:factsheets_criterion_changelist"),
                           {"action": "delete_selected", "_selected_action": [spare.pk], "post": "yes"})
    assert response.status_code == 302
    factsheet.refresh_from_db()
    assert factsheet.state == State.DRAFT
    assert "Spare criterion" in factsheet.revisions.order_by("-number").first().reason


def test_a_criterion_deleted_with_its_levels_by_a_script_sends_the_approved_factsheet_back_once(
        users, factsheet, walk_to, django_capture_on_commit_callbacks):
    spare = factories.CriterionFactory(edition=factsheet.edition, name="Spare criterion")
    for rank in range(3):
        factories.LevelFactory(criterion=spare, label=f"Level {rank}", rank=rank)
    walk_to(factsheet, State.APPROVED)
    revisions = factsheet.revisions.count()
    with django_capture_on_commit_callbacks(execute=True):
        spare.delete()  # the levels go with it, through the cascade
    factsheet.refresh_from_db()
    assert factsheet.state == State.DRAFT
    assert factsheet.revisions.count() == revisions + 1  # one revision for the whole cascade


def test_a_category_deleted_through_a_cascade_changes_nothing_printed_so_approvals_stand(
        users, factsheet, walk_to, django_capture_on_commit_callbacks):
    unused = factories.CategoryFactory(edition=factsheet.edition, vocabulary=Vocabulary.OBJECTIVE, label="Unused")
    walk_to(factsheet, State.APPROVED)
    revisions = factsheet.revisions.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        Category.objects.filter(pk=unused.pk).delete()
    assert callbacks  # the change went through the one entry point ...
    factsheet.refresh_from_db()
    assert factsheet.state == State.APPROVED and factsheet.revisions.count() == revisions  # ... which found none


def test_a_criterion_deleted_in_the_admin_sends_the_approved_factsheet_back_at_once(users, factsheet, walk_to,
                                                                                    client):
    """Rule: deleting a criterion through the admin's delete page makes the approvals of its edition stale in the
    request itself (the admin's delete hook; the deletion signal only runs on commit) and says so."""
    spare = factories.CriterionFactory(edition=factsheet.edition, name="Spare criterion")
    walk_to(factsheet, State.APPROVED)
    client.force_login(users["editor"])
    response = client.post(reverse("admin:factsheets_criterion_delete", args=[spare.pk]), {"post": "yes"},
                           follow=True)
    assert response.status_code == 200
    factsheet.refresh_from_db()
    assert factsheet.state == State.DRAFT
    assert "Spare criterion" in factsheet.revisions.order_by("-number").first().reason
    assert any("back to draft" in str(m) and str(factsheet) in str(m) for m in response.context["messages"])
