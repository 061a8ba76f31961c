"""The passages of a publication that search finds, read from its approved revision through the same document
as its web page and PDF (so only what the page prints, footnotes numbered as printed): the introduction, the
policies (name, type, categories and texts), the texts and qualitative assessments of the assessment section,
the notes and the references, each with the section it is in and its anchor on the factsheet page."""

from dataclasses import dataclass
from typing import Any

from editorial.models import Publication
from editorial.rendering.document import factsheet_document
from factsheets.richtext import FOOTNOTE_CALL, plain_text, text_lines

SEPARATOR = " · "
# A match in a reference or a note counts half: they are short, and would otherwise outrank the policies and
# texts they support (both rankings favour short passages).
SUPPORTING = 0.5
# The policy's fields in the order its column of Table 1 prints them: category lists (by snapshot key) and texts.
POLICY_PARTS = [
    "policy_type", "type_detail", "objectives", "objectives_text", "focus", "focus_text", "authority_roles",
    "authorities_text", "beneficiaries", "beneficiaries_other", "beneficiaries_text", "financial_instruments",
    "financial_instruments_note", "technical_instruments", "technical_instruments_note", "instruments_text",
    "history_text", "budget_overall_note", "budget_annual_note", "budget_source", "evaluation", "evaluation_text",
    "eu_priorities",
]


@dataclass
class Passage:
    section: str
    anchor: str
    title: str
    body: str
    weight: float = 1.0


def _rich(html: str | None) -> str:
    """Rich text as it reads, footnote calls left out (the notes are passages of their own)."""
    return SEPARATOR.join(text_lines(FOOTNOTE_CALL.sub("", html or "")))


def _plain(text: Any) -> str:
    return plain_text(FOOTNOTE_CALL.sub("", str(text or "")))


def _join(parts: list[str]) -> str:
    return SEPARATOR.join(p for p in parts if p)


def _policy_body(policy: dict[str, Any]) -> str:
    parts = []
    for name in POLICY_PARTS:
        value = policy.get(name)
        if isinstance(value, list):
            parts.extend(_plain(label) for label in value)
        elif name == "beneficiaries_other" and value:
            parts.append(f"Other: {_plain(value)}")
        elif name.endswith("_text") or name == "budget_source":
            parts.append(_rich(value))
        else:
            parts.append(_plain(value))
    return _join(parts)


def publication_passages(publication: Publication) -> list[Passage]:
    """What the page of a publication prints, as passages in page order (its factsheet's country and edition and
    its revision selected)."""
    if publication.revision_id is None:
        return []
    snapshot = publication.revision.snapshot
    doc = factsheet_document(publication.factsheet, snapshot, web=True)
    content = snapshot.get("factsheet") or {}
    found: list[Passage] = []

    def add(section: str, anchor: str, title: str, body: str, weight: float = 1.0) -> None:
        if title or body:
            found.append(Passage(section=section, anchor=anchor, title=title, body=body, weight=weight))

    for section in doc.sections:
        where, anchor = section.numbered_title, section.anchor
        if section.kind == "introduction":
            add(where, anchor, "", _rich(content.get("introduction")))
        elif section.kind == "policies":
            add(where, anchor, "", _rich(content.get("policies_intro")))
            policies = sorted(snapshot.get("policies", []), key=lambda p: p.get("order") or 0)
            for policy in policies:
                uid = policy.get("uid") or ""
                add(where, f"policy-{uid}" if uid else anchor, _plain(policy.get("name")), _policy_body(policy))
        elif section.kind == "assessment":
            add(where, anchor, "", _rich(content.get("assessment_intro")))
            add(where, anchor, "", _rich(content.get("qualitative_intro")))
            for number, item in enumerate(snapshot.get("qualitative", []), start=1):
                add(where, f"topic-{number}", _plain(item.get("topic")),
                    _join([_rich(item.get("summary")), _rich(item.get("text"))]))
        elif section.kind == "references":
            for reference in doc.references:
                for entry in [reference, *reference["children"]]:
                    label = entry["url_label"] if entry["url_label"] != entry["url"] else ""
                    add(where, anchor, "", _join([_plain(entry["citation"]), _plain(label)]), SUPPORTING)
    notes = {f.get("key"): f.get("text") for f in snapshot.get("footnotes", [])}
    for note in doc.footnotes:
        add("Notes", f"fn-{note.number}", f"Note {note.number}", _rich(notes.get(note.key)), SUPPORTING)
    return found
