"""A synthetic edition for import benchmarks and query-count tests: the Mexico 2023 export, every factsheet row
repeated for each country (3 policies each). Shared by tests and bench/import_edition.py."""

import csv
import io
from pathlib import Path

POLICIES = 3


def country_codes(count: int) -> list[str]:
    from django_countries import countries

    return ["MX"] + [code for code, _ in countries if code != "MX"][: count - 1]


def synthesise(source: Path, target: Path, codes: list[str]) -> None:
    """Copy the Mexico 2023 files of source into target, with every factsheet row repeated for each country."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.csv")):
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        header, body = rows[0], rows[1:]
        if path.name == "01-countries.csv":
            body = [[code, ""] for code in codes]
        elif "country" in header:
            country = header.index("country")
            if path.name == "09-policies.csv":
                order = header.index("order")
                body = [*body, [*body[0][:order], str(len(body) + 1), *body[0][order + 1:]]][:POLICIES]
            body = [[code if i == country else value for i, value in enumerate(row)] for code in codes for row in body]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(body)
        (target / path.name).write_text(buffer.getvalue(), encoding="utf-8")
