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
