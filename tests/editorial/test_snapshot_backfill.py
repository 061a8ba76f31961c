"""Revisions recorded before the edition's presentation settings existed still equal the factsheet as it prints
after the migration (editorial 0014): otherwise every approval would go stale at the upgrade."""

import importlib

import pytest
from django.apps import apps

from editorial.models import Revision
from editorial.snapshots import factsheet_snapshot
from tests import factories

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("editorial.migrations.0014_revision_snapshot_presentation")


def test_old_snapshots_gain_the_presentation_settings_and_reference_flags(users):
    factsheet = factories.FactsheetFactory()
    factories.ReferenceFactory(factsheet=factsheet, order=1)
    snapshot = factsheet_snapshot(factsheet=factsheet)
    old = {**snapshot, "edition": {k: v for k, v in snapshot["edition"].items()
                                   if k not in backfill.PRESENTATION_FIELDS}}
    old["references"] = [{k: v for k, v in r.items() if k not in ("url_label", "sub_item")}
                         for r in snapshot["references"]]
    revision = Revision.objects.create(factsheet=factsheet, number=1, snapshot=old, created_by=users["analyst"])
    assert revision.snapshot != snapshot
    backfill.backfill(apps, None)
    revision.refresh_from_db()
    assert revision.snapshot == snapshot
