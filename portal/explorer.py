"""The edition explorer: filters on the standardised categories, a search on country names and sorting, all
carried in the query string (shareable links that work without JavaScript)."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from factsheets.richtext import FOOTNOTE_CALL
from portal.records import VOCABULARIES, VOCABULARY_LABELS, Record, categories, folded, number_text

DEDICATED = {
    "any": "Dedicated national and/or regional cluster policy",
    "national": "Dedicated national cluster policy",
    "regional": "Dedicated regional cluster policy",
    "both": "Dedicated national and regional cluster policies",
    "none": "No dedicated cluster policy",
}
STATE_SEPARATOR = "::"
# Filters one query may hold (categories and states together): a link with more is cut to these (issue 17.7).
MAX_FILTERS = 12
# The order of a canonical query's keys; values follow in their order within a key.
KEY_ORDER = [*VOCABULARIES, "budget", "dedicated", "state", "q", "sort"]


@dataclass
class Filters:
    pairs: list[tuple[str, str]]  # the query string, in order, as understood (unknown keys dropped)
    categories: list[tuple[str, str]] = field(default_factory=list)  # (vocabulary, label): one policy has them all
    budget: bool = False  # one policy (the same) has a budget in EUR
    dedicated: str = ""
    states: list[tuple[str, str]] = field(default_factory=list)  # (criterion, level label or score)
    q: str = ""
    sort: str = "country"

    @property
    def active(self) -> bool:
        return bool(self.categories or self.budget or self.dedicated or self.states or self.q)

    def url(self, *, toggle: tuple[str, str] | None = None, drop: str | None = None,
            set_: tuple[str, str] | None = None) -> str:
        pairs = [p for p in self.pairs if p[0] != drop]
        if toggle:
            pairs = [p for p in pairs if p != toggle] if toggle in pairs else [*pairs, toggle]
        if set_:
            pairs = [p for p in pairs if p[0] != set_[0]] + ([set_] if set_[1] else [])
        return "?" + urlencode(_ordered(pairs)) if pairs else "?"

    def query_string(self) -> str:
        """The canonical query of these filters: every link of the page uses it, and the only one cached."""
        return urlencode(_ordered(self.pairs))


def _ordered(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """One spelling per set of filters: keys in KEY_ORDER, each key's values in the order they were chosen."""
    return sorted(dict.fromkeys(pairs), key=lambda p: KEY_ORDER.index(p[0]) if p[0] in KEY_ORDER else len(KEY_ORDER))


def parse(query) -> Filters:
    """Filters from a QueryDict (or a list of pairs); anything unknown or malformed is ignored."""
    items = query.lists() if hasattr(query, "lists") else _grouped(query)
    pairs: list[tuple[str, str]] = []
    filters = Filters(pairs=pairs)
    for key, values in items:
        for value in values[:20]:
            value = value.strip()[:300]
            if not value:
                continue
            if key in VOCABULARIES:
                filters.categories.append((key, value))
            elif key == "budget" and value == "known":
                filters.budget = True
            elif key == "dedicated" and value in DEDICATED:
                filters.dedicated = value
            elif key == "state" and STATE_SEPARATOR in value:
                criterion, _, wanted = value.partition(STATE_SEPARATOR)
                filters.states.append((criterion, wanted))
            elif key == "q":
                filters.q = value[:100]
            elif key == "sort":
                filters.sort = value[:10]
            else:
                continue
            pairs.append((key, value))
    return filters


def canonical(filters: Filters, records: list[Record]) -> Filters:
    """The filters reduced to what can match these records: labels, criteria, levels or scores and sorts that
    exist, each once, at most MAX_FILTERS of them; one value of each single-valued key (the first). The view
    redirects any other spelling here, so made-up parameters and values neither fill the cache nor amplify a
    page."""
    criteria = criteria_names(records)
    labels = {v: {label for r in records for label in r.labels(v)} for v in VOCABULARIES}
    states: dict[str, set[str]] = {}
    for record in records:
        for found in record.criteria:
            states.setdefault(found.name, set()).update(
                found.levels if found.score is None else [number_text(found.score)])
    sorts = {"policies", "-country", "-policies",
             *(f"{sign}c{i}" for sign in ("", "-") for i in range(1, len(criteria) + 1))}
    out = Filters(pairs=[])
    for key, value in dict.fromkeys(filters.pairs):
        if key in VOCABULARIES:
            if value not in labels[key] or len(out.categories) + len(out.states) >= MAX_FILTERS:
                continue
            out.categories.append((key, value))
        elif key == "state":
            criterion, _, wanted = value.partition(STATE_SEPARATOR)
            if wanted not in states.get(criterion, ()) or len(out.categories) + len(out.states) >= MAX_FILTERS:
                continue
            out.states.append((criterion, wanted))
        elif key == "budget" and not out.budget:
            out.budget = True
        elif key == "dedicated" and not out.dedicated:
            out.dedicated = value
        elif key == "q" and not out.q:
            value = out.q = value[:100]
        elif key == "sort" and out.sort == "country" and value in sorts:
            out.sort = value
        else:
            continue
        out.pairs.append((key, value))
    out.pairs[:] = _ordered(out.pairs)
    return out


def _grouped(pairs):
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped.items()


def _policy_matches(policy: dict, filters: Filters) -> bool:
    if any(label not in categories(policy, vocabulary) for vocabulary, label in filters.categories):
        return False
    if filters.budget and policy.get("budget_overall_eur") in (None, "") \
            and policy.get("budget_annual_eur") in (None, ""):
        return False
    return True


def matching_policies(record: Record, filters: Filters) -> list[dict]:
    return [p for p in record.policies if _policy_matches(p, filters)]


def _state_matches(record: Record, criterion: str, wanted: str) -> bool:
    found = record.criterion(criterion)
    if found is None:
        return False
    if found.score is not None:
        try:
            return float(wanted) == float(found.score)
        except ValueError:
            return False
    return found.level == wanted


def matches(record: Record, filters: Filters) -> bool:
    if filters.q and folded(filters.q) not in folded(record.country) and folded(filters.q) != folded(record.code):
        return False
    if (filters.categories or filters.budget) and not matching_policies(record, filters):
        return False
    if filters.dedicated and not record.dedicated[filters.dedicated]:
        return False
    return all(_state_matches(record, c, v) for c, v in filters.states)


def criteria_names(records: list[Record]) -> list[str]:
    names: list[str] = []
    for record in records:
        for criterion in record.criteria:
            if criterion.name not in names:
                names.append(criterion.name)
    return names


def sort_records(records: list[Record], sort: str, criteria: list[str]) -> list[Record]:
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key == "policies":
        return sorted(records, key=lambda r: (len(r.policies), folded(r.country)), reverse=descending)
    if key.startswith("c") and key[1:].isdigit() and 0 < int(key[1:]) <= len(criteria):
        name = criteria[int(key[1:]) - 1]
        known = [r for r in records if r.criterion(name) and r.criterion(name).value is not None]
        unknown = [r for r in records if r not in known]
        known.sort(key=lambda r: (r.criterion(name).value, folded(r.country)), reverse=descending)
        return known + sorted(unknown, key=lambda r: folded(r.country))
    return sorted(records, key=lambda r: folded(r.country), reverse=descending and key == "country")


def _with(filters: Filters, **changes) -> Filters:
    values = {"categories": filters.categories, "budget": filters.budget, "dedicated": filters.dedicated,
              "states": filters.states, "q": filters.q, **changes}
    return Filters(pairs=[], **values)


def explore(records: list[Record], filters: Filters) -> dict:
    """The rows that match, the facets (each label with the number of countries it would leave) and the
    column headers with their sort links."""
    criteria = criteria_names(records)
    shown = [r for r in records if matches(r, filters)]
    facets = []
    for vocabulary in VOCABULARIES:
        labels: dict[str, int] = {}
        for record in records:
            for label in record.labels(vocabulary):
                labels.setdefault(label, 0)
        for label in labels:
            narrowed = _with(filters, categories=[*filters.categories, (vocabulary, label)])
            labels[label] = sum(1 for r in records if matches(r, narrowed))
        items = [
            {"label": label, "count": count, "active": (vocabulary, label) in filters.categories,
             "url": filters.url(toggle=(vocabulary, label))}
            for label, count in sorted(labels.items(), key=lambda kv: (-kv[1], kv[0].casefold()))
        ]
        if items:
            facets.append({"key": vocabulary, "title": VOCABULARY_LABELS[vocabulary], "items": items,
                           "active": any(i["active"] for i in items)})
    dedicated_items = []
    for key, label in DEDICATED.items():
        narrowed = _with(filters, dedicated=key)
        active = filters.dedicated == key
        dedicated_items.append({"label": label, "count": sum(1 for r in records if matches(r, narrowed)),
                                "active": active,
                                "url": filters.url(drop="dedicated") if active
                                else filters.url(set_=("dedicated", key))})
    facets.insert(0, {"key": "dedicated", "title": "Dedicated cluster policy", "items": dedicated_items,
                      "active": bool(filters.dedicated)})
    for name in criteria:
        values: list[str] = []
        for record in records:
            found = record.criterion(name)
            if found is None:
                continue
            candidates = found.levels if found.score is None else [number_text(found.score)]
            values += [v for v in candidates if v not in values]
        items = []
        for value in values:
            pair = (name, value)
            narrowed = _with(filters, states=[*filters.states, pair])
            items.append({"label": value, "count": sum(1 for r in records if matches(r, narrowed)),
                          "active": pair in filters.states,
                          "url": filters.url(toggle=("state", f"{name}{STATE_SEPARATOR}{value}"))})
        facets.append({"key": f"state-{name}", "title": f"State of play: {name}", "items": items,
                       "active": any(i["active"] for i in items)})
    columns = [{"key": "country", "title": "Country"}, {"key": "policies", "title": "Policies"}] + [
        {"key": f"c{i}", "title": name} for i, name in enumerate(criteria, start=1)
    ]
    for column in columns:
        current = filters.sort.lstrip("-") == column["key"]
        descending = filters.sort.startswith("-")
        column["sort"] = ("descending" if descending else "ascending") if current else None
        column["url"] = filters.url(set_=("sort", f"-{column['key']}" if current and not descending
                                          else column["key"]))
    rows = [
        {"record": r, "cells": [(name, r.criterion(name)) for name in criteria],
         "matching": [FOOTNOTE_CALL.sub("", p.get("name") or "").strip() for p in matching_policies(r, filters)]
         if (filters.categories or filters.budget) else None}
        for r in sort_records(shown, filters.sort, criteria)
    ]
    chips = [
        {"label": f"{VOCABULARY_LABELS[v]}: {label}", "url": filters.url(toggle=(v, label))}
        for v, label in filters.categories
    ]
    if filters.budget:
        chips.append({"label": "Budget known (EUR)", "url": filters.url(toggle=("budget", "known"))})
    if filters.dedicated:
        chips.append({"label": DEDICATED[filters.dedicated], "url": filters.url(drop="dedicated")})
    for criterion, wanted in filters.states:
        chips.append({"label": f"{criterion}: {wanted}",
                      "url": filters.url(toggle=("state", f"{criterion}{STATE_SEPARATOR}{wanted}"))})
    if filters.q:
        chips.append({"label": f"Country name: {filters.q}", "url": filters.url(drop="q")})
    return {"rows": rows, "facets": facets, "columns": columns, "criteria": criteria, "chips": chips,
            "count": len(shown), "total": len(records),
            "policies": sum(len(matching_policies(r, filters)) for r in shown)}
