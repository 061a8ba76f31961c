"""Render one factsheet's PDF to a file (published layout, or a draft with --draft)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from editorial.rendering import pdf as pdf_rendering
from editorial.selectors import factsheet_for_cli


class Command(BaseCommand):
    help = "Render the PDF of a factsheet: render_factsheet MX 2023 -o out.pdf [--draft]"
    requires_system_checks = []  # a render needs neither the URLs nor the checks: a cold render starts sooner

    def add_arguments(self, parser):
        parser.add_argument("country", help="ISO 3166-1 alpha-2 code, e.g. MX")
        parser.add_argument("year", type=int)
        parser.add_argument("-o", "--output", required=True)
        parser.add_argument("--draft", action="store_true", help="Watermark DRAFT and show the revision.")
        parser.add_argument("--pdf-a", action="store_true", help="Write PDF/A-3b.")

    def handle(self, *args, country, year, output, draft=False, pdf_a=False, **options):
        factsheet = factsheet_for_cli(country_code=country, year=year)
        if factsheet is None:
            raise CommandError(f"There is no {year} factsheet for {country.upper()}.")
        pdf = pdf_rendering.render_factsheet_pdf(factsheet, draft=draft,
                                                 pdf_variant="pdf/a-3b" if pdf_a else "pdf/ua-1")
        Path(output).write_bytes(pdf)
        self.stdout.write(self.style.SUCCESS(f"Wrote {output} ({len(pdf)} bytes)"))
