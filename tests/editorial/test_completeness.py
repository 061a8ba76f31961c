"""Nothing thin goes through (issue 19.4): each edition lists what a complete factsheet holds (data); Submit,
Approve and Publish refuse a factsheet that lacks a part, naming it and linking to it; the edition dashboard
counts what each country lacks."""

import pytest
from django.urls import reverse

from editorial import services
from editorial.completeness import IncompleteFactsheet
from factsheets.models import CompletenessRule, State, Vocabulary
from tests import factories
from tests.editorial.conftest import footprint

pytestmark = pytest.mark.django_db

Part = CompletenessRule.Part


def _edition(year, parts=tuple(Part.values), minimum=1):
    edition = factories.EditionFactory(year=year)
    for part in parts:
        CompletenessRule.objects.create(edition=edition, part=part, minimum=minimum)
    factories.SectionFactory(edition=edition, kind="introduction", title="Introduction", number=1, order=1)
    criterion = factories.CriterionFactory(edition=edition, name="Policy scope")
    factories.LevelFactory(criterion=criterion, label="Broad policy", rank=1)
    factories.TopicFactory(edition=edition, title="Governance")
    return edition


def _complete(edition, code="FR"):
    """A factsheet holding every part of the default rules."""
    fs = factories.FactsheetFactory(edition=edition, country=factories.CountryFactory(code=code),
                                    introduction="<p>A full introduction.</p>")
    factories.PolicyFactory(factsheet=fs, order=1, name="Cluster programme")
    factories.AssessmentFactory(factsheet=fs, criterion=edition.criteria.get(),
                                level=edition.criteria.get().levels.get())
    factories.QualitativeAssessmentFactory(factsheet=fs, topic=edition.topics.get(), text="<p>Governance text.</p>")
    factories.ReferenceFactory(factsheet=fs, order=1)
    return fs


def _submit(fs, users):
    fs.updated_by = users["analyst"]
    fs.save()
    services.revision_record(factsheet=fs, by=users["analyst"])
    return services.factsheet_submit(factsheet=fs, by=users["analyst"])


BREAK = {
    Part.INTRODUCTION: (lambda fs: fs.__class__.objects.filter(pk=fs.pk).update(introduction="<p> </p>"),
                        "the introduction (it is empty)", "section-introduction"),
    Part.POLICIES: (lambda fs: fs.policies.all().delete(), "a policy, or the “no cluster policy” statement",
                    "policies-group"),
    Part.ASSESSMENTS: (lambda fs: fs.assessments.update(level=None),
                       "the level of the criterion “Policy scope”", "assessments-group"),
    Part.QUALITATIVE: (lambda fs: fs.qualitative.update(text="", summary=""),
                       "the qualitative text on “Governance”", "qualitative-group"),
    Part.REFERENCES: (lambda fs: fs.references.all().delete(), "a reference", "references-group"),
}


@pytest.mark.parametrize("part", list(Part.values))
def test_submit_refuses_a_factsheet_lacking_a_part_naming_it_and_linking_to_it(users, part):
    edition = _edition(2101 - list(Part.values).index(part) - 1)
    fs = _complete(edition)
    breaker, text, anchor = BREAK[part]
    breaker(fs)
    fs.refresh_from_db()
    before = footprint(fs)
    with pytest.raises(IncompleteFactsheet) as refused:
        _submit(fs, users)
    assert text in refused.value.message
    assert f'/admin/factsheets/factsheet/{fs.pk}/change/#{anchor}"' in refused.value.html
    assert [m.anchor for m in refused.value.missing] == [anchor]
    assert footprint(fs)[0] == State.DRAFT and footprint(fs)[2] == before[2]  # no decision recorded


def test_the_rules_are_the_editions_own(users):
    """An edition without a rule asks for nothing; the same thin factsheet passes there."""
    thin_rules = _edition(2094, parts=[Part.INTRODUCTION])
    fs = factories.FactsheetFactory(edition=thin_rules, introduction="<p>One sentence.</p>")
    _submit(fs, users)
    fs.refresh_from_db()
    assert fs.state == State.IN_REVIEW


def test_no_cluster_policy_needs_its_reason(users):
    edition = _edition(2093)
    fs = _complete(edition)
    fs.policies.all().delete()
    fs.no_cluster_policy = True
    fs.save()
    with pytest.raises(IncompleteFactsheet, match="the reason there is no cluster policy"):
        _submit(fs, users)
    fs.policies_intro = "<p>The country has no cluster policy: clusters are supported through general SME aid.</p>"
    fs.save()
    _submit(fs, users)
    fs.refresh_from_db()
    assert fs.state == State.IN_REVIEW


def test_the_three_one_sentence_factsheets_of_the_walkthrough_are_refused_at_submit_with_what_is_missing(
        client, users):
    edition = _edition(2092)
    factories.CategoryFactory(edition=edition, vocabulary=Vocabulary.POLICY_TYPE, label="Broad policy")
    thin = [factories.FactsheetFactory(edition=edition, country=factories.CountryFactory(code=code),
                                       introduction=f"<p>{name} has clusters.</p>")
            for code, name in [("PT", "Portugal"), ("GR", "Greece"), ("SK", "Slovakia")]]
    client.force_login(users["analyst"])
    for fs in thin:
        fs.updated_by = users["analyst"]
        fs.save()
        response = client.post(reverse("admin:factsheets_factsheet_workflow", args=[fs.pk]), {"action": "submit"},
                               follow=True)
        html = response.content.decode()
        assert "“Submit for review” is not possible until the factsheet is complete" in html
        for text in ["a policy, or the “no cluster policy” statement", "the level of the criterion “Policy scope”",
                     "the qualitative text on “Governance”", "a reference"]:
            assert text in html
        assert f'href="/admin/factsheets/factsheet/{fs.pk}/change/#policies-group"' in html
        fs.refresh_from_db()
        assert fs.state == State.DRAFT
    client.force_login(users["editor"])
    dashboard = client.get(reverse("admin:factsheets_edition_factsheets", args=[2092])).content.decode()
    assert dashboard.count("4 missing") == 3


def test_approve_and_publish_check_again(users):
    """Rules tightened after a submission: Approve refuses; after an approval: Publish refuses."""
    edition = _edition(2091, parts=[Part.INTRODUCTION])
    fs = _complete(edition)
    fs.references.all().delete()
    _submit(fs, users)
    CompletenessRule.objects.create(edition=edition, part=Part.REFERENCES, minimum=1)
    with pytest.raises(IncompleteFactsheet, match="a reference"):
        services.factsheet_approve(factsheet=fs, by=users["reviewer"])
    CompletenessRule.objects.filter(edition=edition, part=Part.REFERENCES).delete()
    services.factsheet_approve(factsheet=fs, by=users["reviewer"])
    CompletenessRule.objects.create(edition=edition, part=Part.REFERENCES, minimum=2)
    with pytest.raises(IncompleteFactsheet, match="at least 2 references"):
        services.publish_job_request(factsheet=fs, by=users["editor"])
    assert not fs.publications.exists()


def test_a_new_edition_keeps_the_rules_of_the_one_it_is_opened_from(users):
    from editorial.editions import edition_open

    source = _edition(2080, parts=[Part.INTRODUCTION, Part.REFERENCES], minimum=2)
    new, _ = edition_open(source=source, year=2089, by=users["editor"])
    assert sorted(new.completeness_rules.values_list("part", "minimum")) == [("introduction", 2), ("references", 2)]


def test_the_demo_factsheets_are_complete(demo):
    from editorial.completeness import edition_rules, snapshot_missing
    from editorial.snapshots import factsheet_snapshot

    for fs in demo.values():
        assert edition_rules(edition=fs.edition), fs
        assert snapshot_missing(factsheet_snapshot(factsheet=fs), edition_rules(edition=fs.edition)) == [], fs
