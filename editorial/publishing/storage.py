"""Storing published PDFs: under a name of their own before any publication points at them, never half written."""

from django.core.files.base import ContentFile
from django.db.models import Max

from editorial.models import Publication
from editorial.permissions import WorkflowError
from factsheets.models import Factsheet


def next_number(factsheet: Factsheet) -> int:
    """The number the factsheet's next publication takes (the factsheet's row is locked by the caller)."""
    return (factsheet.publications.aggregate(n=Max("number"))["n"] or 0) + 1


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
