"""Editorial workflow, revisions, publishing and PDF rendering of factsheets."""

from django.apps import AppConfig
from django.core import checks


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Editorial"

    def ready(self):
        from editorial.checks import shared_cache_check, site_url_check

        checks.register(site_url_check)
        checks.register(shared_cache_check)

        from django.db.models.signals import pre_delete

        from editorial.revisions import methodology_row_deleted
        from factsheets.models import Category, Criterion, Level, Section, Topic

        # factsheets tells editorial through Django's signals: a printed row deleted however (a cascade too).
        for model in (Criterion, Level, Topic, Section, Category):
            pre_delete.connect(methodology_row_deleted, sender=model, dispatch_uid=f"methodology-{model.__name__}")
