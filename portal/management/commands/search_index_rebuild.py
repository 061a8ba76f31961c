"""Build the full-text search index of the published factsheets again, from each publication's approved revision
(after upgrading, or to recover from a publication whose indexing failed)."""

from django.core.management.base import BaseCommand

from portal.search.services import search_index_rebuild


class Command(BaseCommand):
    help = "Rebuild the full-text search index from every publication's approved revision."

    def handle(self, *args, **options):
        publications, passages = search_index_rebuild()
        self.stdout.write(f"Search index rebuilt: {passages} passage(s) of {publications} publication(s).")
