"""PDF rendering of factsheets with WeasyPrint."""

from django.template.loader import render_to_string
from weasyprint import HTML

from factsheets.models import Factsheet


def render_factsheet_pdf(factsheet: Factsheet, *, draft: bool = False) -> bytes:
    html = render_to_string("editorial/pdf/factsheet.html", {"factsheet": factsheet, "draft": draft})
    return HTML(string=html).write_pdf()
