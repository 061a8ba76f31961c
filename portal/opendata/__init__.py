"""Open data of the published factsheets: JSON with a strict JSON Schema per edition and for every edition, CSV
tables with a Frictionless data package, an XLSX workbook, data of every published version, and a DCAT-AP 3.0.1
catalogue for data portals. Licence: CC BY 4.0, as for Commission content.

By concern: `spec` (the JSON's shape and its schema), `content` (the JSON writer), `checks` (what the schema cannot
say), `tables` (CSV, XLSX, data package), `dcat` (the catalogue), `codebook` (the data page), `files` (an
edition's files at once)."""

from portal.opendata.checks import check_data
from portal.opendata.common import LICENCE, Methodology, site
from portal.opendata.content import all_editions_data, edition_data, factsheet_data, policy_data
from portal.opendata.dcat import catalog
from portal.opendata.files import CONTENT_TYPES, dump, edition_files
from portal.opendata.spec import schema
from portal.opendata.tables import TABLES, TABLES_BY_FILE, csv_text, datapackage

__all__ = [
    "CONTENT_TYPES", "LICENCE", "TABLES", "TABLES_BY_FILE", "Methodology", "all_editions_data", "catalog",
    "check_data", "csv_text", "datapackage", "dump", "edition_data", "edition_files", "factsheet_data",
    "policy_data", "schema", "site",
]
