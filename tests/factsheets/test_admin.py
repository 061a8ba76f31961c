"""The analysts' admin: pages for every model with bounded queries, edition-limited choices, validation."""

import re

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from factsheets.models import Category, Criterion, Edition, Factsheet, Policy, Vocabulary
from tests.factories import FactsheetFactory, PolicyFactory

pytestmark = pytest.mark.django_db


def form_data(response) -> dict:
    """The POST data a browser would send back for an admin change form as it was rendered."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None:
                continue
            if isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            else:
                data[key] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value())
        for form in formset.forms:
            add(form)
    return data


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def test_changelists_of_every_model_answer_in_bounded_queries(admin_client, demo, django_assert_max_num_queries):
    for model in ("factsheet", "edition", "criterion", "category", "country"):
        with django_assert_max_num_queries(8):
            response = admin_client.get(reverse(f"admin:factsheets_{model}_changelist"))
        assert response.status_code == 200, model


def test_factsheet_changelist_queries_do_not_grow_with_factsheets(admin_client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    edition = FactsheetFactory().edition
    with CaptureQueriesContext(connection) as few:
        admin_client.get(reverse("admin:factsheets_factsheet_changelist"))
    for _ in range(15):
        FactsheetFactory(edition=edition)
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(reverse("admin:factsheets_factsheet_changelist"))
    assert response.status_code == 200
    assert len(many) == len(few)


def test_changelist_shows_who_modified_and_filters_by_edition(admin_client, demo):
    response = admin_client.get(reverse("admin:factsheets_factsheet_changelist") + "?" + urlencode(
        {"edition__id__exact": demo[2023].edition_id}
    ))
    content = response.content.decode()
    assert "Mexico" in content and "2023 edition" in content
    assert response.context["cl"].result_count == 1
    search = admin_client.get(reverse("admin:factsheets_factsheet_changelist") + "?q=mexi")
    assert search.context["cl"].result_count == 2


def test_factsheet_change_page_queries_do_not_grow_with_policies(admin_client, demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    factsheet = demo[2023]
    admin_client.get(change_url(factsheet))  # warm per-process caches (content types)
    with CaptureQueriesContext(connection) as two:
        response = admin_client.get(change_url(factsheet))
    assert response.status_code == 200
    policy_type = Category.objects.get(edition=factsheet.edition, vocabulary=Vocabulary.POLICY_TYPE,
                                       label="Sectoral policy")
    PolicyFactory(factsheet=factsheet, order=3, policy_type=policy_type)
    PolicyFactory(factsheet=factsheet, order=4, policy_type=policy_type)
    with CaptureQueriesContext(connection) as four:
        admin_client.get(change_url(factsheet))
    assert len(four) == len(two)
    assert len(two) <= 40  # measured 33, plus 20%


def test_change_pages_of_methodology_models_are_bounded(admin_client, demo, django_assert_max_num_queries):
    edition = demo[2023].edition
    for obj in (edition, Criterion.objects.filter(edition=edition).first(), demo[2023].country,
                Category.objects.filter(edition=edition).first()):
        with django_assert_max_num_queries(14):
            response = admin_client.get(change_url(obj))
        assert response.status_code == 200, obj


def test_factsheet_page_is_organised_like_the_printed_factsheet(admin_client, demo):
    content = re.sub(r">\s+", ">", admin_client.get(change_url(demo[2023])).content.decode())
    order = ["1. Introduction and economic policy context", "2. National cluster policy",
             "Policy objectives", "Policy focus", "Responsible authorities", "Beneficiaries", "Instruments",
             "History", "Budget", "Policy evaluation", "Policy alignment with the EU priorities",
             "3. State of cluster policy", "State of cluster policy: assessment per criterion",
             "State of cluster policy: qualitative assessment per topic", "Footnotes", "References"]
    positions = [content.find(f"heading\">{marker}") for marker in order]
    assert -1 not in positions, [m for m, p in zip(order, positions, strict=True) if p < 0]
    assert positions == sorted(positions), list(zip(order, positions, strict=True))


def test_category_checkboxes_are_limited_to_the_edition(admin_client, demo):
    page_2023 = admin_client.get(change_url(demo[2023])).content.decode()
    page_2020 = admin_client.get(change_url(demo[2020])).content.decode()
    assert 'type="checkbox" name="policies-0-objectives"' in page_2023
    assert "Increase supply chain resilience" in page_2023
    assert "Increase supply chain resilience" not in page_2020


def test_analyst_edits_a_policy_through_the_admin(client, analyst, demo):
    client.force_login(analyst)
    factsheet = demo[2023]
    response = client.get(change_url(factsheet))
    assert response.status_code == 200
    data = form_data(response)
    nature_free = Category.objects.get(edition=factsheet.edition, vocabulary=Vocabulary.EU_PRIORITY,
                                       label="Digitalisation")
    data["policies-1-eu_priorities"] = data.get("policies-1-eu_priorities", []) + [str(nature_free.pk)]
    data["introduction"] = data["introduction"] + "<p>Added <script>x()</script>paragraph.</p>"
    response = client.post(change_url(factsheet), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    regional = factsheet.policies.get(order=2)
    assert "Digitalisation" in [c.label for c in regional.eu_priorities.all()]
    factsheet.refresh_from_db()
    assert factsheet.introduction.endswith("<p>Added paragraph.</p>")
    assert factsheet.updated_by == analyst


def test_a_2023_policy_cannot_select_a_2020_category(admin_client, demo):
    factsheet = demo[2023]
    response = admin_client.get(change_url(factsheet))
    data = form_data(response)
    old = Category.objects.get(edition__year=2020, vocabulary=Vocabulary.OBJECTIVE,
                               label="Supporting the consolidation of existing cluster organisations")
    data["policies-0-objectives"] = data["policies-0-objectives"] + [str(old.pk)]
    before = list(factsheet.policies.get(order=1).objectives.values_list("pk", flat=True))
    response = admin_client.post(change_url(factsheet), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert list(factsheet.policies.get(order=1).objectives.values_list("pk", flat=True)) == before


def test_end_year_before_start_year_gets_a_message(admin_client, demo):
    factsheet = demo[2023]
    data = form_data(admin_client.get(change_url(factsheet)))
    data["policies-1-end_year"] = "2010"
    response = admin_client.post(change_url(factsheet), data)
    assert response.status_code == 200
    assert "The ending year (2010) is before the starting year (2015)." in response.content.decode()
    assert factsheet.policies.get(order=2).end_year == 2030


def test_end_year_with_unlimited_period_gets_a_message(admin_client, demo):
    factsheet = demo[2023]
    data = form_data(admin_client.get(change_url(factsheet)))
    data["policies-0-end_year"] = "2030"
    response = admin_client.post(change_url(factsheet), data)
    assert "An ending year is only given for a policy with a limited period." in response.content.decode()
    assert factsheet.policies.get(order=1).end_year is None


def test_assessment_level_must_belong_to_its_criterion(admin_client, demo):
    factsheet = demo[2023]
    data = form_data(admin_client.get(change_url(factsheet)))
    criteria = list(factsheet.edition.criteria.prefetch_related("levels"))
    data["assessments-0-level"] = str(criteria[1].levels.all()[0].pk)
    response = admin_client.post(change_url(factsheet), data)
    assert "Select a valid choice" in response.content.decode()
    assert factsheet.assessments.get(criterion=criteria[0]).level.criterion_id == criteria[0].pk


def test_each_criterion_has_its_row_and_offers_only_its_own_levels(admin_client, demo):
    factsheet = demo[2023]
    criteria = list(factsheet.edition.criteria.prefetch_related("levels").order_by("order"))
    factsheet.assessments.filter(criterion=criteria[-1]).delete()  # a criterion not assessed yet
    response = admin_client.get(change_url(factsheet))
    formset = next(f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "assessments")
    rows = {form["criterion"].value(): form for form in formset.forms}
    assert set(rows) == {c.pk for c in criteria}  # the missing one is already there, pre-filled
    for criterion in criteria:
        offered = {value for value, _ in rows[criterion.pk].fields["level"].choices if value}
        assert {str(v) for v in offered} == {str(lv.pk) for lv in criterion.levels.all()}
    data = form_data(response)
    index = next(i for i, form in enumerate(formset.forms) if form["criterion"].value() == criteria[-1].pk)
    data[f"assessments-{index}-level"] = str(criteria[-1].levels.all()[0].pk)
    assert admin_client.post(change_url(factsheet), data).status_code == 302
    assert factsheet.assessments.get(criterion=criteria[-1]).level == criteria[-1].levels.all()[0]


def test_score_above_maximum_is_refused(admin_client, demo):
    factsheet = demo[2020]
    data = form_data(admin_client.get(change_url(factsheet)))
    data["assessments-0-score"] = "3"
    response = admin_client.post(change_url(factsheet), data)
    assert "The score cannot exceed the maximum of 2.0." in response.content.decode()


def test_adding_a_factsheet_asks_country_and_edition_first(admin_client, demo):
    response = admin_client.get(reverse("admin:factsheets_factsheet_add"))
    assert list(response.context["adminform"].form.fields) == ["country_code", "edition"]
    edition = Edition.objects.get(year=2023)
    from factsheets.services import country_get_or_create

    france = country_get_or_create(code="FR")
    response = admin_client.post(reverse("admin:factsheets_factsheet_add"),
                                 {"country_code": "FR", "edition": edition.pk})
    assert response.status_code == 302
    assert Factsheet.objects.filter(country=france, edition=edition).exists()
    again = admin_client.post(reverse("admin:factsheets_factsheet_add"), {"country_code": "FR", "edition": edition.pk})
    assert again.status_code == 200 and "France already has a factsheet in the 2023 edition" in again.content.decode()


def test_an_analyst_starts_a_factsheet_for_a_country_the_platform_has_never_seen(client, analyst, demo):
    from factsheets.models import Country

    assert not Country.objects.filter(code="KE").exists()
    client.force_login(analyst)
    page = client.get(reverse("admin:factsheets_factsheet_add")).content.decode()
    assert ">Kenya</option>" in page
    edition = Edition.objects.get(year=2023)
    response = client.post(reverse("admin:factsheets_factsheet_add"), {"country_code": "KE", "edition": edition.pk})
    assert response.status_code == 302
    factsheet = Factsheet.objects.get(country__code="KE", edition=edition)
    assert factsheet.country.name == "Kenya"
    assert factsheet.assigned_analyst == analyst  # in the analyst's own queue from the start


def test_country_name_comes_from_its_iso_code(admin_client):
    response = admin_client.post(reverse("admin:factsheets_country_add"), {"code": "DE"})
    assert response.status_code == 302
    from factsheets.models import Country

    assert Country.objects.get(code="DE").name == "Germany"


def test_reviewer_cannot_change_factsheets(client, reviewer, demo):
    client.force_login(reviewer)
    factsheet = demo[2023]
    assert client.get(change_url(factsheet)).status_code == 200  # view only
    response = client.post(change_url(factsheet), {"introduction": "<p>x</p>"})
    assert response.status_code == 403
    assert Policy.objects.filter(factsheet=factsheet).count() == 2


def test_factsheet_search_finds_words_inside_policies_assessments_notes_and_references(admin_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import FootnoteFactory, QualitativeAssessmentFactory, ReferenceFactory

    edition = FactsheetFactory().edition
    target = FactsheetFactory(edition=edition, introduction="<p>Plain introduction.</p>")
    PolicyFactory(factsheet=target, name="Programme", history_text="<p>Launched by the Walrusministry.</p>")
    PolicyFactory(factsheet=target, name="Second programme", beneficiaries_other="Lighthouse keepers")
    QualitativeAssessmentFactory(factsheet=target, text="<p>An assessment of the Gannetfund.</p>")
    for _ in range(3):  # rows of every relation: none may multiply the others or list the factsheet twice
        FootnoteFactory(factsheet=target, text="<p>Puffinreport, p. 3.</p>")
        ReferenceFactory(factsheet=target, citation="Ternagency (2021). Annual report.")
    other = FactsheetFactory(edition=edition)
    PolicyFactory(factsheet=other, name="Walrusministry only", history_text="<p>Nothing else.</p>")

    def found(q):
        url = reverse("admin:factsheets_factsheet_changelist") + "?" + urlencode({"q": q})
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(url)
        assert len(queries) <= 8
        # Each related table is read in a subquery: joining them all would multiply policies by notes by
        # references for every factsheet (thousands of rows each at 12 policies and 300 references).
        joins = re.findall(r'JOIN "factsheets_(policy|footnote|reference|qualitativeassessment)"',
                           " ".join(q["sql"] for q in queries.captured_queries))
        assert joins == []
        return sorted(f.pk for f in response.context["cl"].result_list)

    assert found("walrusministry") == sorted([target.pk, other.pk])
    assert found("gannetfund") == found("PUFFINREPORT") == found("ternagency") == [target.pk]
    assert found("lighthouse keepers") == [target.pk]
    assert found("walrusministry gannetfund") == [target.pk]  # every word, anywhere in the factsheet
    assert found('"annual report" puffinreport') == [target.pk]
    assert found("walrusministry nowhereword") == []
