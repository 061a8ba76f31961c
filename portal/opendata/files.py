"""Every file of an edition built at once (the data page lists their sizes, the data package states them), and
the JSON encoding they share."""

import json

from portal.opendata.content import edition_data
from portal.opendata.tables import TABLES, csv_text, datapackage, xlsx_bytes
from portal.records import Record

CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "jsonld": "application/ld+json; charset=utf-8",
    "csv": "text/csv; charset=utf-8; header=present",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = {"json": "JSON", "csv": "CSV", "xlsx": "XLSX"}


def dump(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1).encode()


def edition_files(year: int, records: list[Record]) -> dict[str, bytes]:
    """The files of /data/<year>/ by name: the JSON, one CSV per table, the workbook and the data package."""
    data = edition_data(year, records, path=f"/data/{year}/data.json")
    factsheets = data["factsheets"]
    files = {"data.json": dump(data)}
    for table in TABLES:
        files[table.file(year)] = csv_text(table, factsheets).encode()
    about = [("Licence", data["licence"]["name"]), ("Licence address", data["licence"]["url"]),
             ("Publisher", data["publisher"]), ("Citation", data["citation"]),
             *[("Note", note) for note in data["notes"]]]
    files["data.xlsx"] = xlsx_bytes(factsheets, title=data["title"], about=about)
    files["datapackage.json"] = dump(datapackage(year, modified=data["modified"],
                                                 sizes={name: len(body) for name, body in files.items()}))
    return files
