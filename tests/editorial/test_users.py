"""A user who appears in the audit trail is deactivated, never deleted (issue 11.6)."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models import ProtectedError
from django.urls import reverse

from editorial.models import AuditEntry
from factsheets.models import State

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_pdf(monkeypatch):
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", lambda *a, **k: b"%PDF-1.7 test")


def test_a_user_in_the_history_cannot_be_deleted_and_is_deactivated_instead(users, factsheet, walk_to, admin_client):
    walk_to(factsheet, State.PUBLISHED)
    analyst = users["analyst"]
    with pytest.raises(ProtectedError):
        analyst.delete()
    page = admin_client.get(reverse("admin:auth_user_delete", args=[analyst.pk]))
    assert "deactivate it instead" in page.content.decode()
    admin_client.post(reverse("admin:auth_user_delete", args=[analyst.pk]), {"post": "yes"})
    assert get_user_model().objects.filter(pk=analyst.pk).exists()
    admin_client.post(reverse("admin:auth_user_changelist"),
                      {"action": "deactivate_users", "_selected_action": [analyst.pk]})
    analyst.refresh_from_db()
    assert not analyst.is_active
    assert AuditEntry.objects.filter(actor=analyst, action="submit").exists()
    history = admin_client.get(reverse("admin:factsheets_factsheet_change", args=[factsheet.pk])).content.decode()
    assert analyst.username in history


def test_a_user_with_no_history_can_still_be_deleted(make_user, admin_client):
    newcomer = make_user(username="newcomer")
    admin_client.post(reverse("admin:auth_user_delete", args=[newcomer.pk]), {"post": "yes"})
    assert not get_user_model().objects.filter(pk=newcomer.pk).exists()


def test_only_user_managers_may_deactivate(users, client):
    client.force_login(users["editor"])
    response = client.post(reverse("admin:auth_user_changelist"),
                           {"action": "deactivate_users", "_selected_action": [users["analyst"].pk]})
    assert response.status_code == 403
    users["analyst"].refresh_from_db()
    assert users["analyst"].is_active
