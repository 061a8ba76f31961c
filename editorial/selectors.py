"""Reads of the editorial domain: snapshots, revision diffs, timelines, dashboards, public publications."""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import unescape
from typing import Any

from diff_match_patch import diff_match_patch
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.html import escape, strip_tags

from editorial.models import AuditEntry, CarryForwardIssue, Publication, ReviewComment, Revision
from editorial.permissions import has_role_permission
from factsheets.models import (
    Assessment,
    DataImport,
    Edition,
    Factsheet,
    Footnote,
    Policy,
    QualitativeAssessment,
    Reference,
    State,
)
from factsheets.validation import POLICY_M2M_FIELDS

FACTSHEET_TEXT_FIELDS = ["introduction", "policies_intro", "assessment_intro", "qualitative_intro"]
POLICY_FK_FIELDS = ["policy_type", "focus", "evaluation"]
POLICY_FIELDS = [f.name for f in Policy._meta.concrete_fields if f.name not in ("id", "factsheet")]
REFERENCE_FIELDS = ["citation", "url", "last_accessed"]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def factsheet_snapshot(*, factsheet: Factsheet) -> dict[str, Any]:
    """The whole content of a factsheet as JSON-able data keyed by labels, never by database ids."""
    fs = Factsheet.objects.prefetch_related(
        Prefetch("policies", queryset=Policy.objects.select_related(*POLICY_FK_FIELDS)
                 .prefetch_related(*POLICY_M2M_FIELDS).order_by("order")),
        Prefetch("assessments", queryset=Assessment.objects.select_related("criterion", "level")),
        Prefetch("qualitative", queryset=QualitativeAssessment.objects.select_related("topic")),
        Prefetch("footnotes", queryset=Footnote.objects.order_by("id")),
        Prefetch("references", queryset=Reference.objects.order_by("order")),
    ).get(pk=factsheet.pk)
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
        "factsheet": {name: getattr(fs, name) for name in FACTSHEET_TEXT_FIELDS},
        "policies": policies,
        "assessments": [
            {"criterion": a.criterion.name, "score": _plain(a.score), "level": a.level.label if a.level else None}
            for a in fs.assessments.all()
        ],
        "qualitative": [{"topic": q.topic.title, "summary": q.summary, "text": q.text} for q in fs.qualitative.all()],
        "footnotes": [{"key": f.key, "text": f.text} for f in fs.footnotes.all()],
        "references": [
            {"order": r.order, **{name: _plain(getattr(r, name)) for name in REFERENCE_FIELDS}}
            for r in fs.references.all()
        ],
    }


def latest_revision(*, factsheet: Factsheet) -> Revision | None:
    return Revision.objects.filter(factsheet=factsheet).order_by("-number").first()


def revision_list(*, factsheet: Factsheet) -> QuerySet[Revision]:
    return (
        Revision.objects.filter(factsheet=factsheet).select_related("created_by").defer("snapshot")
        .order_by("-number")
    )


def current_publication(*, factsheet: Factsheet) -> Publication | None:
    """The version the public sees: the latest publication not withdrawn."""
    return (
        Publication.objects.filter(factsheet=factsheet, withdrawn_at__isnull=True)
        .select_related("revision", "published_by").order_by("-number").first()
    )


def publication_list(*, factsheet: Factsheet) -> QuerySet[Publication]:
    return Publication.objects.filter(factsheet=factsheet).select_related("published_by").order_by("-number")


def approved_revision(*, factsheet: Factsheet) -> Revision | None:
    """The revision the latest approval belongs to (None if never approved)."""
    entry = (
        AuditEntry.objects.filter(factsheet=factsheet, action="approve").select_related("revision")
        .order_by("-at", "-id").first()
    )
    return entry.revision if entry else None


# --- compare -----------------------------------------------------------------------------------------------

def _verbose(model, name: str) -> str:
    label = str(model._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return re.sub(r"[ \t]+", " ", unescape(strip_tags(re.sub(r"</(p|li)>|<br\s*/?>", "\n", str(value))))).strip()


def snapshot_fields(snapshot: dict[str, Any]) -> dict[tuple, tuple[str, str]]:
    """Flatten a snapshot into ordered (key -> (readable label, plain text)) pairs for comparison."""
    out: dict[tuple, tuple[str, str]] = {}
    for name in FACTSHEET_TEXT_FIELDS:
        out[("factsheet", name)] = (_verbose(Factsheet, name), _text(snapshot["factsheet"].get(name)))
    for item in snapshot.get("policies", []):
        order = item.get("order")
        for name in POLICY_FIELDS + POLICY_M2M_FIELDS:
            if name == "order":
                continue
            out[("policy", order, name)] = (f"Policy {order} › {_verbose(Policy, name)}", _text(item.get(name)))
    for item in snapshot.get("assessments", []):
        value = item.get("level") or item.get("score")
        out[("assessment", item["criterion"])] = (f"Assessment › {item['criterion']}", _text(value))
    for item in snapshot.get("qualitative", []):
        for name in ("summary", "text"):
            out[("qualitative", item["topic"], name)] = (
                f"Qualitative › {item['topic']} › {name}", _text(item.get(name)))
    for item in snapshot.get("footnotes", []):
        out[("footnote", item["key"])] = (f"Footnote [^{item['key']}]", _text(item.get("text")))
    for item in snapshot.get("references", []):
        for name in REFERENCE_FIELDS:
            out[("reference", item["order"], name)] = (
                f"Reference {item['order']} › {_verbose(Reference, name)}", _text(item.get(name)))
    return out


_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


def word_diff_html(old: str, new: str) -> str:
    """HTML of new against old, word by word: removed words in <del>, added words in <ins>."""
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
    parts = []
    for op, text in diffs:
        text = escape(text)
        parts.append(f"<del>{text}</del>" if op < 0 else f"<ins>{text}</ins>" if op > 0 else text)
    return "".join(parts)


@dataclass
class FieldChange:
    label: str
    old: str
    new: str
    diff_html: str
    kind: str  # changed | added | removed


def snapshot_compare(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """Per-field differences between two snapshots, in document order, with word-level highlighting."""
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


# --- timeline and dashboards -------------------------------------------------------------------------------

@dataclass
class TimelineItem:
    at: Any
    who: Any
    kind: str  # audit | comment | import
    entry: AuditEntry | None = None
    comment: ReviewComment | None = None
    data_import: DataImport | None = None


def factsheet_timeline(*, factsheet: Factsheet) -> list[TimelineItem]:
    """Audit entries, review comments and bulk imports of a factsheet in one list, newest first."""
    entries = list(
        AuditEntry.objects.filter(factsheet=factsheet)
        .select_related("actor", "revision", "review_comment__section", "review_comment__policy")
        .defer("revision__snapshot")
    )
    comments = (
        ReviewComment.objects.filter(factsheet=factsheet, audit_entry__isnull=True)
        .select_related("author", "section", "policy")
    )
    items = [TimelineItem(e.at, e.actor, "audit", entry=e) for e in entries]
    items += [TimelineItem(c.created_at, c.author, "comment", comment=c) for c in comments]
    items += [TimelineItem(i.created_at, i.user, "import", data_import=i)
              for i in DataImport.objects.filter(factsheets=factsheet).select_related("user")]
    items.sort(key=lambda item: item.at, reverse=True)
    return items


def carry_forward_issues(*, factsheet: Factsheet) -> QuerySet[CarryForwardIssue]:
    return CarryForwardIssue.objects.filter(factsheet=factsheet).order_by("id")


def _last_submitter():
    return Subquery(
        AuditEntry.objects.filter(factsheet=OuterRef("pk"), action="submit").order_by("-at", "-id")
        .values("actor")[:1]
    )


def dashboard(*, user, limit: int = 25) -> dict[str, list[Factsheet]]:
    """The admin index panels the user's roles call for: "Awaiting my review" (reviewers), "My drafts" and
    "Changes requested" (authors)."""
    base = Factsheet.objects.select_related("country", "edition").annotate(last_submitter=_last_submitter())
    panels: dict[str, list[Factsheet]] = {}
    if has_role_permission(user, "approve"):
        panels["awaiting_review"] = list(
            base.filter(state=State.IN_REVIEW).exclude(updated_by=user).exclude(last_submitter=user)
            .order_by("updated_at")[:limit]
        )
    if has_role_permission(user, "submit"):
        mine = Q(updated_by=user) | Q(last_submitter=user)
        panels["my_drafts"] = list(base.filter(mine, state=State.DRAFT).order_by("-updated_at")[:limit])
        panels["changes_requested"] = list(
            base.filter(mine, state=State.CHANGES_REQUESTED).order_by("-updated_at")[:limit]
        )
    return panels


def edition_state_counts() -> list[dict[str, Any]]:
    """Per edition, the number of factsheets in each state (every state listed, zeros included)."""
    counts: dict[int, dict[str, int]] = {}
    for row in Factsheet.objects.values("edition_id", "state").annotate(n=Count("id")):
        counts.setdefault(row["edition_id"], {})[row["state"]] = row["n"]
    rows = []
    for edition in Edition.objects.order_by("-year"):
        per_state = counts.get(edition.pk, {})
        rows.append({
            "edition": edition,
            "states": [(state, per_state.get(state.value, 0)) for state in State],
            "total": sum(per_state.values()),
        })
    return rows


# --- public pages: current and earlier publications -----------------------------------------------


def publications_live() -> QuerySet[Publication]:
    return Publication.objects.filter(withdrawn_at__isnull=True).select_related(
        "factsheet__country", "factsheet__edition"
    )


def publications_current() -> QuerySet[Publication]:
    """The latest not-withdrawn publication of every factsheet that has one."""
    latest = (
        Publication.objects.filter(factsheet=OuterRef("factsheet"), withdrawn_at__isnull=True)
        .order_by("-number").values("pk")[:1]
    )
    return publications_live().filter(pk=Subquery(latest)).order_by(
        "-factsheet__edition__year", "factsheet__country__name"
    )


def publications_by_edition() -> list[tuple[int, list[Publication]]]:
    """Current publications grouped by edition (newest first), each with its earlier live version numbers."""
    grouped: dict[int, list[Publication]] = defaultdict(list)
    current = list(publications_current())
    earlier: dict[int, list[int]] = defaultdict(list)
    for factsheet_id, number in (
        publications_live().filter(factsheet__in=[p.factsheet_id for p in current])
        .order_by("number").values_list("factsheet", "number")
    ):
        earlier[factsheet_id].append(number)
    for publication in current:
        publication.earlier_numbers = [n for n in earlier[publication.factsheet_id] if n < publication.number]
        grouped[publication.factsheet.edition.year].append(publication)
    return sorted(grouped.items(), reverse=True)


def publication_current_get(*, year: int, country_code: str) -> Publication | None:
    return (
        publications_live()
        .filter(factsheet__edition__year=year, factsheet__country__code=country_code.upper())
        .order_by("-number").first()
    )


def publication_version_get(*, year: int, country_code: str, number: int) -> Publication | None:
    return publications_live().filter(
        factsheet__edition__year=year, factsheet__country__code=country_code.upper(), number=number
    ).first()


def factsheets_unpublished() -> QuerySet[Factsheet]:
    return Factsheet.objects.filter(~Q(pk__in=Publication.objects.values("factsheet"))).select_related(
        "country", "edition"
    )


def factsheet_for_cli(*, country_code: str, year: int) -> Factsheet | None:
    return Factsheet.objects.select_related("country", "edition").filter(
        country__code=country_code.upper(), edition__year=year
    ).first()
