from django.apps import AppConfig
from django.db.models.signals import post_save


class PortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = "Public portal"

    def ready(self):
        from editorial.publishing.signals import summary_wanted
        from portal.reports import summary_wanted_receiver

        summary_wanted.connect(summary_wanted_receiver, dispatch_uid="portal-summary")

        from editorial.models import Publication
        from portal.search.receivers import publication_created

        post_save.connect(publication_created, sender=Publication, dispatch_uid="portal-search-publication")
