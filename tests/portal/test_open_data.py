"""Open data (issue 9.5): JSON that validates against the published schema and round-trips the published
content, CSV safe in a spreadsheet, DCAT-AP, ETag/Last-Modified and CORS on every file."""

import csv
import io
import json

import pytest
from jsonschema import Draft202012Validator

from editorial.models import Publication
from editorial.snapshots import factsheet_snapshot
from tests import factories
from tests.portal.conftest import LEVELS, EditionBuilder

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition():
    builder = EditionBuilder(2061)
    fs = builder.factsheet("FR", level=LEVELS[2], intro="Intro with a call.[^n]", policies=[
        ("National cluster policy", ["Supporting internationalisation activities", "Fostering innovation"],
         1_250_000.5, "Pôles de compétitivité"),
        ("Broad policy", [], None, "=HYPERLINK(\"http://evil\")"),
    ])
    factories.FootnoteFactory(factsheet=fs, key="n", text="<p>A note.</p>")
    factories.ReferenceFactory(factsheet=fs, order=1)
    factories.publish_fast(fs)
    factories.publish_fast(builder.factsheet("DE", level=LEVELS[3]))
    return builder


def _schema(client):
    response = client.get("/data/schema.json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/schema+json")
    return json.loads(response.content)


def test_edition_json_validates_against_the_schema_and_round_trips_the_published_content(client, edition):
    schema = _schema(client)
    Draft202012Validator.check_schema(schema)
    response = client.get("/data/2061.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(response.content)
    errors = list(Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).iter_errors(data))
    assert errors == []
    assert data["licence"]["url"] == "https://creativecommons.org/licenses/by/4.0/" and data["count"] == 2
    assert data["$schema"] == "http://testserver/data/schema.json"
    france = next(f for f in data["factsheets"] if f["country"]["code"] == "FR")
    publication = Publication.objects.get(factsheet__country__code="FR")
    assert france["version"] == publication.number and france["pdf"] == "http://testserver/factsheets/2061/fr.pdf"
    assert france["published"] == publication.published_at.isoformat()
    # Round trip: the published revision's content, policy by policy.
    snapshot = factsheet_snapshot(factsheet=publication.factsheet)
    for item, policy in zip(snapshot["policies"], france["policies"], strict=True):
        assert policy["name"] == item["name"]
        assert policy["categories"]["objective"] == item["objectives"]
        assert policy["categories"]["policy_type"] == [item["policy_type"]]
    assert france["policies"][0]["budget"]["overall"]["eur"] == 1250000.5
    assert france["state_of_play"] == [{"criterion": "Policy scope", "level": LEVELS[2], "level_rank": 3,
                                        "levels": LEVELS, "score": None, "max_score": None}]
    assert france["texts"]["introduction"] == "Intro with a call.[^n]"
    assert france["footnotes"] == [{"key": "n", "text": "A note."}]


def test_one_file_per_factsheet_json_and_csv(client, edition):
    data = json.loads(client.get("/data/2061/fr.json").content)
    assert [f["id"] for f in data["factsheets"]] == ["2061-fr"]
    assert client.get("/data/2061/xx.json").status_code == 404
    rows = list(csv.DictReader(io.StringIO(client.get("/data/2061/fr.csv").content.decode("utf-8-sig"))))
    assert [r["policy_name"] for r in rows] == ["Pôles de compétitivité", "'=HYPERLINK(\"http://evil\")"]
    assert rows[0]["objective"] == "Supporting internationalisation activities | Fostering innovation"
    assert rows[0]["budget_overall_eur"] == "1250000.5"


def test_edition_csvs_have_a_row_per_policy_and_per_criterion(client, edition):
    policies = list(csv.DictReader(io.StringIO(client.get("/data/2061.csv").content.decode("utf-8-sig"))))
    assert {(r["country_code"], r["policy_order"]) for r in policies} == {("FR", "1"), ("FR", "2")}  # DE: none
    states = list(csv.DictReader(io.StringIO(client.get("/data/2061-state-of-play.csv").content.decode("utf-8-sig"))))
    assert {(r["country_code"], r["level"], r["level_rank"]) for r in states} == {("FR", LEVELS[2], "3"),
                                                                                   ("DE", LEVELS[3], "4")}


def test_dcat_catalogue_describes_each_edition_and_its_files(client, edition):
    response = client.get("/data/catalog.jsonld")
    assert response["Content-Type"].startswith("application/ld+json")
    catalog = json.loads(response.content)
    assert catalog["@type"] == "dcat:Catalog" and "dcat" in catalog["@context"]
    (dataset,) = catalog["dcat:dataset"]
    assert dataset["dct:license"]["@id"] == "https://creativecommons.org/licenses/by/4.0/"
    urls = {d["dcat:downloadURL"]["@id"] for d in dataset["dcat:distribution"]}
    assert urls == {"http://testserver/data/2061.json", "http://testserver/data/2061.csv",
                    "http://testserver/data/2061-state-of-play.csv"}
    for url in urls:
        assert client.get(url.removeprefix("http://testserver")).status_code == 200


@pytest.mark.parametrize("url", ["/data/2061.json", "/data/2061.csv", "/data/2061/fr.json", "/data/schema.json",
                                 "/data/catalog.jsonld", "/data/2061-state-of-play.csv"])
def test_every_data_file_has_etag_last_modified_and_cors(client, edition, url):
    response = client.get(url, HTTP_ORIGIN="https://data.europa.eu")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["ETag"] and response["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
