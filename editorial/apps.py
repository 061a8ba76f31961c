"""Editorial workflow, revisions, publishing and PDF rendering of factsheets."""

from django.apps import AppConfig
from django.core import checks


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Editorial"

    def ready(self):
        from django.db.models.signals import post_delete, post_save, pre_delete

        from editorial.checks import shared_cache_check, site_url_check
        from editorial.models import Publication
        from editorial.publishing.downloads import publications_changed_receiver
        from editorial.publishing.signals import publications_changed
        from editorial.revisions import methodology_row_deleted, revisions_record_for_import
        from factsheets.models import Category, Criterion, DataImport, Level, Section, Topic
        from factsheets.signals import import_recorded

        checks.register(site_url_check)
        checks.register(shared_cache_check)
        # factsheets (the lower app) tells editorial through signals: a bulk import lists the factsheets it
        # changed; a printed row deleted however (a cascade too) changes the methodology.
        import_recorded.connect(revisions_record_for_import, sender=DataImport,
                                dispatch_uid="editorial.revisions_record_for_import")
        # The download fast path reads the live versions again when a publish, withdrawal or release commits (and
        # after any save or deletion of a publication, whoever makes it, a shell included).
        publications_changed.connect(publications_changed_receiver, dispatch_uid="editorial.downloads_stamp")
        post_save.connect(publications_changed_receiver, sender=Publication, dispatch_uid="editorial.downloads_save")
        post_delete.connect(publications_changed_receiver, sender=Publication, dispatch_uid="editorial.downloads_del")
        for model in (Criterion, Level, Topic, Section, Category):
            pre_delete.connect(methodology_row_deleted, sender=model, dispatch_uid=f"methodology-{model.__name__}")
