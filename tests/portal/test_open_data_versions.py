"""Versions and identity (issue 20.4): the data of every published version, immutable and identical to what that
version printed; one file for every edition; policy identifiers that stay the same across versions, reverts and
carry-forward (and a new policy gets a new one), in the JSON, the CSV and the factsheet page's anchors."""

import csv
import io
import json

import pytest

from editorial import services
from editorial.editions import edition_open
from editorial.models import Publication
from factsheets.models import Factsheet, Policy
from tests import factories

pytestmark = pytest.mark.django_db


def _data(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return json.loads(response.content)


def _ids(data):
    return [p["id"] for p in data["factsheets"][0]["policies"]]


def _new_version(factsheet, **changes):
    factsheet.refresh_from_db()
    for name, value in changes.items():
        setattr(factsheet, name, value)
    factsheet.save()
    return factories.publish_fast(factsheet)


def test_version_data_is_what_that_version_printed_and_never_changes(client, open_edition):
    france = open_edition.edition.factsheets.get(country__code="FR")
    v1 = _data(client, "/data/2061/fr/v1.json")
    assert v1["factsheets"][0]["texts"]["introduction"] == "Intro with a call.[^n]"
    revision = Publication.objects.get(factsheet=france, number=1).revision
    assert [p["uid"] for p in revision.snapshot["policies"]] == _ids(v1)
    assert "version 1" in v1["citation"]

    _new_version(france, introduction="<p>The second version.</p>")
    Policy.objects.filter(factsheet=france, order=1).update(name="Renamed in a draft")  # the working copy moves on
    again = _data(client, "/data/2061/fr/v1.json")
    assert again == v1  # byte for byte the same data
    v2 = _data(client, "/data/2061/fr/v2.json")
    assert v2["factsheets"][0]["texts"]["introduction"] == "The second version."
    assert _data(client, "/data/2061/fr.json")["factsheets"][0]["version"] == 2
    assert _ids(v2) == _ids(v1)  # the same policies keep their identifiers from version to version


def test_a_withdrawn_version_s_data_is_gone(client, open_edition, users):
    germany = open_edition.edition.factsheets.get(country__code="DE")
    assert client.get("/data/2061/de/v1.json").status_code == 200
    germany.refresh_from_db()
    services.factsheet_withdraw(factsheet=germany, by=users["editor"], comment="Wrong.")
    assert client.get("/data/2061/de/v1.json").status_code == 404


def test_identifiers_survive_carry_forward_and_a_new_policy_gets_a_new_one(client, open_edition, users):
    old = _ids(_data(client, "/data/2061/fr.json"))
    edition, _ = edition_open(source=open_edition.edition, year=2065, by=users["editor"])
    carried = Factsheet.objects.get(edition=edition, country__code="FR")
    assert list(carried.policies.order_by("order").values_list("uid", flat=True)) == old
    newcomer = factories.PolicyFactory(factsheet=carried, order=3, name="A new policy",
                                       policy_type=carried.policies.first().policy_type)
    factories.publish_fast(carried)
    ids = _ids(_data(client, "/data/2065/fr.json"))
    assert ids[:2] == old and ids[2] == newcomer.uid and newcomer.uid not in old
    everything = _data(client, "/data/all.json")
    assert everything["editions"] == [2061, 2065]
    assert {f["id"] for f in everything["factsheets"]} == {"2061-fr", "2061-de", "2065-fr"}  # 2065-de: a draft
    rows = list(csv.DictReader(io.StringIO(client.get("/data/2065/policies.csv").content.decode())))
    assert [r["policy_id"] for r in rows if r["country_code"] == "FR"] == ids


def test_identifiers_survive_a_revert(client, open_edition, users):
    france = open_edition.edition.factsheets.get(country__code="FR")
    before = list(france.policies.order_by("order").values_list("uid", flat=True))
    first = france.revisions.order_by("number").first()
    services.factsheet_start_new_draft(factsheet=france, by=users["editor"])
    france.refresh_from_db()
    Policy.objects.filter(factsheet=france, order=2).delete()
    services.revision_record(factsheet=france, by=users["editor"])
    services.revision_revert(factsheet=france, revision=first, by=users["editor"])
    assert list(france.policies.order_by("order").values_list("uid", flat=True)) == before


def test_the_factsheet_page_anchors_each_policy_and_links_each_version_s_data(client, open_edition):
    france = open_edition.edition.factsheets.get(country__code="FR")
    _new_version(france, introduction="<p>The second version.</p>")
    page = client.get("/factsheets/2061/fr/").content.decode()
    for uid in france.policies.values_list("uid", flat=True):
        assert f'id="policy-{uid}"' in page
    assert 'href="/data/2061/fr/v1.json"' in page and 'href="/data/2061/fr/v2.json"' in page


def test_the_compare_view_does_not_show_identifiers(open_edition):
    from editorial.snapshots import factsheet_snapshot, snapshot_fields

    france = open_edition.edition.factsheets.get(country__code="FR")
    assert not [key for key in snapshot_fields(factsheet_snapshot(factsheet=france)) if "uid" in key]
