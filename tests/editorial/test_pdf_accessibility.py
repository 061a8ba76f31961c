"""PDF/UA-1 of the factsheets and the summary reports, read off their structure trees with pikepdf (issue 22,
Matterhorn conditions named) and checked by the PyPI validator `pdfua`. One render of each real factsheet and
summary serves every test (demo_pdfs)."""

import re
import subprocess

import pdfua
import pytest
from django.conf import settings

from tests.editorial.pdf_helpers import plain
from tests.editorial.pdf_structure import struct_of

pytestmark = pytest.mark.django_db

YEARS = [2020, 2023]
ALL_PDFS = [(year, kind) for year in YEARS for kind in ("factsheet", "summary")]


def pdf_of(demo_pdfs, year, kind) -> bytes:
    return demo_pdfs[year]["pdf"] if kind == "factsheet" else demo_pdfs[year]["summary"]


@pytest.fixture(scope="module")
def trees(demo_pdfs):
    return {(year, kind): struct_of(pdf_of(demo_pdfs, year, kind)) for year, kind in ALL_PDFS}


def table_with(tree, header_id):
    return next(t for t in tree.tables() if any(e.obj.get("/ID") == header_id for e in t.walk()))


# --------------------------------------------------------------------------------------- 15-005: cell headers


@pytest.mark.parametrize("year", YEARS)
def test_every_table1_cell_reaches_its_dimension_sub_dimension_and_policy_headers(trees, demo_pdfs, year):
    tree = trees[(year, "factsheet")]
    table = table_with(tree, "t1-type")
    headers_seen = 0
    cells = 0
    dimension = None
    for body in (part for part in table.children if part.tag == "TBody"):
        for row in body.children:
            ths = [c for c in row.children if c.tag == "TH"]
            tds = [c for c in row.children if c.tag == "TD"]
            dims = [c for c in ths if re.fullmatch(r"t1-d\d+", str(c.obj.get("/ID")))]
            if dims:
                dimension = dims[0]
                assert int(dimension.attributes.get("/RowSpan", 1)) >= 1
            subs = [str(c.obj.ID) for c in ths if re.fullmatch(r"t1-d\d+-s\d+", str(c.obj.get("/ID")))]
            assert dimension is not None and all(tree.has_content(th) for th in ths), f"an empty header cell: {ths}"
            for column, td in enumerate(tds, start=1):
                expected = {str(dimension.obj.ID), *subs, f"t1-type-{column}", f"t1-policy-{column}"}
                assert set(td.headers) == expected, (td.headers, expected)
                for header in td.headers:  # each resolves to a header cell that shows its label
                    assert tree.by_id[header].tag == "TH" and tree.has_content(tree.by_id[header]), header
                    headers_seen += 1
                cells += 1
    policies = len(demo_pdfs[year]["doc"].policy_heads)
    rows = sum(len(dim.rows) for dim in demo_pdfs[year]["doc"].table1)
    assert cells == rows * policies and headers_seen >= 3 * cells  # every cell of every row, joined over its pages


@pytest.mark.parametrize("year", YEARS)
def test_every_table2_cell_reaches_its_criterion_and_column_headers(trees, demo_pdfs, year):
    tree = trees[(year, "factsheet")]
    table = table_with(tree, "t2-country")
    criteria = [row["name"] for row in demo_pdfs[year]["doc"].assessment["rows"]]
    checked = 0
    for body in (part for part in table.children if part.tag == "TBody"):
        criterion = None
        for row in body.children:
            th = next((c for c in row.children if c.tag == "TH"), None)
            criterion = th or criterion
            tds = [c for c in row.children if c.tag == "TD"]
            columns = ["t2-state"] if year == 2023 else ["t2-country", "t2-max"]
            for td, column in zip(tds, columns, strict=True):
                assert td.headers == [str(criterion.obj.ID), column]
                assert all(tree.has_content(tree.by_id[h]) for h in td.headers)
                checked += 1
    levels = sum(len(row["levels"]) for row in demo_pdfs[year]["doc"].assessment["rows"])
    assert checked == (levels if year == 2023 else 2 * len(criteria))


@pytest.mark.parametrize("year", YEARS)
def test_table1_is_one_table_whose_repeated_header_rows_are_artefacts(trees, demo_pdfs, year):
    tree = trees[(year, "factsheet")]
    table = table_with(tree, "t1-type")
    heads = [part for part in table.children if part.tag == "THead"]
    pages = {page for page, _ in table.all_mcids()}
    assert len(heads) == 1 and len(pages) == (4 if year == 2020 else 8)
    assert len([e for e in tree.elements if e.obj.get("/ID") == "t1-type"]) == 1
    rows = [row.obj.objgen for part in table.children if part.tag == "TBody" for row in part.children]
    assert len(rows) == sum(len(dim.rows) for dim in demo_pdfs[year]["doc"].table1)  # a row split over pages: one TR


# --------------------------------------------------------------------------------------- 19: notes


@pytest.mark.parametrize("year", YEARS)
def test_footnotes_are_notes_with_an_id_right_after_their_reference(trees, demo_pdfs, year):
    tree = trees[(year, "factsheet")]
    notes = tree.of("Note")
    numbers = [note.number for note in demo_pdfs[year]["doc"].footnotes]
    assert [str(note.obj.ID) for note in notes] == [f"fn-{n}" for n in numbers]
    for note in notes:
        siblings = note.parent.children
        before = siblings[siblings.index(note) - 1]
        assert before.tag == "Reference" and tree.has_content(before)
        assert note.children[0].tag == "Lbl" and tree.has_content(note)
    assert not [e for e in tree.elements if e.tag == "NonStruct" and e.parent.tag == "Note"]


# --------------------------------------------------------------------------------------- 13-004: figures


@pytest.mark.parametrize(("year", "kind"), ALL_PDFS)
def test_no_figure_without_alternative_text_and_decoration_as_artefacts(trees, year, kind):
    tree = trees[(year, kind)]
    figures = tree.of("Figure")
    assert [f for f in figures if not str(f.obj.get("/Alt", "")).strip()] == []
    if kind == "summary":  # the bars are decoration beside their figures: artefacts, the logo the only image
        assert [str(f.obj.Alt) for f in figures] == ["European Cluster Collaboration Platform"]
        assert sum(tree.artefact_paths.values()) >= 2 * 20
    else:
        assert "European Cluster Collaboration Platform logo" in [str(f.obj.Alt) for f in figures]


# --------------------------------------------------------------------------------------- hyphens, 11: language


def raw_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-raw", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


@pytest.mark.parametrize("year", YEARS)
def test_extracted_text_has_whole_words_where_lines_were_hyphenated(trees, demo_pdfs, year):
    data = settings.BASE_DIR / "factsheets" / "data"
    source = plain((data / "factsheets" / f"mx-{year}.yaml").read_text()
                   + (data / "editions" / f"{year}.yaml").read_text())  # every text the render prints
    lines = raw_text(demo_pdfs[year]["pdf"]).splitlines()
    for line, following in zip(lines, lines[1:], strict=False):
        match = re.search(r"(\w+)-$", line)
        if match and following[:1].isalpha():  # a hyphen at a line end is the text's own (start-ups), never inserted
            word = match[1] + "-" + re.match(r"[\w-]+", following)[0].split("-")[0]
            assert word in source, f"“{line[-30:]}” / “{following[:30]}”"
    hyphenated = tree_hyphenations(trees[(year, "factsheet")])
    assert hyphenated >= 5  # the render does hyphenate: each of those words is given whole
    assert "\u200b" not in raw_text(demo_pdfs[year]["pdf"]) and "\u2060" not in raw_text(demo_pdfs[year]["pdf"])


def tree_hyphenations(tree) -> int:
    return sum(1 for text in tree.actual_text.values() if text and not text.endswith(("-", "\u00ad")))


@pytest.mark.parametrize("year", YEARS)
def test_spanish_names_and_titles_are_marked_spanish(trees, demo_pdfs, year):
    tree = trees[(year, "factsheet")]
    spanish = [e for e in tree.elements if str(e.obj.get("/Lang", "")) == "es"]
    references = [e for e in spanish if e.tag == "LI"]
    expected = sum(1 for citation, _ in demo_pdfs[year]["texts"]["references"]
                   if citation.startswith(("Gobierno", "Consejo", "CEPAL", "CONACYT", "Red de")))
    assert len(references) >= expected and all(tree.has_content(e) for e in spanish)
    assert [e for e in spanish if e.tag == "Span"], "the Spanish names in the texts"
    assert str(tree.pdf.Root.Lang) == "en"


# --------------------------------------------------------------------------------------- contents, links


@pytest.mark.parametrize("year", YEARS)
def test_each_contents_entry_is_one_link_named_after_its_section(trees, demo_pdfs, year):
    tree = trees[(year, "factsheet")]
    doc = demo_pdfs[year]["doc"]
    titles = ([doc.contents_title] if doc.contents_lists_itself else []) + [s.numbered_title for s in doc.sections]
    contents_page = tree.pdf.pages[1]
    annotations = list(contents_page.get("/Annots", []))
    assert [str(a.Contents) for a in annotations] == titles
    links = [e for e in tree.of("Link") if e.page == 1]
    assert len(links) == len(titles) and all(len(link.annotations) == 1 for link in links)
    assert not [e for e in tree.of("Link") if any(a.tag == "Link" for a in e.walk())]
    assert tree.artefact_glyphs[1] >= len(titles)  # the leader dots
    for index, page in enumerate(tree.pdf.pages):
        for annotation in page.get("/Annots", []):  # every link says where it goes and is in the tree
            assert str(annotation.get("/Contents", "")).strip() and "/StructParent" in annotation, index


# --------------------------------------------------------------------------------------- the tree


@pytest.mark.parametrize(("year", "kind"), ALL_PDFS)
def test_every_marked_content_is_in_the_tree_and_no_grouping_element_is_empty(trees, year, kind):
    tree = trees[(year, kind)]
    reachable = {e.obj.objgen for e in tree.elements}
    parent_tree = tree.parent_tree()
    for page, mcids in tree.marked.items():
        for mcid in mcids:
            element = parent_tree[page][mcid]
            assert element.objgen in reachable, (page, mcid)
    assert not [e.tag for e in tree.elements  # nothing left of the pieces of split elements, no empty sections
                if e.tag in ("Sect", "Div", "Part", "NonStruct", "P", "Span", "L", "LI", "TR", "TBody")
                and not any(e.all_mcids())]
    ids = [str(e.obj.ID) for e in tree.elements if "/ID" in e.obj]
    assert len(ids) == len(set(ids))
    if ids:
        names = tree.root.IDTree.Names
        assert sorted(str(names[i]) for i in range(0, len(names), 2)) == sorted(ids)


@pytest.mark.parametrize(("year", "kind"), ALL_PDFS)
def test_pdfua_validator_finds_nothing(demo_pdfs, tmp_path, year, kind):
    path = tmp_path / f"{kind}-{year}.pdf"
    path.write_bytes(pdf_of(demo_pdfs, year, kind))
    report = pdfua.validate(str(path))
    assert [(f.rule_id, f.message) for f in report.findings] == []
    assert [(o.rule_id, o.skipped_reason) for o in report.skipped] == []  # all 16 rules ran
    assert len(report.outcomes) >= 12


@pytest.mark.parametrize("year", YEARS)
def test_modification_date_is_not_before_creation(trees, year):
    info = trees[(year, "factsheet")].pdf.docinfo
    assert str(info["/ModDate"]) >= str(info["/CreationDate"])
    meta = trees[(year, "factsheet")].pdf.open_metadata()
    assert meta["xmp:ModifyDate"] >= meta["xmp:CreateDate"]
