"""The factsheets domain: editions, their methodology and vocabularies, countries and factsheets."""

from django.apps import AppConfig
from django.db.models.signals import pre_delete


class FactsheetsConfig(AppConfig):
    name = "factsheets"
    verbose_name = "Factsheets"

    def ready(self):
        from factsheets.guards import category_in_use_protect

        pre_delete.connect(category_in_use_protect, sender=self.get_model("Category"),
                           dispatch_uid="factsheets.category_in_use_protect")
