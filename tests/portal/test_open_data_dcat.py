"""The DCAT-AP catalogue under the official DCAT-AP 3.0.1 SHACL shapes (issue 20.1), run with pyshacl: the shapes
and range constraints of the release, its recommended shapes, its controlled-vocabulary shapes and deprecations,
with the EU vocabularies loaded (tests/data/dcat-ap/, see its README). No violation; the only warnings are the
two the README argues (a country as dct:Location has no bounding box or centroid)."""

from collections import Counter
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Namespace

from tests.portal.conftest import EditionBuilder

pytestmark = [
    pytest.mark.django_db,
    # rdflib's own JSON-LD parser builds a ConjunctiveGraph, which rdflib itself deprecates.
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
]

DCAT_AP = Path(__file__).parent.parent / "data" / "dcat-ap"
SH = Namespace("http://www.w3.org/ns/shacl#")
SHAPES = ["dcat-ap-SHACL.ttl", "ranges.ttl"]  # releases/3.0.1/shacl/
RECOMMENDED = ["shapes_recommended.ttl", "mdr-vocabularies.shape.ttl", "deprecateduris.ttl"]  # …/html/shacl/
ARGUED = {("bbox", "Location"), ("centroid", "Location")}  # README: a country has no bounding box or centroid


def _shapes(names: list[str]) -> Graph:
    graph = Graph()
    for name in names:
        graph.parse(DCAT_AP / "shacl" / name)
    # The 3.0.1 release names five property shapes it never defines (SEMICeu/DCAT-AP issue #448); strict engines
    # (Jena, pyshacl 0.40) refuse such a file. A missing shape constrains nothing: drop the dangling references.
    for shape, ref in list(graph.subject_objects(SH.property)):
        if (ref, SH.path, None) not in graph:
            graph.remove((shape, SH.property, ref))
    return graph


def _vocabularies() -> Graph:
    graph = Graph()
    for path in sorted((DCAT_AP / "vocabularies").glob("*.ttl")):
        graph.parse(path)
    return graph


def _results(catalog: str, shapes: list[str], *, vocabularies: bool = True) -> Counter:
    data = Graph().parse(data=catalog, format="json-ld")
    if vocabularies:
        data += _vocabularies()
    _, report, _ = validate(data, shacl_graph=_shapes(shapes), allow_warnings=True)
    found = Counter()
    query = """PREFIX sh: <http://www.w3.org/ns/shacl#>
        SELECT ?severity ?path ?focus ?message WHERE { ?r a sh:ValidationResult ; sh:resultSeverity ?severity ;
        sh:focusNode ?focus . OPTIONAL { ?r sh:resultPath ?path } OPTIONAL { ?r sh:resultMessage ?message } }"""
    for severity, path, focus, message in report.query(query):
        kind = "Location" if "/authority/country/" in str(focus) else str(focus)
        found[(str(severity).rsplit("#", 1)[1], str(path).rsplit("#", 1)[-1].rsplit("/", 1)[-1], kind,
               str(message)[:120])] += 1
    return found


@pytest.fixture
def catalog(client, open_edition):
    scored = EditionBuilder(2019, scored=True)
    from tests import factories

    factories.publish_fast(scored.factsheet("MX", score=2))
    response = client.get("/data/catalog.jsonld")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/ld+json")
    return response.content.decode()


def test_the_catalogue_has_no_violation_of_the_dcat_ap_3_0_1_shapes(catalog):
    assert [r for r in _results(catalog, SHAPES) if r[0] == "Violation"] == []


def test_the_catalogue_meets_the_recommended_and_vocabulary_shapes_with_the_eu_vocabularies(catalog):
    results = _results(catalog, RECOMMENDED)
    assert [r for r in results if r[0] == "Violation"] == []
    assert {(path, kind) for severity, path, kind, _ in results if severity == "Warning"} == ARGUED


def test_without_the_eu_vocabularies_the_vocabulary_shapes_fail(catalog):
    """The catalogue does not claim the vocabularies' schemes itself: a wrong IRI is caught only with them loaded."""
    results = _results(catalog, RECOMMENDED, vocabularies=False)
    assert any(severity == "Violation" and path == "inScheme" for severity, path, _, _ in results)


def test_the_catalogue_names_what_dcat_ap_recommends(client, catalog, settings):
    import json

    data = json.loads(catalog)
    assert data["dct:license"]["@id"] == "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"
    assert data["dct:publisher"]["@id"] == settings.OPENDATA_PUBLISHER_IRI
    assert data["dcat:themeTaxonomy"]["@id"] == "http://publications.europa.eu/resource/authority/data-theme"
    editions = {d["dct:identifier"]: d for d in data["dcat:dataset"]}
    assert set(editions) == {"eccp-country-factsheets-2061", "eccp-country-factsheets-2019",
                             "eccp-country-factsheets-all"}
    dataset = editions["eccp-country-factsheets-2061"]
    assert {s["@id"] for s in dataset["dct:spatial"]} == {
        "http://publications.europa.eu/resource/authority/country/FRA",
        "http://publications.europa.eu/resource/authority/country/DEU"}
    assert dataset["dct:temporal"]["dcat:startDate"]["@value"] == "2061-01-01"
    assert "Cluster policy of 2 countries" in dataset["dct:description"]["@value"]
    assert "Cluster policy of 1 country (Mexico)" in editions["eccp-country-factsheets-2019"]["dct:description"][
        "@value"]
    media = {d["dcat:mediaType"]["@id"] for d in dataset["dcat:distribution"]}
    assert "https://www.iana.org/assignments/media-types/text/csv" in media
    for distribution in dataset["dcat:distribution"]:
        assert distribution["dct:description"]["@value"] and distribution["dcatap:availability"]
        url = distribution["dcat:downloadURL"]["@id"].removeprefix("http://testserver")
        assert client.get(url).status_code == 200, url


def test_each_vendored_vocabulary_names_its_source_and_its_generator():
    """tests/data/build_dcat_ap_vocabularies.py wrote them (its --check compares, given the fetched sources)."""
    for path in (DCAT_AP / "vocabularies").glob("*.ttl"):
        head = path.read_text().splitlines()[:4]
        assert any("Source:" in line or "Where each IRI is published" in line for line in head), path
        assert any("build_dcat_ap_vocabularies.py" in line for line in path.read_text().splitlines()[:12]), path
