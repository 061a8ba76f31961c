"""Render the web page of every publication made before pages were stored with the PDF (run once after
upgrading; the public factsheet pages need it)."""

from django.core.management.base import BaseCommand

from editorial.services import publication_pages_fill


class Command(BaseCommand):
    help = "Render and store the web page of publications that have none (from their approved revision)."

    def handle(self, *args, **options):
        filled = publication_pages_fill()
        self.stdout.write(f"{filled} publication page(s) rendered.")
