"""Import a directory written by export_edition, all resources in one transaction (all or nothing)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from factsheets.imports import ImportRefused
from factsheets.transfer import edition_import


class Command(BaseCommand):
    help = "Import an edition directory (01-countries.csv … 13-references.csv); one error anywhere writes nothing."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("-n", "--dry-run", action="store_true", help="Check everything, write nothing.")

    def handle(self, *args, directory, dry_run=False, **options):
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory.")
        try:
            report = edition_import(directory=directory, dry_run=dry_run)
        except (ImportRefused, ValidationError) as error:
            message = str(error) if isinstance(error, ImportRefused) else "; ".join(error.messages)
            raise CommandError(message) from error
        for name, totals in report.files:
            counts = ", ".join(f"{totals[k]} {k}" for k in ("new", "update", "skip"))
            self.stdout.write(f"{name}: {counts}")
        self.stdout.write(self.style.SUCCESS("Dry run: nothing was written." if dry_run else "Imported."))
