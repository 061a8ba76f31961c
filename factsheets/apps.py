"""The factsheets domain: editions, their methodology and vocabularies, countries and factsheets."""

from django.apps import AppConfig


class FactsheetsConfig(AppConfig):
    name = "factsheets"
    verbose_name = "Factsheets"
