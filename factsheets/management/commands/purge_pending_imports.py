"""Delete uploaded import files that were never confirmed (run it hourly from a scheduler)."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from factsheets.pending_imports import pending_imports_purge


class Command(BaseCommand):
    help = "Delete import files waiting for confirmation for longer than --minutes (60 by default)."

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=int, default=60)

    def handle(self, *args, minutes, **options):
        removed = pending_imports_purge(older_than=timedelta(minutes=minutes))
        self.stdout.write(f"{removed} pending import file(s) deleted.")
