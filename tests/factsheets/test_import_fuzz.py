"""Fuzzing the CSV import: random bytes and random rows never raise and never write unless valid."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from import_export.formats.base_formats import CSV

from factsheets.imports import dataset_read
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


@FUZZ
@given(rows=st.lists(st.lists(cell, min_size=6, max_size=6), min_size=1, max_size=5))
def test_random_rows_are_either_imported_whole_or_not_at_all(demo, rows):
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["country", "edition", "order", "citation", "url", "last_accessed"])
    writer.writerows(rows)
    before = snapshot()
    try:
        dataset = dataset_read(data=buffer.getvalue().encode("utf-8"), file_format=CSV)
    except ValidationError:
        assert snapshot() == before
        return
    result = ReferenceResource().import_data(dataset, dry_run=False)
    if result.has_errors() or result.has_validation_errors():
        assert snapshot() == before
    else:
        assert snapshot()[2] == before[2] + 1


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
