"""Bulk import and export plumbing: reading files safely, formula escaping, error reports, import records."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from factsheets import formats
from factsheets.models import DataImport, Factsheet
from factsheets.richtext import plain_text, text_lines
from factsheets.signals import import_recorded

LABEL_SEPARATOR = " | "
LABEL_SEPARATOR_CHAR = "|"
FORMULA_TRIGGERS = frozenset("=+-@\t\r")
FORMULA_PREFIX = "'"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
FORMATS = {"csv": formats.CSV, "xlsx": formats.XLSX, "json": formats.JSON}


class ImportRefused(Exception):
    """The file was refused as a whole: nothing was written. str() is the full report."""


def formula_escape(value: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula (and a cell import would unescape) with '."""
    if value and (value[0] in FORMULA_TRIGGERS or (value[0] == FORMULA_PREFIX and _unescapable(value))):
        return FORMULA_PREFIX + value
    return value


def formula_unescape(value: str) -> str:
    """Strip exactly the prefix formula_escape adds, so export then import is lossless."""
    if value and value[0] == FORMULA_PREFIX and _unescapable(value):
        return value[1:]
    return value


def _unescapable(value: str) -> bool:
    return len(value) > 1 and (value[1] in FORMULA_TRIGGERS or value[1] == FORMULA_PREFIX)


def split_labels(value: Any) -> list[str]:
    if value is None:
        return []
    return [part.strip() for part in str(value).split(LABEL_SEPARATOR_CHAR) if part.strip()]


def join_labels(labels: list[str]) -> str:
    return LABEL_SEPARATOR.join(labels)


def closest(value: str, choices: list[str]) -> str | None:
    matches = difflib.get_close_matches(value, choices, n=1, cutoff=0.5)
    if not matches:
        lowered = {c.lower(): c for c in choices}
        matches = [lowered[m] for m in difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.5)]
    return matches[0] if matches else None


def max_bytes() -> int:
    return int(getattr(settings, "FACTSHEETS_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def format_for(name: str):
    try:
        return FORMATS[name.lower().lstrip(".")]
    except KeyError:
        raise ValidationError(
            "“%(name)s” is not a supported format; use CSV, XLSX or JSON.", code="format", params={"name": name}
        ) from None


def dataset_read(*, data: bytes, file_format, allow_empty: bool = False) -> tablib.Dataset:
    """Read an uploaded file into a dataset, refusing oversize, empty, non-UTF-8 and unreadable files."""
    limit = max_bytes()
    if len(data) > limit:
        raise ValidationError(
            "The file is %(size)s bytes; the limit is %(limit)s bytes.",
            code="too_large", params={"size": len(data), "limit": limit},
        )
    if not data.strip():
        raise ValidationError("The file is empty.", code="empty")
    fmt = file_format() if isinstance(file_format, type) else file_format
    content: bytes | str = data
    if not fmt.is_binary():
        try:
            content = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError(
                "The file is not UTF-8 text (invalid byte at position %(position)s). "
                "Save it as “CSV UTF-8” (or JSON in UTF-8) and upload it again.",
                code="encoding", params={"position": error.start},
            ) from None
        if "\x00" in content:
            raise ValidationError("The file contains NUL characters; it is not a text file.", code="encoding")
    try:
        dataset = fmt.create_dataset(content)
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - any parser failure means the same to the user
        raise ValidationError(
            "The file could not be read as %(format)s. Check that you chose the right format.",
            code="unreadable", params={"format": fmt.get_title()},
        ) from None
    if not dataset.headers:
        raise ValidationError("The file has no header row.", code="empty")
    if len(dataset) == 0 and not allow_empty:
        raise ValidationError("The file has a header row but no data rows.", code="empty")
    return dataset


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def dataset_normalise(dataset: tablib.Dataset) -> tablib.Dataset:
    """Headers without BOM or spaces; unnamed empty columns and trailing empty rows (spreadsheet leftovers) gone."""
    headers = ["" if h is None else str(h).replace("\ufeff", "").strip() for h in (dataset.headers or [])]
    rows = [list(row) for row in dataset]
    keep = [i for i, h in enumerate(headers) if h or any(not _blank(row[i]) for row in rows if i < len(row))]
    while rows and all(_blank(value) for value in rows[-1]):
        rows.pop()
    return tablib.Dataset(*[[row[i] for i in keep] for row in rows], headers=[headers[i] for i in keep])


@dataclass(frozen=True)
class Problem:
    """One reason a file was refused: the row (1 = first row under the header), column, value and why."""

    row: int | None
    column: str
    value: str
    message: str

    def __str__(self):
        where = f"Row {self.row}" if self.row else "File"
        if self.column:
            where += f", column “{self.column}”"
        if self.value:
            where += f", value “{self.value[:80]}”"
        return f"{where}: {self.message}"


def import_problems(result) -> list[Problem]:
    """Every error of an import result, flattened to row, column, value and why."""
    problems: list[Problem] = []
    for error in result.base_errors:
        if isinstance(error.error, ImportRefused):
            continue
        problems.extend(_problems_from_exception(error.error, None, {}))
    for error_row in result.error_rows:
        for error in error_row.errors:
            problems.extend(_problems_from_exception(error.error, error_row.number, error.row or {}))
    for invalid in result.invalid_rows:
        row = dict(zip(result.diff_headers, invalid.values, strict=False))
        problems.extend(_problems_from_exception(invalid.error, invalid.number, row))
    return sorted(problems, key=lambda p: (p.row or 0, p.column))


def _problems_from_exception(error, number, row) -> list[Problem]:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            out = []
            for column, errors in error.message_dict.items():
                column = "" if column == NON_FIELD_ERRORS else column
                value = row.get(column, "") if column else ""
                out.extend(Problem(number, column, _cell(value), message) for message in errors)
            return out
        return [Problem(number, "", "", message) for message in error.messages]
    return [Problem(number, "", "", f"Unexpected error: {error.__class__.__name__}: {error}")]


def _cell(value) -> str:
    if value is None or value == "---":
        return ""
    return str(value)


def import_report(result) -> str:
    return "\n".join(str(p) for p in import_problems(result))


@transaction.atomic
def factsheets_touch(*, factsheet_ids: set[int], by=None) -> int:
    """An import is an edit: raise the lock version (optimistic locking) and the modification stamp."""
    changes = {"lock_version": F("lock_version") + 1, "updated_at": timezone.now()}
    if getattr(by, "is_authenticated", False):
        changes["updated_by"] = by
    return Factsheet.objects.filter(pk__in=factsheet_ids).update(**changes)


@transaction.atomic
def data_import_record(
    *, resource: str, user=None, file_name: str = "", file_format: str = "", totals: dict[str, int],
    rows: int, factsheet_ids: set[int],
) -> DataImport:
    """Record a successful import: who, which file, what it changed, and the factsheets it touched."""
    record = DataImport.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        resource=resource[:100], file_name=(file_name or "")[:255], file_format=(file_format or "")[:10],
        rows=rows, new=totals.get("new", 0), updated=totals.get("update", 0),
        deleted=totals.get("delete", 0), skipped=totals.get("skip", 0),
    )
    if factsheet_ids:
        record.factsheets.set(Factsheet.objects.filter(pk__in=factsheet_ids))
    # Other apps (the editorial history) hear of the import without this app importing them.
    import_recorded.send(sender=DataImport, record=record)
    return record


# ---------------------------------------------------------------------------------------------- preview

PREVIEW_CONTEXT = 60  # characters of unchanged text kept on each side of a change in the preview


def readable(value: Any, *, rich: bool = False) -> str:
    """A cell as a reader sees it: rich text without its tags (entities decoded), plain text as typed (angle
    brackets included); spaces collapsed. The same reading as the revision compare (factsheets.richtext)."""
    if value is None:
        return ""
    return " ".join(text_lines(value)) if rich else plain_text(value)


def _clip(text: str, *, change_follows: bool, change_precedes: bool) -> str:
    """Unchanged text beside a change, shortened (at word boundaries) where it runs away from the change."""
    if len(text) <= 2 * PREVIEW_CONTEXT:
        return escape(text)
    start = text[:PREVIEW_CONTEXT].rsplit(" ", 1)[0]
    end = text[-PREVIEW_CONTEXT:].split(" ", 1)[-1]
    if change_follows and change_precedes:
        return escape(start) + " … " + escape(end)
    if change_follows:
        return "… " + escape(end)
    if change_precedes:
        return escape(start) + " …"
    return escape(text)


def cell_change(before: str, after: str) -> tuple[str, str]:
    """Before and after as HTML: the removed words in <del> on the left, the added ones in <ins> on the right,
    long unchanged stretches shortened."""
    old_words, new_words = before.split(" "), after.split(" ")
    opcodes = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False).get_opcodes()
    left: list[str] = []
    right: list[str] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        old, new = " ".join(old_words[i1:i2]), " ".join(new_words[j1:j2])
        if tag == "equal":
            clipped = _clip(old, change_follows=index < len(opcodes) - 1, change_precedes=index > 0)
            left.append(clipped)
            right.append(clipped)
            continue
        if old:
            left.append(f"<del>{escape(old)}</del>")
        if new:
            right.append(f"<ins>{escape(new)}</ins>")
    return mark_safe(" ".join(left)), mark_safe(" ".join(right))  # noqa: S308 - every piece is escaped


@dataclass(frozen=True)
class CellChange:
    column: str
    before: str  # HTML, escaped, with <del>
    after: str  # HTML, escaped, with <ins>


class ReadableDiff:
    """A row's change for the preview: only the cells that change, as readable text (a django-import-export
    diff class; `as_html` keeps the library's contract of one entry per column)."""

    def __init__(self, resource, instance, new):
        self.columns = [f.column_name for f in resource.get_import_fields()]
        self.left = self._values(resource, instance)
        self.right: list[str] = []
        self.new = new

    @staticmethod
    def _values(resource, instance) -> list[str]:
        return [readable(field.export(instance), rich=getattr(field.widget, "rich", False))
                for field in resource.get_import_fields()]

    def compare_with(self, resource, instance):
        self.right = self._values(resource, instance)

    def as_html(self) -> RowChanges:
        changes = RowChanges()
        values = dict(zip(self.columns, self.right or self.left, strict=False))
        changes.factsheet = " ".join(v for v in (values.get("country", ""), values.get("edition", "")) if v)
        for column, before, after in zip(self.columns, self.left, self.right or [""] * len(self.left), strict=False):
            if self.new:
                before = ""
            changes.append(escape(after))
            if before != after:
                changes.cells.append(CellChange(column, *cell_change(before, after)))
        return changes


class NoPreview:
    """The diff of a row nobody will read (a whole edition imported from the command line): nothing computed."""

    def __init__(self, resource, instance, new):
        pass

    def compare_with(self, resource, instance):
        pass

    def as_html(self):
        return None


class RowChanges(list):
    """One entry per column (the library's contract) plus the changed cells and the row's factsheet."""

    def __init__(self):
        super().__init__()
        self.cells: list[CellChange] = []
        self.factsheet = ""


def import_changes(result) -> list[dict[str, Any]]:
    """The preview of a valid import, per factsheet (or per edition for methodology files): each new or changed
    row with its changed cells only, in file order."""
    groups: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(result.rows, start=1):  # 1 = the first row under the header
        if row.import_type not in ("new", "update", "delete"):
            continue
        diff = row.diff if isinstance(row.diff, RowChanges) else None
        label = diff.factsheet if diff is not None else ""
        group = groups.setdefault(label, {"label": label or "Methodology", "rows": []})
        group["rows"].append({"number": number, "type": row.import_type, "object": row.object_repr or "",
                              "cells": diff.cells if diff is not None else []})
    return list(groups.values())
