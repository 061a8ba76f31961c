"""Whole editions out and in: every resource in dependency order, one file each, imported all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from factsheets.imports import (
    FORMATS,
    ImportRefused,
    data_import_record,
    dataset_read,
    factsheets_touch,
    format_for,
    import_problems,
)
from factsheets.models import Factsheet
from factsheets.resources import EDITION_RESOURCES
from factsheets.services import factsheet_check_footnotes


@dataclass
class EditionImportReport:
    files: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    factsheet_ids: set[int] = field(default_factory=set)


def edition_export(*, year: int, directory: Path, file_format: str = "csv") -> list[Path]:
    """Write one file per resource (01-countries.csv …) holding everything of the edition."""
    fmt = format_for(file_format)()
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, (name, resource_class) in enumerate(EDITION_RESOURCES, start=1):
        dataset = resource_class(edition_year=year).export(force_native_type=fmt.is_binary())
        data = fmt.export_data(dataset)
        path = directory / f"{index:02d}-{name}.{fmt.get_extension()}"
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        paths.append(path)
    return paths


def edition_files(directory: Path) -> list[tuple[str, Path]]:
    """The resource files of a directory, in dependency order (missing resources are left out)."""
    found = []
    for index, (name, _resource) in enumerate(EDITION_RESOURCES, start=1):
        matches = [p for ext in FORMATS for p in directory.glob(f"{index:02d}-{name}.{ext}")]
        if len(matches) > 1:
            raise ValidationError(f"Several files for {name}: {', '.join(p.name for p in matches)}.")
        if matches:
            found.append((name, matches[0]))
    if not found:
        raise ValidationError(f"No edition files (01-countries.csv …) in {directory}.")
    return found


@transaction.atomic
def edition_import(*, directory: Path, user=None, dry_run: bool = False) -> EditionImportReport:
    """Import every resource file of a directory in one transaction; any error anywhere writes nothing."""
    resources = dict(EDITION_RESOURCES)
    report = EditionImportReport()
    problems: list[str] = []
    for name, path in edition_files(directory):
        file_format = path.suffix.lstrip(".")
        try:
            dataset = dataset_read(data=path.read_bytes(), file_format=format_for(file_format), allow_empty=True)
        except ValidationError as error:
            problems.extend(f"{path.name}: {message}" for message in error.messages)
            break
        if len(dataset) == 0:
            report.files.append((path.name, {"new": 0, "update": 0, "delete": 0, "skip": 0}))
            continue
        resource = resources[name](preview=False)
        result = resource.import_data(
            dataset, dry_run=False, held=True, user=user, file_name=path.name, file_format=file_format, record=False,
        )
        if result.has_errors() or result.has_validation_errors():
            problems.extend(f"{path.name}: {problem}" for problem in import_problems(result))
            break
        report.files.append((path.name, dict(result.totals)))
        report.factsheet_ids |= resource.factsheet_ids
    if not problems:
        touched = (Factsheet.objects.filter(pk__in=report.factsheet_ids).select_related("edition", "country")
                   .prefetch_related("policies", "qualitative", "footnotes"))
        for factsheet in touched:
            try:
                factsheet_check_footnotes(factsheet=factsheet)
            except ValidationError as error:
                problems.extend(f"{factsheet}: {message}" for message in error.messages)
    if problems:
        raise ImportRefused("Nothing was imported.\n" + "\n".join(problems))
    if dry_run:
        transaction.set_rollback(True)
        return report
    # One record (and through its hooks one revision per factsheet) for the whole edition, not one per file.
    totals = {kind: sum(t.get(kind, 0) for _, t in report.files) for kind in ("new", "update", "delete", "skip")}
    factsheets_touch(factsheet_ids=report.factsheet_ids, by=user)
    data_import_record(
        resource="Edition", user=user, file_name=directory.name, file_format="directory", totals=totals,
        rows=sum(sum(t.values()) for _, t in report.files), factsheet_ids=report.factsheet_ids,
    )
    return report
