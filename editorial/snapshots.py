"""A factsheet as data: its snapshot (what a revision stores and what is rendered), the comparison of two
snapshots (word by word) and the restoring of a snapshot into the working copy."""

import copy
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from diff_match_patch import diff_match_patch
from django.db.models import Prefetch
from django.utils.html import escape

from factsheets.models import (
    PRESENTATION_FIELDS,
    Assessment,
    CategoryMerge,
    Criterion,
    Edition,
    Factsheet,
    Footnote,
    Level,
    Policy,
    QualitativeAssessment,
    Reference,
    Section,
    Topic,
)
from factsheets.richtext import RichTextField, plain_text, text_lines
from factsheets.validation import POLICY_CATEGORY_FIELDS, POLICY_M2M_FIELDS
from factsheets.values import date_or_none, decimal_or_none, field_label

FACTSHEET_TEXT_FIELDS = ["introduction", "policies_intro", "assessment_intro", "qualitative_intro"]
POLICY_FK_FIELDS = ["policy_type", "focus", "evaluation"]
POLICY_FIELDS = [f.name for f in Policy._meta.concrete_fields if f.name not in ("id", "factsheet")]
REFERENCE_FIELDS = ["citation", "url", "url_label", "last_accessed", "sub_item"]
# Factsheet fields a snapshot holds only when set (so that revisions recorded before they existed stay equal to
# the working copy they describe): the public note on a new version and the "no cluster policy" statement.
FACTSHEET_OPTIONAL_FIELDS = {"correction_note": "", "no_cluster_policy": False}
# Reference fields a snapshot holds only when set, likewise: the language of a title in another language.
REFERENCE_OPTIONAL_FIELDS = {"language": ""}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def factsheet_snapshot(*, factsheet: Factsheet) -> dict[str, Any]:
    """The whole content of a factsheet as JSON-able data keyed by labels, never by database ids."""
    return factsheet_snapshots(factsheet_ids=[factsheet.pk])[factsheet.pk]


def factsheet_snapshots(*, factsheet_ids) -> dict[int, dict[str, Any]]:
    """The snapshots of many factsheets in a fixed number of queries (one edition snapshot per edition)."""
    factsheets = Factsheet.objects.filter(pk__in=list(factsheet_ids)).prefetch_related(
        Prefetch("policies", queryset=Policy.objects.select_related(*POLICY_FK_FIELDS)
                 .prefetch_related(*POLICY_M2M_FIELDS).order_by("order")),
        Prefetch("assessments", queryset=Assessment.objects.select_related("criterion", "level")),
        Prefetch("qualitative", queryset=QualitativeAssessment.objects.select_related("topic")),
        Prefetch("footnotes", queryset=Footnote.objects.order_by("id")),
        Prefetch("references", queryset=Reference.objects.order_by("order")),
    )
    editions: dict[int, dict[str, Any]] = {}
    snapshots = {}
    for fs in factsheets:
        if fs.edition_id not in editions:
            editions[fs.edition_id] = edition_snapshot(edition_id=fs.edition_id)
        snapshots[fs.pk] = _snapshot_of(fs, copy.deepcopy(editions[fs.edition_id]))
    return snapshots


def _snapshot_of(fs: Factsheet, edition: dict[str, Any]) -> dict[str, Any]:
    policies = []
    for policy in fs.policies.all():
        item: dict[str, Any] = {}
        for name in POLICY_FIELDS:
            if name in POLICY_FK_FIELDS:
                category = getattr(policy, name)
                item[name] = category.label if category else None
            else:
                item[name] = _plain(getattr(policy, name))
        for name in POLICY_M2M_FIELDS:
            item[name] = [c.label for c in getattr(policy, name).all()]
        policies.append(item)
    return {
        "edition": edition,
        "factsheet": {
            **{name: getattr(fs, name) for name in FACTSHEET_TEXT_FIELDS},
            **{name: getattr(fs, name) for name, empty in FACTSHEET_OPTIONAL_FIELDS.items()
               if getattr(fs, name) != empty},
        },
        "policies": policies,
        "assessments": [
            {"criterion": a.criterion.name, "score": _plain(a.score), "level": a.level.label if a.level else None}
            for a in fs.assessments.all()
        ],
        "qualitative": [{"topic": q.topic.title, "summary": q.summary, "text": q.text} for q in fs.qualitative.all()],
        "footnotes": [{"key": f.key, "text": f.text} for f in fs.footnotes.all()],
        "references": [
            {"order": r.order, **{name: _plain(getattr(r, name)) for name in REFERENCE_FIELDS},
             **{name: getattr(r, name) for name, empty in REFERENCE_OPTIONAL_FIELDS.items()
                if getattr(r, name) != empty}}
            for r in fs.references.all()
        ],
    }


EDITION_PRINTED_FIELDS = [
    "assessment_method", "assessment_table_title", "methodology_intro", "methodology_outro", "qualitative_title",
    "qualitative_layout", "annex_title", *PRESENTATION_FIELDS,
]


def edition_snapshot(*, edition_id: int) -> dict[str, Any]:
    """What an edition prints in every factsheet (methodology, section titles, criteria and levels, topics), keyed
    by labels: part of every revision, so an approval covers it too. The categories a factsheet uses are already
    in its policies, by label and in print order."""
    edition = Edition.objects.prefetch_related(
        Prefetch("sections", queryset=Section.objects.order_by("order")),
        Prefetch("criteria", queryset=Criterion.objects.order_by("order").prefetch_related(
            Prefetch("levels", queryset=Level.objects.order_by("rank")))),
        Prefetch("topics", queryset=Topic.objects.order_by("order")),
    ).get(pk=edition_id)
    return {
        "year": edition.year,
        **{name: getattr(edition, name) for name in EDITION_PRINTED_FIELDS},
        "sections": [{"kind": s.kind, "number": s.number, "title": s.title, "divider": s.divider}
                     for s in edition.sections.all()],
        "criteria": [
            {"name": c.name, "long_name": c.long_name, "definition": c.definition, "max_score": _plain(c.max_score),
             "note": c.note, "levels": [{"label": lv.label, "definition": lv.definition} for lv in c.levels.all()]}
            for c in edition.criteria.all()
        ],
        "topics": [t.title for t in edition.topics.all()],
    }


# --- compare -----------------------------------------------------------------------------------------------

def _text(value: Any, *, rich: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(plain_text(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "\n".join(text_lines(value)) if rich else plain_text(value)


def _rich_names(model) -> set[str]:

    return {f.name for f in model._meta.concrete_fields if isinstance(f, RichTextField)}


def _amount(value: Any, currency: str | None) -> str:
    if value in (None, ""):
        return ""
    number = Decimal(str(value))
    text = f"{number:,.2f}".removesuffix(".00")
    return f"{currency} {text}" if currency else text


def _policy_value(item: dict[str, Any], name: str) -> str:
    """A policy field as a reader sees it: choice labels, amounts with their currency, texts as they print."""
    value = item.get(name)
    if name == "period":
        return str(dict(Policy.Period.choices).get(value, value or ""))
    if name in ("budget_overall_eur", "budget_annual_eur"):
        return _amount(value, "EUR")
    if name in ("budget_overall_amount", "budget_annual_amount"):
        return _amount(value, item.get(name.replace("_amount", "_currency")) or "")
    return _text(value, rich=name in _rich_names(Policy))


def _edition_fields(edition: dict[str, Any], out: dict[tuple, tuple[str, str]]) -> None:
    rich = _rich_names(Edition)
    for name in EDITION_PRINTED_FIELDS:
        value = edition.get(name)
        field = Edition._meta.get_field(name)
        if field.choices:
            value = str(dict(field.choices).get(value, value or ""))
        elif isinstance(value, bool):
            value = "Yes" if value else "No"
        out[("edition", name)] = (f"Edition › {field_label(Edition, name)}", _text(value, rich=name in rich))
    for section in edition.get("sections", []):
        title = f"{section['number']}. {section['title']}" if section.get("number") else section.get("title", "")
        kind = dict(Section.Kind.choices).get(section["kind"], section["kind"])
        out[("edition", "section", section["kind"])] = (
            f"Edition › Section “{kind}”", title + ("" if section.get("divider") else " (no divider page)"))
    for criterion in edition.get("criteria", []):
        where = f"Methodology › Criterion “{criterion['name']}”"
        out[("edition", "criterion", criterion["name"], "long_name")] = (
            f"{where} › Name in the annex", plain_text(criterion.get("long_name") or ""))
        out[("edition", "criterion", criterion["name"], "definition")] = (
            f"{where} › Definition", _text(criterion.get("definition"), rich=True))
        out[("edition", "criterion", criterion["name"], "max_score")] = (
            f"{where} › Maximum score", _text(criterion.get("max_score")))
        out[("edition", "criterion", criterion["name"], "note")] = (f"{where} › Note", _text(criterion.get("note")))
        out[("edition", "criterion", criterion["name"], "levels")] = (
            f"{where} › Levels", "\n".join(
                f"{lv['label']}: {lv['definition']}" if lv.get("definition") else lv["label"]
                for lv in criterion.get("levels", [])))
    out[("edition", "topics")] = ("Methodology › Qualitative topics", "\n".join(edition.get("topics", [])))


def snapshot_fields(snapshot: dict[str, Any]) -> dict[tuple, tuple[str, str]]:
    """Flatten a snapshot into ordered (key -> (readable label, text as it reads)) pairs for comparison.
    Rich texts are read as paragraphs; plain texts are kept exactly as they print (no tag stripping)."""
    out: dict[tuple, tuple[str, str]] = {}
    for name in FACTSHEET_TEXT_FIELDS:
        out[("factsheet", name)] = (field_label(Factsheet, name), _text(snapshot["factsheet"].get(name), rich=True))
    out[("factsheet", "no_cluster_policy")] = (
        field_label(Factsheet, "no_cluster_policy"), "Yes" if snapshot["factsheet"].get("no_cluster_policy") else "")
    out[("factsheet", "correction_note")] = (
        field_label(Factsheet, "correction_note"), _text(snapshot["factsheet"].get("correction_note") or ""))
    for item in snapshot.get("policies", []):
        order = item.get("order")
        for name in POLICY_FIELDS + POLICY_M2M_FIELDS:
            if name in ("order", "uid") or name.endswith("_currency"):
                continue
            out[("policy", order, name)] = (f"Policy {order} › {field_label(Policy, name)}", _policy_value(item, name))
    for item in snapshot.get("assessments", []):
        value = item.get("level") or item.get("score")
        out[("assessment", item["criterion"])] = (f"Assessment › {item['criterion']}", _text(value))
    for item in snapshot.get("qualitative", []):
        for name in ("summary", "text"):
            out[("qualitative", item["topic"], name)] = (
                f"Qualitative › {item['topic']} › {name}", _text(item.get(name), rich=True))
    for item in snapshot.get("footnotes", []):
        out[("footnote", item["key"])] = (f"Footnote [^{item['key']}]", _text(item.get("text"), rich=True))
    for item in snapshot.get("references", []):
        for name in [*REFERENCE_FIELDS, *REFERENCE_OPTIONAL_FIELDS]:
            value = item.get(name)
            if name == "sub_item":
                value = "Yes" if value else ""  # shown only when set: a new reference is not "changed" to No
            out[("reference", item["order"], name)] = (
                f"Reference {item['order']} › {field_label(Reference, name)}", _text(value))
    if "edition" in snapshot:
        _edition_fields(snapshot["edition"], out)
    return out


_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


def _word_diffs(old: str, new: str) -> list[tuple[int, str]]:
    tokens: list[str] = [""]
    index: dict[str, int] = {}

    def encode(text: str) -> str:
        chars = []
        for token in _TOKEN.findall(text):
            if token not in index:
                tokens.append(token)
                index[token] = len(tokens) - 1
            chars.append(chr(index[token]))
        return "".join(chars)

    dmp = diff_match_patch()
    diffs = dmp.diff_main(encode(old), encode(new), False)
    dmp.diff_charsToLines(diffs, tokens)
    dmp.diff_cleanupSemantic(diffs)
    return diffs


def word_diff_html(old: str, new: str) -> str:
    """HTML of new against old, word by word: removed words in <del>, added words in <ins>."""
    parts = []
    for op, text in _word_diffs(old, new):
        text = escape(text)
        parts.append(f"<del>{text}</del>" if op < 0 else f"<ins>{text}</ins>" if op > 0 else text)
    return "".join(parts)


def word_diff_sides(old: str, new: str) -> tuple[str, str]:
    """The same diff for a side-by-side view: the old text with its removed words, the new with its added ones."""
    left, right = [], []
    for op, text in _word_diffs(old, new):
        text = escape(text)
        if op <= 0:
            left.append(f"<del>{text}</del>" if op < 0 else text)
        if op >= 0:
            right.append(f"<ins>{text}</ins>" if op > 0 else text)
    return "".join(left), "".join(right)


@dataclass
class FieldChange:
    label: str
    old: str
    new: str
    diff_html: str
    kind: str  # changed | added | removed

    @property
    def sides(self) -> tuple[str, str]:
        return word_diff_sides(self.old, self.new)

    @property
    def old_html(self) -> str:
        return self.sides[0]

    @property
    def new_html(self) -> str:
        return self.sides[1]


def snapshot_compare(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """Per-field differences between two snapshots, in document order, with word-level highlighting."""
    if ("edition" in old) != ("edition" in new):
        # A revision recorded before snapshots held the methodology: compare the factsheets' own content only.
        old, new = {k: v for k, v in old.items() if k != "edition"}, {k: v for k, v in new.items() if k != "edition"}
    a, b = snapshot_fields(old), snapshot_fields(new)
    keys = list(a) + [k for k in b if k not in a]
    changes = []
    for key in keys:
        label, old_text = a.get(key, (None, ""))
        label_b, new_text = b.get(key, (None, ""))
        if old_text == new_text:
            continue
        kind = "added" if key not in a else "removed" if key not in b else "changed"
        changes.append(FieldChange(label or label_b, old_text, new_text, word_diff_html(old_text, new_text), kind))
    return changes


# --- restoring (revert, carry forward) ---------------------------------------------------------------------

def snapshot_restore(*, factsheet: Factsheet, snapshot: dict[str, Any]) -> list[tuple[str, str]]:
    """Replace the factsheet's content by a snapshot, mapping labels onto its edition.
    Returns what did not map as (where, message) pairs; call inside a transaction."""
    edition = factsheet.edition
    issues: list[tuple[str, str]] = []
    categories = {(c.vocabulary, c.label): c for c in edition.categories.all()}
    for merge in CategoryMerge.objects.filter(edition=edition).select_related("into"):
        categories.setdefault((merge.vocabulary, merge.label), merge.into)
    criteria = {c.name: c for c in edition.criteria.prefetch_related("levels")}
    topics = {t.title: t for t in edition.topics.all()}
    decimal_fields = {f.name for f in Policy._meta.concrete_fields if f.get_internal_type() == "DecimalField"}
    date_fields = {f.name for f in Policy._meta.concrete_fields if f.get_internal_type() == "DateField"}

    for name in FACTSHEET_TEXT_FIELDS:
        setattr(factsheet, name, snapshot["factsheet"].get(name) or "")
    for name, empty in FACTSHEET_OPTIONAL_FIELDS.items():
        setattr(factsheet, name, snapshot["factsheet"].get(name) or empty)
    factsheet.save(update_fields=[*FACTSHEET_TEXT_FIELDS, *FACTSHEET_OPTIONAL_FIELDS])
    factsheet.policies.all().delete()
    factsheet.assessments.all().delete()
    factsheet.qualitative.all().delete()
    factsheet.footnotes.all().delete()
    factsheet.references.all().delete()

    for item in snapshot.get("policies", []):
        where = f"Policy {item.get('order')} “{item.get('name')}”"
        values: dict[str, Any] = {}
        for name in POLICY_FIELDS:
            value = item.get(name)
            if name == "uid" and not value:
                continue  # a snapshot from before identifiers: the policy gets a new one
            if name in POLICY_FK_FIELDS:
                vocabulary = POLICY_CATEGORY_FIELDS[name]
                category = categories.get((vocabulary, value)) if value else None
                if value and category is None:
                    issues.append((where, f"{vocabulary.label}: “{value}” is not in the {edition.year} vocabulary."))
                values[name] = category
            elif name in decimal_fields:
                values[name] = decimal_or_none(value)
            elif name in date_fields:
                values[name] = date_or_none(value)
            else:
                values[name] = "" if value is None and name not in ("start_year", "end_year") else value
        if values["policy_type"] is None:
            fallback = next((c for (v, _), c in categories.items() if v == "policy_type"), None)
            if fallback is None:
                issues.append((where, "Not carried: the edition has no policy types."))
                continue
            issues.append((where, f"Policy type set to “{fallback.label}” until you choose the right one."))
            values["policy_type"] = fallback
        policy = Policy.objects.create(factsheet=factsheet, **values)
        for name in POLICY_M2M_FIELDS:
            vocabulary = POLICY_CATEGORY_FIELDS[name]
            chosen = []
            for label in item.get(name) or []:
                category = categories.get((vocabulary, label))
                if category is None:
                    issues.append((where, f"{vocabulary.label}: “{label}” is not in the {edition.year} vocabulary."))
                else:
                    chosen.append(category)
            getattr(policy, name).set(chosen)

    for item in snapshot.get("assessments", []):
        criterion = criteria.get(item["criterion"])
        if criterion is None:
            issues.append(("Assessment", f"Criterion “{item['criterion']}” is not in the {edition.year} edition."))
            continue
        level = None
        if item.get("level"):
            level = next((lv for lv in criterion.levels.all() if lv.label == item["level"]), None)
            if level is None:
                issues.append((f"Assessment › {criterion.name}",
                               f"Level “{item['level']}” is not a level of this criterion in {edition.year}."))
        Assessment.objects.create(factsheet=factsheet, criterion=criterion, level=level,
                                  score=decimal_or_none(item.get("score")))
    for item in snapshot.get("qualitative", []):
        topic = topics.get(item["topic"])
        if topic is None:
            issues.append(("Qualitative assessment", f"Topic “{item['topic']}” is not in the {edition.year} edition."))
            continue
        QualitativeAssessment.objects.create(factsheet=factsheet, topic=topic, summary=item.get("summary") or "",
                                             text=item.get("text") or "")
    Footnote.objects.bulk_create(
        [Footnote(factsheet=factsheet, key=i["key"], text=i.get("text") or "") for i in snapshot.get("footnotes", [])]
    )
    Reference.objects.bulk_create([
        Reference(factsheet=factsheet, order=i["order"], citation=i.get("citation") or "", url=i.get("url") or "",
                  url_label=i.get("url_label") or "", last_accessed=date_or_none(i.get("last_accessed")),
                  sub_item=bool(i.get("sub_item")), language=i.get("language") or "")
        for i in snapshot.get("references", [])
    ])
    return issues

