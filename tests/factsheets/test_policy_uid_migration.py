"""Policy identifiers given at migration (factsheets 0008) and those put into earlier revision snapshots
(editorial 0018) are the same values, so no approval turns stale and every old version names its policies alike."""

import importlib
import uuid


def test_both_migrations_derive_the_same_legacy_identifier():
    factsheets = importlib.import_module("factsheets.migrations.0008_policy_uid")
    editorial = importlib.import_module("editorial.migrations.0018_revision_snapshot_policy_uid")
    assert factsheets.NAMESPACE == editorial.NAMESPACE
    expected = str(uuid.uuid5(editorial.NAMESPACE, "factsheet-12-policy-3"))
    assert factsheets.legacy_uid(12, 3) == expected
