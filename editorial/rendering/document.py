"""The printable document of a factsheet, built from a snapshot: an approved revision's for a publication or a
validation link, the working copy's (a snapshot of now) for a draft preview. So what was approved is what is
printed, whatever happens to the rows meanwhile."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from editorial.snapshots import EDITION_PRINTED_FIELDS, edition_snapshot, factsheet_snapshot
from factsheets.formatting import NO_DATA, format_amount, format_year
from factsheets.models import Edition, Factsheet, Policy, Section
from factsheets.richtext import FOOTNOTE_CALL, sanitize, text_lines
from factsheets.values import decimal_or_none

_TAG = re.compile(r"(<[^>]*>)")  # sanitised HTML: nh3 escapes < and > inside attribute values


@dataclass
class Note:
    number: int
    key: str
    html: SafeString


class Footnotes:
    """Numbers footnotes by order of first call as texts are converted in print order."""

    def __init__(self, footnotes: list[dict], *, web: bool = False):
        self.web = web  # a web page links calls and notes both ways; print floats the notes to the page foot
        self._texts = {f["key"]: f.get("text") or "" for f in footnotes}
        self.numbers: dict[str, int] = {}
        self.notes: list[Note] = []
        self.deferred: list[SafeString] = []

    def _body(self, key: str) -> str:
        text = FOOTNOTE_CALL.sub("", sanitize(self._texts[key]))
        text = re.sub(r"</p>\s*<p>|<br>|</li>\s*<li>", "<br>", text)
        text = re.sub(r"</?(p|ul|ol)>", "", text).replace("<li>", "").replace("</li>", "")
        return text.strip()

    def call(self, key: str, *, deferred: bool = False) -> str:
        if key not in self._texts:
            return f"[^{key}]"
        if key in self.numbers:
            n = self.numbers[key]
            return f'<sup class="fn-ref" data-n="{n}"><a href="#fn-{n}">{n}</a></sup>'
        n = len(self.numbers) + 1
        self.numbers[key] = n
        body = self._body(key)
        self.notes.append(Note(number=n, key=key, html=mark_safe(body)))  # noqa: S308
        if self.web:
            return (f'<sup class="fn-ref"><a href="#fn-{n}" id="fnref-{n}" aria-label="Note {n}">{n}</a></sup>')
        if deferred:
            self.deferred.append(mark_safe(f'<span class="fn fn-silent" id="fn-{n}" data-n="{n}">{body}</span>'))  # noqa: S308
            return f'<sup class="fn-ref" data-n="{n}">{n}</sup>'
        return f'<span class="fn" id="fn-{n}" data-n="{n}">{body}</span>'

    def rich(self, html: str | None, *, deferred: bool = False) -> SafeString:
        """Sanitise stored rich text again (defence in depth) and turn its calls into footnotes."""
        cleaned = sanitize(html)
        # Calls are replaced in text only: inside a tag (a link's href or title) a footnote would break the markup.
        parts = _TAG.split(cleaned)
        for i in range(0, len(parts), 2):
            parts[i] = FOOTNOTE_CALL.sub(lambda m: self.call(m[1], deferred=deferred), parts[i])
        return mark_safe("".join(parts))  # noqa: S308

    def plain(self, text: str | None, *, deferred: bool = False) -> SafeString:
        """Escape plain text and turn its calls into footnotes."""
        escaped = str(escape(text or ""))
        return mark_safe(FOOTNOTE_CALL.sub(lambda m: self.call(m[1], deferred=deferred), escaped))  # noqa: S308


@dataclass
class Cell:
    categories: list[str] = field(default_factory=list)
    html: SafeString = mark_safe("")  # noqa: S308
    policy: str = ""  # the policy's name as plain text (a phone shows it above the cell when the table stacks)


@dataclass
class Row:
    label: str
    cells: list[Cell]

    @property
    def compact(self) -> bool:
        return all(len(c.categories) <= 3 and len(c.html) < 300 for c in self.cells)


@dataclass
class Dimension:
    label: str
    rows: list[Row]


@dataclass
class SectionPart:
    kind: str
    number: int | None
    title: str
    divider: bool
    anchor: str

    @property
    def numbered_title(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title

    @property
    def divider_number(self) -> str:
        return f"{self.number:02d}" if self.number else ""


@dataclass
class Document:
    factsheet: Factsheet  # who (country, edition); what it says comes from the snapshot
    edition: SimpleNamespace  # the edition as the snapshot printed it (titles, layout, presentation)
    modified: datetime | None
    country: str
    year: int
    title: str
    sections: list[SectionPart]
    texts: dict[str, SafeString]
    policy_heads: list[dict]
    table1_caption: str
    table1: list[Dimension]
    table_number: dict[str, int]
    assessment: dict
    qualitative: list[dict]
    references: list[dict]
    annex: list[dict]
    footnotes: list[Note]
    deferred_notes: list[SafeString]
    keywords: list[str]
    source_line: str  # empty when the edition prints no source lines
    captions: dict[str, str] = field(default_factory=dict)  # table kind -> caption ("" for none)
    chart_caption: str = ""
    contents_title: str = "Contents"
    contents_lists_itself: bool = False
    reference_style: str = "plain"
    list_classes: str = ""

    def section(self, kind: str) -> SectionPart | None:
        return next((s for s in self.sections if s.kind == kind), None)


CAPTION_FIELDS = ("number", "country", "title")
CAPTION_PART = re.compile(r"\{\{|\}\}|\{(" + "|".join(CAPTION_FIELDS) + r")\}")


def caption(template: str, **values) -> str:
    """An edition's caption template filled in: `{number}`, `{country}` and `{title}` only (`{{` and `}}` print a
    brace). Anything else in braces (a format spec, an attribute, an index, a stray brace) prints as written: a
    template can never make a render build a huge string (issue 17.21)."""
    if not template:
        return ""

    def fill(match: re.Match) -> str:
        name = match[1]
        if name is None:
            return match[0][0]
        return str(values.get(name, ""))

    return CAPTION_PART.sub(fill, template)


DOCUMENT_LANGUAGE = "en"
_URL_BREAK = re.compile(r"(?<=[/_?&=.-])(?=[^/_?&=.-])")  # after a separator, before what follows it


def breakable_address(address: str) -> SafeString:
    """An address as printed, with a line-break opportunity (a zero-width space, invisible and not extracted)
    after each of its separators, so a long address wraps at a slash or an underscore, never inside a word."""
    return escape(_URL_BREAK.sub("\u200b", address))


def _references(items: list[dict], *, breakable: bool = True) -> list[dict]:
    """Entries in order; a sub-item ("See also …") nests under the entry above it. `lang` is the language to mark
    on the entry: its own when not the document's, the document's for an entry inside one in another language."""
    entries: list[dict] = []
    for r in sorted(items, key=lambda item: item.get("order") or 0):
        accessed = r.get("last_accessed")
        if isinstance(accessed, str) and accessed:
            accessed = date.fromisoformat(accessed)
        language = r.get("language") or ""
        entry = {"citation": r.get("citation") or "", "url": r.get("url") or "",
                 "url_label": (breakable_address if breakable else str)(r.get("url_label") or r.get("url") or ""),
                 "children": [],
                 "last_accessed": accessed.strftime("%d.%m.%Y") if accessed else "",
                 "language": language, "lang": language if language != DOCUMENT_LANGUAGE else ""}
        if r.get("sub_item") and entries:
            parent = entries[-1]
            if parent["lang"] and not entry["lang"]:
                entry["lang"] = DOCUMENT_LANGUAGE
            parent["children"].append(entry)
        else:
            entries.append(entry)
    return entries


def _budget_cell(notes: Footnotes, policy: dict, part: str) -> Cell:
    figure = format_amount(
        decimal_or_none(policy.get(f"budget_{part}_eur")), decimal_or_none(policy.get(f"budget_{part}_amount")),
        policy.get(f"budget_{part}_currency") or "",
    )
    note = policy.get(f"budget_{part}_note") or ""
    if not figure and not note:
        return Cell(html=mark_safe(f"<p>{NO_DATA}</p>"))  # noqa: S308
    html = ""
    if figure:
        html = f'<strong class="figure">{escape(figure)}</strong>'
    if note:
        html += (" " if figure else "") + notes.plain(note)
    return Cell(html=mark_safe(f"<p>{html}</p>"))  # noqa: S308


def _instrument_cell(notes: Footnotes, labels: list[str], note: str) -> Cell:
    html = "" if labels else '<p class="dash">-</p>'
    if note:
        html += f"<p>{notes.plain(note)}</p>"
    return Cell(categories=list(labels), html=mark_safe(html))  # noqa: S308


PERIODS = dict(Policy.Period.choices)


def _table1(notes: Footnotes, policies: list[dict]) -> tuple[list[dict], list[Dimension]]:
    heads = []
    types = [notes.plain(f"{p['policy_type']} ({p['type_detail']})" if p.get("type_detail") else p["policy_type"],
                         deferred=True) for p in policies]
    names = [notes.plain(p["name"], deferred=True) for p in policies]
    for policy, type_html, name_html in zip(policies, types, names, strict=True):
        heads.append({"policy": policy, "type": type_html, "name": name_html})

    def row(label, make):
        return Row(label=label, cells=[make(p) for p in policies])

    def cats(attr, text_attr, extra=None):
        def make(p):
            labels = list(p.get(attr) or [])
            if extra:
                labels += extra(p)
            return Cell(categories=labels, html=notes.rich(p.get(text_attr)))
        return make

    def single(attr, text_attr):
        def make(p):
            label = p.get(attr)
            return Cell(categories=[label] if label else [], html=notes.rich(p.get(text_attr)))
        return make

    def text(attr):
        return lambda p: Cell(html=notes.rich(p.get(attr)))

    def history(kind):
        def make(p):
            if kind == "period":
                return Cell(html=mark_safe(f"<p>{escape(PERIODS.get(p.get('period') or '', '') or '-')}</p>"))  # noqa: S308
            value = p.get("end_year") if kind == "end" else p.get("start_year")
            return Cell(html=mark_safe(f"<p>{format_year(value)}</p>"))  # noqa: S308
        return make

    other = lambda p: [f"Other: {p['beneficiaries_other']}"] if p.get("beneficiaries_other") else []  # noqa: E731
    dims = [
        Dimension("Policy objectives", [row("", cats("objectives", "objectives_text"))]),
        Dimension("Policy focus", [row("", single("focus", "focus_text"))]),
        Dimension("Responsible authorities", [row("", cats("authority_roles", "authorities_text"))]),
        Dimension("Beneficiaries", [row("", cats("beneficiaries", "beneficiaries_text", other))]),
        Dimension("Instruments", [
            row("Financial", lambda p: _instrument_cell(notes, p.get("financial_instruments") or [],
                                                        p.get("financial_instruments_note") or "")),
            row("Technical assistance", lambda p: _instrument_cell(notes, p.get("technical_instruments") or [],
                                                                   p.get("technical_instruments_note") or "")),
            row("Explanation", text("instruments_text")),
        ]),
        Dimension("History", [
            row("Period", history("period")),
            row("Ending year (for policies with limited period)", history("end")),
            row("Starting year", history("start")),
            row("Explanation", text("history_text")),
        ]),
        Dimension("Budget", [
            row("Overall", lambda p: _budget_cell(notes, p, "overall")),
            row("Annual", lambda p: _budget_cell(notes, p, "annual")),
            row("Source of funding", text("budget_source")),
        ]),
        Dimension("Policy evaluation", [
            row("Availability", lambda p: Cell(categories=[p["evaluation"]] if p.get("evaluation") else [])),
            row("Results", text("evaluation_text")),
        ]),
        Dimension("Policy alignment with the EU priorities", [
            row("", lambda p: Cell(categories=list(p.get("eu_priorities") or []))),
        ]),
    ]
    for dim in dims:
        for r in dim.rows:
            for policy, cell in zip(policies, r.cells, strict=True):
                cell.policy = FOOTNOTE_CALL.sub("", policy["name"]).strip()
                if not cell.categories and not cell.html:
                    cell.html = mark_safe('<p class="dash">-</p>')  # noqa: S308
    return heads, dims


def _assessment(edition: SimpleNamespace, assessments: list[dict], country: str) -> dict:
    by_criterion = {a["criterion"]: a for a in assessments}
    rows = []
    for criterion in edition.criteria:
        assessment = by_criterion.get(criterion["name"])
        levels = [
            {"label": level["label"], "marked": bool(assessment and assessment.get("level") == level["label"])}
            for level in criterion.get("levels") or []
        ]
        score = decimal_or_none(assessment.get("score")) if assessment else None
        max_score = decimal_or_none(criterion.get("max_score"))
        rows.append({
            "name": criterion["name"],
            "long_name": criterion.get("long_name") or criterion["name"],
            "levels": levels,
            "level_definitions": [lv.get("definition") or lv["label"] for lv in criterion.get("levels") or []],
            "score": score,
            "max_score": max_score,
            "note": criterion.get("note") or "",
            "definition": mark_safe(sanitize(criterion.get("definition"))),  # noqa: S308
            "score_display": _num(score),
            "max_display": _num(max_score),
            "percent": float(score / max_score * 100) if score is not None and max_score else 0.0,
        })
    return {
        "scored": edition.is_scored,
        "title": edition.assessment_table_title,
        "rows": rows,
        "notes": [r for r in rows if r["note"]],
        "methodology_intro": mark_safe(sanitize(edition.methodology_intro)),  # noqa: S308
        "methodology_outro": mark_safe(sanitize(edition.methodology_outro)),  # noqa: S308
        "chart": _score_chart(rows, title=f"{edition.assessment_table_title or 'Maturity of cluster policy'} in "
                                          f"{country}") if edition.is_scored else "",
    }


def _score_chart(rows: list[dict], *, title: str) -> SafeString:
    """A horizontal bar chart of the scores against their maxima, as inline SVG; its <title> (the figure's
    alternative text in the tagged PDF) gives every figure."""
    figures = "; ".join(f"{r['name']}: {_num(r['score'])} of {_num(r['max_score'])}" for r in rows)
    top = max((float(r["max_score"] or 0) for r in rows), default=0) or 1
    label_w, bar_w, row_h, pad = 200, 240, 28, 6
    width, height = label_w + bar_w + 50, row_h * len(rows) + 30
    font = 'font-family="Lato" font-size="10"'
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img">',
        f"<title>{escape(title)}: score against maximum score. {escape(figures)}.</title>",
    ]
    for i, r in enumerate(rows):
        y = i * row_h + pad
        maxw = bar_w * float(r["max_score"] or 0) / top
        w = bar_w * float(r["score"] or 0) / top
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 12}" text-anchor="end" {font} font-weight="700" fill="#003399">'
            f'{escape(r["name"])}</text>'
            f'<rect x="{label_w}" y="{y}" width="{maxw:.1f}" height="16" fill="#e8edf7" stroke="#b7c3e0"/>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="16" fill="#003399"/>'
            f'<text x="{label_w + maxw + 6:.1f}" y="{y + 12}" {font} fill="#1d1d1b">'
            f'{_num(r["score"])} / {_num(r["max_score"])}</text>'
        )
    legend_y = row_h * len(rows) + 12
    parts.append(
        f'<rect x="{label_w}" y="{legend_y}" width="12" height="10" fill="#003399"/>'
        f'<text x="{label_w + 16}" y="{legend_y + 9}" {font} fill="#1d1d1b">Score</text>'
        f'<rect x="{label_w + 70}" y="{legend_y}" width="12" height="10" fill="#e8edf7" stroke="#b7c3e0"/>'
        f'<text x="{label_w + 86}" y="{legend_y + 9}" {font} fill="#1d1d1b">Maximum score</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308


def _num(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


def _edition(factsheet: Factsheet, snapshot: dict[str, Any]) -> SimpleNamespace:
    """The edition as the snapshot prints it. A revision recorded before snapshots held the whole methodology
    takes what it lacks from the edition as it is now."""
    printed = snapshot.get("edition")
    if printed is None or not {*EDITION_PRINTED_FIELDS, "sections", "criteria", "topics"} <= printed.keys():
        printed = {**edition_snapshot(edition_id=factsheet.edition_id), **(printed or {})}
    edition = SimpleNamespace(**printed)
    edition.is_scored = edition.assessment_method == Edition.AssessmentMethod.SCORE
    return edition


def factsheet_document(factsheet: Factsheet, snapshot: dict[str, Any] | None = None, *, web: bool = False,
                       modified: datetime | None = None) -> Document:
    """Build the whole document of a factsheet from a snapshot (None: the working copy as it is now); footnotes
    numbered by first call in print order. `web` gives the same content for an HTML page: footnote calls link to
    a list of notes (and back) instead of floating. Reads no content from the rows when a snapshot is given."""
    if snapshot is None:
        snapshot = factsheet_snapshot(factsheet=factsheet)
        modified = modified or factsheet.updated_at
    edition = _edition(factsheet, snapshot)
    year = factsheet.edition.year
    country = factsheet.country.name
    content = snapshot.get("factsheet", {})
    notes = Footnotes(snapshot.get("footnotes", []), web=web)
    sections = [
        SectionPart(kind=s["kind"], number=s.get("number"), title=s["title"], divider=s.get("divider", True),
                    anchor=f"section-{s['kind']}")
        for s in edition.sections
    ]
    present = {s.kind for s in sections}
    policies = sorted(snapshot.get("policies", []), key=lambda p: p.get("order") or 0)

    texts = {"introduction": notes.rich(content.get("introduction")),
             "policies_intro": notes.rich(content.get("policies_intro"))}
    heads, table1 = _table1(notes, policies) if policies else ([], [])
    texts["assessment_intro"] = notes.rich(content.get("assessment_intro"))
    texts["qualitative_intro"] = notes.rich(content.get("qualitative_intro"))
    qualitative = [
        {"title": q["topic"], "summary": notes.rich(q.get("summary")), "text": notes.rich(q.get("text")),
         "short": len(text_lines(q.get("summary") or "")) + len(" ".join(text_lines(q.get("text") or ""))) // 90 < 6}
        for q in snapshot.get("qualitative", [])
    ]
    assessment = _assessment(edition, snapshot.get("assessments", []), country)

    table_number = {}
    counter = 0
    if policies and Section.Kind.POLICIES in present:
        counter += 1
        table_number["policies"] = counter
    if assessment["rows"] and Section.Kind.ASSESSMENT in present:
        counter += 1
        table_number["assessment"] = counter
        if assessment["scored"] and qualitative:
            counter += 1
            table_number["qualitative"] = counter
    annex = []
    if Section.Kind.ANNEX in present:
        annex = [{"name": row["long_name"], "definition": row["definition"], "levels": row["level_definitions"]}
                 for row in assessment["rows"]]
        if annex:
            counter += 1
            table_number["annex"] = counter
    references = _references(snapshot.get("references", []), breakable=not web)
    titles = {"policies": f"Overview of cluster policy in {country}",
              "assessment": edition.assessment_table_title or ("Maturity of cluster policy" if edition.is_scored
                                                               else "State of play"),
              "qualitative": edition.qualitative_title or "Qualitative assessment",
              "annex": edition.annex_title or "Analytical framework"}
    templates = {"policies": edition.policy_table_caption, "assessment": edition.assessment_table_caption,
                 "qualitative": edition.qualitative_table_caption, "annex": edition.annex_table_caption}
    captions = {kind: caption(templates[kind], number=number, country=country, title=titles[kind])
                for kind, number in table_number.items()}
    keywords = ["ECCP", "cluster policy", country, str(year), "country factsheet"]
    return Document(
        factsheet=factsheet, edition=edition, modified=modified, country=country, year=year,
        title=f"Country factsheet {country} {year}",
        sections=sections, texts=texts, policy_heads=heads,
        table1_caption=f"Overview of cluster policy in {country}", table1=table1, table_number=table_number,
        assessment=assessment, qualitative=qualitative, references=references, annex=annex,
        footnotes=notes.notes, deferred_notes=notes.deferred, keywords=keywords,
        source_line=f"Source: ECCP ({year})." if edition.source_lines else "",
        captions=captions,
        chart_caption=caption(edition.chart_caption, number="", country=country, title=titles["assessment"]),
        contents_title=edition.contents_title or "Contents", contents_lists_itself=edition.contents_lists_itself,
        reference_style=edition.reference_style,
        list_classes=f"ol-{edition.ordered_list_style} ul-{edition.bullet_style}",
    )


def page_html_render(document: Document) -> str:
    """A factsheet's web page body, from the same document as its PDF (footnotes as linked notes)."""
    return render_to_string("editorial/web/factsheet_body.html", {"doc": document})
