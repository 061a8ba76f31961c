"""What a complete factsheet holds: each edition lists its parts (factsheets.CompletenessRule, data), and Submit,
Approve and Publish refuse a factsheet that lacks one, naming what is missing and linking to where it is written.
A new version of a published factsheet also needs its public note (what it corrects)."""

from dataclasses import dataclass
from typing import Any

from django.utils.html import format_html, format_html_join

from editorial.permissions import WorkflowError
from factsheets.models import CompletenessRule, Edition
from factsheets.richtext import plain_text, text_lines

Part = CompletenessRule.Part


@dataclass(frozen=True)
class Missing:
    """One missing part: what to write, and the anchor of the factsheet page where it is written."""

    text: str
    anchor: str


class IncompleteFactsheet(WorkflowError):
    """The action is refused because the factsheet lacks parts its edition requires."""

    def __init__(self, action_label: str, missing: list[Missing], *, link: str = ""):
        self.missing = missing
        message = (f"“{action_label}” is not possible until the factsheet is complete. Missing: "
                   + " ".join(f"{m.text}." for m in missing))
        super().__init__(message)
        self.html = format_html(
            "“{}” is not possible until the factsheet is complete. Missing:<ul class=\"missing-parts\">{}</ul>",
            action_label, format_html_join("", '<li><a href="{}#{}">{}</a></li>',
                                           ((link, m.anchor, m.text) for m in missing)))


def _written(html: Any) -> bool:
    return bool(text_lines(html or ""))


def edition_rules(*, edition: Edition | int) -> list[CompletenessRule]:
    edition_id = edition.pk if isinstance(edition, Edition) else edition
    return list(CompletenessRule.objects.filter(edition_id=edition_id))


def snapshot_missing(snapshot: dict[str, Any], rules: list[CompletenessRule], *,
                     needs_note: bool = False) -> list[Missing]:
    """The parts a factsheet's snapshot lacks under its edition's rules (and its public note, when it is a new
    version of a published factsheet)."""
    factsheet = snapshot.get("factsheet") or {}
    edition = snapshot.get("edition") or {}
    missing: list[Missing] = []
    for rule in sorted(rules, key=lambda r: list(Part.values).index(r.part)):
        if rule.part == Part.INTRODUCTION and not _written(factsheet.get("introduction")):
            missing.append(Missing("the introduction (it is empty)", "section-introduction"))
        elif rule.part == Part.POLICIES:
            count = len(snapshot.get("policies") or [])
            if count >= rule.minimum:
                continue
            if count == 0 and factsheet.get("no_cluster_policy"):
                if not _written(factsheet.get("policies_intro")):
                    missing.append(Missing("the reason there is no cluster policy (write it in the policies "
                                           "introduction)", "section-policies"))
                continue
            wanted = "a policy" if rule.minimum == 1 else f"at least {rule.minimum} policies ({count} now)"
            missing.append(Missing(f"{wanted}, or the “no cluster policy” statement with its reason",
                                   "policies-group" if count or not factsheet.get("no_cluster_policy")
                                   else "section-policies"))
        elif rule.part == Part.ASSESSMENTS:
            scored = edition.get("assessment_method") == Edition.AssessmentMethod.SCORE
            assessed = {a.get("criterion") for a in snapshot.get("assessments") or []
                        if (a.get("score") not in (None, "") if scored else a.get("level"))}
            for criterion in edition.get("criteria") or []:
                if criterion["name"] not in assessed:
                    missing.append(Missing(f"the {'score' if scored else 'level'} of the criterion "
                                           f"“{criterion['name']}”", "assessments-group"))
        elif rule.part == Part.QUALITATIVE:
            written = {q.get("topic") for q in snapshot.get("qualitative") or []
                       if _written(q.get("text")) or _written(q.get("summary"))}
            for topic in edition.get("topics") or []:
                if topic not in written:
                    missing.append(Missing(f"the qualitative text on “{topic}”", "qualitative-group"))
        elif rule.part == Part.REFERENCES:
            count = len(snapshot.get("references") or [])
            if count < rule.minimum:
                wanted = "a reference" if rule.minimum == 1 else f"at least {rule.minimum} references ({count} now)"
                missing.append(Missing(wanted, "references-group"))
    if needs_note and not plain_text(factsheet.get("correction_note") or ""):
        missing.append(Missing("the public note on this version (what it corrects: the factsheet is published, so "
                               "readers are told what the new version changes)", "id_correction_note"))
    return missing
