"""The PDFs as the publisher signs them off, edition by edition (issues 13, 22): each edition's own presentation,
sections on the pages of the published PDFs, Table 1's dimension labels, no stranded lines, one layout pass, and
the PDF/UA-1 basics (XMP, headings, artefacts; the structure tree in detail: test_pdf_accessibility)."""

import io
import re
import subprocess
from collections import defaultdict

import pikepdf
import pytest
from weasyprint import HTML

from editorial.rendering import pdf as rendering
from editorial.rendering.document import factsheet_document
from editorial.rendering.pdf import factsheet_pdf, render_factsheet_pdf, short_pages
from factsheets.models import policy_uid
from tests.editorial.pdf_helpers import RUNNING_HEADER, norm
from tests.editorial.pdf_structure import struct_of

pytestmark = pytest.mark.django_db

# Where each section starts in the published PDFs (their contents pages).
PUBLISHED_STARTS = {
    2020: {"Introduction": 3, "1. National cluster policy, programmes and initiatives": 5,
           "2. State of play of cluster policy": 10, "Bibliography": 13},
    2023: {"1. Introduction and economic policy context": 4,
           "2. National cluster policy, programmes and initiatives": 6, "3. State of cluster policy": 15,
           "References": 18, "Annex": 20},
}
SUB_ROWS = {  # first word of a Table 1 sub-row label -> the dimension labels it may sit beside
    "Financial": {"INSTRUMENTS"}, "Technical": {"INSTRUMENTS"}, "Explanation": {"INSTRUMENTS", "HISTORY"},
    "Period": {"HISTORY"}, "Ending": {"HISTORY"}, "Starting": {"HISTORY"}, "Overall": {"BUDGET"},
    "Annual": {"BUDGET"}, "Source": {"BUDGET"},
    "Availability": {"POLICY", "EVALUATION"}, "Results": {"POLICY", "EVALUATION"},
}


def section_starts(data) -> dict[str, int]:
    starts = {}
    for section in data["doc"].sections:
        title = section.numbered_title
        starts[title] = next(
            index + 1 for index, text in enumerate(data["layout_pages"])
            if index > 1 and RUNNING_HEADER in text and title in [line.strip() for line in text.splitlines()]
        )
    return starts


PUBLISHED_PAGES = {2020: 13, 2023: 20}


@pytest.mark.parametrize("year", [2020, 2023])
def test_sections_start_on_the_pages_of_the_published_pdf(demo_pdfs, year):
    starts = section_starts(demo_pdfs[year])
    assert starts == PUBLISHED_STARTS[year]
    assert len(demo_pdfs[year]["pages"]) == PUBLISHED_PAGES[year]


@pytest.mark.parametrize("year", [2020, 2023])
def test_the_real_factsheets_take_the_first_layout(demo_pdfs, year):
    """One layout pass: the guard finds nothing to send back, no fallback is tried (issue 23)."""
    assert demo_pdfs[year]["passes"] == 1
    assert demo_pdfs[year]["report"].clean, str(demo_pdfs[year]["report"])


def test_2020_keeps_its_own_presentation(demo_pdfs):
    pages = demo_pdfs[2020]["pages"]
    text = norm(" ".join(pages))
    assert "Source:" not in text and "Table 1" not in text and "Table 2" not in text  # no source lines, captions
    assert "score against maximum score per criterion" not in text  # no chart caption
    dividers = [norm(p) for p in pages if RUNNING_HEADER not in p]
    assert "Introduction" not in dividers and "Bibliography" in dividers  # a divider without a number
    contents = demo_pdfs[2020]["layout_pages"][1]
    assert re.search(r"^Contents\s*\.{3,}\s*2$", contents, flags=re.M)  # the contents list themselves
    compact = re.sub(r"\s+", "", text)
    assert "Availableat:https://eulacfoundation.org/en/system/files/clustersen.pdf" in compact
    assert "• Paton, J., Bercovich" in norm(" ".join(demo_pdfs[2020]["layout_pages"]))
    assert "Availableat:www.nl.gob.mx/sites/default/files/programa_especial_cyt.pdf" in compact  # as printed
    assert "Ending year (for policies with limited period)" in text


def test_2020_bibliography_is_worded_as_printed(demo_pdfs):
    """No "Available at:" before the economia.gob.mx link; the siiicyt address a bullet of its own (issue 22.13)."""
    layout = demo_pdfs[2020]["layout_pages"][-1]
    entries = [norm(entry) for entry in re.split(r"^\s*•", layout, flags=re.M)[1:]]
    compact = [re.sub(r"\s+", "", e) for e in entries]
    assert any(e.startswith("GobiernodeMéxico.www.economia.gob.mx/files/prodeinn/") for e in compact)
    assert not any("Available at: www.economia" in e for e in entries)
    programa = next(e for e in entries if e.startswith("Gobierno de México. Programa Especial de Ciencia"))
    assert programa.endswith("Innovación 2014-2018") and "siiicyt" not in programa
    assert any(e.startswith("www.siiicyt.gob.mx/index.php/") for e in compact)
    assert len(entries) == 15


@pytest.mark.parametrize("year", [2020, 2023])
def test_the_cover_says_country_factsheet_as_published(demo_pdfs, year):
    cover = [line.strip() for line in demo_pdfs[year]["pages"][0].splitlines() if line.strip()]
    assert "Country factsheet" in cover and "COUNTRY FACTSHEET" not in cover
    assert not [line for line in cover if "edition" in line]


def test_2023_keeps_its_own_presentation(demo_pdfs):
    pages = demo_pdfs[2023]["pages"]
    text = norm(" ".join(pages))
    assert pages[1].splitlines()[0].strip() == "Content"
    for caption in ("Table 1 - Overview of cluster policy in Mexico", "Table 2: State of play",
                    "Table 3: Analytical framework for the state of cluster policy"):
        assert caption in text
    assert text.count("Source: ECCP (2023).") == 3
    layout = norm(" ".join(demo_pdfs[2023]["layout_pages"]))
    assert "1) an insight into a broad cluster policy, 2) an assessment" in layout  # the introduction's own list
    for item in ("1. Innovation and scientific", "1. Agri-food", "1. industrial sector"):
        assert item in layout  # Table 1's lists number as the edition does (issue 22.12)
    assert not re.search(r"\b1\) (Innovation|Agri-food|industrial)", layout)
    assert "- to serve as a platform for dialogue" in layout  # the Article 49 list keeps its dashes
    assert "Ending year (for policies with limited period)" in text
    assert "(last access 19.12.2022)." in text  # references end with a full stop
    assert "www.economia.gob.mx/files/" in text and "http://www.economia.gob.mx" not in text  # shown as printed
    references = " ".join(pages[section_starts(demo_pdfs[2023])["References"] - 1:])
    assert re.search(r"^- See also the live presentation:", references, flags=re.M)


def test_2023_table2_marks_follow_the_section_text_and_the_annex(demo_pdfs):
    marked = {row["name"]: next(level["label"] for level in row["levels"] if level["marked"])
              for row in demo_pdfs[2023]["doc"].assessment["rows"]}
    assert marked == {
        "Policy scope": "National and/or regional cluster policy",
        "Continuity": "Cluster policy established over 10 years ago",
        "Evidence of performance": "Existence of monitoring or an ongoing / interim evaluation",
        "Cluster support instruments": "Financial support for cluster development in the broader and / or sectoral "
                                       "policy",
    }


def words(path, page: int) -> list[tuple[float, float, str]]:
    """(x, y, word) of a page, from pdftotext -bbox."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    return [(float(x), float(y), word) for x, y, word in
            re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>', html)]


@pytest.mark.parametrize("year", [2020, 2023])
def test_every_table1_sub_row_has_its_dimension_label_beside_it_on_its_page(demo_pdfs, year):
    data = demo_pdfs[year]
    checked = 0
    for number, text in enumerate(data["pages"], start=1):
        if "Policy type:" not in text:
            continue
        page_words = words(data["path"], number)
        sub_x = min(x for x, _, w in page_words if w == "Policy") + 1  # the label columns start at the left edge
        dims = [(x, y, w) for x, y, w in page_words if w.isupper() and len(w) > 2 and x < sub_x + 5]
        dim_column = min((x for x, _, _ in dims), default=sub_x)
        subs = [(x, y, w) for x, y, w in page_words if w in SUB_ROWS and dim_column + 20 < x < 200]
        for x, y, word in subs:
            above = [(dy, w) for dx, dy, w in dims if abs(dx - dim_column) < 2 and dy <= y + 1]
            assert above, f"page {number}: “{word}” has no dimension label beside it"
            assert max(above)[1] in SUB_ROWS[word], f"page {number}: “{word}” sits beside {max(above)[1]}"
            checked += 1
    assert checked >= 10


def test_a_continuation_page_repeats_the_dimension_label():
    """A dimension whose sub-rows run onto the next page shows its label again in the first sub-row there."""
    from tests import factories

    factsheet = factories.FactsheetFactory()
    factories.SectionFactory(edition=factsheet.edition, kind="policies", number=1, title="Policies")
    policy = factories.PolicyFactory(factsheet=factsheet, period="limited", start_year=2015, end_year=2030,
                                     history_text="<p>History.</p>", budget_source="<p>The state budget.</p>")
    _, css, fetcher, _, counter_style = rendering._resources()
    for sentences in range(10, 90, 4):  # grow the text above until a page break falls between two sub-rows
        policy.instruments_text = "<p>" + "Instruments are explained at length here. " * sentences + "</p>"
        policy.save()
        html = rendering.factsheet_html(factsheet_document(factsheet))
        rendered = HTML(string=html, base_url=(rendering.print_dir() / "index.html").as_uri(),
                        url_fetcher=fetcher).render(stylesheets=[css], counter_style=counter_style)
        if rendering.table1_labels_repeat(rendered):
            break
    else:
        pytest.fail("no page break fell between two sub-rows")
    pages = [page for page in pdf_pages(rendered.write_pdf()) if "Policy type:" in page]
    assert len(pages) >= 2
    continued = pages[1]
    first_sub = next(word for word in re.findall(r"[A-Z][a-z]+", continued) if word in SUB_ROWS)
    assert SUB_ROWS[first_sub] & set(continued.split()), continued


def pdf_pages(pdf: bytes) -> list[str]:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return out.split("\f")


@pytest.mark.parametrize("year", [2020, 2023])
def test_no_page_but_the_cover_and_dividers_holds_fewer_than_four_lines(demo_pdfs, year):
    data = demo_pdfs[year]
    dividers = {norm(f"{s.divider_number} {s.title}") for s in data["doc"].sections if s.divider}
    for number, text in enumerate(data["layout_pages"], start=1):
        lines = [line for line in text.splitlines() if line.strip() and RUNNING_HEADER not in line
                 and "Country factsheet ·" not in line and "Strengthening the European economy" not in line]
        if number == 1 or norm(" ".join(lines)) in dividers:
            continue
        assert len(lines) >= 4, f"page {number} holds {len(lines)} lines: {lines}"


def test_the_layout_guard_finds_a_page_of_stranded_lines():
    _, css, fetcher, _, counter_style = rendering._resources()
    filler = "<p>" + "A line of text that fills the page. " * 12 + "</p>"
    html = f'<section class="content">{filler * 12}<p>Stranded.</p></section>'
    rendered = HTML(string=html, base_url=(rendering.print_dir() / "index.html").as_uri(), url_fetcher=fetcher
                    ).render(stylesheets=[css], counter_style=counter_style)
    last_lines = rendering.body_lines(rendered.pages[-1])
    assert (last_lines < 4) == (len(rendered.pages) in short_pages(rendered))
    html = f'<section class="content">{filler * 3}</section><div class="divider"><p>01</p></div>'
    rendered = HTML(string=html, base_url=(rendering.print_dir() / "index.html").as_uri(), url_fetcher=fetcher
                    ).render(stylesheets=[css], counter_style=counter_style)
    assert short_pages(rendered) == []  # a divider holds little on purpose


# ------------------------------------------------------------------------------------------------- PDF/UA-1


def struct_elements(pdf):
    def walk(node):
        kids = node.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else ([] if kids is None else [kids])
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                yield kid
                yield from walk(kid)
    return list(walk(pdf.Root.StructTreeRoot))


@pytest.fixture(scope="module")
def opened(demo_pdfs):
    return {year: pikepdf.open(io.BytesIO(data["pdf"])) for year, data in demo_pdfs.items()}


@pytest.mark.parametrize("year", [2020, 2023])
def test_every_image_has_alternative_text(opened, year):
    figures = [e for e in struct_elements(opened[year]) if e.S == pikepdf.Name.Figure]
    assert figures and all(str(f.get("/Alt", "")).strip() for f in figures)
    alts = [str(f.Alt) for f in figures]
    assert "European Cluster Collaboration Platform logo" in alts
    if year == 2020:
        assert any("Policy scope: 2 of 2" in alt and "Instruments: 2 of 2" in alt for alt in alts)  # the chart
    else:
        assert alts.count("Marked level:") == 4


@pytest.mark.parametrize("year", [2020, 2023])
def test_xmp_declares_pdf_ua_with_title_language_and_dates(opened, year):
    meta = opened[year].open_metadata()
    assert meta["pdfuaid:part"] == "1"
    assert meta["dc:title"] == f"Country factsheet Mexico {year}"
    assert "en" in meta["dc:language"] and str(opened[year].Root.Lang) == "en"
    assert meta.get("xmp:CreateDate")
    assert opened[year].Root.MarkInfo.Marked and opened[year].Root.ViewerPreferences.DisplayDocTitle


@pytest.mark.parametrize("year", [2020, 2023])
def test_headings_do_not_skip_levels(opened, year):
    levels = [int(str(e.S)[2:]) for e in struct_elements(opened[year]) if re.fullmatch(r"/H\d", str(e.S))]
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels


@pytest.mark.parametrize("year", [2020, 2023])
def test_running_header_footer_and_page_numbers_are_artefacts(opened, year):
    pdf = opened[year]
    reachable = {e.objgen for e in struct_elements(pdf)}
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    mapped = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    artefacts = defaultdict(int)
    for index, page in enumerate(pdf.pages):
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) != "BDC":
                continue
            if operands[0] == pikepdf.Name.Artifact:
                artefacts[index] += 1
                continue
            mcid = int(operands[1].MCID)
            element = mapped[index][mcid]
            assert isinstance(element, pikepdf.Dictionary) and element.objgen in reachable, (index, mcid)
    content_pages = [i for i, text in enumerate(pdf_pages_of(pdf)) if RUNNING_HEADER in text]
    assert content_pages and all(artefacts[i] >= 3 for i in content_pages)  # header, motto, page number


def pdf_pages_of(pdf) -> list[str]:
    out = io.BytesIO()
    pdf.save(out)
    return pdf_pages(out.getvalue())


def test_a_draft_says_draft_in_its_title_and_footer_and_its_mark_is_an_artefact(demo, demo_pdfs):
    """The draft mark is decoration (the title says DRAFT): an artefact on every page, never a Figure; translucent,
    so the text under it still shows (issue 22.7)."""
    factsheet = demo[2023]
    pdf = render_factsheet_pdf(factsheet, draft=True)
    info = pikepdf.open(io.BytesIO(pdf))
    assert str(info.docinfo["/Title"]).startswith("DRAFT – Country factsheet Mexico 2023")
    assert info.open_metadata()["dc:title"].startswith("DRAFT")
    tree = struct_of(pdf)
    assert not [f for f in tree.of("Figure") if "draft" in str(f.obj.get("/Alt", "")).lower()]
    published = struct_of(demo_pdfs[2023]["pdf"])
    assert all(tree.artefact_glyphs[page] > published.artefact_glyphs[page] for page in range(len(info.pages)))
    pages = pdf_pages(pdf)
    assert f"revision {factsheet.lock_version}" in pages[3] and "DRAFT" in pages[3]
    assert "DRAFT" not in demo_pdfs[2023]["pages"][3]


def _copy_policy(factsheet, policy, order):
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


def test_three_policy_columns_lay_out_in_one_pass(demo):
    """The synthetic edition of the benchmarks (Mexico 2023 with a third policy) lays out right the first time too."""
    factsheet = demo[2023]
    _copy_policy(factsheet, factsheet.policies.order_by("order").first(), 3)
    rendered = factsheet_pdf(factsheet)
    assert rendered.passes == 1 and rendered.report.clean, str(rendered.report)


def test_a_layout_problem_is_logged_with_the_factsheet_and_counted(factsheet, monkeypatch, caplog):
    """A fallback is the exception: logged with the factsheet and the reason, counted, and the best layout kept."""
    from editorial.rendering.layout import LayoutReport

    reports = iter([LayoutReport(0, 1, [], []), LayoutReport(0, 0, [], [])])
    monkeypatch.setattr(rendering, "inspect", lambda rendered: next(reports))
    before = sum(rendering.fallbacks_taken.values())
    rendered = factsheet_pdf(factsheet)
    assert rendered.passes == 2 and rendered.report.clean
    assert sum(rendering.fallbacks_taken.values()) == before + 1
    assert f"{factsheet_document(factsheet).title}: layout problem (1 footnote(s) away from their call)" in caplog.text


def test_a_split_row_continuing_on_the_next_page_is_not_taken_for_a_stranded_one():
    _, css, fetcher, _, counter_style = rendering._resources()
    long_cell = "<p>" + "Text that runs on and on. " * 400 + "</p>"
    html = (f'<table class="policy-table"><tbody><tr id="t1-1-1"><th class="dim">LABEL</th>'
            f"<td>{long_cell}</td></tr></tbody></table>")
    rendered = HTML(string=html, base_url=(rendering.print_dir() / "index.html").as_uri(), url_fetcher=fetcher
                    ).render(stylesheets=[css], counter_style=counter_style)
    assert len(rendered.pages) > 1 and rendering.stranded_rows(rendered) == []


def test_a_failure_of_the_pdf_ua_finishing_still_delivers_the_pdf(factsheet, monkeypatch, caplog):
    from editorial.rendering import pdfua

    def broken(document, pdf, record):
        raise ValueError("broken")

    monkeypatch.setattr(pdfua, "finish", broken)
    pdf = render_factsheet_pdf(factsheet)
    assert pdf.startswith(b"%PDF-") and "PDF/UA finishing failed" in caplog.text
    assert pikepdf.open(io.BytesIO(pdf)).Root.StructTreeRoot  # still tagged, as WeasyPrint made it


# ------------------------------------------------------------------------------------------------- typography


def laid_out(html: str):
    _, css, fetcher, _, counter_style = rendering._resources()
    return HTML(string=f'<html lang="en"><body>{html}</body></html>', base_url=rendering._base_url(),
                url_fetcher=fetcher).render(stylesheets=[css], counter_style=counter_style)


def line_ends(rendered) -> list[str]:
    from weasyprint.formatting_structure import boxes

    return [box.text for page in rendered.pages for box in page._page_box.descendants()
            if isinstance(box, boxes.TextBox) and box.text.endswith("-\u2060")]


def test_words_break_where_a_reader_expects_and_never_near_their_ends():
    """US English patterns and at least three letters each side: "inte-grated", never "integ-rated" or "in-dex"
    (issue 22.14)."""
    words = "integrated entrepreneurship index development economic ecosystems"
    ends = line_ends(laid_out(f'<div class="rich" style="width: 14mm"><p>{words}</p></div>'))
    assert ends, "the narrow column hyphenates"
    fragments = {end.rsplit(" ", 1)[-1][:-2] for end in ends}
    assert not fragments & {"integ", "entrepren", "in", "de", "ec"}, fragments
    assert all(len(fragment) >= 3 for fragment in fragments), fragments


def test_a_cell_split_over_two_pages_keeps_its_top_padding():
    """The text of a Table 1 cell continued on the next page does not touch the header row (issue 22.14)."""
    from weasyprint.formatting_structure import boxes

    long_cell = "<p>" + "Text that runs on and on. " * 300 + "</p>"
    rendered = laid_out('<table class="policy-table"><thead><tr><th>Policy type:</th><th>Head</th></tr></thead>'
                        f'<tbody><tr id="t1-1-1"><th class="dim">LABEL</th><td>{long_cell}</td></tr></tbody></table>')
    cells = [box for page in rendered.pages for box in page._page_box.descendants()
             if isinstance(box, boxes.TableCellBox) and box.element_tag == "td"]
    assert len(cells) > 1
    assert all(cell.padding_top == cells[0].padding_top > 0 for cell in cells)


@pytest.mark.parametrize("year", [2020, 2023])
def test_addresses_wrap_at_a_separator_never_inside_a_word(demo_pdfs, year):
    text = subprocess.run(["pdftotext", "-raw", str(demo_pdfs[year]["path"]), "-"], capture_output=True, text=True,
                          check=True).stdout
    wrapped = 0
    for _, address in demo_pdfs[year]["texts"]["references"]:
        if len(address) < 40:
            continue
        pattern = "\n?".join(re.escape(char) for char in address)
        match = re.search(pattern, text)
        assert match, address
        for line in match[0].split("\n")[:-1]:
            assert line[-1] in "/._-?=&", f"{address}: broken after “{line[-20:]}”"
            wrapped += 1
    assert wrapped >= 3


# ------------------------------------------------------------------------------------------------- summary


@pytest.mark.parametrize("year", [2020, 2023])
def test_the_summary_report_counts_in_words_aligns_its_footer_and_keeps_amounts_whole(demo_pdfs, tmp_path, year):
    """Issue 22.15: "the 1 published factsheet", footer and page number on the text block's edges, "EUR 1.42
    million" on one line and with its two decimals."""
    path = tmp_path / "summary.pdf"
    path.write_bytes(demo_pdfs[year]["summary"])
    text = norm(pdf_pages(demo_pdfs[year]["summary"])[0])
    assert "Computed from the 1 published factsheet of the edition." in text
    page = words(path, 2)
    footer = [(x, w) for x, y, w in page if w == "ECCP" and y > 780]
    body = [x for x, y, w in page if 60 < y < 780]
    assert footer and abs(footer[0][0] - min(body)) < 0.5  # the footer starts where the text does
    numbers = [float(x) for x, word in re.findall(r'xMax="([\d.]+)" yMax="[\d.]+">(\d+)</word>', bbox(path, 2))
               if word == "2"]
    assert numbers and abs(numbers[-1] - (595.28 - 16 / 25.4 * 72)) < 0.5  # the page number ends at the margin
    if year == 2020:
        layout = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                                check=True).stdout
        assert any(line.count("EUR 1.42 million") == 2 for line in layout.splitlines())


def bbox(path, page: int) -> str:
    return subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
