"""Run by tests/editorial/test_sqlite_concurrency.py in a process of its own, on a SQLite file: eight people
save and decide at once through the admin. Prints one JSON line: the outcome of every request."""

import json
import os
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main():
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # responses carry their context (form_data reads it); e-mail stays in memory
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from editorial import services
    from factsheets.models import State
    from tests import factories
    from tests.factsheets.test_admin import form_data

    call_command("migrate", verbosity=0)
    analysts = [factories.UserFactory(role="Analyst", username=f"analyst{i}") for i in range(4)]
    reviewers = [factories.UserFactory(role="Reviewer", username=f"reviewer{i}") for i in range(4)]
    edition = factories.EditionFactory(year=2031)
    drafts = [factories.FactsheetFactory(edition=edition) for _ in range(4)]
    reviewed = [factories.FactsheetFactory(edition=edition) for _ in range(4)]
    for factsheet, analyst in zip(drafts + reviewed, analysts + analysts, strict=True):
        services.revision_record(factsheet=factsheet, by=analyst)
    for factsheet in reviewed:
        services.factsheet_submit(factsheet=factsheet, by=analysts[0])
    connection.close()

    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def record(outcome):
        outcomes.append(outcome)

    def analyst_work(user, factsheet, client, data):
        url = reverse("admin:factsheets_factsheet_change", args=[factsheet.pk])
        barrier.wait()
        for round_ in range(4):
            try:
                data["loaded_version"] = Factsheet.objects.values_list("lock_version", flat=True).get(pk=factsheet.pk)
                data["introduction"] = f"<p>{user.username}, round {round_}.</p>"
                response = client.post(url, data)
                record(str(response.status_code))
            except Exception as error:  # noqa: BLE001 - reported to the test
                record(f"{type(error).__name__}: {error}")
        connection.close()

    def reviewer_work(user, factsheet):
        client = Client()
        client.force_login(user)
        url = reverse("admin:factsheets_factsheet_workflow", args=[factsheet.pk])
        barrier.wait()
        for round_ in range(4):
            try:
                action = "approve" if round_ == 3 else "comment"
                response = client.post(url, {"action": action, "comment": f"Round {round_}."})
                record(str(response.status_code))
            except Exception as error:  # noqa: BLE001
                record(f"{type(error).__name__}: {error}")
        connection.close()

    from factsheets.models import Factsheet

    forms = []
    for user, factsheet in zip(analysts, drafts, strict=True):  # read the forms one by one, before the race
        client = Client()
        client.force_login(user)
        forms.append((user, factsheet, client,
                      form_data(client.get(reverse("admin:factsheets_factsheet_change", args=[factsheet.pk])))))
    connection.close()
    threads = [threading.Thread(target=analyst_work, args=args) for args in forms]
    threads += [threading.Thread(target=reviewer_work, args=(u, f)) for u, f in zip(reviewers, reviewed, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    saved = [Factsheet.objects.get(pk=f.pk).introduction for f in drafts]
    approved = Factsheet.objects.filter(pk__in=[f.pk for f in reviewed], state=State.APPROVED).count()
    comments = sum(f.review_comments.count() for f in reviewed)
    print(json.dumps({"outcomes": outcomes, "saved": saved, "approved": approved, "comments": comments}))


if __name__ == "__main__":
    main()
