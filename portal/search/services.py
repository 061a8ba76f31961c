"""Writes of the search index: a publication's passages (when it is created, from its approved revision), and the
whole index rebuilt (a management command). Which passages a reader finds is decided when searching
(portal.search.selectors joins them to the live publications), so withdrawing needs no write here."""

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction

from editorial.models import Publication
from portal.models import SearchPassage
from portal.search.passages import publication_passages
from portal.search.text import fold

CONFIG = "english"  # PostgreSQL's English stemming; the texts it reads are already folded (accents removed)


def _publications():
    return Publication.objects.select_related("revision", "factsheet__country", "factsheet__edition")


def _store(publication: Publication) -> int:
    """Replace the passages of a publication (must be called in a transaction)."""
    SearchPassage.objects.filter(publication=publication).delete()
    passages = publication_passages(publication)
    SearchPassage.objects.bulk_create([
        SearchPassage(publication=publication, position=position, section=p.section[:300], anchor=p.anchor[:100],
                      title=p.title, body=p.body, weight=p.weight, title_search=fold(p.title), body_search=fold(p.body))
        for position, p in enumerate(passages, start=1)
    ])
    if passages and connection.vendor == "postgresql":
        SearchPassage.objects.filter(publication=publication).update(
            vector=SearchVector("title_search", weight="A", config=CONFIG)
            + SearchVector("body_search", weight="B", config=CONFIG))
    return len(passages)


@transaction.atomic
def search_index_publication(*, publication_id: int) -> int:
    """Index the passages of one publication; returns how many (0 when it is gone or has no revision)."""
    publication = _publications().filter(pk=publication_id).first()
    return _store(publication) if publication else 0


@transaction.atomic
def search_index_rebuild() -> tuple[int, int]:
    """Index every publication again (withdrawn ones too: the search leaves out what is not live, and a version
    waiting to go live must be found the moment it does). Returns (publications, passages)."""
    SearchPassage.objects.all().delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # the FTS5 table read afresh from its content table
            cursor.execute("INSERT INTO portal_search_fts(portal_search_fts) VALUES ('rebuild')")
    publications = passages = 0
    for publication in _publications().order_by("pk").iterator(chunk_size=50):
        passages += _store(publication)
        publications += 1
    return publications, passages
