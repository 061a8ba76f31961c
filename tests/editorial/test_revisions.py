"""Revisions: recorded on every admin save (policies and their selections included), compared, reverted."""

import pytest
from django.urls import reverse

from editorial import services, snapshots
from editorial.models import Revision
from factsheets.models import State
from tests import factories

pytestmark = pytest.mark.django_db


def test_word_diff_marks_only_the_changed_words():
    html = snapshots.word_diff_html("The quick brown fox jumps.", "The quick red fox jumps high.")
    assert html == "The quick <del>brown</del><ins>red</ins> fox jumps<ins> high</ins>."


def test_word_diff_escapes_html():
    assert "&lt;script&gt;" in snapshots.word_diff_html("", "<script>")


def test_compare_lists_changed_fields_in_document_order(users, factsheet):
    old = services.revision_record(factsheet=factsheet, by=users["analyst"])
    factsheet.introduction = "<p>The quick red fox.[^one]</p>"
    factsheet.save()
    policy = factsheet.policies.get()
    policy.objectives.add(factsheet.edition.categories.get(label="Internationalisation"))
    factories.ReferenceFactory(factsheet=factsheet, order=2, citation="OECD (2023). Cluster review.")
    new = services.revision_record(factsheet=factsheet, by=users["analyst"])
    changes = snapshots.snapshot_compare(old.snapshot, new.snapshot)
    labels = [c.label for c in changes]
    assert labels == [
        "Introduction", "Policy 1 › Objectives", "Reference 2 › Citation", "Reference 2 › Url",
    ]
    assert changes[0].diff_html == "The quick <del>brown</del><ins>red</ins> fox.[^one]"
    assert changes[1].diff_html == "Innovation<ins>; Internationalisation</ins>"
    assert changes[2].kind == "added"


def _admin_post_data(client, factsheet):
    """The change form's own data, as the browser would send it back."""
    response = client.get(reverse("admin:factsheets_factsheet_change", args=[factsheet.pk]))
    context = response.context
    data = {}
    for form in [context["adminform"].form] + [f for fs in context["inline_admin_formsets"] for f in
                                              [fs.formset.management_form, *fs.formset.forms]]:
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None:
                continue
            key = form.add_prefix(name)
            if isinstance(value, (list, tuple)):
                data[key] = [str(v) for v in value]
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            else:
                data[key] = value.pk if hasattr(value, "pk") else value
    return data


def test_an_admin_save_records_a_revision_with_policy_selections(users, factsheet, client):
    client.force_login(users["analyst"])
    data = _admin_post_data(client, factsheet)
    innovation, international = factsheet.edition.categories.filter(vocabulary="objective").order_by("label")
    data["introduction"] = "<p>Saved from the admin.</p>"
    data["policies-0-objectives"] = [str(innovation.pk), str(international.pk)]
    response = client.post(reverse("admin:factsheets_factsheet_change", args=[factsheet.pk]), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    revision = Revision.objects.get(factsheet=factsheet)
    assert revision.created_by == users["analyst"]
    assert revision.snapshot["factsheet"]["introduction"] == "<p>Saved from the admin.</p>"
    assert revision.snapshot["policies"][0]["objectives"] == ["Innovation", "Internationalisation"]
    assert revision.snapshot["footnotes"] == [{"key": "one", "text": "<p>A note.</p>"}]
    factsheet.refresh_from_db()
    assert factsheet.lock_version == 2


def test_revert_restores_an_earlier_revision_as_a_new_one(users, factsheet):
    first = services.revision_record(factsheet=factsheet, by=users["analyst"])
    factsheet.policies.get().objectives.clear()
    factsheet.footnotes.all().delete()
    factsheet.introduction = "<p>Rewritten.</p>"
    factsheet.save()
    services.revision_record(factsheet=factsheet, by=users["analyst"])
    version = factsheet.lock_version

    third = services.revision_revert(factsheet=factsheet, revision=first, by=users["analyst"])
    factsheet.refresh_from_db()
    assert third.number == 3 and third.reason == "Reverted to revision 1"
    assert third.snapshot == first.snapshot
    assert snapshots.factsheet_snapshot(factsheet=factsheet) == first.snapshot
    assert factsheet.introduction == "<p>The quick brown fox.[^one]</p>"
    assert [c.label for c in factsheet.policies.get().objectives.all()] == ["Innovation"]
    assert factsheet.lock_version == version + 1
    assert factsheet.audit_entries.filter(action="revert").exists()


def test_revert_is_refused_while_in_review(users, factsheet, walk_to):
    first = services.revision_record(factsheet=factsheet, by=users["analyst"])
    walk_to(factsheet, State.IN_REVIEW)
    from editorial.permissions import WorkflowError

    with pytest.raises(WorkflowError):
        services.revision_revert(factsheet=factsheet, revision=first, by=users["editor"])
    assert factsheet.revisions.count() == 1


def test_history_compare_and_revert_pages(users, factsheet, client, walk_to, django_assert_max_num_queries):
    walk_to(factsheet, State.PUBLISHED)
    services.factsheet_start_new_draft(factsheet=factsheet, by=users["editor"])
    factsheet.refresh_from_db()
    factsheet.introduction = "<p>The quick red fox.[^one]</p>"
    factsheet.save()
    services.revision_record(factsheet=factsheet, by=users["analyst"])
    client.force_login(users["analyst"])
    with django_assert_max_num_queries(9):
        history = client.get(reverse("admin:factsheets_factsheet_history", args=[factsheet.pk]))
    assert history.status_code == 200 and "Revert to this revision" in history.content.decode()
    with django_assert_max_num_queries(11):
        compare = client.get(reverse("admin:factsheets_factsheet_compare", args=[factsheet.pk]) + "?a=published")
    html = compare.content.decode()
    assert "(the published version)" in html
    assert "<del>brown</del><ins>red</ins>" in html
    response = client.post(reverse("admin:factsheets_factsheet_revert", args=[factsheet.pk, 1]))
    assert response.status_code == 302
    factsheet.refresh_from_db()
    assert factsheet.introduction == "<p>The quick brown fox.[^one]</p>"
    # GET never reverts; reviewers may look but not revert
    assert client.get(reverse("admin:factsheets_factsheet_revert", args=[factsheet.pk, 1])).status_code == 405
    client.force_login(users["reviewer"])
    assert client.post(reverse("admin:factsheets_factsheet_revert", args=[factsheet.pk, 1])).status_code == 403
