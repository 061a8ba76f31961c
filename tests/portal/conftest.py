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
