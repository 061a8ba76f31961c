"""Fuzzing the CSV import: random bytes and random rows never raise and never write unless valid."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factsheets.formats import CSV
from factsheets.imports import dataset_read, import_problems
from factsheets.models import DataImport, Footnote, Reference
from factsheets.resources import FootnoteResource, ReferenceResource

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

cell = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["MX", "mx", "FR", "2023", "2020", "1", "-1", "=1+1", "'=x", "", " ", "a|b", "<script>", "0.5"]),
)


def snapshot():
    return (
        sorted(Footnote.objects.values_list("factsheet_id", "key", "text")),
        sorted(Reference.objects.values_list("factsheet_id", "order", "citation", "url", "last_accessed")),
        DataImport.objects.count(),
    )


@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes_never_raise_and_never_write(demo, data):
    before = snapshot()
    try:
        dataset = dataset_read(data=data, file_format=CSV)
    except ValidationError:
        return
    result = FootnoteResource().import_data(dataset, dry_run=False)
    if result.has_errors() or result.has_validation_errors():
        assert snapshot() == before


REFERENCE_HEADER = ["country", "edition", "order", "citation", "url", "last_accessed"]

valid_reference = st.builds(
    lambda order, citation, url, accessed: ["MX", "2023", str(order), citation, url, accessed],
    st.integers(min_value=100, max_value=999),
    st.text(alphabet=st.characters(categories=["L", "N", "Zs", "P"]), min_size=1, max_size=40).filter(str.strip),
    st.sampled_from(["", "https://example.org/a.pdf", "http://www.gob.mx/se"]),
    st.sampled_from(["", "2023-05-01", "2020-12-31"]),
)
# Each invalid row breaks exactly one rule the import checks.
invalid_reference = st.sampled_from([
    ["XX", "2023", "500", "A citation", "", ""],                  # unknown country
    ["MX", "1999", "501", "A citation", "", ""],                  # unknown edition
    ["MX", "2023", "-3", "A citation", "", ""],                   # negative order
    ["MX", "2023", "502", "", "", ""],                            # empty citation
    ["MX", "2023", "503", "A citation", "not an address", ""],    # bad URL
    ["MX", "2023", "504", "A citation", "", "31.02.2023"],        # impossible date
    ["MX", "2023", "505", "A\x07 bell", "", ""],                 # control character
    ["MX", "2020", "506", "A citation", "", ""],                  # factsheet not a draft (published below)
])


def _csv(rows) -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REFERENCE_HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _import(rows):
    dataset = dataset_read(data=_csv(rows), file_format=CSV)
    return ReferenceResource().import_data(dataset, dry_run=False)


@pytest.fixture
def demo_2020_published(demo):
    from factsheets.models import State

    type(demo[2020]).objects.filter(pk=demo[2020].pk).update(state=State.PUBLISHED)
    return demo


@FUZZ
@given(data=st.data())
def test_a_file_mixing_valid_and_invalid_rows_writes_nothing(demo_2020_published, data):
    valid = data.draw(st.lists(valid_reference, min_size=1, max_size=4, unique_by=lambda r: r[2]), label="valid")
    invalid = data.draw(st.lists(invalid_reference, min_size=1, max_size=3, unique_by=lambda r: r[2]),
                        label="invalid")
    rows = data.draw(st.permutations(valid + invalid), label="rows")
    before = snapshot()
    result = _import(rows)
    assert result.has_errors() or result.has_validation_errors()
    problem_rows = {p.row for p in import_problems(result) if p.row}
    assert {rows.index(r) + 1 for r in invalid} <= problem_rows  # every bad row is named
    assert snapshot() == before


@FUZZ
@given(rows=st.lists(valid_reference, min_size=1, max_size=5, unique_by=lambda r: r[2]))
def test_a_file_of_valid_rows_is_imported_whole(demo, rows):
    before = snapshot()
    result = _import(rows)
    assert not (result.has_errors() or result.has_validation_errors()), import_problems(result)
    after = snapshot()
    mexico = demo[2023].pk
    existing = {order for factsheet, order, *_ in before[1] if factsheet == mexico}
    new = {int(r[2]) for r in rows} - existing  # examples share the database: a repeated order updates
    assert len(after[1]) == len(before[1]) + len(new)
    assert after[2] == before[2] + (1 if result.totals["new"] or result.totals["update"] else 0)
    stored = {(order, citation.strip()) for factsheet, order, citation, _u, _d in after[1] if factsheet == mexico}
    assert {(int(r[2]), r[3].strip()) for r in rows} <= stored


@FUZZ
@given(rows=st.lists(st.lists(cell, min_size=6, max_size=6), min_size=1, max_size=5))
def test_random_rows_are_either_imported_whole_or_not_at_all(demo, rows):
    before = snapshot()
    try:
        dataset = dataset_read(data=_csv(rows), file_format=CSV)
    except ValidationError:
        assert snapshot() == before
        return
    result = ReferenceResource().import_data(dataset, dry_run=False)
    if result.has_errors() or result.has_validation_errors():
        assert snapshot() == before
    else:
        assert snapshot()[2] == before[2] + 1
        assert len(snapshot()[1]) >= len(before[1])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_admin_upload_of_random_bytes_never_fails_with_a_server_error(admin_client, demo, data):
    before = snapshot()
    response = admin_client.post(reverse("admin:factsheets_footnote_import"), {
        "resource": "0", "format": "0", "import_file": SimpleUploadedFile("x.csv", data, content_type="text/csv"),
    })
    assert response.status_code == 200
    assert snapshot() == before


@FUZZ
@given(changes=st.dictionaries(st.integers(min_value=0, max_value=37), cell, min_size=1, max_size=6))
def test_mutated_policy_rows_never_raise_and_never_half_write(demo, changes):
    import tablib

    from factsheets.models import Policy
    from factsheets.resources import PolicyResource

    exported = PolicyResource(edition_year=2023).export()
    rows = [list(row) for row in exported]
    for index, value in changes.items():
        rows[index % 2][index] = value
    state = lambda: sorted(  # noqa: E731
        (p.order, p.name, p.policy_type_id, tuple(p.objectives.values_list("pk", flat=True)))
        for p in Policy.objects.filter(factsheet=demo[2023])
    )
    before = state()
    result = PolicyResource().import_data(tablib.Dataset(*rows, headers=exported.headers), dry_run=False)
    if result.has_errors() or result.has_validation_errors():
        assert state() == before
