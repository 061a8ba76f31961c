"""Editorial workflow, revisions, publishing and PDF rendering of factsheets."""

from django.apps import AppConfig
from django.core import checks


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Editorial"

    def ready(self):
        from editorial.checks import site_url_check
        from editorial.revisions import revisions_record_for_import
        from factsheets.models import DataImport
        from factsheets.signals import import_recorded

        checks.register(site_url_check)
        # A bulk import (factsheets, the lower app) tells editorial which factsheets it changed.
        import_recorded.connect(revisions_record_for_import, sender=DataImport,
                                dispatch_uid="editorial.revisions_record_for_import")
