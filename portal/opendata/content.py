"""The JSON data of published factsheets, written field by field through the shapes of portal.opendata.spec, from
the approved revision each publication was rendered from."""

from decimal import Decimal

from factsheets.richtext import plain_text
from portal.opendata.common import LICENCE, PUBLISHER, TITLE, citation, factsheets_count, site
from portal.opendata.spec import ALL_EDITIONS, BUDGET, CRITERION, ENVELOPE, FACTSHEET, FACTSHEET_TEXTS, POLICY, shape
from portal.records import (
    POLICY_NOTE_FIELDS,
    POLICY_TEXT_FIELDS,
    VOCABULARIES,
    Record,
    categories,
    number,
    rich_plain,
)

NOTES = [
    "Budgets: `eur` is the figure in euros that the factsheet publishes (the analysts' conversion, the source's "
    "figure). `eur_at_rate` is computed here as amount × budget_exchange_rate; the published rate is often rounded, "
    "so the two may differ, and `budget_remark` says so for the policy concerned.",
    "Levels (2023 on) and scores (2020) measure different things: they do not compare across editions.",
    "Texts are plain, one paragraph or list item per line; a call such as [^key] refers to the footnote with that "
    "key in the same factsheet's `footnotes`.",
    "A policy's `id` stays the same in every version of its factsheet and in later editions that carry it forward.",
]


def _budget(policy: dict, part: str) -> dict:
    eur = number(policy.get(f"budget_{part}_eur"))
    amount = number(policy.get(f"budget_{part}_amount"))
    currency = policy.get(f"budget_{part}_currency") or ""
    rate = policy.get("budget_exchange_rate")
    at_rate = None
    if amount is not None and currency == "EUR":
        at_rate = amount
    elif amount is not None and rate not in (None, ""):
        at_rate = number((Decimal(str(amount)) * Decimal(str(rate))).quantize(Decimal("0.01")))
    return shape(BUDGET, eur=eur, amount=amount, currency=currency, eur_at_rate=at_rate)


def budget_remark(budget: dict, policy: dict) -> str:
    """Which figure is the source's and why they differ, when the published EUR figure is not amount × rate."""
    remarks = []
    for part in ("overall", "annual"):
        b = budget[part]
        if b["eur"] is None or b["eur_at_rate"] is None or abs(b["eur"] - b["eur_at_rate"]) <= 0.005 * b["eur"]:
            continue
        remarks.append(
            f"{part.capitalize()} budget: EUR {b['eur']:,} is the factsheet's own figure; {b['amount']:,} "
            f"{b['currency']} × the published rate {number(policy.get('budget_exchange_rate'))} gives EUR "
            f"{b['eur_at_rate']:,}. The published rate is rounded, so the figures differ: use `eur`.")
    return " ".join(remarks)


def policy_data(policy: dict) -> dict:
    budget = {part: _budget(policy, part) for part in ("overall", "annual")}
    return shape(
        POLICY, id=policy.get("uid") or "", order=policy.get("order"), name=plain_text(policy.get("name") or ""),
        categories={vocabulary: categories(policy, vocabulary) for vocabulary in VOCABULARIES},
        **{name: policy.get(name) or "" for name in POLICY_NOTE_FIELDS},
        period=policy.get("period") or "", start_year=policy.get("start_year"), end_year=policy.get("end_year"),
        budget=budget, budget_exchange_rate=number(policy.get("budget_exchange_rate")),
        budget_exchange_rate_date=policy.get("budget_exchange_rate_date") or None,
        budget_remark=budget_remark(budget, policy),
        texts={name: rich_plain(policy.get(name)) for name in POLICY_TEXT_FIELDS},
    )


def factsheet_data(record: Record) -> dict:
    snapshot = record.snapshot
    base = f"/factsheets/{record.year}/{record.code.lower()}"
    return shape(
        FACTSHEET, id=record.key, edition=record.year, country={"code": record.code, "name": record.country},
        version=record.version, version_note=record.note,
        published=record.published_at.isoformat() if record.published_at else None,
        page=site(base + "/"), pdf=site(base + ".pdf"), pdf_version=site(f"{base}/v{record.version}.pdf"),
        data_version=site(f"/data/{record.year}/{record.code.lower()}/v{record.version}.json"),
        licence=LICENCE["url"], assessment_method="score" if record.scored else "level",
        state_of_play=[shape(CRITERION, criterion=c.name, level=c.level, level_rank=c.rank, levels=c.levels,
                             score=c.score, max_score=c.max_score) for c in record.criteria],
        policies=[policy_data(p) for p in record.policies],
        texts={name: rich_plain((snapshot.get("factsheet") or {}).get(name)) for name in FACTSHEET_TEXTS},
        qualitative=[{"topic": q.get("topic") or "", "summary": rich_plain(q.get("summary")),
                      "text": rich_plain(q.get("text"))} for q in snapshot.get("qualitative", [])],
        footnotes=[{"key": f.get("key"), "text": rich_plain(f.get("text"))} for f in snapshot.get("footnotes", [])],
        references=[{"citation": r.get("citation") or "", "url": r.get("url") or "",
                     "last_accessed": r.get("last_accessed")} for r in snapshot.get("references", [])],
    )


def _modified(records: list[Record]) -> str | None:
    published = [r.published_at for r in records if r.published_at]
    return max(published).isoformat() if published else None


def edition_data(year: int, records: list[Record], *, path: str, title: str | None = None) -> dict:
    """An edition's file, or one factsheet's (`records` of one) or one version's, in the same envelope."""
    title = title or f"{TITLE}, {year} edition"
    modified = _modified(records)
    version = f"version {records[0].version}" if len(records) == 1 else factsheets_count(len(records))
    return shape(
        ENVELOPE, **{"$schema": site(f"/data/{year}/schema.json")}, title=title, edition=year, publisher=PUBLISHER,
        licence=LICENCE, citation=citation(title=title, version=version, date=(modified or "")[:10], url=site(path)),
        modified=modified, count=len(records), notes=NOTES, factsheets=[factsheet_data(r) for r in records],
    )


def all_editions_data(records: list[Record]) -> dict:
    modified = _modified(records)
    title = f"{TITLE}, every edition"
    years = sorted({r.year for r in records})
    return shape(
        ALL_EDITIONS, **{"$schema": site("/data/schema.json")}, title=title, publisher=PUBLISHER, licence=LICENCE,
        citation=citation(title=title, version=factsheets_count(len(records)),
                          date=(modified or "")[:10], url=site("/data/all.json")),
        modified=modified, count=len(records), notes=NOTES, editions=years,
        factsheets=[factsheet_data(r) for r in sorted(records, key=lambda r: (-r.year, r.country))],
    )
