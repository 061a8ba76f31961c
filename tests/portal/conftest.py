"""Fixtures of the portal tests: synthetic editions of published factsheets (up to 56 countries), built with
the factories and published through the same records as the publish job."""

import pytest
from django.core.cache import cache
from django_countries import countries

from editorial.publishing.summaries import summary_ensure
from factsheets.models import Edition, Vocabulary
from tests import factories
from tests.editorial.conftest import users  # noqa: F401 - the users per role, as in the editorial tests

LEVELS = ["Absence of cluster policy", "Broad policy", "Sectoral policy", "National and/or regional cluster policy"]
POLICY_TYPES = ["Broad policy", "National cluster policy", "Regional cluster policy"]
OBJECTIVES = ["Supporting internationalisation activities", "Fostering innovation", "Promoting entrepreneurship"]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


class EditionBuilder:
    """An edition with its vocabularies, one criterion with four levels, and sections, to which factsheets are
    added by specification."""

    def __init__(self, year: int, *, scored: bool = False):
        method = Edition.AssessmentMethod.SCORE if scored else Edition.AssessmentMethod.LEVEL
        self.edition = factories.EditionFactory(year=year, assessment_method=method)
        for order, (kind, title) in enumerate([("introduction", "Introduction"), ("policies", "Cluster policy"),
                                               ("assessment", "State of cluster policy")], start=1):
            factories.SectionFactory(edition=self.edition, kind=kind, title=title, number=order, order=order)
        self.categories = {}
        for vocabulary, labels in [(Vocabulary.POLICY_TYPE, POLICY_TYPES), (Vocabulary.OBJECTIVE, OBJECTIVES)]:
            for label in labels:
                self.category(vocabulary, label)
        self.criterion = factories.CriterionFactory(edition=self.edition, name="Policy scope",
                                                    max_score=4 if scored else None)
        self.levels = {label: factories.LevelFactory(criterion=self.criterion, label=label, rank=rank)
                       for rank, label in enumerate(LEVELS)}

    def category(self, vocabulary, label):
        key = (vocabulary, label)
        if key not in self.categories:
            self.categories[key] = factories.CategoryFactory(edition=self.edition, vocabulary=vocabulary, label=label)
        return self.categories[key]

    def factsheet(self, code: str, *, policies=(), level=None, score=None, intro="An introduction."):
        """policies: (type label, [objective labels], overall budget EUR or None, name) tuples."""
        country = factories.CountryFactory(code=code, name=countries.name(code))
        fs = factories.FactsheetFactory(edition=self.edition, country=country,
                                        introduction=f"<p>{intro}</p>")
        for order, (type_label, objectives, budget, name) in enumerate(policies, start=1):
            policy = factories.PolicyFactory(
                factsheet=fs, order=order, name=name, budget_overall_eur=budget,
                policy_type=self.category(Vocabulary.POLICY_TYPE, type_label),
            )
            policy.objectives.set([self.category(Vocabulary.OBJECTIVE, label) for label in objectives])
        factories.AssessmentFactory(factsheet=fs, criterion=self.criterion,
                                    level=self.levels[level] if level else None, score=score)
        return fs


def country_codes(n: int) -> list[str]:
    codes = [code for code, _ in countries if code not in ("MX",)]
    return codes[:n]


def published_edition(year: int, n: int) -> EditionBuilder:
    """n published countries, alike but for their codes: the query counts must not depend on n."""
    builder = EditionBuilder(year)
    for i, code in enumerate(country_codes(n)):
        fs = builder.factsheet(code, level=LEVELS[i % 4], policies=[
            ("National cluster policy", OBJECTIVES[:2], 1_000_000, f"Programme {code}"),
            ("Broad policy", OBJECTIVES[1:], None, f"Strategy {code}"),
        ])
        factories.publish_fast(fs, summary=False)
    summary_ensure(edition=builder.edition)
    return builder


@pytest.fixture
def open_edition(db):
    """A levelled edition with France (two policies: budgets in a foreign currency with a rounded rate, printed
    notes, a footnote call in the type detail, a cell a spreadsheet would run as a formula) and Germany (none)."""
    from decimal import Decimal

    builder = EditionBuilder(2061)
    fs = builder.factsheet("FR", level=LEVELS[2], intro="Intro with a call.[^n]", policies=[
        ("National cluster policy", ["Supporting internationalisation activities", "Fostering innovation"],
         1_250_000.5, "Pôles de compétitivité"),
        ("Broad policy", [], None, "=HYPERLINK(\"http://evil\")"),
    ])
    first = fs.policies.get(order=1)
    first.type_detail = "Nuevo León[^nl]"
    first.beneficiaries_other = "Nature"
    first.period, first.start_year, first.end_year = "limited", 2019, 2024
    first.budget_overall_eur, first.budget_overall_amount = Decimal("1420000"), Decimal("30000000")
    first.budget_overall_currency, first.budget_exchange_rate = "MXN", Decimal("0.05")
    first.budget_overall_note = "Estimate."
    first.save()
    fs.policies.filter(order=2).update(type_detail="'=1+1")  # escaped as every export escapes: ''=1+1
    factories.FootnoteFactory(factsheet=fs, key="n", text="<p>A note.</p>")
    factories.FootnoteFactory(factsheet=fs, key="nl", text="<p>A state of Mexico.</p>")
    factories.ReferenceFactory(factsheet=fs, order=1)
    factories.publish_fast(fs)
    factories.publish_fast(builder.factsheet("DE", level=LEVELS[3]))
    return builder
