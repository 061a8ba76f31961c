"""Reads of the editorial domain: revisions and decisions, the timeline, carry-forward issues and comments, the
editions' dashboards."""

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from editorial.models import (
    AuditEntry,
    CarryForwardIssue,
    Publication,
    ReviewComment,
    Revision,
    ValidationAnswer,
)
from factsheets.models import DataImport, Edition, Factsheet, Policy, State


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


def approved_revision(*, factsheet: Factsheet) -> Revision | None:
    """The revision the latest approval belongs to (None if never approved)."""
    entry = (
        AuditEntry.objects.filter(factsheet=factsheet, action="approve").select_related("revision")
        .order_by("-at", "-id").first()
    )
    return entry.revision if entry else None


# --- timeline, issues, comments --------------------------------------------------------------------------

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


# --- the editions' dashboards -----------------------------------------------------------------------------

def edition_state_counts() -> list[dict[str, Any]]:
    """Per edition, the number of factsheets in each working state (zeros included), how many have a live
    publication, and how many carry-forward issues are still open."""
    counts: dict[int, dict[str, int]] = {}
    for row in Factsheet.objects.values("edition_id", "state").annotate(n=Count("id")):
        counts.setdefault(row["edition_id"], {})[row["state"]] = row["n"]
    live = dict(Publication.objects.live().values("factsheet__edition_id")
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
        Publication.objects.live().filter(factsheet=OuterRef("pk")).order_by("-number")
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


def factsheet_for_cli(*, country_code: str, year: int) -> Factsheet | None:
    return Factsheet.objects.select_related("country", "edition").filter(
        country__code=country_code.upper(), edition__year=year
    ).first()


def factsheets_missing(*, edition: Edition, factsheets: list[Factsheet]) -> dict[int, list]:
    """What each factsheet's working copy lacks under its edition's completeness rules (the dashboard's column):
    the same rules as Submit and Approve, read from the rows in a fixed number of queries."""
    from collections import Counter

    from editorial.completeness import edition_rules, snapshot_missing
    from factsheets.models import Assessment, QualitativeAssessment, Reference

    rules = edition_rules(edition=edition)
    ids = [f.pk for f in factsheets]
    if not rules or not ids:
        return {pk: [] for pk in ids}
    edition_part = {
        "assessment_method": edition.assessment_method,
        "criteria": [{"name": name} for name in edition.criteria.order_by("order").values_list("name", flat=True)],
        "topics": list(edition.topics.order_by("order").values_list("title", flat=True)),
    }
    policies = Counter(Policy.objects.filter(factsheet__in=ids).values_list("factsheet", flat=True))
    references = Counter(Reference.objects.filter(factsheet__in=ids).values_list("factsheet", flat=True))
    assessments: dict[int, list] = defaultdict(list)
    for factsheet_id, criterion, level, score in Assessment.objects.filter(factsheet__in=ids).values_list(
            "factsheet", "criterion__name", "level__label", "score"):
        assessments[factsheet_id].append({"criterion": criterion, "level": level, "score": score})
    qualitative: dict[int, list] = defaultdict(list)
    for factsheet_id, topic, summary, text in QualitativeAssessment.objects.filter(factsheet__in=ids).values_list(
            "factsheet", "topic__title", "summary", "text"):
        qualitative[factsheet_id].append({"topic": topic, "summary": summary, "text": text})
    released = set(Publication.objects.released().filter(factsheet__in=ids).values_list("factsheet", flat=True))
    missing = {}
    for fs in factsheets:
        snapshot = {
            "edition": edition_part,
            "factsheet": {"introduction": fs.introduction, "policies_intro": fs.policies_intro,
                          "no_cluster_policy": fs.no_cluster_policy, "correction_note": fs.correction_note},
            "policies": [{}] * policies[fs.pk], "references": [{}] * references[fs.pk],
            "assessments": assessments[fs.pk], "qualitative": qualitative[fs.pk],
        }
        needs_note = fs.pk in released and fs.state not in (State.PUBLISHED, State.WITHDRAWN)
        missing[fs.pk] = snapshot_missing(snapshot, rules, needs_note=needs_note)
    return missing
