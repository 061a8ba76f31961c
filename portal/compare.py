"""Two to four published factsheets side by side: the state of play criterion by criterion, and Table 1 dimension
by dimension with the categories they share marked. Levels (2023 on) and scores (2020) are not put in one row:
the page says they do not compare."""

from decimal import Decimal

from factsheets.formatting import format_amount
from portal.records import VOCABULARIES, VOCABULARY_LABELS, Record


def comparison(records: list[Record]) -> dict:
    """Each row's cells come as (record, value) pairs: a phone shows one block per row, each value under the name
    of its factsheet."""
    methods = {r.scored for r in records}
    groups = []
    for scored in sorted(methods, reverse=True):
        members = [r for r in records if r.scored == scored]
        names: list[str] = []
        for record in members:
            for criterion in record.criteria:
                if criterion.name not in names:
                    names.append(criterion.name)
        groups.append({
            "scored": scored, "records": members,
            "rows": [{"name": name, "cells": [(r, r.criterion(name)) for r in members]} for name in names],
        })
    dimensions = []
    for vocabulary in VOCABULARIES:
        cells = [r.labels(vocabulary) for r in records]
        shared = set(cells[0]).intersection(*cells[1:]) if cells else set()
        if not any(cells):
            continue
        dimensions.append({
            "title": VOCABULARY_LABELS[vocabulary],
            "cells": [(r, [{"label": label, "shared": label in shared} for label in labels])
                      for r, labels in zip(records, cells, strict=True)],
            "shared": len(shared),
        })
    facts = [
        {"title": title, "cells": [(r, [(name, value(p)) for name, p in zip(r.policy_names, r.policies, strict=True)])
                                   for r in records]}
        for title, value in (("History", _history), ("Budget, overall", lambda p: _eur(p, "overall")),
                             ("Budget, annual", lambda p: _eur(p, "annual")))
    ]
    editions = sorted({r.year for r in records})
    return {
        "methods_differ": len(methods) > 1, "facts": facts, "groups": groups, "dimensions": dimensions,
        "editions": editions, "across_editions": len(editions) > 1,
        "scored_editions": sorted({r.year for r in records if r.scored}),
        "level_editions": sorted({r.year for r in records if not r.scored}),
    }


def _history(policy: dict) -> str:
    start, end, period = policy.get("start_year"), policy.get("end_year"), policy.get("period") or ""
    span = f"{start or '?'}–{end or ''}" if start or end else ""
    return " ".join(part for part in (span, f"({period})" if period else "") if part) or "–"


def _eur(policy: dict, part: str) -> str:
    """The budget as the factsheet prints it (EUR, then the national currency), "–" when unknown."""
    amounts = [Decimal(str(policy[name])) if policy.get(name) not in (None, "") else None
               for name in (f"budget_{part}_eur", f"budget_{part}_amount")]
    return format_amount(*amounts, policy.get(f"budget_{part}_currency") or "") or "–"
