"""Storing published PDFs: under a name of their own before any publication points at them, never half written."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max

from editorial.models import Publication
from editorial.permissions import WorkflowError
from factsheets.models import Factsheet


def next_number(factsheet: Factsheet) -> int:
    """The number the factsheet's next publication takes (the factsheet's row is locked by the caller). A version
    prepared for a release and not released yet holds no number for good: it is replaced when prepared again."""
    return (Publication.objects.released().filter(factsheet=factsheet).aggregate(n=Max("number"))["n"] or 0) + 1


def publications_discard(publications) -> int:
    """Delete versions that were never public (prepared for a release that was cancelled, or prepared again), and
    their PDFs once the transaction has committed. Returns how many."""
    doomed = list(publications.filter(embargoed=True))
    for publication in doomed:
        name = publication.pdf.name
        publication.delete()
        transaction.on_commit(lambda name=name: pdf_discard(name))
    return len(doomed)


def pdf_store(*, factsheet: Factsheet, pdf: bytes, key: str) -> str:
    """Store a rendered PDF under a name of its own (`key` makes it unique) before any publication points at
    it; returns the stored name. A failure leaves no partial file and says what happened."""
    probe = Publication(factsheet=factsheet, number=0)
    name = probe.pdf.field.generate_filename(probe, f"{key}-{probe.file_name}")
    storage = probe.pdf.storage
    try:
        return storage.save(name, ContentFile(pdf))
    except OSError as error:
        if storage.exists(name):  # a partly written file: never leave it behind
            storage.delete(name)
        raise WorkflowError(
            f"The PDF could not be stored ({error.strerror or error}), so nothing was published and the factsheet "
            "is still approved. Tell whoever runs the server (disk full or read-only?), then publish again."
        ) from error


def pdf_discard(name: str) -> None:
    storage = Publication._meta.get_field("pdf").storage
    if name and storage.exists(name):
        storage.delete(name)
