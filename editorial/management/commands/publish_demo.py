"""Publish every factsheet that has no publication yet (renders and stores its PDF)."""

from django.core.management.base import BaseCommand

from editorial.publishing import publications_create_missing


class Command(BaseCommand):
    help = "Publish every factsheet without a publication (treats load_demo's factsheets as published)."

    def handle(self, *args, **options):
        publications = publications_create_missing()
        for publication in publications:
            self.stdout.write(self.style.SUCCESS(f"Published {publication} ({publication.pdf_size} bytes)"))
        if not publications:
            self.stdout.write("Every factsheet already has a publication.")
