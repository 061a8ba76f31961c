"""Rendering: a factsheet's document built from a snapshot (document), printed by WeasyPrint (pdf), finished as
PDF/UA (pdfua), with a URL fetcher that reads only the project's static files (fetcher)."""
