"""Rendering: a factsheet's document built from a snapshot (document), laid out once by WeasyPrint and checked by the
layout guard (pdf, layout), the tagged PDF finished as PDF/UA while it is written (pdfua, tagging_tables), with a URL
fetcher that reads only the project's static files (fetcher)."""
