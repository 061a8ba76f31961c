"""Render the web page of every publication made before pages were stored with the PDF, and the stored summary
report of every edition's live versions (run once after upgrading; the public pages need them)."""

from django.core.management.base import BaseCommand

from editorial.publishing.summaries import summaries_fill
from editorial.services import publication_pages_fill


class Command(BaseCommand):
    help = "Render and store the web page of publications that have none (from their approved revision)."

    def handle(self, *args, **options):
        filled = publication_pages_fill()
        self.stdout.write(f"{filled} publication page(s) rendered.")
        self.stdout.write(f"{summaries_fill()} summary report(s) rendered.")
