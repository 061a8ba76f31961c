"""Reads of the factsheet domain that carry their own select_related/prefetch_related."""

from django.db.models import Count, QuerySet

from factsheets.models import Category, Edition, Factsheet, Section


def edition_list() -> QuerySet[Edition]:
    return Edition.objects.annotate(factsheet_count=Count("factsheets"))


def edition_categories_by_vocabulary(*, edition: Edition) -> dict[str, list[Category]]:
    grouped: dict[str, list[Category]] = {}
    for category in Category.objects.filter(edition=edition).order_by("vocabulary", "order", "label"):
        grouped.setdefault(category.vocabulary, []).append(category)
    return grouped


def section_titles(*, edition: Edition) -> dict[str, str]:
    return {s.kind: str(s) for s in Section.objects.filter(edition=edition)}


def factsheet_list() -> QuerySet[Factsheet]:
    return Factsheet.objects.select_related("country", "edition", "updated_by")
