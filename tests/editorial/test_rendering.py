import io
import re
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from pypdf import PdfReader

from editorial.rendering.document import factsheet_document
from editorial.rendering.fetcher import FetchRefused, StaticOnlyFetcher
from editorial.rendering.pdf import render_factsheet_pdf
from factsheets.models import policy_uid
from tests import factories
from tests.editorial.pdf_helpers import RUNNING_HEADER, norm, plain

pytestmark = pytest.mark.django_db

PAGE_RANGES = {2023: (18, 24), 2020: (11, 17)}


@pytest.mark.parametrize("year", [2023, 2020])
def test_page_count_is_in_the_expected_range(demo_pdfs, year):
    low, high = PAGE_RANGES[year]
    assert low <= len(PdfReader(io.BytesIO(demo_pdfs[year]["pdf"])).pages) <= high
    assert len(demo_pdfs[year]["pages"]) == len(PdfReader(io.BytesIO(demo_pdfs[year]["pdf"])).pages)


def _contents_entries(pages: list[str], title: str = "") -> list[tuple[str, int]]:
    contents = pages[1]
    assert title in contents
    entries = re.findall(r"^(.+?)\s*\.{3,}\s*(\d+)\s*$", contents, flags=re.M)
    return [(title.strip(), int(number)) for title, number in entries]


@pytest.mark.parametrize("year", [2023, 2020])
def test_contents_page_numbers_match_where_sections_start(demo_pdfs, year):
    pages = demo_pdfs[year]["layout_pages"]
    doc = demo_pdfs[year]["doc"]
    entries = _contents_entries(pages, doc.contents_title)
    itself = [doc.contents_title] if doc.contents_lists_itself else []
    assert [title for title, _ in entries] == itself + [s.numbered_title for s in doc.sections]
    if itself:
        assert entries.pop(0) == (doc.contents_title, 2)
    for title, number in entries:
        starts = [
            index + 1 for index, text in enumerate(pages)
            if index > 1 and RUNNING_HEADER in text and title in [line.strip() for line in text.splitlines()]
        ]
        assert starts, f"{title} is on no content page"
        assert starts[0] == number, f"{title}: contents say {number}, it starts on {starts[0]}"


def test_sections_follow_the_anatomy_page_plan_of_2023(demo_pdfs):
    entries = dict(_contents_entries(demo_pdfs[2023]["layout_pages"]))
    assert entries["1. Introduction and economic policy context"] == 4
    assert entries["2. National cluster policy, programmes and initiatives"] == 6


@pytest.mark.parametrize("year", [2023, 2020])
def test_divider_pages_carry_the_two_digit_number(demo_pdfs, year):
    pages = demo_pdfs[year]["pages"]
    checked = 0
    for section in demo_pdfs[year]["doc"].sections:
        if section.divider and section.number:
            assert any(norm(p) == f"{section.number:02d} {section.title}" for p in pages), section.title
            checked += 1
    assert checked >= 2  # both editions open their numbered sections on divider pages


@pytest.mark.parametrize("year", [2023, 2020])
def test_table1_header_rows_repeat_on_every_page_it_spans(demo_pdfs, year):
    pages = demo_pdfs[year]["pages"]
    spans = [i for i, p in enumerate(pages) if "Policy type:" in p]
    first, last = spans[0], spans[-1]
    assert spans == list(range(first, last + 1)) and last > first, "Table 1 should span several pages"
    if year == 2023:  # 2020 printed Table 1 without caption or source line
        assert "Table 1 - Overview of cluster policy in Mexico" in pages[first]
        assert "Source: ECCP (2023)." in pages[last]
    for index in range(first, last + 1):
        assert "Policy type:" in pages[index] and "Policy name:" in pages[index], f"page {index + 1}"
        for head in demo_pdfs[year]["doc"].policy_heads:
            assert norm(head["policy"]["name"])[:25] in norm(pages[index])


@pytest.mark.parametrize("year", [2023, 2020])
def test_each_footnote_is_printed_on_the_page_of_its_first_call(demo_pdfs, year):
    data = demo_pdfs[year]
    pages = [re.sub(r"\s+", "", p) for p in data["pages"]]
    notes = data["doc"].footnotes
    assert notes, "the demo factsheets have footnotes"
    assert [n.number for n in notes] == list(range(1, len(notes) + 1))
    for note in notes:
        text = re.sub(r"\s+", "", plain(data["texts"]["footnotes"][note.key]))[:40]
        note_pages = [i for i, p in enumerate(pages) if f"{note.number}{text}" in p]
        assert len(note_pages) == 1, f"footnote {note.number} printed on pages {note_pages}"
        source = next(s for s in data["texts"]["sources"] if f"[^{note.key}]" in s)
        before = plain(source[: source.index(f"[^{note.key}]")])
        call_context = "".join(before.split()[-3:])
        assert call_context in pages[note_pages[0]], f"footnote {note.number}: call not on page {note_pages[0] + 1}"


def test_footnotes_are_numbered_by_first_call_in_print_order(demo_pdfs):
    notes = demo_pdfs[2020]["doc"].footnotes
    assert [n.key for n in notes] == ["nuevo-leon", "mxn-rate", "ecb"]


@pytest.mark.parametrize("year", [2023, 2020])
def test_every_selected_standardised_category_is_printed(demo_pdfs, year):
    text = re.sub(r"\s+", "", " ".join(demo_pdfs[year]["pages"]))
    for policy in demo_pdfs[year]["policies"]:
        assert policy["categories"]
        for label in policy["categories"]:
            assert re.sub(r"\s+", "", label) in text, label
        if policy["other"]:
            assert f"Other:{policy['other']}" in text


def test_table1_prints_the_edge_cases_of_2023(demo_pdfs):
    text = norm(" ".join(demo_pdfs[2023]["pages"]))
    assert "(The available information on the Course for an Industrial Policy" in text
    assert "Other: Nature" in text
    assert "Limited period" in text and "Unlimited period" in text
    assert "No data available" in text
    assert "Regional cluster policy (example of Nuevo León" in text


def test_budget_of_2020_prints_eur_and_national_amount(demo_pdfs):
    assert "EUR 1.42 million (MXN 30 m)" in norm(" ".join(demo_pdfs[2020]["pages"]))


def test_level_assessment_lists_every_level_and_the_annex(demo_pdfs):
    data = demo_pdfs[2023]
    text = norm(" ".join(data["pages"]))
    assert "Table 2: State of play" in text
    for row in data["doc"].assessment["rows"]:
        for level in row["levels"]:
            assert level["label"] in text
        assert sum(level["marked"] for level in row["levels"]) == 1
    assert "Table 3: Analytical framework for the state of cluster policy" in text
    assert "Source: ECCP (2023)." in text


def test_score_assessment_of_2020_has_scores_chart_and_methodology(demo_pdfs):
    data = demo_pdfs[2020]
    text = norm(" ".join(data["pages"]))
    assert "Maximum score" in text
    assert "Consistency of cluster policies:" in text
    assert "2 / 2" in text and "0 / 1" in text
    assert "Annex" not in [s.title for s in data["doc"].sections]


def test_references_are_links_with_last_access(demo_pdfs):
    reader = PdfReader(io.BytesIO(demo_pdfs[2023]["pdf"]))
    uris = {
        annot.get_object()["/A"]["/URI"]
        for page in reader.pages for annot in page.get("/Annots") or []
        if annot.get_object().get("/A", {}).get("/URI")
    }
    assert "https://www.cepal.org/es/publicaciones/48056-mexico-la-fabrica-america-norte-nearshoring" in uris
    assert "(last access 29.01.2024)" in norm(" ".join(demo_pdfs[2023]["pages"]))


@pytest.mark.parametrize("year", [2023, 2020])
def test_fonts_are_embedded(demo_pdfs, year):
    out = subprocess.run(["pdffonts", str(demo_pdfs[year]["path"])], capture_output=True, text=True, check=True)
    rows = out.stdout.splitlines()[2:]
    assert rows
    assert all(row.split()[-5] == "yes" for row in rows), out.stdout
    assert any("Lato" in row for row in rows)


@pytest.mark.parametrize("year", [2023, 2020])
def test_outline_and_metadata(demo_pdfs, year):
    reader = PdfReader(io.BytesIO(demo_pdfs[year]["pdf"]))
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    for section in demo_pdfs[year]["doc"].sections:
        assert section.numbered_title in titles
    meta = reader.metadata
    assert meta.title == f"Country factsheet Mexico {year}"
    assert meta.author == "European Cluster Collaboration Platform"
    assert "Mexico" in meta.subject
    assert "cluster policy" in meta["/Keywords"]
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def test_running_header_and_page_numbers_on_content_pages(demo_pdfs):
    pages = demo_pdfs[2023]["layout_pages"]
    content = [i for i, p in enumerate(pages) if RUNNING_HEADER in p]
    assert len(content) >= 12
    for index in content:
        assert "Strengthening the European economy through collaboration" in pages[index]
        assert re.search(rf"\b{index + 1}\s*$", pages[index].rstrip()), f"page {index + 1} has no page number"


def test_pdf_a_variant(demo):
    pdf = render_factsheet_pdf(demo[2020], pdf_variant="pdf/a-3b")
    reader = PdfReader(io.BytesIO(pdf))
    assert b"pdfaid:part" in reader.trailer["/Root"]["/Metadata"].get_object().get_data()


def test_unknown_pdf_variant_is_refused(demo):
    with pytest.raises(ValueError):
        render_factsheet_pdf(demo[2020], pdf_variant="pdf/x")


def test_document_is_built_in_a_bounded_number_of_queries(demo, django_assert_max_num_queries):
    with django_assert_max_num_queries(18):
        doc = factsheet_document(demo[2023])
    assert len(doc.table1[0].rows[0].cells) == 2


@pytest.mark.parametrize("count", [1, 3, 4])
def test_one_to_four_policies_lay_out(count):
    factsheet = factories.FactsheetFactory()
    for section in [("introduction", 1), ("policies", 2)]:
        factories.SectionFactory(edition=factsheet.edition, kind=section[0], number=section[1], title=section[0])
    for n in range(count):
        factories.PolicyFactory(factsheet=factsheet, name=f"Policy number {n + 1}",
                                objectives_text="<p>" + "Long descriptive text. " * 40 + "</p>")
    pdf = render_factsheet_pdf(factsheet)
    text = norm(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    for n in range(count):
        assert f"Policy number {n + 1}" in text


def test_policy_cells_print_other_beneficiaries_dash_and_categories_in_bold_order():
    factsheet = factories.FactsheetFactory()
    factories.SectionFactory(edition=factsheet.edition, kind="policies", number=1, title="Policies")
    beneficiary = factories.CategoryFactory(edition=factsheet.edition, vocabulary="beneficiary", label="SMEs")
    policy = factories.PolicyFactory(
        factsheet=factsheet, beneficiaries_other="Nature", period="limited", start_year=2015,
        financial_instruments_note="(Nothing is known about financial instruments yet)",
        budget_overall_eur=Decimal("1420000"), budget_overall_amount=Decimal("30000000"),
        budget_overall_currency="MXN", budget_exchange_rate=Decimal("0.05"),
        budget_exchange_rate_date=date(2016, 6, 1),
    )
    policy.beneficiaries.set([beneficiary])
    doc = factsheet_document(factsheet)
    cells = {(dim.label, row.label): row.cells[0] for dim in doc.table1 for row in dim.rows}
    assert cells[("Beneficiaries", "")].categories == ["SMEs", "Other: Nature"]
    assert '<p class="dash">-</p>' in cells[("Instruments", "Financial")].html
    assert "EUR 1.42 million (MXN 30 m)" in cells[("Budget", "Overall")].html
    assert "No data available" in cells[("Budget", "Annual")].html
    assert "Limited period" in cells[("History", "Period")].html
    assert "<p>-</p>" == cells[("History", "Ending year (for policies with limited period)")].html
    text = norm(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(render_factsheet_pdf(factsheet))).pages))
    assert "Other: Nature" in text
    assert "- (Nothing is known about financial instruments yet)" in text


# Safety: the renderer reads only the project's static files and data: URIs.

def test_fetcher_refuses_network_and_files_outside_static(settings, tmp_path):
    fetcher = StaticOnlyFetcher()
    for url in ["http://example.org/x.png", "https://example.org/x.css", "file:///etc/passwd",
                "ftp://example.org/x", "file://remote-host/etc/passwd"]:
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)
    css = (settings.BASE_DIR / "static/editorial/print/factsheet.css").resolve()
    with pytest.raises(FetchRefused):
        fetcher.fetch(css.as_uri().replace("/static/editorial/print/factsheet.css", "/static/../../../etc/passwd"))
    assert b"@font-face" in fetcher.fetch(css.as_uri()).read()
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


def test_rendering_fetches_nothing_from_links_or_local_files(monkeypatch):
    seen = []
    original = StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        seen.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", spy)
    factsheet = factories.FactsheetFactory()
    factories.SectionFactory(edition=factsheet.edition, kind="introduction", number=1, title="Introduction")
    factories.FootnoteFactory(factsheet=factsheet, key="evil", text='<p>See <a href="file:///etc/passwd">this</a></p>')
    malicious = (
        '<p>Read <a href="http://example.org/report">the report</a>.[^evil]</p>'
        '<img src="file:///etc/passwd"><img src="http://example.org/pixel.png">'
        '<p style="background: url(file:///etc/passwd)">styled</p>'
        '<link rel="stylesheet" href="http://example.org/x.css"><iframe src="file:///etc/passwd"></iframe>'
    )
    with connection.cursor() as cursor:  # bypass the sanitising field, as a tampered database would
        cursor.execute("UPDATE factsheets_factsheet SET introduction = %s WHERE id = %s", [malicious, factsheet.pk])
    pdf = render_factsheet_pdf(factsheet)
    text = norm(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    assert "the report" in text
    assert "root:x:0:0" not in text
    assert not [url for url in seen if not url.startswith("file://") or "/etc/" in url]
    assert all("/static/" in url for url in seen)


def test_fetcher_refusal_does_not_stop_a_render():
    from weasyprint import HTML

    seen = []

    class Spy(StaticOnlyFetcher):
        def fetch(self, url, headers=None):
            seen.append(url)
            return super().fetch(url, headers)

    pdf = HTML(string='<p>x<img src="file:///etc/passwd"><img src="http://example.org/a.png"></p>',
               url_fetcher=Spy()).write_pdf()
    assert pdf.startswith(b"%PDF")
    assert seen == ["file:///etc/passwd", "http://example.org/a.png"]


def test_missing_table_header_is_detected():
    from weasyprint import HTML

    from editorial.rendering.pdf import table_header_missing

    rows = "".join(f"<tr><td>{'text ' * 300}</td></tr>" for _ in range(4))
    with_head = HTML(string=f'<table class="policy-table"><thead><tr><th>Policy type:</th></tr></thead>{rows}</table>')
    without = HTML(string=f'<table class="policy-table"><tbody>{rows}</tbody></table>')
    assert not table_header_missing(with_head.render())
    assert table_header_missing(without.render())
    assert not table_header_missing(HTML(string=f"<table>{rows}</table>").render())


def test_a_footnote_called_twice_keeps_its_number_and_prints_once():
    factsheet = factories.FactsheetFactory(
        introduction="<p>First call.[^src] Unknown call.[^nope]</p>", policies_intro="<p>Second call.[^src]</p>"
    )
    factories.FootnoteFactory(factsheet=factsheet, key="src", text="<p>The source.</p><p>Second paragraph.</p>")
    doc = factsheet_document(factsheet)
    assert [(n.number, n.key) for n in doc.footnotes] == [(1, "src")]
    assert doc.texts["introduction"].count('class="fn"') == 1
    assert "[^nope]" in doc.texts["introduction"]
    assert '<sup class="fn-ref" data-n="1"><a href="#fn-1">1</a></sup>' in doc.texts["policies_intro"]
    assert "<p>" not in doc.footnotes[0].html


def test_budget_prints_the_note_alone_when_there_is_no_amount():
    factsheet = factories.FactsheetFactory()
    factories.PolicyFactory(factsheet=factsheet, budget_annual_note="In EUR, see the programme")
    cells = {(dim.label, row.label): row.cells[0] for dim in factsheet_document(factsheet).table1 for row in dim.rows}
    assert cells[("Budget", "Annual")].html == "<p>In EUR, see the programme</p>"


def test_standardised_categories_are_printed_in_bold(demo_pdfs):
    reader = PdfReader(io.BytesIO(demo_pdfs[2023]["pdf"]))
    fonts: dict[str, list[str]] = {"bold": [], "regular": []}

    def visit(text, cm, tm, font_dict, font_size):
        if font_dict and text.strip():
            fonts["bold" if "Bold" in str(font_dict.get("/BaseFont", "")) else "regular"].append(text)

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    bold = re.sub(r"\s+", "", "".join(fonts["bold"]))
    regular = re.sub(r"\s+", "", "".join(fonts["regular"]))
    for label in ["Increase supply chain resilience", "Other: Nature", "Both drafting and implementation", "ex-ante"]:
        assert re.sub(r"\s+", "", label) in bold, label
    assert "TheIndustrialPolicyemphasisesitssupport" in regular


def test_four_policy_columns_keep_header_rows_and_footnote_placement(demo, tmp_path):
    factsheet = demo[2023]
    for order, policy in enumerate(list(factsheet.policies.all()), start=3):
        selections = {name: list(getattr(policy, name).all()) for name in
                      ["objectives", "authority_roles", "beneficiaries", "financial_instruments",
                       "technical_instruments", "eu_priorities"]}
        policy.pk = policy.id = None
        policy._state.adding = True
        policy.uid = policy_uid()  # a copy is a new policy: a new identifier
        policy.order, policy.name = order, f"Copy {order}: {policy.name}"
        policy.save()
        for name, values in selections.items():
            getattr(policy, name).set(values)
    path = tmp_path / "four.pdf"
    path.write_bytes(render_factsheet_pdf(factsheet))
    from tests.editorial.pdf_helpers import page_texts

    pages = page_texts(path)
    first = next(i for i, p in enumerate(pages) if "Table 1 - Overview of cluster policy in Mexico" in p)
    last = next(i for i, p in enumerate(pages) if i >= first and "Source: ECCP (2023)." in p)
    assert all("Policy type:" in pages[i] and "Copy 4:" in norm(pages[i]) for i in range(first, last + 1))
    assert "1 Nuevo León is one of the most prosperous" in norm(pages[first])
