"""What the JSON Schema of the data cannot say, checked in code: the file's count and country, identifiers that
agree with their fields, levels and ranks that agree with the criterion's levels, scores within the row's own
maximum, years in order, budgets with their currency and footnote calls that have a footnote. The data page lists
these rules; the tests run this checker on every published file and on broken ones."""

import re

from factsheets.richtext import FOOTNOTE_CALL
from portal.opendata.common import Methodology

RULES = [
    "`count` equals the number of factsheets in the file.",
    "A factsheet's `id` is its edition and its country code (2023-mx); an edition's file holds only that edition, "
    "a country's file only that country, and no factsheet twice.",
    "`data_version` names the factsheet's `version`.",
    "A level is one of its criterion's levels in the edition's methodology, and `level_rank` is its position "
    "(1 = the lowest).",
    "A score is not above the row's `max_score`.",
    "`end_year` is not before `start_year`, and is given only for a limited period.",
    "A budget with a currency has an amount.",
    "Policies of a factsheet have distinct identifiers and orders.",
    "Every footnote call [^key] in a text has a footnote with that key.",
]


def _calls(value) -> set[str]:
    if isinstance(value, str):
        return set(FOOTNOTE_CALL.findall(value))
    if isinstance(value, dict):
        return set().union(*(_calls(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_calls(v) for v in value)) if value else set()
    return set()


def _criterion(where: str, row: dict, meth: Methodology | None) -> list[str]:
    problems = []
    levels, level, rank = row.get("levels") or [], row.get("level"), row.get("level_rank")
    if level is not None and level not in levels:
        problems.append(f"{where}: level “{level}” is not one of the criterion's levels.")
    if (level is None) != (rank is None) or (level in levels and rank != levels.index(level) + 1):
        problems.append(f"{where}: level_rank {rank} is not the position of level “{level}” (lowest = 1).")
    score, maximum = row.get("score"), row.get("max_score")
    if score is not None and maximum is not None and score > maximum:
        problems.append(f"{where}: score {score} is above its maximum {maximum}.")
    if meth is not None and row.get("criterion") in meth.criteria:
        known = meth.criteria[row["criterion"]]
        if levels and any(lv not in known.levels for lv in levels):
            problems.append(f"{where}: levels are not the criterion's levels in the {meth.year} methodology.")
    return problems


def _policy(where: str, policy: dict) -> list[str]:
    problems = []
    start, end = policy.get("start_year"), policy.get("end_year")
    if isinstance(start, int) and isinstance(end, int) and end < start:
        problems.append(f"{where}: end_year {end} is before start_year {start}.")
    if end is not None and policy.get("period") != "limited":
        problems.append(f"{where}: an end_year is only given for a limited period.")
    for part, budget in (policy.get("budget") or {}).items():
        if isinstance(budget, dict) and budget.get("currency") and budget.get("amount") is None:
            problems.append(f"{where}: the {part} budget has a currency but no amount.")
    return problems


def check_data(data: dict, *, country: str | None = None, methodologies: dict[int, Methodology] | None = None,
               ) -> list[str]:
    """The problems of a data file (an empty list when it is right). `country`: the ISO code a one-country file
    must hold; `methodologies`: by year, to check each row's levels against the edition's."""
    problems = []
    factsheets = data.get("factsheets") or []
    if data.get("count") != len(factsheets):
        problems.append(f"count is {data.get('count')} but the file holds {len(factsheets)} factsheets.")
    seen = set()
    for fs in factsheets:
        code = (fs.get("country") or {}).get("code") or ""
        key = f"{fs.get('edition')}-{code.lower()}"
        where = f"Factsheet {fs.get('id')}"
        if fs.get("id") != key:
            problems.append(f"{where}: the id does not match edition {fs.get('edition')} and country {code}.")
        if "edition" in data and fs.get("edition") != data["edition"]:
            problems.append(f"{where}: edition {fs.get('edition')} in the file of edition {data['edition']}.")
        if "editions" in data and fs.get("edition") not in data["editions"]:
            problems.append(f"{where}: edition {fs.get('edition')} is not among the file's editions.")
        if country and code != country.upper():
            problems.append(f"{where}: country {code} in the file of {country.upper()}.")
        if key in seen:
            problems.append(f"{where}: the factsheet appears twice.")
        seen.add(key)
        if not re.search(rf"/v{fs.get('version')}\.(json|pdf)$", fs.get("data_version") or ""):
            problems.append(f"{where}: data_version does not name version {fs.get('version')}.")
        meth = (methodologies or {}).get(fs.get("edition"))
        for row in fs.get("state_of_play") or []:
            problems += _criterion(f"{where} › {row.get('criterion')}", row, meth)
        ids, orders = [], []
        for policy in fs.get("policies") or []:
            ids.append(policy.get("id"))
            orders.append(policy.get("order"))
            problems += _policy(f"{where} › policy {policy.get('order')}", policy)
        if len(set(ids)) != len(ids):
            problems.append(f"{where}: two policies share an id.")
        if len(set(orders)) != len(orders):
            problems.append(f"{where}: two policies share an order.")
        keys = [f.get("key") for f in fs.get("footnotes") or []]
        missing = _calls({k: fs.get(k) for k in ("texts", "policies", "qualitative")}) - set(keys)
        if missing:
            problems.append(f"{where}: footnote calls without a footnote: {', '.join(sorted(missing))}.")
    return problems
