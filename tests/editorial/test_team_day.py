"""The editorial team's day (issue 12): queues that show all the work, assignment, review of what changed since
my last review, comments resolved where they belong, carry-forward issues handled, e-mails that can be followed."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from editorial import editions, services, team
from editorial.models import AuditEntry, ReviewComment
from factsheets.models import Section, State
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_pdf(monkeypatch):
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", lambda *a, **k: b"%PDF-1.7 test")


def _queue(user, key):
    return team.dashboard(user=user)[key]


# --- queues and assignment (12.1-12.3) -----------------------------------------------------------------------

def test_a_new_draft_started_by_an_editor_is_in_the_assigned_analysts_queue(users, factsheet, walk_to):
    services.factsheets_assign(factsheets=[factsheet], by=users["editor"], analyst=users["analyst"])
    walk_to(factsheet, State.PUBLISHED)
    services.factsheet_start_new_draft(factsheet=factsheet, by=users["editor"])
    drafts = _queue(users["analyst"], "my_drafts")
    assert [f.pk for f in drafts["items"]] == [factsheet.pk] and drafts["count"] == 1
    assert factsheet.pk not in [f.pk for f in _queue(users["editor"], "my_drafts")["items"]]


def test_drafts_carried_into_a_new_edition_stay_with_their_analyst(demo, users):
    services.factsheets_assign(factsheets=[demo[2023]], by=users["editor"], analyst=users["analyst"],
                               reviewer=users["reviewer"])
    _edition, created = editions.edition_open(source=demo[2023].edition, year=2026, by=users["editor"])
    assert created[0].assigned_analyst == users["analyst"] and created[0].assigned_reviewer == users["reviewer"]
    assert created[0].pk in [f.pk for f in _queue(users["analyst"], "my_drafts")["items"]]


def test_bulk_assignment_on_the_edition_dashboard(demo, users, client, django_capture_on_commit_callbacks):
    client.force_login(users["editor"])
    url = reverse("admin:factsheets_edition_factsheets", args=[2023])
    page = client.get(url).content.decode()
    assert "Mexico" in page and "Assign the selected factsheets" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"factsheets": [demo[2023].pk], "analyst": users["analyst"].pk,
                                     "reviewer": users["reviewer"].pk})
    assert response.status_code == 302
    demo[2023].refresh_from_db()
    assert (demo[2023].assigned_analyst, demo[2023].assigned_reviewer) == (users["analyst"], users["reviewer"])
    entry = AuditEntry.objects.get(factsheet=demo[2023], action="assign")
    assert "analyst: ana" in entry.comment and users["analyst"].email in entry.notified_list
    (message,) = mail.outbox
    assert "http://testserver/admin/factsheets/factsheet/" in message.body and "What to do next" in message.body
    client.force_login(users["analyst"])
    assert client.post(url, {"factsheets": [demo[2023].pk], "analyst": users["analyst"].pk}).status_code == 403


def test_the_edition_dashboard_shows_the_live_version_beside_the_working_state(demo, users, client):
    services.demo_publish(factsheet=demo[2023])
    services.factsheet_start_new_draft(factsheet=demo[2023], by=users["editor"])
    client.force_login(users["editor"])
    overview = client.get(reverse("admin:factsheets_edition_dashboard")).content.decode()
    row = overview.split(">2023</a></th>")[1].split("</tr>")[0]
    cells = re.findall(r"<td>(.*?)</td>", row)
    assert cells[-2] == "1"  # live, although the working copy is a draft
    page = client.get(reverse("admin:factsheets_edition_factsheets", args=[2023])).content.decode()
    mexico = page.split(">Mexico</a></th>")[1].split("</tr>")[0]
    assert "Draft" in mexico and ">v1</a>" in mexico
    filtered = client.get(reverse("admin:factsheets_edition_factsheets", args=[2023]) + "?live=no").content.decode()
    assert ">Mexico</a>" not in filtered


def test_editors_have_a_ready_to_publish_queue_and_are_told(users, factsheet, walk_to,
                                                            django_capture_on_commit_callbacks):
    walk_to(factsheet, State.IN_REVIEW)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.factsheet_approve(factsheet=factsheet, by=users["reviewer"])
    ready = _queue(users["editor"], "ready_to_publish")
    assert [f.pk for f in ready["items"]] == [factsheet.pk] and ready["count"] == 1
    to_editor = [m for m in mail.outbox if users["editor"].email in m.to]
    assert to_editor and "ready to publish" in to_editor[0].subject
    assert "http://testserver/admin/" in to_editor[0].body and "What to do next" in to_editor[0].body
    assert "ready_to_publish" not in team.dashboard(user=users["analyst"])


def test_every_role_sees_its_own_queues_with_counts(users, factsheet, walk_to, client):
    walk_to(factsheet, State.IN_REVIEW)
    expected = {"analyst": ["Mine, waiting for a decision (1)", "My drafts (0)"],
                "reviewer": ["Awaiting my review (1)"],
                "editor": ["Ready to publish (0)", "Awaiting my review (1)"]}
    for role, titles in expected.items():
        client.force_login(users[role])
        html = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", client.get(reverse("admin:index")).content.decode()))
        for title in titles:
            assert title in html, (role, title)


def test_a_reviewer_does_not_see_what_four_eyes_keep_them_from_deciding(users, factsheet):
    factsheet.updated_by = users["analyst"]
    factsheet.save(update_fields=["updated_by"])
    services.revision_record(factsheet=factsheet, by=users["editor"])  # the editor wrote part of it
    services.factsheet_submit(factsheet=factsheet, by=users["analyst"])
    assert _queue(users["editor"], "awaiting_review")["count"] == 0
    assert _queue(users["reviewer"], "awaiting_review")["count"] == 1


def test_workflow_emails_carry_absolute_links_and_the_next_step(users, factsheet, walk_to,
                                                                django_capture_on_commit_callbacks):
    services.factsheets_assign(factsheets=[factsheet], by=users["editor"], analyst=users["analyst"])
    walk_to(factsheet, State.IN_REVIEW)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.factsheet_request_changes(factsheet=factsheet, by=users["reviewer"], comment="Name the programme.")
    (message,) = mail.outbox
    assert message.to == [users["analyst"].email]
    assert re.search(r"http://testserver/admin/factsheets/factsheet/\d+/change/", message.body)
    assert "What to do next: make the changes" in message.body


# --- review (12.5-12.7) -------------------------------------------------------------------------------------

def test_changes_since_my_last_review(users, factsheet, walk_to, client):
    walk_to(factsheet, State.IN_REVIEW)
    services.factsheet_request_changes(factsheet=factsheet, by=users["reviewer"], comment="Fix the fox.")
    factsheet.refresh_from_db()
    factsheet.introduction = "<p>The quick red fox.[^one]</p>"
    factsheet.save()
    services.revision_record(factsheet=factsheet, by=users["analyst"])
    services.factsheet_submit(factsheet=factsheet, by=users["analyst"])
    client.force_login(users["reviewer"])
    index = client.get(reverse("admin:index")).content.decode()
    link = reverse("admin:factsheets_factsheet_compare", args=[factsheet.pk]) + "?since=my-review"
    assert link in index and "Changes since my last review" in index
    page = client.get(reverse("admin:factsheets_factsheet_change", args=[factsheet.pk])).content.decode()
    assert link.replace("&", "&amp;") in page
    compare = client.get(link).content.decode()
    assert "Since your last review: you requested changes on" in compare
    assert "<del>brown</del><ins>red</ins>" in compare
    assert compare.count('<tr class="change-') == 1  # only what changed since
    side = client.get(link + "&view=side").content.decode()
    assert "<del>brown</del>" in side and "<ins>red</ins>" in side and "Inline view" in side
    history = client.get(reverse("admin:factsheets_factsheet_history", args=[factsheet.pk])).content.decode()
    assert "Changes requested by rev" in history and "Submitted for review by ana" in history


def test_open_comments_link_to_their_place_and_are_resolved_by_the_analyst(users, factsheet, walk_to, client):
    section = Section.objects.get(edition=factsheet.edition, kind="introduction")
    walk_to(factsheet, State.IN_REVIEW)
    services.factsheet_request_changes(factsheet=factsheet, by=users["reviewer"], comment="Say more.",
                                       section=section)
    policy = factsheet.policies.get()
    services.review_comment_add(factsheet=factsheet, by=users["reviewer"], text="Check the name.", policy=policy)
    client.force_login(users["analyst"])
    url = reverse("admin:factsheets_factsheet_change", args=[factsheet.pk])
    page = client.get(url).content.decode()
    assert "Open comments (2)" in page
    assert 'data-comment-target="section-introduction"' in page and 'href="#section-introduction"' in page
    assert f'data-comment-target="policy-{policy.pk}"' in page
    assert "section-introduction" in page.split('id="factsheet_form"')[1]  # the fieldset carries the anchor
    comment = ReviewComment.objects.get(text="Check the name.")
    response = client.post(reverse("admin:factsheets_factsheet_comment_resolve", args=[factsheet.pk, comment.pk]))
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.resolved_by == users["analyst"] and comment.resolved_at is not None
    assert "Open comments (1)" in client.get(url).content.decode()
    client.force_login(users["nobody"])
    other = ReviewComment.objects.get(text="Say more.")
    client.post(reverse("admin:factsheets_factsheet_comment_resolve", args=[factsheet.pk, other.pk]))
    other.refresh_from_db()
    assert other.resolved_at is None


# --- the form (12.15, 12.16) --------------------------------------------------------------------------------

def test_carry_forward_issues_are_grouped_linked_and_handled(demo, users, client):
    services.demo_publish(factsheet=demo[2023])
    for category in demo[2023].edition.categories.filter(vocabulary__in=["objective", "beneficiary"]):
        category.label += " (new)"
        category.save()
    _edition, (new,) = editions.edition_open(source=demo[2023].edition, year=2026, by=users["editor"])
    client.force_login(users["analyst"])
    url = reverse("admin:factsheets_factsheet_change", args=[new.pk])
    page = client.get(url).content.decode()
    total = new.carry_forward_issues.count()
    assert f"To check after carrying forward: {total} open of {total}" in page
    assert "<summary>Policy objectives (" in page and "<summary>Beneficiaries (" in page
    assert re.search(r'<a href="#policy-\d+">go to the field</a>', page)
    issue = new.carry_forward_issues.first()
    client.post(reverse("admin:factsheets_factsheet_issue_handle", args=[new.pk, issue.pk]))
    assert f"{total - 1} open of {total}" in client.get(url).content.decode()
    client.force_login(users["editor"])
    dashboard = client.get(reverse("admin:factsheets_edition_factsheets", args=[2026])).content.decode()
    assert f"#carry-forward-issues\">{total - 1}</a>" in dashboard


def test_wording_and_small_faults(users, factsheet, walk_to, client, demo):
    walk_to(factsheet, State.IN_REVIEW)
    client.force_login(users["reviewer"])
    response = client.post(reverse("admin:factsheets_factsheet_workflow", args=[factsheet.pk]),
                           {"action": "request_changes", "comment": "More."})
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "Request changes: done. The factsheet now has changes requested." in messages
    client.force_login(users["editor"])
    countries = client.get(reverse("admin:factsheets_country_changelist")).content.decode()
    assert re.search(r'<td class="field-iso_code">MX</td>', countries)
    assert client.get("/favicon.ico").status_code == 301
    assert 'rel="icon"' in client.get(reverse("admin:index")).content.decode()
    # "Compare with published version" only when something differs
    services.demo_publish(factsheet=demo[2023])
    page = client.get(reverse("admin:factsheets_factsheet_change", args=[demo[2023].pk])).content.decode()
    assert "Compare with published version" not in page


def test_an_approved_factsheet_does_not_say_a_decision_is_pending(users, factsheet, walk_to, client):
    walk_to(factsheet, State.APPROVED)
    client.force_login(users["analyst"])
    page = client.get(reverse("admin:factsheets_factsheet_change", args=[factsheet.pk])).content.decode()
    assert "decision is pending" not in page and "approved and waiting to be published" in page


def test_an_invalid_footnote_key_is_not_ignored_silently(users, factsheet):
    factsheet.introduction = "<p>See the note.[^Source 2023]</p>"
    factsheet.save()
    from factsheets.selectors import factsheet_footnote_problems

    problems = [str(p) for p in factsheet_footnote_problems(factsheet=factsheet)]
    assert any("“[^Source 2023]” is not a footnote call" in p for p in problems)
    services.revision_record(factsheet=factsheet, by=users["analyst"])
    from editorial.permissions import WorkflowError

    with pytest.raises(WorkflowError, match="is not a footnote call"):
        services.factsheet_submit(factsheet=factsheet, by=users["analyst"])


def test_the_conflict_message_gives_local_time(users, factsheet):
    from django.utils import timezone

    from editorial.forms import FactsheetChangeForm

    form = FactsheetChangeForm(instance=factsheet, data={"loaded_version": factsheet.lock_version - 1 or 99})
    form.is_valid()
    message = " ".join(form.non_field_errors())
    local = timezone.localtime(factsheet.updated_at).strftime("%H:%M")
    assert f"at {local} while you were editing" in message


def test_the_site_url_is_required_outside_development(settings):
    from editorial.checks import site_url_check

    settings.DEBUG = False
    settings.EDITORIAL_SITE_URL = ""
    assert [e.id for e in site_url_check()] == ["editorial.E001"]
    settings.EDITORIAL_SITE_URL = "https://factsheets.example.org"
    assert site_url_check() == []


def test_a_factsheet_without_assessments_gets_one_row_per_criterion(admin_client):
    edition = factories.EditionFactory(year=2033)
    criteria = [factories.CriterionFactory(edition=edition) for _ in range(3)]
    factsheet = factories.FactsheetFactory(edition=edition)
    response = admin_client.get(reverse("admin:factsheets_factsheet_change", args=[factsheet.pk]))
    formset = next(f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "assessments")
    assert [form["criterion"].value() for form in formset.forms] == [c.pk for c in criteria]
