"""Reads of the editorial domain: current and earlier publications for the public pages."""

from collections import defaultdict

from django.db.models import OuterRef, Q, QuerySet, Subquery

from editorial.models import Publication
from factsheets.models import Factsheet


def publications_live() -> QuerySet[Publication]:
    return Publication.objects.filter(withdrawn_at__isnull=True).select_related(
        "factsheet__country", "factsheet__edition"
    )


def publications_current() -> QuerySet[Publication]:
    """The latest not-withdrawn publication of every factsheet that has one."""
    latest = (
        Publication.objects.filter(factsheet=OuterRef("factsheet"), withdrawn_at__isnull=True)
        .order_by("-number").values("pk")[:1]
    )
    return publications_live().filter(pk=Subquery(latest)).order_by(
        "-factsheet__edition__year", "factsheet__country__name"
    )


def publications_by_edition() -> list[tuple[int, list[Publication]]]:
    """Current publications grouped by edition (newest first), each with its earlier live version numbers."""
    grouped: dict[int, list[Publication]] = defaultdict(list)
    current = list(publications_current())
    earlier: dict[int, list[int]] = defaultdict(list)
    for factsheet_id, number in (
        publications_live().filter(factsheet__in=[p.factsheet_id for p in current])
        .order_by("number").values_list("factsheet", "number")
    ):
        earlier[factsheet_id].append(number)
    for publication in current:
        publication.earlier_numbers = [n for n in earlier[publication.factsheet_id] if n < publication.number]
        grouped[publication.factsheet.edition.year].append(publication)
    return sorted(grouped.items(), reverse=True)


def publication_current_get(*, year: int, country_code: str) -> Publication | None:
    return (
        publications_live()
        .filter(factsheet__edition__year=year, factsheet__country__code=country_code.upper())
        .order_by("-number").first()
    )


def publication_version_get(*, year: int, country_code: str, number: int) -> Publication | None:
    return publications_live().filter(
        factsheet__edition__year=year, factsheet__country__code=country_code.upper(), number=number
    ).first()


def factsheets_unpublished() -> QuerySet[Factsheet]:
    return Factsheet.objects.filter(~Q(pk__in=Publication.objects.values("factsheet"))).select_related(
        "country", "edition"
    )


def factsheet_for_cli(*, country_code: str, year: int) -> Factsheet | None:
    return Factsheet.objects.select_related("country", "edition").filter(
        country__code=country_code.upper(), edition__year=year
    ).first()
