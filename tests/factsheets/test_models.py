"""What the database itself holds: uniqueness, year ranges, ordering."""

import pytest
from django.db import IntegrityError, transaction

from factsheets.models import Policy
from tests.factories import (
    AssessmentFactory,
    CategoryFactory,
    CountryFactory,
    EditionFactory,
    FactsheetFactory,
    FootnoteFactory,
    PolicyFactory,
    ReferenceFactory,
)

pytestmark = pytest.mark.django_db


def refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_one_factsheet_per_country_and_edition():
    factsheet = FactsheetFactory()
    refused(lambda: FactsheetFactory(country=factsheet.country, edition=factsheet.edition))
    FactsheetFactory(country=factsheet.country, edition=EditionFactory())


def test_edition_year_range():
    refused(lambda: EditionFactory(year=1999))
    refused(lambda: EditionFactory(year=2101))


def test_end_year_before_start_year_is_refused_by_the_database():
    refused(lambda: PolicyFactory(period=Policy.Period.LIMITED, start_year=2020, end_year=2019))
    PolicyFactory(period=Policy.Period.LIMITED, start_year=2020, end_year=2020)


def test_end_year_only_for_limited_period():
    refused(lambda: PolicyFactory(period=Policy.Period.UNLIMITED, start_year=2020, end_year=2030))
    refused(lambda: PolicyFactory(period="", end_year=2030))


def test_year_ranges():
    refused(lambda: PolicyFactory(start_year=1850))
    refused(lambda: PolicyFactory(period=Policy.Period.LIMITED, end_year=2200))


def test_policy_order_is_unique_within_a_factsheet():
    policy = PolicyFactory(order=1)
    refused(lambda: PolicyFactory(factsheet=policy.factsheet, order=1))
    PolicyFactory(factsheet=policy.factsheet, order=2)


def test_policies_come_in_order():
    factsheet = FactsheetFactory()
    PolicyFactory(factsheet=factsheet, order=2, name="second")
    PolicyFactory(factsheet=factsheet, order=1, name="first")
    assert [p.name for p in factsheet.policies.all()] == ["first", "second"]


def test_category_labels_unique_per_edition_and_vocabulary():
    category = CategoryFactory(label="SMEs")
    refused(lambda: CategoryFactory(edition=category.edition, vocabulary=category.vocabulary, label="SMEs"))
    CategoryFactory(edition=EditionFactory(), vocabulary=category.vocabulary, label="SMEs")


def test_one_assessment_per_criterion_and_non_negative_score():
    assessment = AssessmentFactory(score=1)
    refused(lambda: AssessmentFactory(factsheet=assessment.factsheet, criterion=assessment.criterion))
    refused(lambda: AssessmentFactory(score=-1))


def test_footnote_keys_and_reference_order_unique_per_factsheet():
    footnote = FootnoteFactory(key="region")
    refused(lambda: FootnoteFactory(factsheet=footnote.factsheet, key="region"))
    reference = ReferenceFactory(order=1)
    refused(lambda: ReferenceFactory(factsheet=reference.factsheet, order=1))


def test_country_code_unique():
    CountryFactory(code="MX")
    from factsheets.models import Country

    refused(lambda: Country.objects.create(code="MX", name="Mexico"))
