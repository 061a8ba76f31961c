"""django-import-export resources of the factsheet domain, keyed by natural keys, all or nothing."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation
from functools import cached_property

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models, transaction
from django.db.models import Q
from django_countries import countries
from import_export import fields, resources, widgets
from import_export.results import Error

from factsheets.imports import (
    ImportRefused,
    NoPreview,
    ReadableDiff,
    closest,
    data_import_record,
    dataset_normalise,
    factsheets_touch,
    formula_escape,
    formula_unescape,
    import_report,
    join_labels,
    split_labels,
)
from factsheets.models import (
    EDITABLE_STATES,
    PRESENTATION_FIELDS,
    Assessment,
    Category,
    Country,
    Criterion,
    Edition,
    Factsheet,
    Footnote,
    Level,
    Policy,
    QualitativeAssessment,
    Reference,
    Section,
    Topic,
    Vocabulary,
)
from factsheets.richtext import RichTextField, sanitize
from factsheets.validation import (
    POLICY_CATEGORY_FIELDS,
    POLICY_M2M_FIELDS,
    factsheet_capacity_problems,
    validate_assessment,
    validate_policy_categories,
)

# ---------------------------------------------------------------------------------------------- key parsing


def _str(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _int(value) -> int | None:
    """An integer cell from CSV (text), XLSX (int/float) or JSON (int/text); None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = _str(value)
    if text.lstrip("-").isdigit() and len(text) < 10:
        return int(text)
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return int(number) if number.is_finite() and number == number.to_integral_value() and len(text) < 20 else None


KEY_PARSERS = {"code": lambda v: _str(v).upper(), "int": _int, "str": _str}


# ---------------------------------------------------------------------------------------------- widgets


class RichTextWidget(widgets.CharWidget):
    """Text cleaned with the same nh3 allowlist as the admin's rich text fields."""

    rich = True  # read as text (tags stripped) in the import preview

    def clean(self, value, row=None, **kwargs):
        return sanitize(super().clean(value, row, **kwargs))


class BoundWidget(widgets.Widget):
    """A widget that resolves labels through its resource's prefetched lookups (no query per row)."""

    resource: NaturalKeyResource

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.resource = None


class CategoryWidget(BoundWidget):
    def __init__(self, vocabulary: str, required: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.vocabulary, self.required = vocabulary, required

    def clean(self, value, row=None, **kwargs):
        label = _str(value)
        if not label:
            if self.required:
                raise ValueError("Give a category: this column cannot be empty.")
            return None
        return self.resource.category(self.vocabulary, label, row)

    def render(self, value, obj=None, **kwargs):
        return value.label if value is not None else ""


class CategoryListWidget(widgets.ManyToManyWidget):
    """Several category labels in one cell, separated by “ | ” (labels cannot contain “|”)."""

    def __init__(self, vocabulary: str, **kwargs):
        super().__init__(model=Category, field="label", **kwargs)
        self.vocabulary = vocabulary
        self.resource = None

    def clean(self, value, row=None, **kwargs):
        labels = split_labels(value)
        found, missing = [], []
        for label in labels:
            try:
                found.append(self.resource.category(self.vocabulary, label, row))
            except ValueError as error:
                missing.append(str(error))
        if missing:
            raise ValueError(" ".join(missing))
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return join_labels([c.label for c in (value if isinstance(value, list) else value.all())])


class CategoryListField(fields.Field):
    """A policy's categories of one dimension: as the import chose them (before they are written, which happens
    once for the whole file), else as stored."""

    def get_value(self, instance):
        chosen = getattr(instance, "_import_m2m", {}).get(self.attribute)
        return chosen if chosen is not None else super().get_value(instance)


# ---------------------------------------------------------------------------------------------- lookups


class Lookups:
    """Everything an import resolves by natural key, fetched once per file for the editions it names, each table
    when first asked for (a file of references never loads the categories)."""

    def __init__(self, *, years: set[int], codes: set[str]):
        self.years, self.codes = years, codes

    @cached_property
    def editions(self) -> dict[int, Edition]:
        return {e.year: e for e in Edition.objects.filter(year__in=self.years)}

    @cached_property
    def edition_ids(self) -> list[int]:
        return [e.pk for e in self.editions.values()]

    @cached_property
    def countries(self) -> dict[str, Country]:
        return {str(c.code): c for c in Country.objects.filter(code__in=self.codes)}

    @cached_property
    def factsheets(self) -> dict[tuple[str, int], Factsheet]:
        return {
            (str(f.country.code), f.edition.year): f
            for f in Factsheet.objects.filter(edition__in=self.edition_ids, country__code__in=self.codes)
            .select_related("country", "edition")
        }

    @cached_property
    def categories(self) -> dict[tuple[int, str], dict[str, Category]]:
        categories: dict[tuple[int, str], dict[str, Category]] = defaultdict(dict)
        for category in Category.objects.filter(edition__in=self.edition_ids):
            categories[(category.edition_id, category.vocabulary)][category.label] = category
        return categories

    @cached_property
    def criteria(self) -> dict[tuple[int, str], Criterion]:
        return {(c.edition_id, c.name): c for c in Criterion.objects.filter(edition__in=self.edition_ids)}

    @cached_property
    def levels(self) -> dict[int, dict[str, Level]]:
        levels: dict[int, dict[str, Level]] = defaultdict(dict)
        for level in Level.objects.filter(criterion__edition__in=self.edition_ids):
            levels[level.criterion_id][level.label] = level
        return levels

    @cached_property
    def topics(self) -> dict[tuple[int, str], Topic]:
        return {(t.edition_id, t.title): t for t in Topic.objects.filter(edition__in=self.edition_ids)}

    @cached_property
    def locked_editions(self) -> set[int]:
        return set(
            Factsheet.objects.filter(edition__in=self.edition_ids).exclude(state__in=EDITABLE_STATES)
            .values_list("edition_id", flat=True)
        )


# ---------------------------------------------------------------------------------------------- base


class NaturalKeyResource(resources.ModelResource):
    """Rows found by natural key; one bad row refuses the whole file; formulae escaped; imports recorded.

    About one query a row: the natural keys, the rows a file may change and the values unique constraints compare
    with are loaded once per file; rows are checked in memory and written in batches (django-import-export's
    use_bulk: no savepoint a row), many-to-many selections with them."""

    key: tuple[tuple[str, str], ...] = ()
    optional_columns: frozenset[str] = frozenset()
    display_name = ""

    class Meta:
        use_transactions = True
        skip_diff = False
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        store_instance = False
        use_bulk = True
        batch_size = 500

    def __init__(self, *, edition_year: int | None = None, preview: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.edition_year, self.preview = edition_year, preview
        self.lookups: Lookups | None = None
        self.existing: dict[tuple, object] = {}
        self.seen: dict[tuple, int] = {}
        self.factsheet_ids: set[int] = set()
        self.unique_taken: dict[tuple, tuple] = {}  # (constraint, values) -> key of the row holding them
        self.unique_held: dict[tuple, tuple] = {}  # (constraint, key) -> values that row holds
        for field in self.fields.values():
            if hasattr(field.widget, "resource"):
                field.widget.resource = self

    @classmethod
    def get_display_name(cls):
        return cls.display_name or cls.__name__

    def get_diff_class(self):
        return ReadableDiff if self.preview else NoPreview

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        if isinstance(f, RichTextField):
            return RichTextWidget
        if isinstance(f, models.TextField):
            return widgets.CharWidget
        return super().widget_from_django_field(f, default)

    # -------------------------------------------------------------------------------------- export

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        return formula_escape(value) if isinstance(value, str) else value

    def get_queryset(self):
        queryset = self.base_queryset()
        if self.edition_year is not None:
            queryset = queryset.filter(self.edition_filter(self.edition_year))
        return queryset

    def base_queryset(self):
        return self._meta.model.objects.all()

    def edition_filter(self, year: int) -> Q:
        return Q(factsheet__edition__year=year)

    def iter_queryset(self, queryset):
        yield from queryset

    def export(self, queryset=None, **kwargs):
        if queryset is not None:
            queryset = self.base_queryset().filter(pk__in=queryset.order_by().values("pk"))
        return super().export(queryset, **kwargs)

    # -------------------------------------------------------------------------------------- import

    def columns(self) -> list[str]:
        return [f.column_name for f in self.get_import_fields()]

    def column_problems(self, headers) -> list[str]:
        headers = [_str(h) for h in headers or []]
        expected = self.columns()
        problems = []
        missing = [c for c in expected if c not in headers and c not in self.optional_columns]
        extra = [h or "(unnamed)" for h in headers if h not in expected]
        repeated = sorted({h for h in headers if h and headers.count(h) > 1})
        if missing:
            problems.append(f"Missing columns: {', '.join(missing)}.")
        if extra:
            problems.append(f"Unexpected columns: {', '.join(extra)}.")
        if repeated:
            problems.append(f"Columns given twice: {', '.join(repeated)}.")
        if problems:
            problems.append(f"The {self.get_display_name()} file has the columns: {', '.join(expected)}.")
        return problems

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None,
                    collect_failed_rows=False, rollback_on_validation_errors=False, *, held: bool = False, **kwargs):
        """Import a file all or nothing. held=True: the caller's transaction holds this import and rolls it back
        on any problem it reports (edition_import), so no savepoint of its own is needed; it must be a real
        import inside an atomic block."""
        if held and (dry_run or not transaction.get_connection().in_atomic_block):
            raise ValueError("held=True is for a real import inside the caller's atomic block")
        dataset = dataset_normalise(dataset)
        problems = self.column_problems(dataset.headers)
        if not problems and len(dataset) == 0:
            problems = ["The file has no data rows."]
        if problems:
            result = self.get_result_class()()
            result.diff_headers = self.get_diff_headers()
            result.total_rows = len(dataset)
            for problem in problems:
                result.append_base_error(Error(ValidationError(problem, code="columns")))
            result.append_base_error(Error(ImportRefused(f"Nothing was imported.\n{import_report(result)}")))
            if raise_errors:
                raise ImportRefused(import_report(result))
            return result
        result = super().import_data(
            dataset, dry_run=dry_run, raise_errors=False, use_transactions=not held,
            collect_failed_rows=collect_failed_rows, rollback_on_validation_errors=True, **kwargs,
        )
        if result.has_errors() or result.has_validation_errors():
            report = import_report(result)
            result.append_base_error(Error(ImportRefused(f"Nothing was imported.\n{report}")))
            if raise_errors:
                raise ImportRefused(report)
        return result

    def before_import(self, dataset, **kwargs):
        headers = list(dataset.headers)
        years, codes = set(), set()
        for values in dataset:
            row = dict(zip(headers, values, strict=False))
            year = _int(formula_unescape(_str(row.get(self.edition_column()))))
            if year is not None:
                years.add(year)
            if self.country_column() in row:
                codes.add(formula_unescape(_str(row.get(self.country_column()))).upper())
        self.lookups = Lookups(years=years, codes=codes)
        self.existing = self.load_existing()
        self.seen = {}
        self.factsheet_ids = set()
        self.unique_taken, self.unique_held = {}, {}
        for key, instance in self.existing.items():
            for constraint in self.unique_constraints:
                self.unique_hold(constraint, key, self.unique_values(constraint, instance))

    def edition_column(self) -> str:
        return "edition"

    def country_column(self) -> str:
        return "country"

    def load_existing(self) -> dict[tuple, object]:
        raise NotImplementedError

    def instance_key(self, instance) -> tuple:
        raise NotImplementedError

    def row_key(self, row) -> tuple | None:
        key = tuple(KEY_PARSERS[kind](row.get(column)) for column, kind in self.key)
        return None if any(part is None or part == "" for part in key) else key

    def before_import_row(self, row, **kwargs):
        for column, value in list(row.items()):
            if isinstance(value, str):
                row[column] = formula_unescape(value)
        key = self.row_key(row)
        if key is None:
            raise ValidationError({
                column: ValidationError("This column is part of the row's key; it cannot be empty.", code="key")
                for column, kind in self.key if KEY_PARSERS[kind](row.get(column)) in (None, "")
            })
        number = kwargs.get("row_number")
        self.current_key = key  # the row being imported, for the unique checks
        if key in self.seen:
            columns = ", ".join(column for column, _ in self.key)
            raise ValidationError({
                self.key[-1][0]: ValidationError(
                    "Duplicate row: row %(first)s has the same %(columns)s.",
                    code="duplicate", params={"first": self.seen[key], "columns": columns},
                )
            })
        self.seen[key] = number

    def get_instance(self, instance_loader, row):
        key = self.row_key(row)
        return self.existing.get(key) if key is not None else None

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        self.resolved = False
        self.resolve(instance, row)
        self.resolved = True
        for field in self.get_import_fields():
            if field.readonly or isinstance(field.widget, widgets.ManyToManyWidget):
                continue
            try:
                self.import_field(field, instance, row, **kwargs)
            except (ValueError, InvalidOperation, TypeError, ArithmeticError) as error:
                errors[field.column_name] = ValidationError(_message(error), code="invalid")
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget):
                try:
                    field.clean(row)
                except ValueError as error:
                    errors[field.column_name] = ValidationError(_message(error), code="invalid")
        if errors:
            raise ValidationError(errors)

    def resolve(self, instance, row) -> None:
        """Set the instance's parents from the key columns; raise a ValidationError keyed by column."""

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if instance.pk is None:
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if not getattr(self, "resolved", True):
            raise ValidationError(errors)
        for field in instance._meta.concrete_fields:
            value = getattr(instance, field.attname, None)
            if isinstance(field, models.TextField) and field.max_length and isinstance(value, str):
                try:
                    MaxLengthValidator(field.max_length)(value)
                except ValidationError as error:
                    errors = ValidationError({field.name: error}).update_error_dict(errors)
        try:
            self.check_editable(instance)
            self.check_rules(instance)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        exclude = [*self.full_clean_exclude(), *errors.keys()]
        # A parent found through the lookups exists: full_clean would ask the database again, a query a row.
        resolved = [f.name for f in instance._meta.concrete_fields
                    if f.is_relation and getattr(instance, f.attname) is not None and f.is_cached(instance)]
        try:
            instance.full_clean(exclude=[*exclude, *resolved], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            skipped = (set(exclude) | set(errors)) - {"edition", "factsheet", "criterion"}
            self.check_constraints(instance, exclude=skipped, row_key=self.current_key)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def check_constraints(self, instance, exclude: set[str], row_key: tuple) -> None:
        """Constraints without a query each: the key is unique by construction, other unique constraints are
        compared with the rows loaded for the file and the rows before this one, checks are evaluated in Python."""
        for constraint in instance._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint):
                if constraint in self.unique_constraints and not set(constraint.fields) & exclude:
                    self.check_unique(constraint, instance, row_key)
            elif isinstance(constraint, models.CheckConstraint):
                if constraint.condition.referenced_base_fields & exclude:
                    continue
                if q_holds(constraint.condition, instance) is False:
                    raise ValidationError(constraint.get_violation_error_message(), code="constraint")
            else:
                constraint.validate(type(instance), instance, exclude=exclude)

    @cached_property
    def unique_constraints(self) -> list[models.UniqueConstraint]:
        """Unique constraints beyond the row's key. Each is within an edition, so the rows loaded for the file
        (load_existing: every row of the editions it names) are all the rows it can compare with."""
        key_fields = {self.key_field(column) for column, _ in self.key}
        return [c for c in self._meta.model._meta.constraints
                if isinstance(c, models.UniqueConstraint) and c.fields and not c.condition and not c.expressions
                and not set(c.fields) <= key_fields]

    @staticmethod
    def unique_values(constraint, instance) -> tuple:
        return tuple(getattr(instance, instance._meta.get_field(name).attname) for name in constraint.fields)

    def unique_hold(self, constraint, key: tuple, values: tuple) -> None:
        previous = self.unique_held.get((constraint.name, key))
        if previous is not None and self.unique_taken.get((constraint.name, previous)) == key:
            del self.unique_taken[(constraint.name, previous)]
        self.unique_held[(constraint.name, key)] = values
        if None not in values:  # NULLs never collide
            self.unique_taken[(constraint.name, values)] = key

    def check_unique(self, constraint, instance, key: tuple) -> None:
        values = self.unique_values(constraint, instance)
        holder = self.unique_taken.get((constraint.name, values))
        if holder is not None and holder != key:
            message = instance.unique_error_message(type(instance), constraint.fields)
            raise ValidationError(message, code=message.code)

    def key_field(self, column: str) -> str:
        return {"country": "factsheet", "edition": "edition"}.get(column, column)

    def full_clean_exclude(self) -> list[str]:
        return []

    def check_rules(self, instance) -> None:
        """Rules beyond the model's own validation (the same the admin applies)."""

    def check_editable(self, instance) -> None:
        """Refuse a changed or new row whose factsheet an import may not change. Only rows that change
        something get here: unchanged rows are skipped first, whatever their factsheet's state."""

    def save_instance(self, instance, is_create, row, **kwargs):
        """Queue the row for its batch (django-import-export writes them with bulk_create and bulk_update)."""
        for constraint in self.unique_constraints:
            self.unique_hold(constraint, self.current_key, self.unique_values(constraint, instance))
        super().save_instance(instance, is_create, row, **kwargs)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        created = list(self.create_instances)
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result)
        if created and created[0].pk is not None:  # written (a failure is in the result)
            self.after_bulk_write(created, created=True, result=result, raise_errors=raise_errors)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """As save() would: every column of the model, auto_now and the rich-text sanitiser applied."""
        updated = list(self.update_instances)
        if not updated:
            return
        self.update_instances.clear()
        model = self._meta.model
        columns = [f for f in model._meta.concrete_fields if not f.primary_key]
        try:
            for instance in updated:
                for field in columns:
                    setattr(instance, field.attname, field.pre_save(instance, False))
            model.objects.bulk_update(updated, [f.name for f in columns], batch_size=batch_size)
        except Exception as error:  # noqa: BLE001 - reported in the result, as the library's bulk_create does
            self.handle_import_error(result, error, raise_errors)
            return
        self.after_bulk_write(updated, created=False, result=result, raise_errors=raise_errors)

    def after_bulk_write(self, instances, *, created: bool, result, raise_errors) -> None:
        for instance in instances:
            self.touched(instance)

    def touched(self, instance) -> None:
        """Note the factsheet a written row belongs to."""
        factsheet_id = getattr(instance, "factsheet_id", None)
        if factsheet_id:
            self.factsheet_ids.add(factsheet_id)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if not (result.has_errors() or result.has_validation_errors()):
            for problem in factsheet_capacity_problems(self.factsheet_ids):
                result.append_base_error(Error(ValidationError(problem, code="capacity")))
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors():
            return
        if kwargs.get("record") is False:  # part of a larger import that records itself once (edition_import)
            return
        factsheets_touch(factsheet_ids=self.factsheet_ids, by=kwargs.get("user"))
        data_import_record(
            resource=self.get_display_name(), user=kwargs.get("user"), file_name=kwargs.get("file_name") or "",
            file_format=kwargs.get("file_format") or "", totals=dict(result.totals), rows=len(dataset),
            factsheet_ids=self.factsheet_ids,
        )

    # -------------------------------------------------------------------------------------- lookups

    def edition_of(self, row, column: str = "edition") -> Edition:
        raw = _str(row.get(column))
        year = _int(raw)
        edition = self.lookups.editions.get(year) if year is not None else None
        if edition is None:
            known = ", ".join(str(y) for y in Edition.objects.order_by("year").values_list("year", flat=True))
            raise ValidationError({column: ValidationError(
                "There is no “%(value)s” edition (editions: %(known)s).", code="unknown_edition",
                params={"value": raw, "known": known or "none yet"},
            )})
        return edition

    def check_edition_editable(self, edition_id: int, column: str = "edition") -> None:
        if edition_id in self.lookups.locked_editions:
            raise ValidationError({column: ValidationError(
                "This edition has factsheets in review, approved, published or withdrawn; "
                "its methodology and vocabularies cannot be changed by an import.",
                code="edition_locked",
            )})

    def factsheet_of(self, row) -> Factsheet:
        errors = {}
        code = _str(row.get("country")).upper()
        country = self.lookups.countries.get(code)
        if country is None:
            if code in dict(countries):
                message = "%(value)s (%(name)s) is not a country of the platform yet; import it in Countries first."
            else:
                message = "“%(value)s” is not an ISO 3166-1 alpha-2 country code."
            errors["country"] = ValidationError(
                message, code="unknown_country", params={"value": code, "name": countries.name(code)}
            )
        try:
            edition = self.edition_of(row)
        except ValidationError as error:
            errors.update(error.error_dict)
        if errors:
            raise ValidationError(errors)
        factsheet = self.lookups.factsheets.get((code, edition.year))
        if factsheet is None:
            raise ValidationError({"country": ValidationError(
                "%(country)s has no %(year)s factsheet; import it in Factsheets first.",
                code="unknown_factsheet", params={"country": country, "year": edition.year},
            )})
        return factsheet

    def category(self, vocabulary: str, label: str, row) -> Category:
        edition = self.edition_of(row)
        choices = self.lookups.categories.get((edition.pk, vocabulary), {})
        category = choices.get(label)
        if category is None:
            suggestion = closest(label, list(choices))
            hint = f" Did you mean “{suggestion}”?" if suggestion else ""
            raise ValueError(
                f"“{label}” is not in the {edition.year} edition's "
                f"{_lower_first(Vocabulary(vocabulary).label)}.{hint}"
            )
        return category


_OPERATORS = {
    "exact": lambda a, b: a == b, "gt": lambda a, b: a > b, "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b, "contains": lambda a, b: b in a,
}


def q_holds(q: Q, instance) -> bool | None:
    """Evaluate a check constraint's condition on an instance as SQL would (None: unknown, which passes)."""
    results = []
    for child in q.children:
        if isinstance(child, Q):
            results.append(q_holds(child, instance))
            continue
        lookup, expected = child
        name, _, operator = lookup.partition("__")
        actual = getattr(instance, instance._meta.get_field(name).attname)
        if operator == "isnull":
            results.append((actual is None) == bool(expected))
            continue
        if isinstance(expected, models.F):
            expected = getattr(instance, instance._meta.get_field(expected.name).attname)
        unknown = actual is None or expected is None
        results.append(None if unknown else _OPERATORS[operator or "exact"](actual, expected))
    if q.connector == Q.AND:
        value = False if False in results else (None if None in results else True)
    else:
        value = True if True in results else (None if None in results else False)
    return (None if value is None else not value) if q.negated else value


def check_factsheet_editable(factsheet: Factsheet) -> None:
    if factsheet.state not in EDITABLE_STATES:
        raise ValidationError({"country": ValidationError(
            "The %(factsheet)s factsheet is %(state)s; imports only change drafts.",
            code="not_draft", params={"factsheet": factsheet, "state": factsheet.get_state_display().lower()},
        )})


def _lower_first(text: str) -> str:
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def _message(error) -> str:
    text = str(error)
    if isinstance(error, InvalidOperation) or text.startswith("[<class 'decimal"):
        return "Enter a number."
    if text == "Value could not be parsed using defined formats.":
        return "Enter a date as YYYY-MM-DD."
    return text


class EditionBoundResource(NaturalKeyResource):
    """Methodology rows of an edition (sections, categories, criteria, levels, topics)."""

    edition = fields.Field(attribute="edition__year", column_name="edition", readonly=True,
                           widget=widgets.IntegerWidget())

    def edition_filter(self, year):
        return Q(edition__year=year)

    def in_editions(self):
        return self.base_queryset().filter(edition__in=list(self.lookups.editions.values()))

    def resolve(self, instance, row):
        edition = self.edition_of(row)
        instance.edition = edition

    def check_rules(self, instance):
        self.check_edition_editable(instance.edition_id)

    def full_clean_exclude(self):
        return ["edition"]


class FactsheetBoundResource(NaturalKeyResource):
    """Content rows of a factsheet (policies, assessments, qualitative texts, footnotes, references)."""

    country = fields.Field(attribute="factsheet__country__code", column_name="country", readonly=True)
    edition = fields.Field(attribute="factsheet__edition__year", column_name="edition", readonly=True,
                           widget=widgets.IntegerWidget())

    def base_queryset(self):
        return self._meta.model.objects.select_related("factsheet__country", "factsheet__edition")

    def resolve(self, instance, row):
        instance.factsheet = self.factsheet_of(row)

    def key_field(self, column):
        return "factsheet" if column in ("country", "edition") else column

    def check_editable(self, instance):
        check_factsheet_editable(instance.factsheet)

    def full_clean_exclude(self):
        return ["factsheet"]

    def load_existing(self):
        factsheets = list(self.lookups.factsheets.values())
        existing = {}
        for instance in self.base_queryset().filter(factsheet__in=factsheets):
            existing[self.instance_key(instance)] = instance
        return existing

    def factsheet_key(self, instance) -> tuple[str, int]:
        return (str(instance.factsheet.country.code), instance.factsheet.edition.year)


# ---------------------------------------------------------------------------------------------- methodology


class CountryResource(NaturalKeyResource):
    display_name = "Countries"
    key = (("code", "code"),)
    optional_columns = frozenset({"name"})
    code = fields.Field(attribute="code", column_name="code", widget=widgets.CharWidget())
    country_name = fields.Field(attribute="name", column_name="name", readonly=True)

    class Meta:
        model = Country
        fields = ("code", "country_name")

    def base_queryset(self):
        return Country.objects.order_by("code")

    def edition_filter(self, year):
        return Q(factsheets__edition__year=year)

    def country_column(self):
        return "code"

    def load_existing(self):
        return {(code,): country for code, country in self.lookups.countries.items()}

    def resolve(self, instance, row):
        code = _str(row.get("code")).upper()
        if code not in dict(countries):
            suggestion = closest(code, [str(c) for c in dict(countries)])
            hint = f" Did you mean {suggestion} ({countries.name(suggestion)})?" if suggestion else ""
            raise ValidationError({"code": ValidationError(
                "“%(code)s” is not an ISO 3166-1 alpha-2 country code.%(hint)s", code="unknown_country",
                params={"code": code, "hint": hint},
            )})
        row["code"] = code
        instance.name = countries.name(code)


class EditionResource(NaturalKeyResource):
    display_name = "Editions (methodology)"
    key = (("year", "int"),)
    year = fields.Field(attribute="year", column_name="year", widget=widgets.IntegerWidget())

    optional_columns = frozenset(PRESENTATION_FIELDS)  # files written before they existed still import

    class Meta:
        model = Edition
        fields = (
            "year", "assessment_method", "assessment_table_title", "methodology_intro", "methodology_outro",
            "qualitative_title", "qualitative_layout", "annex_title", *PRESENTATION_FIELDS,
        )

    def base_queryset(self):
        return Edition.objects.order_by("year")

    def edition_filter(self, year):
        return Q(year=year)

    def edition_column(self):
        return "year"

    def load_existing(self):
        return {(year,): edition for year, edition in self.lookups.editions.items()}

    def check_rules(self, instance):
        if instance.pk:
            self.check_edition_editable(instance.pk, column="year")


class SectionResource(EditionBoundResource):
    display_name = "Sections"
    key = (("edition", "int"), ("kind", "str"))

    class Meta:
        model = Section
        fields = ("edition", "kind", "number", "title", "divider", "order")

    def base_queryset(self):
        return Section.objects.select_related("edition").order_by("edition__year", "order")

    def load_existing(self):
        return {(s.edition.year, s.kind): s for s in self.in_editions()}


class CategoryResource(EditionBoundResource):
    display_name = "Categories (vocabularies)"
    key = (("edition", "int"), ("vocabulary", "str"), ("label", "str"))

    class Meta:
        model = Category
        fields = ("edition", "vocabulary", "label", "order", "description")

    def base_queryset(self):
        return Category.objects.select_related("edition").order_by("edition__year", "vocabulary", "order", "label")

    def load_existing(self):
        return {(c.edition.year, c.vocabulary, c.label): c for c in self.in_editions()}


class CriterionResource(EditionBoundResource):
    display_name = "Criteria"
    key = (("edition", "int"), ("name", "str"))

    class Meta:
        model = Criterion
        fields = ("edition", "name", "long_name", "definition", "max_score", "note", "order")

    def base_queryset(self):
        return Criterion.objects.select_related("edition").order_by("edition__year", "order", "name")

    def load_existing(self):
        return {(c.edition.year, c.name): c for c in self.in_editions()}


class LevelResource(NaturalKeyResource):
    display_name = "Levels"
    key = (("edition", "int"), ("criterion", "str"), ("label", "str"))
    edition = fields.Field(attribute="criterion__edition__year", column_name="edition", readonly=True,
                           widget=widgets.IntegerWidget())
    criterion = fields.Field(attribute="criterion__name", column_name="criterion", readonly=True)

    class Meta:
        model = Level
        fields = ("edition", "criterion", "label", "rank", "definition")

    def base_queryset(self):
        return Level.objects.select_related("criterion__edition").order_by(
            "criterion__edition__year", "criterion__order", "criterion__name", "rank")

    def edition_filter(self, year):
        return Q(criterion__edition__year=year)

    def load_existing(self):
        return {(lv.criterion.edition.year, lv.criterion.name, lv.label): lv
                for lv in self.base_queryset().filter(criterion__edition__in=self.lookups.editions.values())}

    def resolve(self, instance, row):
        edition = self.edition_of(row)
        name = _str(row.get("criterion"))
        criterion = self.lookups.criteria.get((edition.pk, name))
        if criterion is None:
            suggestion = closest(name, [n for (e, n) in self.lookups.criteria if e == edition.pk])
            hint = f" Did you mean “{suggestion}”?" if suggestion else ""
            raise ValidationError({"criterion": ValidationError(
                f"“{name}” is not a criterion of the {edition.year} edition.{hint}", code="unknown_criterion")})
        instance.criterion = criterion

    def check_rules(self, instance):
        self.check_edition_editable(instance.criterion.edition_id)

    def full_clean_exclude(self):
        return ["criterion"]

    def key_field(self, column):
        return {"edition": "criterion"}.get(column, column)


class TopicResource(EditionBoundResource):
    display_name = "Topics"
    key = (("edition", "int"), ("title", "str"))

    class Meta:
        model = Topic
        fields = ("edition", "title", "order")

    def base_queryset(self):
        return Topic.objects.select_related("edition").order_by("edition__year", "order", "title")

    def load_existing(self):
        return {(t.edition.year, t.title): t for t in self.in_editions()}


# ---------------------------------------------------------------------------------------------- content


class FactsheetResource(NaturalKeyResource):
    display_name = "Factsheets"
    key = (("country", "code"), ("edition", "int"))
    country = fields.Field(attribute="country__code", column_name="country", readonly=True)
    edition = fields.Field(attribute="edition__year", column_name="edition", readonly=True,
                           widget=widgets.IntegerWidget())

    class Meta:
        model = Factsheet
        fields = ("country", "edition", "introduction", "policies_intro", "assessment_intro", "qualitative_intro")

    def base_queryset(self):
        return Factsheet.objects.select_related("country", "edition").order_by("edition__year", "country__code")

    def country_column(self):
        return "country"

    def edition_filter(self, year):
        return Q(edition__year=year)

    def load_existing(self):
        return dict(self.lookups.factsheets)

    def instance_key(self, instance):
        return (str(instance.country.code), instance.edition.year)

    def check_editable(self, instance):
        if instance.pk:
            check_factsheet_editable(instance)

    def resolve(self, instance, row):
        if instance.pk:
            return
        errors = {}
        code = _str(row.get("country")).upper()
        country = self.lookups.countries.get(code)
        if country is None:
            errors["country"] = ValidationError(
                "“%(value)s” is not a country of the platform; import it in Countries first.",
                code="unknown_country", params={"value": code},
            )
        try:
            instance.edition = self.edition_of(row)
        except ValidationError as error:
            errors.update(error.error_dict)
        if errors:
            raise ValidationError(errors)
        instance.country = country

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        user = kwargs.get("user")
        if getattr(user, "is_authenticated", False):
            instance.updated_by = user

    def full_clean_exclude(self):
        return ["country", "edition", "updated_by", "state", "lock_version"]

    def key_field(self, column):
        return column

    def touched(self, instance):
        self.factsheet_ids.add(instance.pk)


def _category_field(name: str, required: bool = False) -> fields.Field:
    return fields.Field(attribute=name, column_name=name,
                        widget=CategoryWidget(POLICY_CATEGORY_FIELDS[name], required=required))


def _category_list_field(name: str) -> fields.Field:
    return CategoryListField(attribute=name, column_name=name, widget=CategoryListWidget(POLICY_CATEGORY_FIELDS[name]))


POLICY_COLUMNS = (
    "country", "edition", "order", "policy_type", "type_detail", "name",
    "objectives", "objectives_text", "focus", "focus_text", "authority_roles", "authorities_text",
    "beneficiaries", "beneficiaries_other", "beneficiaries_text",
    "financial_instruments", "financial_instruments_note", "technical_instruments", "technical_instruments_note",
    "instruments_text", "period", "start_year", "end_year", "history_text",
    "budget_overall_eur", "budget_overall_amount", "budget_overall_currency", "budget_overall_note",
    "budget_annual_eur", "budget_annual_amount", "budget_annual_currency", "budget_annual_note",
    "budget_exchange_rate", "budget_exchange_rate_date", "budget_source",
    "evaluation", "evaluation_text", "eu_priorities",
)


class PolicyResource(FactsheetBoundResource):
    display_name = "Policies"
    key = (("country", "code"), ("edition", "int"), ("order", "int"))
    policy_type = _category_field("policy_type", required=True)
    focus = _category_field("focus")
    evaluation = _category_field("evaluation")
    objectives = _category_list_field("objectives")
    authority_roles = _category_list_field("authority_roles")
    beneficiaries = _category_list_field("beneficiaries")
    financial_instruments = _category_list_field("financial_instruments")
    technical_instruments = _category_list_field("technical_instruments")
    eu_priorities = _category_list_field("eu_priorities")

    class Meta:
        model = Policy
        fields = POLICY_COLUMNS
        import_order = POLICY_COLUMNS
        export_order = POLICY_COLUMNS

    def base_queryset(self):
        return (
            Policy.objects.select_related(
                "factsheet__country", "factsheet__edition", "policy_type", "focus", "evaluation"
            )
            .prefetch_related(*POLICY_M2M_FIELDS)
            .order_by("factsheet__edition__year", "factsheet__country__code", "order")
        )

    def instance_key(self, instance):
        return (*self.factsheet_key(instance), instance.order)

    def check_rules(self, instance):
        validate_policy_categories(
            edition=instance.factsheet.edition,
            selections={name: getattr(instance, name) for name in ("policy_type", "focus", "evaluation")
                        if getattr(instance, f"{name}_id") is not None},
        )

    def save_m2m(self, instance, row, **kwargs):
        """Check the row's selections; they are written with its batch (after_bulk_write)."""
        selections = {name: self.fields[name].clean(row) for name in POLICY_M2M_FIELDS}
        validate_policy_categories(edition=instance.factsheet.edition, selections=selections)
        instance._import_m2m = {name: sorted(values, key=lambda c: (c.order, c.label))
                                for name, values in selections.items()}

    def after_bulk_write(self, instances, *, created, result, raise_errors):
        """The selections of a batch of policies: one insert a dimension (and, for changed policies, one delete)."""
        super().after_bulk_write(instances, created=created, result=result, raise_errors=raise_errors)
        try:
            for name in POLICY_M2M_FIELDS:
                field = Policy._meta.get_field(name)
                through = field.remote_field.through
                source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
                changed = instances
                if not created:
                    changed = [p for p in instances
                               if {c.pk for c in p._import_m2m[name]} != {c.pk for c in getattr(p, name).all()}]
                    through.objects.filter(**{f"{source}_id__in": [p.pk for p in changed]}).delete()
                through.objects.bulk_create([through(**{f"{source}_id": p.pk, f"{target}_id": c.pk})
                                             for p in changed for c in p._import_m2m[name]])
        except Exception as error:  # noqa: BLE001 - reported in the result, as the library does
            self.handle_import_error(result, error, raise_errors)


class AssessmentResource(FactsheetBoundResource):
    display_name = "Assessments"
    key = (("country", "code"), ("edition", "int"), ("criterion", "str"))
    criterion = fields.Field(attribute="criterion__name", column_name="criterion", readonly=True)
    level = fields.Field(attribute="level__label", column_name="level", readonly=True)

    class Meta:
        model = Assessment
        fields = ("country", "edition", "criterion", "score", "level")

    def base_queryset(self):
        return Assessment.objects.select_related(
            "factsheet__country", "factsheet__edition", "criterion", "level"
        ).order_by("factsheet__edition__year", "factsheet__country__code", "criterion__order", "criterion__name")

    def instance_key(self, instance):
        return (*self.factsheet_key(instance), instance.criterion.name)

    def resolve(self, instance, row):
        factsheet = self.factsheet_of(row)
        edition = factsheet.edition
        name = _str(row.get("criterion"))
        criterion = self.lookups.criteria.get((edition.pk, name))
        if criterion is None:
            suggestion = closest(name, [n for (e, n) in self.lookups.criteria if e == edition.pk])
            hint = f" Did you mean “{suggestion}”?" if suggestion else ""
            raise ValidationError({"criterion": ValidationError(
                f"“{name}” is not a criterion of the {edition.year} edition.{hint}", code="unknown_criterion")})
        label = _str(row.get("level"))
        level = None
        if label:
            levels = self.lookups.levels.get(criterion.pk, {})
            level = levels.get(label)
            if level is None:
                suggestion = closest(label, list(levels))
                hint = f" Did you mean “{suggestion}”?" if suggestion else ""
                raise ValidationError({"level": ValidationError(
                    f"“{label}” is not a level of “{criterion.name}”.{hint}", code="unknown_level")})
        instance.factsheet, instance.criterion, instance.level = factsheet, criterion, level

    def check_rules(self, instance):
        validate_assessment(edition=instance.factsheet.edition, criterion=instance.criterion,
                            score=instance.score, level=instance.level)

    def full_clean_exclude(self):
        return ["factsheet", "criterion", "level"]


class QualitativeAssessmentResource(FactsheetBoundResource):
    display_name = "Qualitative assessments"
    key = (("country", "code"), ("edition", "int"), ("topic", "str"))
    topic = fields.Field(attribute="topic__title", column_name="topic", readonly=True)

    class Meta:
        model = QualitativeAssessment
        fields = ("country", "edition", "topic", "summary", "text")

    def base_queryset(self):
        return QualitativeAssessment.objects.select_related(
            "factsheet__country", "factsheet__edition", "topic"
        ).order_by("factsheet__edition__year", "factsheet__country__code", "topic__order", "topic__title")

    def instance_key(self, instance):
        return (*self.factsheet_key(instance), instance.topic.title)

    def resolve(self, instance, row):
        factsheet = self.factsheet_of(row)
        title = _str(row.get("topic"))
        topic = self.lookups.topics.get((factsheet.edition_id, title))
        if topic is None:
            suggestion = closest(title, [t for (e, t) in self.lookups.topics if e == factsheet.edition_id])
            hint = f" Did you mean “{suggestion}”?" if suggestion else ""
            raise ValidationError({"topic": ValidationError(
                f"“{title}” is not a topic of the {factsheet.edition.year} edition.{hint}", code="unknown_topic")})
        instance.factsheet, instance.topic = factsheet, topic

    def full_clean_exclude(self):
        return ["factsheet", "topic"]


class FootnoteResource(FactsheetBoundResource):
    display_name = "Footnotes"
    key = (("country", "code"), ("edition", "int"), ("key", "str"))

    class Meta:
        model = Footnote
        fields = ("country", "edition", "key", "text")

    def base_queryset(self):
        return Footnote.objects.select_related("factsheet__country", "factsheet__edition").order_by(
            "factsheet__edition__year", "factsheet__country__code", "id")

    def instance_key(self, instance):
        return (*self.factsheet_key(instance), instance.key)


class ReferenceResource(FactsheetBoundResource):
    display_name = "References"
    key = (("country", "code"), ("edition", "int"), ("order", "int"))
    optional_columns = frozenset({"url_label", "sub_item"})  # files written before they existed still import

    class Meta:
        model = Reference
        fields = ("country", "edition", "order", "citation", "url", "url_label", "last_accessed", "sub_item")

    def base_queryset(self):
        return Reference.objects.select_related("factsheet__country", "factsheet__edition").order_by(
            "factsheet__edition__year", "factsheet__country__code", "order")

    def instance_key(self, instance):
        return (*self.factsheet_key(instance), instance.order)


# Dependency order: a file may only name what the files before it created.
EDITION_RESOURCES: list[tuple[str, type[NaturalKeyResource]]] = [
    ("countries", CountryResource),
    ("editions", EditionResource),
    ("sections", SectionResource),
    ("categories", CategoryResource),
    ("criteria", CriterionResource),
    ("levels", LevelResource),
    ("topics", TopicResource),
    ("factsheets", FactsheetResource),
    ("policies", PolicyResource),
    ("assessments", AssessmentResource),
    ("qualitative", QualitativeAssessmentResource),
    ("footnotes", FootnoteResource),
    ("references", ReferenceResource),
]

