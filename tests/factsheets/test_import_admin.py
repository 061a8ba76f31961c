"""Import and export in the admin: two steps with CSRF, refusal reports, export selected, permissions, queries."""

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from import_export.formats.base_formats import CSV

from factsheets.imports import formula_escape
from factsheets.models import DataImport, Factsheet, Footnote, Policy, Reference, State
from factsheets.resources import FootnoteResource, PolicyResource
from tests.factories import FactsheetFactory, FootnoteFactory

pytestmark = pytest.mark.django_db

CSV_INDEX = "0"  # IMPORT_EXPORT_FORMATS = [CSV, XLSX, JSON]
NEW_NOTE = "country,edition,key,text\r\nMX,2023,extra,<p>An extra note<script>x()</script>.</p>\r\n"


def url(model, view):
    return reverse(f"admin:factsheets_{model}_{view}")


def upload(content: bytes | str, name="footnotes.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.fixture
def csrf_client(superuser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    return client


def csrf_token(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.cookies["csrftoken"].value


def preview(client, model, content, name="footnotes.csv"):
    token = csrf_token(client, url(model, "import"))
    return client.post(url(model, "import"), {
        "csrfmiddlewaretoken": token, "resource": "0", "format": CSV_INDEX, "import_file": upload(content, name),
    })


def test_two_step_import_previews_then_writes_on_confirm(csrf_client, superuser, demo):
    response = preview(csrf_client, "footnote", NEW_NOTE)
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors() and result.totals["new"] == 1
    content = response.content.decode()
    assert "Confirm import" in content and "An extra note" in content
    assert not Footnote.objects.filter(key="extra").exists(), "the preview writes nothing"
    confirm = response.context["confirm_form"]
    data = {name: confirm[name].value() for name in confirm.fields}
    data["csrfmiddlewaretoken"] = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(url("footnote", "process_import"), data)
    assert response.status_code == 302 and response.url == url("footnote", "changelist")
    note = Footnote.objects.get(key="extra", factsheet=demo[2023])
    assert note.text == "<p>An extra note.</p>"
    record = DataImport.objects.get()
    assert (record.user, record.file_name, record.file_format, record.new) == (superuser, "footnotes.csv", "csv", 1)
    assert list(record.factsheets.all()) == [demo[2023]]
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("Import finished: 1 new" in m for m in messages)


def test_import_without_csrf_token_is_forbidden(csrf_client, demo):
    response = csrf_client.post(url("footnote", "import"), {
        "resource": "0", "format": CSV_INDEX, "import_file": upload(NEW_NOTE),
    })
    assert response.status_code == 403
    assert not Footnote.objects.filter(key="extra").exists()


def test_preview_of_a_bad_file_lists_every_problem_and_offers_no_confirm(admin_client, demo):
    content = (
        "country,edition,key,text\r\n"
        "MX,2023,fine,<p>ok</p>\r\n"
        "ZZ,2023,other,<p>x</p>\r\n"
        "MX,2099,third,<p>x</p>\r\n"
        "MX,2023,fine,<p>again</p>\r\n"
    )
    response = preview(admin_client, "footnote", content)
    assert "confirm_form" not in response.context
    problems = response.context["problems"]
    assert [(p.row, p.column, p.value) for p in problems] == [
        (2, "country", "ZZ"), (3, "edition", "2099"), (4, "key", "fine"),
    ]
    html = response.content.decode()
    assert "Nothing was imported: 3 problems" in html
    assert "Duplicate row: row 1 has the same country, edition, key." in html
    assert "“ZZ” is not an ISO 3166-1 alpha-2 country code." in html
    assert not Footnote.objects.filter(key="fine").exists()


def test_preview_reports_missing_and_extra_columns(admin_client, demo):
    response = preview(admin_client, "footnote", "country,edition,key,body\r\nMX,2023,a,b\r\n")
    html = response.content.decode()
    assert "Missing columns: text." in html and "Unexpected columns: body." in html
    assert "confirm_form" not in response.context


@pytest.mark.parametrize("content,message", [
    ("country,edition,key,text\nMX,2023,a,caf\u00e9\n".encode("cp1252"), "The file is not UTF-8 text"),
    (b"", "The submitted file is empty."),
    (b"country,edition,key,text\n", "The file has a header row but no data rows."),
])
def test_unreadable_uploads_get_a_clear_message(admin_client, demo, content, message):
    response = preview(admin_client, "footnote", content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "result" not in response.context or response.context["result"] is None


def test_uploads_over_the_size_limit_are_refused(admin_client, demo, settings):
    settings.FACTSHEETS_IMPORT_MAX_BYTES = 64
    response = preview(admin_client, "footnote", NEW_NOTE * 3)
    assert "the limit is 64 bytes" in response.content.decode()


def test_confirm_refuses_when_the_factsheet_left_draft_after_the_preview(admin_client, demo):
    response = preview(admin_client, "footnote", NEW_NOTE)
    confirm = response.context["confirm_form"]
    data = {name: confirm[name].value() for name in confirm.fields}
    Factsheet.objects.filter(pk=demo[2023].pk).update(state=State.IN_REVIEW)
    response = admin_client.post(url("footnote", "process_import"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was imported" in html and "imports only change drafts" in html
    assert not Footnote.objects.filter(key="extra").exists() and not DataImport.objects.exists()


def test_policy_import_through_the_admin_with_labels(admin_client, demo):
    dataset = PolicyResource(edition_year=2023).export()
    names = dataset.headers
    row = list(dataset[1])
    row[names.index("eu_priorities")] = "Green economy | Digitalisation"
    row[names.index("name")] = formula_escape("=cmd|' /C calc'!A0")
    content = CSV().export_data(tablib.Dataset(row, headers=names))
    response = preview(admin_client, "policy", content, name="policies.csv")
    assert response.context["result"].totals["update"] == 1, response.context.get("problems")
    confirm = response.context["confirm_form"]
    response = admin_client.post(url("policy", "process_import"), {n: confirm[n].value() for n in confirm.fields})
    assert response.status_code == 302
    policy = Policy.objects.get(factsheet=demo[2023], order=2)
    assert policy.name == "=cmd|' /C calc'!A0"
    assert [c.label for c in policy.eu_priorities.all()] == ["Green economy", "Digitalisation"]


def test_export_from_the_changelist_neutralises_formulae(admin_client, demo):
    Footnote.objects.filter(factsheet=demo[2023]).update(text="=1+1")
    response = admin_client.post(url("footnote", "export"), {
        "format": CSV_INDEX, "resource": "0",
        **{f"footnoteresource_{name}": "on" for name in ("country", "edition", "key", "text")},
    })
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    assert body.splitlines()[0] == "country,edition,key,text"
    assert "'=1+1" in body and ",=1+1" not in body


def test_export_selected_action_exports_only_the_selection(admin_client, demo):
    chosen = Reference.objects.filter(factsheet=demo[2023]).order_by("order")[:2]
    response = admin_client.post(url("reference", "changelist"), {
        "action": "export_admin_action", "_selected_action": [r.pk for r in chosen],
    })
    assert response.status_code == 200
    form = response.context["form"]
    assert sorted(int(pk) for pk in form.initial["export_items"]) == sorted(r.pk for r in chosen)
    response = admin_client.post(url("reference", "export"), {
        "format": CSV_INDEX, "resource": "0", "export_items": [r.pk for r in chosen],
        **{f"referenceresource_{n}": "on" for n in ("country", "edition", "order", "citation", "url",
                                                    "last_accessed")},
    })
    lines = response.content.decode().strip().splitlines()
    assert len(lines) == 3 and lines[1].startswith("MX,2023,1,") and lines[2].startswith("MX,2023,2,")


def test_factsheet_page_keeps_its_template_and_gets_import_export(admin_client, demo):
    response = admin_client.get(reverse("admin:factsheets_factsheet_change", args=[demo[2023].pk]))
    assert "admin/factsheets/factsheet/change_form.html" in [t.name for t in response.templates]
    changelist = admin_client.get(url("factsheet", "changelist")).content.decode()
    assert url("factsheet", "import") in changelist and url("factsheet", "export") in changelist
    assert "export_admin_action" in changelist


def test_reviewer_exports_but_cannot_import(client, reviewer, demo):
    client.force_login(reviewer)
    assert client.get(url("policy", "import")).status_code == 403
    assert client.get(url("policy", "export")).status_code == 200
    assert client.get(url("policy", "changelist")).status_code == 200


def test_analyst_imports_content_but_not_vocabularies(client, analyst, demo):
    client.force_login(analyst)
    assert client.get(url("footnote", "import")).status_code == 200
    assert client.get(url("category", "import")).status_code == 403
    response = preview(client, "footnote", NEW_NOTE)
    assert response.context["result"].totals["new"] == 1


def test_row_pages_are_read_only(admin_client, demo):
    policy = Policy.objects.filter(factsheet=demo[2023]).first()
    response = admin_client.get(reverse("admin:factsheets_policy_change", args=[policy.pk]))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    assert admin_client.get(reverse("admin:factsheets_policy_add")).status_code == 403


ROW_MODELS = ["policy", "assessment", "qualitativeassessment", "footnote", "reference", "section", "topic",
              "level", "dataimport"]


@pytest.mark.parametrize("model", ROW_MODELS)
def test_new_changelists_are_bounded(admin_client, demo, model, django_assert_max_num_queries):
    with django_assert_max_num_queries(11):
        response = admin_client.get(url(model, "changelist"))
    assert response.status_code == 200


def test_row_changelist_queries_do_not_grow_with_rows(admin_client, demo):
    admin_client.get(url("footnote", "changelist"))
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url("footnote", "changelist"))
    for _ in range(5):
        FootnoteFactory(factsheet=FactsheetFactory(edition=demo[2023].edition))
    with CaptureQueriesContext(connection) as many:
        admin_client.get(url("footnote", "changelist"))
    assert len(many) == len(few)


def test_export_queries_do_not_grow_with_rows(demo):
    resource = FootnoteResource(edition_year=2023)
    with CaptureQueriesContext(connection) as few:
        resource.export()
    for _ in range(5):
        FootnoteFactory(factsheet=FactsheetFactory(edition=demo[2023].edition))
    with CaptureQueriesContext(connection) as many:
        FootnoteResource(edition_year=2023).export()
    assert len(many) == len(few)
    policy_queries = CaptureQueriesContext(connection)
    with policy_queries:
        PolicyResource(edition_year=2023).export()
    assert len(policy_queries) <= 8


def test_confirm_with_a_vanished_upload_asks_to_upload_again(admin_client, demo):
    response = admin_client.post(url("footnote", "process_import"), {
        "import_file_name": "does-not-exist", "original_file_name": "notes.csv", "format": CSV_INDEX,
        "resource": "0",
    })
    assert response.status_code == 302 and response.url == url("footnote", "import")
    assert not DataImport.objects.exists()


@pytest.mark.parametrize("index,name,file_format", [("1", "references.xlsx", "xlsx"), ("2", "references.json", "json")])
def test_xlsx_and_json_go_through_the_same_two_steps(admin_client, demo, index, name, file_format):
    from factsheets.imports import format_for
    from factsheets.resources import ReferenceResource

    fmt = format_for(file_format)()
    dataset = ReferenceResource(edition_year=2023).export(force_native_type=fmt.is_binary())
    row = list(dataset[0])
    row[dataset.headers.index("citation")] = formula_escape("=Edited citation")
    data = fmt.export_data(tablib.Dataset(row, headers=dataset.headers))
    data = data if isinstance(data, bytes) else data.encode()
    token_page = admin_client.get(url("reference", "import"))
    assert token_page.status_code == 200
    response = admin_client.post(url("reference", "import"), {
        "resource": "0", "format": index,
        "import_file": SimpleUploadedFile(name, data, content_type="application/octet-stream"),
    })
    assert response.context["result"].totals["update"] == 1, response.context.get("problems")
    confirm = response.context["confirm_form"]
    response = admin_client.post(url("reference", "process_import"), {n: confirm[n].value() for n in confirm.fields})
    assert response.status_code == 302
    assert Reference.objects.get(factsheet=demo[2023], order=1).citation == "=Edited citation"
    assert DataImport.objects.get().file_format == file_format


def test_admin_export_of_policies_is_bounded(admin_client, demo, django_assert_max_num_queries):
    fields = {f"policyresource_{n}": "on" for n in PolicyResource().get_export_order()}
    with django_assert_max_num_queries(14):
        response = admin_client.post(url("policy", "export"), {"format": CSV_INDEX, "resource": "0", **fields})
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("country,edition,order,policy_type")
    edition = admin_client.post(url("edition", "export"), {
        "format": CSV_INDEX, "resource": "0",
        **{f"editionresource_{n}": "on" for n in ("year", "assessment_method")},
    })
    assert edition.content.decode().splitlines() == ["year,assessment_method", "2020,score", "2023,level"]


def _export_all_policies(client) -> tablib.Dataset:
    fields = {f"policyresource_{n}": "on" for n in PolicyResource().get_export_order()}
    response = client.post(url("policy", "export"), {"format": CSV_INDEX, "resource": "0", **fields})
    return tablib.Dataset().load(response.content.decode("utf-8-sig"), format="csv")


def _with_one_cell_changed(dataset: tablib.Dataset, *, edition: int, column: str, value: str) -> tablib.Dataset:
    rows = [list(row) for row in dataset]
    year, index = dataset.headers.index("edition"), dataset.headers.index(column)
    target = next(row for row in rows if str(row[year]) == str(edition))
    target[index] = value
    return tablib.Dataset(*rows, headers=dataset.headers)


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_round_trip_all_policies_one_cell_changed(admin_client, demo, separator):
    """Export every policy (a published 2020 factsheet among them), change one cell of the 2023 draft, import:
    unchanged rows are skipped whatever their factsheet's state, the preview shows that one cell before → after,
    and confirming writes it. Comma, semicolon (Excel in French or German) and tab, with a byte-order mark."""
    Factsheet.objects.filter(pk=demo[2020].pk).update(state=State.PUBLISHED)
    dataset = _export_all_policies(admin_client)
    assert {str(y) for y in dataset["edition"]} == {"2020", "2023"}
    policy = Policy.objects.filter(factsheet=demo[2023]).order_by("order").first()
    renamed = policy.name + " (renamed)"
    changed = _with_one_cell_changed(dataset, edition=2023, column="name", value=renamed)
    content = "\ufeff" + CSV().export_data(changed, delimiter=separator)

    response = preview(admin_client, "policy", content, name="policies.csv")
    assert response.status_code == 200
    result = response.context["result"]
    assert not response.context["problems"]
    assert (result.totals["update"], result.totals["skip"]) == (1, len(dataset) - 1)
    changes = response.context["changes"]
    assert [group["label"] for group in changes] == ["MX 2023"]
    [row] = changes[0]["rows"]
    assert [cell.column for cell in row["cells"]] == ["name"]
    assert row["cells"][0].after.endswith("<ins>(renamed)</ins>") and "<del>" not in row["cells"][0].after
    html = response.content.decode()
    assert "budget_exchange_rate_date" not in html  # no longer one column per field
    assert "&lt;p&gt;" not in html and "<td>&lt;" not in html  # no raw HTML shown

    confirm = response.context["confirm_form"]
    response = admin_client.post(url("policy", "process_import"), {n: confirm[n].value() for n in confirm.fields})
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.name == renamed
    assert DataImport.objects.get().updated == 1 and list(DataImport.objects.get().factsheets.all()) == [demo[2023]]


def test_round_trip_refuses_only_a_changed_row_of_a_published_factsheet(admin_client, demo):
    Factsheet.objects.filter(pk=demo[2020].pk).update(state=State.PUBLISHED)
    dataset = _export_all_policies(admin_client)
    changed = _with_one_cell_changed(dataset, edition=2020, column="name", value="Renamed while published")
    response = preview(admin_client, "policy", CSV().export_data(changed), name="policies.csv")
    problems = response.context["problems"]
    assert len(problems) == 1 and "imports only change drafts" in problems[0].message
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert not Policy.objects.filter(name="Renamed while published").exists()


def test_preview_of_a_long_rich_text_shows_the_changed_words_in_context(admin_client, demo):
    from factsheets.resources import FactsheetResource

    rows = FactsheetResource(edition_year=2023).export()
    text = rows[0][rows.headers.index("introduction")]
    assert len(text) > 1000
    changed = _with_one_cell_changed(rows, edition=2023, column="introduction",
                                     value=text.replace("Mexico", "the United Mexican States", 1))
    response = preview(admin_client, "factsheet", CSV().export_data(changed), name="factsheets.csv")
    [group] = response.context["changes"]
    [cell] = group["rows"][0]["cells"]
    assert cell.column == "introduction" and "<ins>" in cell.after and "<del>Mexico" in cell.before
    assert len(cell.after) < 600 and "…" in cell.after and "<p>" not in cell.after


def test_preview_shows_a_plain_text_change_written_in_angle_brackets(admin_client, demo):
    """Plain text is shown as typed (as the revision compare does since issue 11.4): a policy name change inside
    angle brackets must not vanish from the preview as if it were a tag."""
    dataset = _export_all_policies(admin_client)
    changed = _with_one_cell_changed(dataset, edition=2023, column="name",
                                     value="Course for an Industrial Policy <EUR 900 million budget>")
    response = preview(admin_client, "policy", CSV().export_data(changed), name="policies.csv")
    [group] = response.context["changes"]
    [cell] = group["rows"][0]["cells"]
    assert cell.column == "name" and "&lt;EUR" in cell.after and "budget&gt;" in cell.after
