"""Publish the demo factsheets as loaded, so the public pages and downloads have content."""

from django.core.management.base import BaseCommand

from editorial.publishing.selectors import factsheets_unpublished
from editorial.services import demo_publish


class Command(BaseCommand):
    help = "Publish every draft factsheet that has never been published (the demo data), as version 1."

    def handle(self, *args, **options):
        published = [p for p in (demo_publish(factsheet=f) for f in factsheets_unpublished()) if p]
        for publication in published:
            self.stdout.write(self.style.SUCCESS(f"Published {publication} ({publication.pdf_size} bytes)"))
        if not published:
            self.stdout.write("Every demo factsheet is already published.")
