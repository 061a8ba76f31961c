"""Reads of the editorial domain: snapshots, revision diffs, timelines, dashboards, public publications."""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from diff_match_patch import diff_match_patch
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import escape

from editorial.models import AuditEntry, CarryForwardIssue, Publication, ReviewComment, Revision
from editorial.permissions import has_role_permission
from factsheets.models import (
    PRESENTATION_FIELDS,
    Assessment,
    Criterion,
    DataImport,
    Edition,
    Factsheet,
    Footnote,
    Level,
    Policy,
    QualitativeAssessment,
    Reference,
    Section,
    State,
    Topic,
)
from factsheets.richtext import plain_text, text_lines
from factsheets.validation import POLICY_M2M_FIELDS

FACTSHEET_TEXT_FIELDS = ["introduction", "policies_intro", "assessment_intro", "qualitative_intro"]
POLICY_FK_FIELDS = ["policy_type", "focus", "evaluation"]
POLICY_FIELDS = [f.name for f in Policy._meta.concrete_fields if f.name not in ("id", "factsheet")]
REFERENCE_FIELDS = ["citation", "url", "url_label", "last_accessed", "sub_item"]


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
        "edition": edition_snapshot(edition_id=fs.edition_id),
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


def latest_revision(*, factsheet: Factsheet) -> Revision | None:
    return Revision.objects.filter(factsheet=factsheet).order_by("-number").first()


def revision_last_reviewed(*, factsheet: Factsheet, user) -> tuple[Revision | None, AuditEntry | None]:
    """The revision of this user's last decision (approve, request changes) on the factsheet, and the decision."""
    entry = (AuditEntry.objects.filter(factsheet=factsheet, actor=user, action__in=["approve", "request_changes"],
                                       revision__isnull=False)
             .select_related("revision").order_by("-at", "-id").first())
    return (entry.revision, entry) if entry else (None, None)


DECISION_ACTIONS = ["submit", "request_changes", "approve", "publish", "withdraw"]


def revision_decisions(*, factsheet: Factsheet) -> dict[int, list[AuditEntry]]:
    """Which workflow decisions each revision was about (revision id -> audit entries, oldest first)."""
    decisions: dict[int, list[AuditEntry]] = defaultdict(list)
    for entry in (AuditEntry.objects.filter(factsheet=factsheet, action__in=DECISION_ACTIONS, revision__isnull=False)
                  .select_related("actor").order_by("at", "id")):
        decisions[entry.revision_id].append(entry)
    return decisions


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


def _text(value: Any, *, rich: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(plain_text(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "\n".join(text_lines(value)) if rich else plain_text(value)


def _rich_names(model) -> set[str]:
    from factsheets.richtext import RichTextField

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
        out[("edition", name)] = (f"Edition › {_verbose(Edition, name)}", _text(value, rich=name in rich))
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
        out[("factsheet", name)] = (_verbose(Factsheet, name), _text(snapshot["factsheet"].get(name), rich=True))
    for item in snapshot.get("policies", []):
        order = item.get("order")
        for name in POLICY_FIELDS + POLICY_M2M_FIELDS:
            if name in ("order", "uid") or name.endswith("_currency"):
                continue
            out[("policy", order, name)] = (f"Policy {order} › {_verbose(Policy, name)}", _policy_value(item, name))
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
        for name in REFERENCE_FIELDS:
            value = item.get(name)
            if name == "sub_item":
                value = "Yes" if value else ""  # shown only when set: a new reference is not "changed" to No
            out[("reference", item["order"], name)] = (
                f"Reference {item['order']} › {_verbose(Reference, name)}", _text(value))
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


# --- timeline and dashboards -------------------------------------------------------------------------------

@dataclass
class TimelineItem:
    at: Any
    who: Any
    kind: str  # audit | comment | import
    entry: AuditEntry | None = None
    comment: ReviewComment | None = None
    data_import: DataImport | None = None
    validation_answer: Any = None


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
    from editorial.models import ValidationAnswer

    items += [TimelineItem(a.created_at, a.request.contact_label, "validation", validation_answer=a)
              for a in ValidationAnswer.objects.filter(request__factsheet=factsheet).select_related("request")]
    items.sort(key=lambda item: item.at, reverse=True)
    return items


def carry_forward_issues(*, factsheet: Factsheet) -> QuerySet[CarryForwardIssue]:
    return CarryForwardIssue.objects.filter(factsheet=factsheet).select_related("handled_by").order_by("id")


@dataclass
class IssueGroup:
    dimension: str
    anchor: str
    issues: list[CarryForwardIssue]

    @property
    def open_count(self) -> int:
        return sum(1 for issue in self.issues if issue.handled_at is None)


def carry_forward_issue_groups(*, factsheet: Factsheet, policies: list[Policy] | None = None) -> dict[str, Any]:
    """Carry-forward issues grouped by the dimension they are about (policy objectives, focus, assessment…), each
    group linked to where it is edited; open ones first."""
    if policies is None:
        policies = list(Policy.objects.filter(factsheet=factsheet).only("id", "order"))
    policies = {p.order: p.pk for p in policies}
    groups: dict[str, IssueGroup] = {}
    for issue in carry_forward_issues(factsheet=factsheet):
        dimension, sep, _rest = issue.message.partition(": ")
        if not sep or len(dimension) > 60:
            dimension = issue.where.split(" › ")[0].split(" “")[0]
        anchor = ""
        match = re.match(r"Policy (\d+)", issue.where)
        if match and int(match[1]) in policies:
            anchor = f"policy-{policies[int(match[1])]}"
        elif issue.where.startswith("Assessment"):
            anchor = "assessments-group"
        elif issue.where.startswith("Qualitative"):
            anchor = "qualitative-group"
        key = dimension
        groups.setdefault(key, IssueGroup(dimension=dimension, anchor=anchor, issues=[])).issues.append(issue)
    ordered = sorted(groups.values(), key=lambda g: (g.open_count == 0, g.dimension))
    return {"groups": ordered, "open": sum(g.open_count for g in ordered),
            "total": sum(len(g.issues) for g in ordered)}


def review_comments_open(*, factsheet: Factsheet) -> QuerySet[ReviewComment]:
    """Comments nobody has marked resolved yet, oldest first, with what they are about."""
    return (ReviewComment.objects.filter(factsheet=factsheet, resolved_at__isnull=True)
            .select_related("author", "section", "policy").order_by("created_at", "id"))


def _last_submitter():
    return Subquery(
        AuditEntry.objects.filter(factsheet=OuterRef("pk"), action="submit").order_by("-at", "-id")
        .values("actor")[:1]
    )


def factsheets_reviewable_by(user) -> QuerySet[Factsheet]:
    """Factsheets in review that this user may decide on (four eyes: none holding their own changes since the
    last published version, none they submitted or last edited), assigned to them or to no reviewer."""
    authored = Revision.objects.filter(
        factsheet=OuterRef("pk"), created_by=user,
        number__gt=Coalesce(Subquery(
            Publication.objects.filter(factsheet=OuterRef(OuterRef("pk")), revision__isnull=False)
            .order_by("-number").values("revision__number")[:1]), 0),
    )
    return (
        Factsheet.objects.filter(state=State.IN_REVIEW)
        .filter(Q(assigned_reviewer=user) | Q(assigned_reviewer__isnull=True))
        .annotate(last_submitter=_last_submitter(), authored_by_me=Exists(authored))
        .exclude(updated_by=user).exclude(last_submitter=user).exclude(authored_by_me=True)
    )


def _last_decision_revision(user):
    return Subquery(
        AuditEntry.objects.filter(factsheet=OuterRef("pk"), actor=user, action__in=["approve", "request_changes"])
        .order_by("-at", "-id").values("revision__number")[:1]
    )


QUEUES = {
    "ready_to_publish": ("Ready to publish", "Nothing is approved and waiting to be published."),
    "awaiting_review": ("Awaiting my review", "Nothing awaits your review."),
    "my_drafts": ("My drafts", "You have no drafts."),
    "changes_requested": ("Changes requested", "No changes requested of you."),
    "waiting_for_decision": ("Mine, waiting for a decision", "None of yours is in review or approved."),
    "validation_answers": ("Validation answers to read", "No national validation answer waits to be read."),
}


QUEUE_ANCHORS = {"ready_to_publish": "ready-to-publish", "awaiting_review": "awaiting-my-review",
                 "my_drafts": "my-drafts", "changes_requested": "changes-requested",
                 "waiting_for_decision": "waiting-for-decision", "validation_answers": "validation-answers"}


def dashboard(*, user, limit: int = 25) -> dict[str, dict[str, Any]]:
    """The admin index queues of the user's roles, each with its items and total count: "Ready to publish"
    (editors), "Awaiting my review" (reviewers), "My drafts", "Changes requested" and "Mine, waiting for a
    decision" (analysts: assigned to them, or unassigned and last touched by them)."""
    base = Factsheet.objects.select_related("country", "edition", "assigned_analyst", "assigned_reviewer")
    mine = Q(assigned_analyst=user) | (Q(assigned_analyst__isnull=True)
                                       & (Q(updated_by=user) | Q(last_submitter=user)))
    querysets: dict[str, QuerySet] = {}
    if has_role_permission(user, "publish"):
        querysets["ready_to_publish"] = base.filter(state=State.APPROVED).order_by("updated_at")
    if has_role_permission(user, "approve"):
        querysets["awaiting_review"] = (
            factsheets_reviewable_by(user).select_related("country", "edition", "assigned_analyst")
            .annotate(my_last_review=_last_decision_revision(user)).order_by("updated_at")
        )
    if has_role_permission(user, "request_validation"):
        from editorial.models import ValidationRequest

        querysets["validation_answers"] = (
            ValidationRequest.objects.filter(answered_at__isnull=False, read_at__isnull=True)
            .select_related("factsheet__country", "factsheet__edition").order_by("answered_at")
        )
    if has_role_permission(user, "submit"):
        authored = base.annotate(last_submitter=_last_submitter())
        querysets["my_drafts"] = authored.filter(mine, state=State.DRAFT).order_by("-updated_at")
        querysets["changes_requested"] = authored.filter(mine, state=State.CHANGES_REQUESTED).order_by("-updated_at")
        querysets["waiting_for_decision"] = authored.filter(
            mine, state__in=[State.IN_REVIEW, State.APPROVED]).order_by("-updated_at")
    panels = {}
    for key, queryset in querysets.items():
        title, empty = QUEUES[key]
        items = list(queryset[:limit])
        count = len(items) if len(items) < limit else queryset.count()  # a count query only for long queues
        panels[key] = {"title": title, "empty": empty, "items": items, "count": count,
                       "anchor": QUEUE_ANCHORS[key]}
    return panels


def edition_state_counts() -> list[dict[str, Any]]:
    """Per edition, the number of factsheets in each working state (zeros included), how many have a live
    publication, and how many carry-forward issues are still open."""
    counts: dict[int, dict[str, int]] = {}
    for row in Factsheet.objects.values("edition_id", "state").annotate(n=Count("id")):
        counts.setdefault(row["edition_id"], {})[row["state"]] = row["n"]
    live = dict(Publication.objects.filter(withdrawn_at__isnull=True).values("factsheet__edition_id")
                .annotate(n=Count("factsheet", distinct=True)).values_list("factsheet__edition_id", "n"))
    issues = dict(CarryForwardIssue.objects.filter(handled_at__isnull=True).values("factsheet__edition_id")
                  .annotate(n=Count("id")).values_list("factsheet__edition_id", "n"))
    rows = []
    for edition in Edition.objects.order_by("-year"):
        per_state = counts.get(edition.pk, {})
        rows.append({
            "edition": edition,
            "states": [(state, per_state.get(state.value, 0)) for state in State],
            "total": sum(per_state.values()),
            "live": live.get(edition.pk, 0),
            "open_issues": issues.get(edition.pk, 0),
        })
    return rows


def _live_publication(field: str):
    return Subquery(
        Publication.objects.filter(factsheet=OuterRef("pk"), withdrawn_at__isnull=True).order_by("-number")
        .values(field)[:1]
    )


EDITION_FILTERS = ("state", "analyst", "issues", "live")


def edition_factsheets(*, edition: Edition, filters: dict[str, str] | None = None) -> QuerySet[Factsheet]:
    """Every factsheet of an edition for its dashboard: working state, live version beside it, who writes and
    reviews it, open carry-forward issues and open comments; filtered by state, analyst ("none" for unassigned),
    open issues ("open") and live version ("yes"/"no")."""
    filters = filters or {}
    queryset = (
        Factsheet.objects.filter(edition=edition)
        .select_related("country", "edition", "assigned_analyst", "assigned_reviewer", "updated_by")
        .annotate(
            live_number=_live_publication("number"), live_at=_live_publication("published_at"),
            open_issues=Count("carry_forward_issues", filter=Q(carry_forward_issues__handled_at__isnull=True),
                              distinct=True),
            open_comments=Count("review_comments", filter=Q(review_comments__resolved_at__isnull=True),
                                distinct=True),
        )
        .order_by("country__name")
    )
    if filters.get("state") in State.values:
        queryset = queryset.filter(state=filters["state"])
    analyst = filters.get("analyst")
    if analyst == "none":
        queryset = queryset.filter(assigned_analyst__isnull=True)
    elif analyst and analyst.isdigit():
        queryset = queryset.filter(assigned_analyst_id=int(analyst))
    if filters.get("issues") == "open":
        queryset = queryset.filter(open_issues__gt=0)
    if filters.get("live") == "yes":
        queryset = queryset.filter(live_number__isnull=False)
    elif filters.get("live") == "no":
        queryset = queryset.filter(live_number__isnull=True)
    return queryset


def users_with_role_permission(action: str):
    """Active users who may take an action (the choices of the assignment form)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from editorial.permissions import required_permission

    app_label, _, codename = required_permission(action).partition(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
    users = get_user_model().objects.filter(is_active=True)
    if permission is None:
        return users.filter(is_superuser=True)
    return users.filter(Q(groups__permissions=permission) | Q(user_permissions=permission)
                        | Q(is_superuser=True)).distinct().order_by("username")


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


def edition_has_publications(*, edition: Edition) -> bool:
    return Publication.objects.filter(factsheet__edition=edition).exists()


def country_has_publications(*, country) -> bool:
    return Publication.objects.filter(factsheet__country=country).exists()


def factsheets_unpublished() -> QuerySet[Factsheet]:
    return Factsheet.objects.filter(~Q(pk__in=Publication.objects.values("factsheet"))).select_related(
        "country", "edition"
    )


def factsheet_for_cli(*, country_code: str, year: int) -> Factsheet | None:
    return Factsheet.objects.select_related("country", "edition").filter(
        country__code=country_code.upper(), edition__year=year
    ).first()


# --- the factsheet page's workflow panel ---------------------------------------------------------------------

STATE_NOTES = {
    State.IN_REVIEW: "Read-only while the review is under way.",
    State.APPROVED: "Read-only: approved and waiting to be published. Any change would need a new review.",
    State.PUBLISHED: "This version is published and cannot change",
    State.WITHDRAWN: "This version is withdrawn and cannot change",
}


def workflow_panel(*, user, factsheet: Factsheet) -> dict[str, Any]:
    """Everything the factsheet page shows about its workflow for this user: state, allowed actions, the open
    change request, open comments, carry-forward issues, versions and the comparisons worth a click."""
    from editorial import permissions
    from factsheets.models import Section

    transitions = permissions.allowed_transitions(user, factsheet)
    publishing = publish_status(factsheet=factsheet)
    if publishing.get("active"):  # one publish at a time: the button comes back if this one fails
        transitions = [t for t in transitions if t.action != "publish"]
    timeline = factsheet_timeline(factsheet=factsheet)
    publications = list(publication_list(factsheet=factsheet).select_related("revision"))
    live = next((p for p in publications if p.withdrawn_at is None), None)
    latest = latest_revision(factsheet=factsheet)
    policies = list(factsheet.policies.only("id", "order", "name", "factsheet_id"))
    reviewed, _decision = revision_last_reviewed(factsheet=factsheet, user=user)
    can_review = permissions.has_role_permission(user, "approve")
    return {
        "state": factsheet.state,
        "state_label": State(factsheet.state).label,
        "state_note": STATE_NOTES.get(factsheet.state, ""),
        "publishing": publishing,
        "transitions": transitions,
        "can_comment": permissions.can(user, "comment", factsheet),
        "comment_open": any(t.comment_required for t in transitions),
        "editable": permissions.can_edit(user, factsheet),
        "form": None,
        "sections": list(Section.objects.filter(edition_id=factsheet.edition_id)),
        "policies": policies,
        "timeline": timeline,
        "change_request": next(
            (i.entry for i in timeline if i.kind == "audit" and i.entry.action == "request_changes"), None
        ) if factsheet.state == State.CHANGES_REQUESTED else None,
        "issues": carry_forward_issue_groups(factsheet=factsheet, policies=policies),
        "open_comments": list(review_comments_open(factsheet=factsheet)),
        "can_resolve": permissions.can(user, "resolve_comment", factsheet),
        "can_handle_issues": permissions.can_edit(user, factsheet),
        "publications": publications,
        "live": live,
        # offered only when it would show something
        "compare_published": bool(live and live.revision and latest and live.revision_id != latest.pk
                                  and live.revision.snapshot != latest.snapshot),
        "changes_since_review": bool(can_review and latest and (reviewed is None or reviewed.pk != latest.pk)
                                     and (reviewed is not None or factsheet.state == State.IN_REVIEW)),
        "reviewed_revision": reviewed,
        "validation": _validation_panel(user, factsheet),
    }


def _validation_panel(user, factsheet: Factsheet) -> dict[str, Any]:
    from editorial import permissions
    from editorial.validation import contacts_for, validation_requests_of

    requests = validation_requests_of(factsheet=factsheet)
    can_send = permissions.can(user, "request_validation", factsheet) and factsheet.state in (
        State.DRAFT, State.CHANGES_REQUESTED)
    return {
        "requests": requests,
        "can_send": can_send,
        "can_manage": permissions.can(user, "request_validation"),
        "contacts": list(contacts_for(factsheet=factsheet)) if can_send else [],
        "required": factsheet.edition.validation_required,
        "confirmed": any(r.verdict == "confirmed" and not r.revoked_at for r in requests),
        "unread": sum(1 for r in requests if r.answered_at and not r.read_at),
        "default_deadline": timezone.localdate() + timedelta(days=21),
    }


# --- publishing ----------------------------------------------------------------------------------------------

def publish_status(*, factsheet: Factsheet) -> dict[str, Any]:
    """The factsheet's latest publish job, as the page shows it: status, attempts, error, the version it made."""
    from editorial.models import PublishJob

    job = (PublishJob.objects.filter(factsheet=factsheet).select_related("publication")
           .order_by("-requested_at", "-id").first())
    if job is None:
        return {"status": None}
    return {
        "status": job.status, "label": job.get_status_display(), "attempts": job.attempts, "error": job.error,
        "active": job.status in PublishJob.ACTIVE,
        "version": job.publication.number if job.publication_id else None,
        "requested_at": job.requested_at.isoformat(),
    }


def batch_jobs(*, batch: str) -> list:
    """The jobs of one "publish the edition" action, the latest per factsheet (a retried one counts once)."""
    from editorial.models import PublishJob

    latest = {}
    for job in (PublishJob.objects.filter(batch=batch)
                .select_related("factsheet__country", "factsheet__edition", "publication")
                .order_by("requested_at", "id")):
        latest[job.factsheet_id] = job
    return list(latest.values())


def batch_progress(*, batch: str) -> dict[str, Any]:
    """How far one "publish the edition" action has got: counts per status and the failed factsheets."""
    from editorial.models import PublishJob

    jobs = batch_jobs(batch=batch)
    counts = {status: sum(1 for job in jobs if job.status == status) for status in PublishJob.Status.values}
    return {
        "batch": batch, "total": len(jobs), **counts,
        "finished": all(job.status not in PublishJob.ACTIVE for job in jobs),
        "failed_items": [{"country": str(job.factsheet.country.name), "error": job.error}
                         for job in jobs if job.status == PublishJob.Status.FAILED],
    }
