"""The workflow admin: read-only states, optimistic locking, index panels, dashboards, query counts."""

import pytest
from django.urls import reverse

from editorial import services
from factsheets.models import Factsheet, State
from tests.editorial.test_revisions import _admin_post_data

pytestmark = pytest.mark.django_db


def change_url(factsheet):
    return reverse("admin:factsheets_factsheet_change", args=[factsheet.pk])


@pytest.mark.parametrize("state", ["in_review", "approved", "published", "withdrawn"])
@pytest.mark.parametrize("role", ["analyst", "editor", "superuser"])
def test_read_only_states_for_everyone(role, state, users, factsheet, walk_to, client):
    client.force_login(users["analyst"])
    data = _admin_post_data(client, factsheet)  # the form as it was while still a draft
    walk_to(factsheet, state)
    before = (factsheet.introduction, factsheet.lock_version, factsheet.revisions.count())
    client.force_login(users[role])
    page = client.get(change_url(factsheet)).content.decode()
    assert 'name="introduction"' not in page and 'name="_save"' not in page
    data["introduction"] = "<p>Sneaked in.</p>"
    assert client.post(change_url(factsheet), data).status_code == 403
    factsheet.refresh_from_db()
    assert (factsheet.introduction, factsheet.lock_version, factsheet.revisions.count()) == before


def test_the_second_save_is_refused_and_keeps_the_input(users, factsheet, client):
    client.force_login(users["analyst"])
    first = _admin_post_data(client, factsheet)
    second = dict(first)
    first["introduction"] = "<p>First editor's text.</p>"
    assert client.post(change_url(factsheet), first).status_code == 302
    client.force_login(users["editor"])
    second["introduction"] = "<p>Second editor's text.</p>"
    response = client.post(change_url(factsheet), second)
    assert response.status_code == 200
    html = response.content.decode()
    assert "ana saved this factsheet at" in html and "your changes were not saved" in html
    assert "Second editor&#x27;s text." in html or "Second editor's text." in html
    factsheet.refresh_from_db()
    assert factsheet.introduction == "<p>First editor's text.</p>"
    assert factsheet.revisions.count() == 1


def test_a_lost_race_at_save_time_is_refused_too(users, factsheet, client, monkeypatch):
    """Someone saves between the form's check and the conditional UPDATE: the UPDATE finds 0 rows."""
    client.force_login(users["analyst"])
    data = _admin_post_data(client, factsheet)
    data["introduction"] = "<p>Mine.</p>"
    claim = services.lock_version_claim

    def racing_claim(*, factsheet_id, loaded_version):
        Factsheet.objects.filter(pk=factsheet_id).update(lock_version=loaded_version + 1, introduction="<p>Theirs</p>")
        return claim(factsheet_id=factsheet_id, loaded_version=loaded_version)

    monkeypatch.setattr(services, "lock_version_claim", racing_claim)
    response = client.post(change_url(factsheet), data)
    assert response.status_code == 200 and "your changes were not saved" in response.content.decode()
    factsheet.refresh_from_db()
    assert factsheet.introduction == "<p>The quick brown fox.[^one]</p>"  # the racing write rolled back too
    assert factsheet.revisions.count() == 0


def test_index_panels(users, factsheet, walk_to, client):
    walk_to(factsheet, State.DRAFT)
    client.force_login(users["analyst"])
    html = client.get(reverse("admin:index")).content.decode()
    assert "Awaiting my review" not in html and "Changes requested" in html  # panels follow the roles
    my_drafts = html.split('id="my-drafts"')[1].split("</section>")[0]
    assert str(factsheet.country) in my_drafts
    walk_to(factsheet, State.IN_REVIEW)
    client.force_login(users["reviewer"])
    html = client.get(reverse("admin:index")).content.decode()
    awaiting = html.split('id="awaiting-my-review"')[1].split("</section>")[0]
    assert change_url(factsheet) in awaiting and "My drafts" not in html
    services.factsheet_request_changes(factsheet=factsheet, by=users["reviewer"], comment="More detail.")
    client.force_login(users["analyst"])
    html = client.get(reverse("admin:index")).content.decode()
    assert change_url(factsheet) in html.split('id="changes-requested"')[1].split("</section>")[0]


def test_timeline_shows_audit_entries_and_comments(users, factsheet, walk_to, client):
    walk_to(factsheet, State.CHANGES_REQUESTED)
    services.review_comment_add(factsheet=factsheet, by=users["reviewer"], text="Also the budget.",
                                policy=factsheet.policies.get())
    client.force_login(users["analyst"])
    html = client.get(change_url(factsheet)).content.decode()
    timeline = html.split('id="timeline"')[1]
    assert "Fix the introduction." in timeline and "Also the budget." in timeline
    assert "Comment about Policy “Cluster programme”" in timeline
    assert timeline.index("Also the budget.") < timeline.index("Fix the introduction.")  # newest first


@pytest.mark.parametrize("state", ["draft", "in_review", "published"])
def test_change_page_query_count(state, users, factsheet, walk_to, client, django_assert_max_num_queries):
    walk_to(factsheet, state)
    client.force_login(users["editor"])
    with django_assert_max_num_queries(40):
        assert client.get(change_url(factsheet)).status_code == 200


def test_index_and_dashboard_query_counts(users, factsheet, walk_to, client, django_assert_max_num_queries):
    walk_to(factsheet, State.IN_REVIEW)
    client.force_login(users["editor"])
    with django_assert_max_num_queries(13):  # measured 11 (session, user, perms, six queues, app list) + 20%
        assert client.get(reverse("admin:index")).status_code == 200
    with django_assert_max_num_queries(8):
        response = client.get(reverse("admin:factsheets_edition_dashboard"))
    row = response.content.decode().split("2031</a></th>")[1].split("</tr>")[0]
    assert ">1</a>" in row and "<td>1</td>" in row  # one in review, total one


def test_workflow_endpoint_wants_post_and_a_known_action(users, factsheet, client):
    client.force_login(users["analyst"])
    url = reverse("admin:factsheets_factsheet_workflow", args=[factsheet.pk])
    assert client.get(url).status_code == 405
    assert client.post(url, {"action": "delete_everything"}).status_code == 400


def test_workflow_post_needs_csrf(users, factsheet):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(users["analyst"])
    url = reverse("admin:factsheets_factsheet_workflow", args=[factsheet.pk])
    assert client.post(url, {"action": "submit"}).status_code == 403
    factsheet.refresh_from_db()
    assert factsheet.state == State.DRAFT


@pytest.mark.parametrize("state", ["draft", "in_review"])
def test_mexico_2023_change_page_query_count(state, demo, users, client, django_assert_max_num_queries):
    factsheet = demo[2023]
    factsheet.updated_by = users["analyst"]
    factsheet.save(update_fields=["updated_by"])
    if state == "in_review":
        services.factsheet_submit(factsheet=factsheet, by=users["analyst"])
    client.force_login(users["reviewer"] if state == "in_review" else users["analyst"])
    with django_assert_max_num_queries(40):
        response = client.get(change_url(factsheet))
    assert response.status_code == 200
    assert ('name="introduction"' in response.content.decode()) == (state == "draft")


def test_edition_list_links_dashboard_and_opening(users, client, factsheet):
    client.force_login(users["editor"])
    html = client.get(reverse("admin:factsheets_edition_changelist")).content.decode()
    assert reverse("admin:factsheets_edition_dashboard") in html and reverse("admin:factsheets_edition_open") in html
    client.force_login(users["analyst"])
    html = client.get(reverse("admin:factsheets_edition_changelist")).content.decode()
    assert reverse("admin:factsheets_edition_open") not in html
    assert reverse("admin:factsheets_edition_dashboard") in client.get(reverse("admin:index")).content.decode()
    assert client.get(reverse("admin:factsheets_edition_dashboard")).status_code == 200
    client.force_login(users["nobody"])
    assert client.get(reverse("admin:factsheets_edition_dashboard")).status_code == 403


def test_timeline_lists_bulk_imports_of_the_factsheet(users, factsheet, client):
    from factsheets.imports import data_import_record

    data_import_record(resource="PolicyResource", user=users["analyst"], file_name="policies.csv", file_format="csv",
                       totals={"new": 1, "update": 2}, rows=3, factsheet_ids={factsheet.pk})
    client.force_login(users["reviewer"])
    timeline = client.get(change_url(factsheet)).content.decode().split('id="timeline"')[1]
    assert "Imported policies.csv (PolicyResource)" in timeline and "1 new, 2 updated, 0 deleted" in timeline


def test_factsheet_page_links_to_its_pdf_preview(users, factsheet, client):
    from django.urls import reverse

    client.force_login(users["analyst"])
    content = client.get(reverse("admin:factsheets_factsheet_change", args=[factsheet.pk])).content.decode()
    assert f'href="{reverse("editorial:factsheet_preview", args=[factsheet.pk])}"' in content
    assert ">Preview PDF<" in content
