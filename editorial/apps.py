"""Editorial workflow, revisions, publishing and PDF rendering of factsheets."""

from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Editorial"
