"""Imports at about one query a row (issue 23.4): natural keys loaded once a file, rows written in batches; what
other apps do when they hear of an import (editorial's revisions) is theirs and left out here."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factsheets.models import Country, DataImport, Edition, Factsheet, Level, NationalContact, Policy
from factsheets.signals import import_recorded
from factsheets.transfer import edition_export, edition_import
from tests.factsheets.synthetic_edition import country_codes, synthesise

pytestmark = pytest.mark.django_db


@pytest.fixture
def import_alone(settings, monkeypatch):
    """No receiver of import_recorded: the import's own queries only."""
    monkeypatch.setattr(import_recorded, "receivers", [])
    import_recorded.sender_receivers_cache.clear()


def _edition_of(countries: int, demo_dir, target):
    synthesise(demo_dir, target, country_codes(countries))
    return target


def _wipe():
    NationalContact.objects.all().delete()
    Factsheet.objects.all().delete()
    Edition.objects.all().delete()
    Country.objects.all().delete()
    DataImport.objects.all().delete()


def _import(directory, **kwargs) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        report = edition_import(directory=directory, **kwargs)
    return len(queries), sum(sum(totals.values()) for _, totals in report.files)


def test_an_edition_import_takes_at_most_one_query_a_row_at_2_and_20_countries(demo, tmp_path, import_alone):
    edition_export(year=2023, directory=tmp_path / "demo")
    small = _edition_of(2, tmp_path / "demo", tmp_path / "2")
    large = _edition_of(20, tmp_path / "demo", tmp_path / "20")
    _wipe()
    small_queries, small_rows = _import(small)
    assert Policy.objects.count() == 2 * 3
    _wipe()
    large_queries, large_rows = _import(large)
    assert Policy.objects.count() == 20 * 3 and large_rows > 5 * small_rows
    assert small_queries <= small_rows, f"{small_queries} queries for {small_rows} rows"
    assert large_queries <= large_rows, f"{large_queries} queries for {large_rows} rows"
    # Writes go in batches: ten times the countries, about the same number of queries.
    assert large_queries <= small_queries + 20, (small_queries, large_queries)


def test_a_reimport_that_changes_every_factsheet_stays_within_a_query_a_row(demo, tmp_path, import_alone):
    """Updates, and changed category selections, are batched as creations are."""
    edition_export(year=2023, directory=tmp_path / "demo")
    edition = _edition_of(20, tmp_path / "demo", tmp_path / "20")
    _wipe()
    edition_import(directory=edition)
    policies = edition / "09-policies.csv"
    rows = list(csv.reader(io.StringIO(policies.read_text(encoding="utf-8"))))
    header = rows[0]
    order, objectives, name = header.index("order"), header.index("objectives"), header.index("name")
    first = {row[header.index("country")]: row for row in rows[1:] if row[order] == "1"}
    for row in rows[1:]:
        if row[order] == "2":  # the second policy takes the first one's objectives, and a new name
            row[objectives], row[name] = first[row[header.index("country")]][objectives], row[name] + " (revised)"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    policies.write_text(buffer.getvalue(), encoding="utf-8")

    queries, rows_imported = _import(edition)
    assert queries <= rows_imported, f"{queries} queries for {rows_imported} rows"
    revised = Policy.objects.filter(order=2).prefetch_related("objectives", "factsheet__policies__objectives")
    assert len(revised) == 20
    for policy in revised:
        one = next(p for p in policy.factsheet.policies.all() if p.order == 1)
        assert policy.name.endswith("(revised)")
        assert {c.pk for c in policy.objectives.all()} == {c.pk for c in one.objectives.all()} != set()


def test_a_policy_file_previews_and_imports_without_a_query_a_row(demo, import_alone, django_assert_max_num_queries):
    """The admin's two steps on one file: 110 new policies of 55 factsheets."""
    from factsheets.resources import PolicyResource

    exported = PolicyResource(edition_year=2023).export()
    codes = country_codes(56)
    for code in codes[1:]:
        Factsheet.objects.create(country=Country.objects.create(code=code, name=code),
                                 edition=Edition.objects.get(year=2023))
    rows = [list(row) for row in exported]
    country = exported.headers.index("country")
    dataset = exported.__class__(*[[code if i == country else v for i, v in enumerate(row)]
                                   for code in codes[1:] for row in rows], headers=exported.headers)
    assert len(dataset) == 110
    # Lookups, savepoints, an insert a table (SQLite takes 999 values a statement: 24 policies): under half a row.
    with django_assert_max_num_queries(len(dataset) // 2):
        result = PolicyResource().import_data(dataset, dry_run=True)
    assert result.totals["new"] == len(dataset) and not result.has_validation_errors()
    with django_assert_max_num_queries(len(dataset) // 2):
        result = PolicyResource().import_data(dataset, dry_run=False)
    assert Policy.objects.filter(factsheet__edition__year=2023).count() == len(rows) * 56
    mexico = Policy.objects.filter(factsheet=demo[2023]).order_by("order").first()
    copy = Policy.objects.filter(factsheet__country__code=codes[1], order=mexico.order).get()
    assert list(copy.objectives.all()) == list(mexico.objectives.all()) and copy.objectives.exists()


def test_two_rows_of_one_file_cannot_take_the_same_rank(demo, import_alone):
    """Rows are written together, so a unique value is checked against the rows before it in the file too."""
    from factsheets.resources import LevelResource

    Factsheet.objects.update(state="draft")
    levels = LevelResource(edition_year=2023).export()
    criterion, rank = levels[0][1], int(levels[0][3])
    first = [2023, criterion, "A new level", rank + 100, "<p>New.</p>"]
    second = [2023, criterion, "Another new level", rank + 100, "<p>New too.</p>"]
    dataset = levels.__class__(first, second, headers=levels.headers)
    result = LevelResource().import_data(dataset, dry_run=False)
    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert invalid.number == 2 and "Level with this Criterion and Rank already exists." in str(invalid.error)
    assert not Level.objects.filter(label__startswith="A").filter(label__contains="new level").exists()


def test_a_rank_freed_earlier_in_the_file_may_be_taken(demo, import_alone):
    """As when rows were saved one by one: a level moved away from a rank frees it for a later row."""
    from factsheets.resources import LevelResource

    levels = LevelResource(edition_year=2023).export()
    rows = [list(row) for row in levels]
    criterion = rows[0][1]
    same = [row for row in rows if row[1] == criterion]
    assert len(same) >= 2
    first, second = same[0], same[1]
    free = max(int(row[3]) for row in same) + 1
    moved = [first[0], first[1], first[2], free, first[4]]
    taken = [second[0], second[1], second[2], first[3], second[4]]
    result = LevelResource().import_data(levels.__class__(moved, taken, headers=levels.headers), dry_run=False)
    assert not result.has_validation_errors() and not result.has_errors(), result.invalid_rows
    level = Level.objects.get(criterion__name=criterion, criterion__edition__year=2023, label=second[2])
    assert level.rank == int(first[3])
