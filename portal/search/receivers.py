"""Signal receivers of the search index, connected in PortalConfig.ready(): editorial never imports the portal."""

from django.db import transaction

from portal.search.services import search_index_publication


def publication_created(sender, instance, created, raw=False, **kwargs):
    """A new publication's passages are indexed once it is committed; a failure there never undoes the
    publishing (it is logged, and `manage.py search_index_rebuild` indexes it again)."""
    if created and not raw:
        publication_id = instance.pk

        def index_publication():  # a named function: Django logs a robust callback's failure by its name
            search_index_publication(publication_id=publication_id)

        transaction.on_commit(index_publication, robust=True)
