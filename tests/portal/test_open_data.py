"""Open data over HTTP (issues 9.5 and 20): JSON that validates against its edition's schema and round-trips the
published content, typed CSV safe in a spreadsheet, one canonical address per file, JSON 404s, CORS preflight,
per-dataset ETag and Last-Modified, CSVs as attachments, addresses from the site setting, never from Host."""

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


def _json(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return json.loads(response.content)


def _valid(client, data, schema_url):
    schema = _json(client, schema_url)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(data)]


def _rows(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def test_edition_json_validates_against_the_schema_and_round_trips_the_published_content(client, open_edition):
    response = client.get("/data/2061/data.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(response.content)
    assert data["$schema"] == "http://testserver/data/2061/schema.json"
    assert _valid(client, data, "/data/2061/schema.json") == []
    assert data["licence"]["iri"] == "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"
    assert data["count"] == 2 and "2 factsheets, published " in data["citation"]
    france = next(f for f in data["factsheets"] if f["country"]["code"] == "FR")
    publication = Publication.objects.get(factsheet__country__code="FR")
    assert france["version"] == publication.number and france["pdf"] == "http://testserver/factsheets/2061/fr.pdf"
    assert france["data_version"] == "http://testserver/data/2061/fr/v1.json"
    snapshot = factsheet_snapshot(factsheet=publication.factsheet)
    for item, policy in zip(snapshot["policies"], france["policies"], strict=True):
        assert policy["id"] == item["uid"] and policy["name"] == item["name"]
        assert policy["categories"]["objective"] == item["objectives"]
        assert policy["categories"]["policy_type"] == [item["policy_type"]]
    first = france["policies"][0]
    # Every printed field is declared and written: the notes the first schema hid among unknown properties.
    assert first["type_detail"] == "Nuevo León[^nl]" and first["beneficiaries_other"] == "Nature"
    assert first["budget_overall_note"] == "Estimate."
    assert france["state_of_play"] == [{"criterion": "Policy scope", "level": LEVELS[2], "level_rank": 3,
                                        "levels": LEVELS, "score": None, "max_score": None}]
    assert france["texts"]["introduction"] == "Intro with a call.[^n]"
    assert {"key": "n", "text": "A note."} in france["footnotes"]


def test_the_source_s_euro_figure_and_the_computed_one_are_both_in_the_data_with_the_reason(client, open_edition):
    data = _json(client, "/data/2061/fr.json")
    policy = data["factsheets"][0]["policies"][0]
    assert policy["budget"]["overall"] == {"eur": 1420000, "amount": 30000000, "currency": "MXN",
                                           "eur_at_rate": 1500000}
    assert "EUR 1,420,000 is the factsheet's own figure" in policy["budget_remark"]
    assert "rounded" in policy["budget_remark"] and any("`eur` is the figure in euros" in n for n in data["notes"])
    assert data["factsheets"][0]["policies"][1]["budget_remark"] == ""


def test_one_file_per_factsheet_json_and_csv(client, open_edition):
    data = _json(client, "/data/2061/fr.json")
    assert [f["id"] for f in data["factsheets"]] == ["2061-fr"] and _valid(client, data, data["$schema"]) == []
    rows = _rows(client, "/data/2061/fr.csv")
    assert [r["policy_name"] for r in rows] == ["Pôles de compétitivité", "'=HYPERLINK(\"http://evil\")"]
    assert rows[0]["objective"] == "Supporting internationalisation activities | Fostering innovation"
    assert rows[0]["budget_overall_eur"] == "1420000" and rows[0]["budget_overall_currency"] == "MXN"
    assert rows[0]["beneficiaries_other"] == "Nature"
    # The footnote's text beside its call.
    assert rows[0]["type_detail"] == "Nuevo León[^nl]" and rows[0]["footnotes"] == "[^nl] A state of Mexico."


def test_edition_tables_have_a_row_per_policy_criterion_footnote_and_factsheet(client, open_edition):
    policies = _rows(client, "/data/2061/policies.csv")
    assert {(r["country_code"], r["policy_order"]) for r in policies} == {("FR", "1"), ("FR", "2")}  # DE: none
    states = _rows(client, "/data/2061/state-of-play.csv")
    assert {(r["country_code"], r["level"], r["level_rank"]) for r in states} == {("FR", LEVELS[2], "3"),
                                                                                   ("DE", LEVELS[3], "4")}
    assert {r["country_code"] for r in _rows(client, "/data/2061/factsheets.csv")} == {"FR", "DE"}
    assert {(r["key"], r["text"]) for r in _rows(client, "/data/2061/footnotes.csv")} == {
        ("n", "A note."), ("nl", "A state of Mexico.")}


def test_csv_formula_escaping_is_the_one_rule_of_the_project(client, open_edition):
    from factsheets.imports import formula_escape

    rows = _rows(client, "/data/2061/policies.csv")
    assert rows[1]["policy_name"] == formula_escape('=HYPERLINK("http://evil")') == "'=HYPERLINK(\"http://evil\")"
    # The project's rule also escapes a leading quote before a trigger, so that importing strips exactly one.
    assert rows[1]["type_detail"] == formula_escape("'=1+1") == "''=1+1"


def test_csvs_are_utf8_attachments_with_a_header(client, open_edition):
    response = client.get("/data/2061/policies.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8; header=present"
    assert response["Content-Disposition"] == 'attachment; filename="eccp-factsheets-2061-policies.csv"'
    assert not response.content.startswith(b"\xef\xbb\xbf")
    assert client.get("/data/2061/fr.csv")["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(("old", "new"), [
    ("/data/2061.json", "/data/2061/data.json"), ("/data/2061.csv", "/data/2061/policies.csv"),
    ("/data/2061-state-of-play.csv", "/data/2061/state-of-play.csv"), ("/data/2061/FR.json", "/data/2061/fr.json"),
    ("/data/2061/Fr.csv", "/data/2061/fr.csv"), ("/data/2061/FR/v1.json", "/data/2061/fr/v1.json"),
])
def test_one_canonical_address_per_file_others_redirect(client, open_edition, old, new):
    response = client.get(old)
    assert response.status_code == 301 and response["Location"] == new
    assert client.get(new).status_code == 200


@pytest.mark.parametrize("url", ["/data/2061/xx.json", "/data/2061/fr/v9.json", "/data/2099/data.json",
                                 "/data/nothing.json", "/data/2061/nothing.csv", "/data/2061/f1.json"])
def test_a_miss_under_data_is_a_json_404(client, open_edition, url):
    response = client.get(url)
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert "error" in json.loads(response.content) and response["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight_is_answered(client, open_edition):
    response = client.options("/data/2061/data.json", HTTP_ORIGIN="https://data.europa.eu",
                              HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
                              HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match")
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]
    assert "If-None-Match" in response["Access-Control-Allow-Headers"]
    assert client.post("/data/2061/data.json").status_code == 405


@pytest.mark.parametrize("url", ["/data/2061/data.json", "/data/2061/policies.csv", "/data/2061/fr.json",
                                 "/data/schema.json", "/data/2061/schema.json", "/data/catalog.jsonld",
                                 "/data/2061/state-of-play.csv", "/data/2061/datapackage.json",
                                 "/data/2061/data.xlsx", "/data/all.json", "/data/2061/fr/v1.json"])
def test_every_data_file_has_etag_last_modified_and_cors(client, open_edition, url):
    response = client.get(url, HTTP_ORIGIN="https://data.europa.eu")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["ETag"] and response["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_last_modified_and_etag_are_the_dataset_s_own(client, open_edition):
    before = {url: client.get(url) for url in ("/data/2061/data.json", "/data/2061/de.json", "/data/2061/fr.json")}
    other = EditionBuilder(2062)
    factories.publish_fast(other.factsheet("IT", level=LEVELS[1]))
    for url, response in before.items():  # another edition's publication changes nothing here
        again = client.get(url)
        assert (again["ETag"], again["Last-Modified"]) == (response["ETag"], response["Last-Modified"]), url
    france = open_edition.edition.factsheets.get(country__code="FR")
    france.introduction = "<p>Second version.</p>"
    france.save()
    factories.publish_fast(france)
    assert client.get("/data/2061/de.json")["ETag"] == before["/data/2061/de.json"]["ETag"]
    assert client.get("/data/2061/fr.json")["ETag"] != before["/data/2061/fr.json"]["ETag"]
    assert client.get("/data/2061/data.json")["ETag"] != before["/data/2061/data.json"]["ETag"]


def test_addresses_come_from_the_site_setting_never_from_the_host_header(client, open_edition, settings):
    settings.EDITORIAL_SITE_URL = "https://factsheets.example.eu"
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    for host in ("testserver", "localhost"):
        for url in ("/data/catalog.jsonld", "/data/2061/data.json", "/data/2061/datapackage.json"):
            body = client.get(url, HTTP_HOST=host).content.decode()
            assert "https://factsheets.example.eu/data/" in body and f"//{host}" not in body, (host, url)
