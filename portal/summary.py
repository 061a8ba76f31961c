"""The summary report of an edition, computed from its published factsheets: each figure with the countries
behind it and a link to them in the explorer."""

from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median
from urllib.parse import urlencode

from django.utils.safestring import SafeString, mark_safe

from factsheets.formatting import format_amount
from factsheets.models import Vocabulary
from portal.explorer import DEDICATED, STATE_SEPARATOR, criteria_names
from portal.records import VOCABULARY_LABELS, Record, categories, number, number_text

# The order of the report's sections of policy figures (every vocabulary has one).
POLICY_GROUPS = [
    Vocabulary.POLICY_TYPE, Vocabulary.OBJECTIVE, Vocabulary.FOCUS, Vocabulary.FINANCIAL_INSTRUMENT,
    Vocabulary.TECHNICAL_INSTRUMENT, Vocabulary.BENEFICIARY, Vocabulary.AUTHORITY_ROLE, Vocabulary.EVALUATION,
    Vocabulary.EU_PRIORITY,
]


@dataclass
class Figure:
    label: str
    count: int  # policies or countries, as `unit` says
    total: int
    countries: list[Record]
    query: list[tuple[str, str]]
    unit: str = "countries"

    @property
    def share(self) -> float:
        return self.count / self.total if self.total else 0.0

    @property
    def percent(self) -> int:
        return round(self.share * 100)

    @property
    def link(self) -> str:
        return "?" + urlencode(self.query)

    @property
    def bar(self) -> SafeString:
        return bar(self.share)


def bar(share: float) -> SafeString:
    """A horizontal bar as SVG (decorative: the figure is written beside it in the same table row)."""
    width = max(0.0, min(1.0, share)) * 100
    return mark_safe(  # noqa: S308 - numbers only
        '<svg class="bar" viewBox="0 0 100 8" width="160" height="13" preserveAspectRatio="none" '
        'aria-hidden="true" focusable="false"><rect width="100" height="8" fill="#e8edf7"/>'
        f'<rect width="{width:.1f}" height="8" fill="#003399"/></svg>'
    )


@dataclass
class Group:
    key: str
    title: str
    unit: str
    figures: list[Figure] = field(default_factory=list)


def _eur(value: float) -> str:
    """An amount as the factsheets print it: 'EUR 1.42 million', 'EUR 250,000'."""
    return format_amount(Decimal(str(value)), None, "")


def edition_summary(records: list[Record]) -> dict:
    countries = len(records)
    policies = [(r, p) for r in records for p in r.policies]
    total_policies = len(policies)

    dedicated = Group("dedicated", "Dedicated cluster policy", "countries")
    for key, label in DEDICATED.items():
        behind = [r for r in records if r.dedicated[key]]
        dedicated.figures.append(Figure(label, len(behind), countries, behind, [("dedicated", key)]))

    groups = []
    for vocabulary in POLICY_GROUPS:
        group = Group(vocabulary, VOCABULARY_LABELS[vocabulary], "policies")
        labels: dict[str, list] = {}
        for record, policy in policies:
            for label in categories(policy, vocabulary):
                labels.setdefault(label, []).append(record)
        for label, behind in sorted(labels.items(), key=lambda kv: (-len(kv[1]), kv[0].casefold())):
            unique = list(dict.fromkeys(behind))
            group.figures.append(Figure(label, len(behind), total_policies, unique, [(vocabulary, label)],
                                        unit="policies"))
        groups.append(group)

    budgets = []
    for part, title in (("overall", "Overall budget"), ("annual", "Annual budget")):
        known = [(r, number(p.get(f"budget_{part}_eur"))) for r, p in policies
                 if number(p.get(f"budget_{part}_eur")) is not None]
        values = [v for _, v in known]
        behind = list(dict.fromkeys(r for r, _ in known))
        budgets.append({
            "title": title, "known": len(known), "total_policies": total_policies,
            "sum": _eur(sum(values)) if values else "–", "median": _eur(median(values)) if values else "–",
            "countries": behind,
            "figure": Figure(f"{title} known", len(known), total_policies, behind, [("budget", "known")],
                             unit="policies"),
        })

    criteria = []
    for name in criteria_names(records):
        assessed = [(r, r.criterion(name)) for r in records if r.criterion(name)]
        scored = any(c.score is not None for _, c in assessed)
        figures = []
        if scored:
            values = sorted({c.score for _, c in assessed if c.score is not None})
            maximum = next((c.max_score for _, c in assessed if c.max_score is not None), None)
            for value in values:
                behind = [r for r, c in assessed if c.score == value]
                figures.append(Figure(f"Score {number_text(value)}", len(behind), countries, behind,
                                      [("state", f"{name}{STATE_SEPARATOR}{number_text(value)}")]))
            scores = [c.score for _, c in assessed if c.score is not None]
            average = sum(scores) / len(scores) if scores else None
            criteria.append({"name": name, "scored": True, "figures": figures, "maximum": maximum, "unit": "score",
                             "average": f"{average:.1f}" if average is not None else "–"})
        else:
            levels = next((c.levels for _, c in assessed if c.levels), [])
            for level in levels:
                behind = [r for r, c in assessed if c.level == level]
                figures.append(Figure(level, len(behind), countries, behind,
                                      [("state", f"{name}{STATE_SEPARATOR}{level}")]))
            criteria.append({"name": name, "scored": False, "figures": figures, "unit": "level"})

    return {
        "countries": countries, "policies": total_policies, "dedicated": dedicated, "groups": groups,
        "budgets": budgets, "criteria": criteria, "scored": any(r.scored for r in records),
        "previews": [r for r in records if r.preview],
    }
