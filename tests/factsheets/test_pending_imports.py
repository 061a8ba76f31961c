"""The confirm step of an import uses only a file this server stored for this session, checked again
(issue 11.10); unconfirmed files are purged after an hour."""

import os
import tempfile
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from factsheets.models import Footnote
from tests.factsheets.test_import_admin import NEW_NOTE, preview, url

pytestmark = pytest.mark.django_db


def _confirm_data(client, response, **changes):
    confirm = response.context["confirm_form"]
    data = {name: confirm[name].value() for name in confirm.fields}
    data["csrfmiddlewaretoken"] = client.cookies["csrftoken"].value
    return {**data, **changes}


@pytest.fixture
def csrf_client(superuser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    return client


FOLDER = "pending-imports"


def _pending_path(settings, name):
    return os.path.join(settings.MEDIA_ROOT, FOLDER, name)


@pytest.mark.parametrize("forged", ["victim", "../../../../etc/passwd", "/etc/passwd", "tmp" + "x" * 40])
def test_a_file_name_the_server_did_not_issue_is_refused_and_left_alone(csrf_client, demo, forged):
    with tempfile.NamedTemporaryFile("w", delete=False, dir=tempfile.gettempdir(), suffix="") as victim:
        victim.write("secret first line\n")
    name = os.path.basename(victim.name) if forged == "victim" else forged
    response = preview(csrf_client, "footnote", NEW_NOTE)
    response = csrf_client.post(url("footnote", "process_import"), _confirm_data(csrf_client, response,
                                                                               import_file_name=name))
    assert response.status_code == 302 and response.url == url("footnote", "import")
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("not waiting for your confirmation" in m for m in messages)
    assert os.path.exists(victim.name)
    os.unlink(victim.name)
    assert not Footnote.objects.filter(key="extra").exists()


def test_a_name_issued_to_another_session_is_refused(csrf_client, demo, make_user, superuser):
    response = preview(csrf_client, "footnote", NEW_NOTE)
    data = _confirm_data(csrf_client, response)
    thief = Client(enforce_csrf_checks=True)
    thief.force_login(make_user(username="other", is_superuser=True))
    token = thief.get(url("footnote", "import")).cookies["csrftoken"].value
    refused = thief.post(url("footnote", "process_import"), {**data, "csrfmiddlewaretoken": token})
    assert refused.status_code == 302 and refused.url == url("footnote", "import")
    assert not Footnote.objects.filter(key="extra").exists()
    done = csrf_client.post(url("footnote", "process_import"), data)  # the owner still can
    assert done.status_code == 302 and done.url == url("footnote", "changelist")
    assert Footnote.objects.filter(key="extra").exists()


def test_the_stored_file_is_checked_again_at_confirm(csrf_client, demo, settings):
    response = preview(csrf_client, "footnote", NEW_NOTE)
    data = _confirm_data(csrf_client, response)
    path = _pending_path(settings, data["import_file_name"])
    assert os.path.exists(path)
    with open(path, "wb") as stored:  # swapped behind the form's back: no longer UTF-8
        stored.write(b"country,edition,key,text\r\nMX,2023,extra,\xff\xfe\r\n")
    response = csrf_client.post(url("footnote", "process_import"), data)
    assert response.status_code == 302
    assert any("not UTF-8" in str(m) for m in response.wsgi_request._messages)
    assert not Footnote.objects.filter(key="extra").exists()
    assert not os.path.exists(path)


def test_a_confirmed_file_is_deleted_and_cannot_be_confirmed_twice(csrf_client, demo, settings):
    response = preview(csrf_client, "footnote", NEW_NOTE)
    data = _confirm_data(csrf_client, response)
    assert csrf_client.post(url("footnote", "process_import"), data).status_code == 302
    assert not os.path.exists(_pending_path(settings, data["import_file_name"]))
    again = csrf_client.post(url("footnote", "process_import"), data)
    assert any("not waiting for your confirmation" in str(m) for m in again.wsgi_request._messages)
    assert Footnote.objects.filter(key="extra").count() == 1


def test_a_refused_upload_leaves_no_file_behind(csrf_client, demo, settings):
    response = preview(csrf_client, "footnote", "country,edition,key,text\r\nMX,2023,bad key!,<p>x</p>\r\n")
    assert response.context["result"].has_validation_errors() or response.context["result"].has_errors()
    folder = os.path.join(settings.MEDIA_ROOT, FOLDER)
    assert not os.path.isdir(folder) or os.listdir(folder) == []


def test_unconfirmed_files_are_purged_after_an_hour(settings):
    from factsheets.pending_imports import PendingImportStorage, pending_imports_purge

    old, recent = PendingImportStorage(), PendingImportStorage()
    old.save(b"old")
    recent.save(b"recent")
    two_hours_ago = (timezone.now() - timedelta(hours=2)).timestamp()
    os.utime(_pending_path(settings, old.name), (two_hours_ago, two_hours_ago))
    assert pending_imports_purge() == 1
    assert not os.path.exists(_pending_path(settings, old.name))
    assert os.path.exists(_pending_path(settings, recent.name))
    call_command("purge_pending_imports", "--minutes", "0", verbosity=0)
    assert not os.path.exists(_pending_path(settings, recent.name))
