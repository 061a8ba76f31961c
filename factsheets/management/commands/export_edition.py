"""Export a whole edition (every resource, one file each) to a directory."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from factsheets.models import Edition
from factsheets.transfer import edition_export


class Command(BaseCommand):
    help = "Export an edition: countries, methodology, vocabularies, factsheets and their content, one file each."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("-d", "--directory", required=True, type=Path)
        parser.add_argument("-f", "--format", default="csv", choices=["csv", "xlsx", "json"])

    def handle(self, *args, year, directory, format, **options):
        if not Edition.objects.filter(year=year).exists():
            raise CommandError(f"There is no {year} edition.")
        try:
            paths = edition_export(year=year, directory=directory, file_format=format)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        for path in paths:
            self.stdout.write(str(path))
