"""The JSON Schema of the data is strict (issue 20.2): generated from the same field table the writer uses, it
declares every field, closes every object, and states the edition's methodology (criteria, levels, ranks, maxima,
vocabularies), ISO codes, non-negative amounts and year bounds. What JSON Schema cannot say is checked by
portal.opendata.checks.check_data. Each broken file below is refused by one or the other; the published files
pass both."""

import copy
import json

import pytest
from jsonschema import Draft202012Validator

from portal.opendata import check_data
from portal.opendata.spec import POLICY, shape
from portal.selectors import edition_methodologies
from tests import factories
from tests.portal.conftest import LEVELS, EditionBuilder

pytestmark = pytest.mark.django_db


def _validator(client, url):
    schema = json.loads(client.get(url).content)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _fr(data):
    return next(f for f in data["factsheets"] if f["country"]["code"] == "FR")


def _policy(data):
    return _fr(data)["policies"][0]


def _set(path):
    """A breaker that sets one value, found by a path of keys from the file's French factsheet."""
    *parents, last = path

    def breaker(data, value):
        node = _fr(data)
        for key in parents:
            node = node[key]
        node[last] = value
    return breaker


BROKEN = {  # name: a function that breaks a valid edition file in place
    "negative budget": lambda d: _policy(d)["budget"]["overall"].update(eur=-5),
    "currency 'dollars??'": lambda d: _policy(d)["budget"]["overall"].update(currency="dollars??"),
    "currency not ISO 4217": lambda d: _policy(d)["budget"]["overall"].update(currency="XYZ"),
    "amount without currency": lambda d: _policy(d)["budget"]["annual"].update(amount=10, currency=""),
    "currency without amount": lambda d: _policy(d)["budget"]["annual"].update(currency="EUR", amount=None),
    "start year after end year": lambda d: _policy(d).update(start_year=2030, end_year=2020),
    "year 20222": lambda d: _policy(d).update(start_year=20222),
    "end year of an unlimited policy": lambda d: _policy(d).update(period="unlimited", end_year=2099),
    "level not of the criterion": lambda d: _fr(d)["state_of_play"][0].update(level="Excellent"),
    "level_rank 99": lambda d: _fr(d)["state_of_play"][0].update(level_rank=99),
    "level_rank not the level's position": lambda d: _fr(d)["state_of_play"][0].update(level_rank=1),
    "score in a levelled edition": lambda d: _fr(d)["state_of_play"][0].update(score=3),
    "invented category": lambda d: _policy(d)["categories"]["objective"].append("Invented objective"),
    "category twice": lambda d: _policy(d)["categories"]["objective"].append(
        _policy(d)["categories"]["objective"][0]),
    "invented vocabulary": lambda d: _policy(d)["categories"].update(mood=["happy"]),
    "country not the file's": lambda d: _fr(d)["country"].update(code="DE"),
    "country not ISO 3166": lambda d: _fr(d)["country"].update(code="XX"),
    "wrong count": lambda d: d.update(count=7),
    "other edition in the file": lambda d: _fr(d).update(edition=2020, id="2020-fr"),
    "unknown field on a policy": lambda d: _policy(d).update(secret="hidden"),
    "a printed note missing": lambda d: _policy(d).pop("beneficiaries_other"),
    "unknown field on the file": lambda d: d.update(extra=1),
    "policy id not a UUID": lambda d: _policy(d).update(id="policy-1"),
    "two policies with one id": lambda d: _fr(d)["policies"][1].update(id=_policy(d)["id"]),
    "page not a URI": lambda d: _fr(d).update(page="not a uri"),
    "published not a date-time": lambda d: _fr(d).update(published="yesterday"),
    "version 0": lambda d: _fr(d).update(version=0),
    "assessment method of another edition": lambda d: _fr(d).update(assessment_method="score"),
    "footnote call without a footnote": lambda d: _fr(d)["texts"].update(introduction="See [^ghost]."),
    "bad footnote key": lambda d: _fr(d)["footnotes"].append({"key": "Bad Key", "text": "x"}),
    "exchange rate zero": lambda d: _policy(d).update(budget_exchange_rate=0),
    "data_version of another version": lambda d: _fr(d).update(data_version="http://testserver/data/2061/fr/v9.json"),
    "the same factsheet twice": lambda d: d["factsheets"].append(copy.deepcopy(_fr(d))) or d.update(count=3),
}


def _rejected(validator, data, methodologies) -> tuple[list[str], list[str]]:
    schema_errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(data)]
    return schema_errors, check_data(data, methodologies=methodologies)


@pytest.fixture
def valid(client, open_edition):
    data = json.loads(client.get("/data/2061/data.json").content)
    validator = _validator(client, "/data/2061/schema.json")
    methodologies = {m.year: m for m in edition_methodologies()}
    assert _rejected(validator, data, methodologies) == ([], [])
    return data, validator, methodologies


@pytest.mark.parametrize("name", list(BROKEN))
def test_every_broken_file_is_rejected(valid, name):
    data, validator, methodologies = valid
    broken = copy.deepcopy(data)
    BROKEN[name](broken)
    schema_errors, problems = _rejected(validator, broken, methodologies)
    assert schema_errors or problems, f"{name} was accepted"


def test_at_least_25_broken_files(valid):
    assert len(BROKEN) >= 25


def test_the_schema_says_what_it_can(valid):
    """The rules JSON Schema can state are in the schema itself, not only in the checker."""
    data, validator, methodologies = valid
    for name in ["negative budget", "currency 'dollars??'", "currency not ISO 4217", "amount without currency",
                 "year 20222", "level not of the criterion", "level_rank 99", "invented category",
                 "unknown field on a policy", "a printed note missing", "country not ISO 3166",
                 "other edition in the file", "score in a levelled edition"]:
        broken = copy.deepcopy(data)
        BROKEN[name](broken)
        assert list(validator.iter_errors(broken)), name


def test_scores_above_their_maximum_are_refused_by_the_schema(client, db):
    builder = EditionBuilder(2063, scored=True)
    factories.publish_fast(builder.factsheet("PT", score=3))
    data = json.loads(client.get("/data/2063/data.json").content)
    validator = _validator(client, "/data/2063/schema.json")
    assert list(validator.iter_errors(data)) == [] and check_data(data) == []
    data["factsheets"][0]["state_of_play"][0]["score"] = 4.5  # the criterion's maximum is 4
    assert list(validator.iter_errors(data))


def test_every_published_file_validates(client, open_edition):
    other = EditionBuilder(2064, scored=True)
    factories.publish_fast(other.factsheet("PT", score=2))
    checks = {m.year: m for m in edition_methodologies()}
    for url, schema in [("/data/2061/data.json", "/data/2061/schema.json"),
                        ("/data/2061/fr.json", "/data/2061/schema.json"),
                        ("/data/2061/fr/v1.json", "/data/2061/schema.json"),
                        ("/data/2064/data.json", "/data/2064/schema.json"),
                        ("/data/all.json", "/data/schema.json")]:
        data = json.loads(client.get(url).content)
        assert data["$schema"].endswith(schema)
        assert [e.message for e in _validator(client, schema).iter_errors(data)] == [], url
        assert check_data(data, methodologies=checks) == [], url
    assert check_data(json.loads(client.get("/data/2061/fr.json").content), country="FR") == []
    assert check_data(json.loads(client.get("/data/2061/fr.json").content), country="DE")  # not the file's


def test_a_level_edited_after_publishing_still_validates_in_the_version_that_printed_it(client, open_edition):
    """The schema's levels are those the published versions printed: renaming a level later breaks no file."""
    level = open_edition.levels[LEVELS[2]]
    level.label = "Sectoral policy (renamed)"
    level.save()
    data = json.loads(client.get("/data/2061/data.json").content)
    assert list(_validator(client, "/data/2061/schema.json").iter_errors(data)) == []


def test_the_writer_cannot_drift_from_the_schema():
    with pytest.raises(ValueError, match="secret"):
        shape(POLICY, **{name: None for name in POLICY}, secret=1)
    with pytest.raises(ValueError, match="budget_remark"):
        shape(POLICY, **{name: None for name in POLICY if name != "budget_remark"})
