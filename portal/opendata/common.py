"""What every open data file shares: the licence, the publisher, absolute addresses built from the site's
configured address (never from a request's Host header) and an edition's methodology as the data states it."""

from dataclasses import dataclass, field

from django.conf import settings

from portal.records import VOCABULARIES

AUTHORITY = "http://publications.europa.eu/resource/authority/"
LICENCE = {
    "name": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "iri": AUTHORITY + "licence/CC_BY_4_0",
}
TITLE = "ECCP country factsheets"
PUBLISHER = "European Cluster Collaboration Platform (ECCP)"
LIST_SEPARATOR = " | "  # several categories in one CSV cell (a category label cannot hold "|")
MIN_YEAR, MAX_YEAR = 1900, 2100  # as factsheets.models: policy years and editions stay within these


def site(path: str) -> str:
    """An absolute address on the site (settings.EDITORIAL_SITE_URL, from DJANGO_SITE_URL)."""
    return settings.EDITORIAL_SITE_URL.rstrip("/") + path


def citation(*, title: str, version: str, date: str, url: str) -> str:
    """The suggested citation of a data file, with its version and date."""
    return f"{PUBLISHER}, {title}, {version}, published {date}. {url}. Licence: CC BY 4.0."


def factsheets_count(n: int) -> str:
    return f"{n} factsheet{'' if n == 1 else 's'}"


@dataclass
class CriterionMethod:
    name: str
    levels: list[str] = field(default_factory=list)  # lowest first
    max_score: float | int | None = None
    definition: str = ""
    level_definitions: dict[str, str] = field(default_factory=dict)


@dataclass
class Methodology:
    """An edition's methodology and vocabularies as its published data may hold them: the edition as it stands
    plus what every live published version printed (an edited level or a merged category stays valid in the
    versions that printed it)."""

    year: int
    method: str  # "level" or "score"
    criteria: dict[str, CriterionMethod] = field(default_factory=dict)
    vocabularies: dict[str, list[str]] = field(default_factory=lambda: {v: [] for v in VOCABULARIES})
    descriptions: dict[tuple[str, str], str] = field(default_factory=dict)  # (vocabulary, label) -> description

    def add_criterion(self, name: str, levels: list[str], max_score, definition: str = "",
                      level_definitions: dict[str, str] | None = None) -> None:
        known = self.criteria.setdefault(name, CriterionMethod(name=name, definition=definition))
        for level in levels:
            if level not in known.levels:
                known.levels.append(level)
        if max_score is not None:
            known.max_score = max(known.max_score or 0, max_score)
        known.level_definitions.update(level_definitions or {})
        known.definition = known.definition or definition

    def add_label(self, vocabulary: str, label: str, description: str = "") -> None:
        labels = self.vocabularies.setdefault(vocabulary, [])
        if label and label not in labels:
            labels.append(label)
        if description:
            self.descriptions[(vocabulary, label)] = description
