"""Publishing: render the factsheet's PDF once and store it as the next immutable publication (the demo's
synchronous path), and the storage step the publish jobs share (editorial.services.publish_job_run)."""

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone

from editorial.document import factsheet_document
from editorial.models import Publication
from editorial.permissions import WorkflowError
from editorial.rendering import render_factsheet_pdf
from factsheets.models import Factsheet


@transaction.atomic
def publication_create(*, factsheet: Factsheet, by=None) -> Publication:
    """Render the factsheet as it stands and store it as its next numbered publication."""
    # Only the factsheet's row: locking its edition and country too would stall every other factsheet of the
    # edition (saves, transitions, new factsheets) for as long as the render takes.
    factsheet = (Factsheet.objects.select_for_update(of=("self",)).select_related("country", "edition")
                 .get(pk=factsheet.pk))
    number = next_number(factsheet)
    pdf = render_factsheet_pdf(factsheet)
    html = page_html_render(factsheet)
    stored = pdf_store(factsheet=factsheet, pdf=pdf, key=f"v{number}")
    try:
        return Publication.objects.create(
            factsheet=factsheet, number=number, published_at=timezone.now(), published_by=by, pdf=stored,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(), pdf_size=len(pdf), page_html=html,
        )
    except BaseException:
        pdf_discard(stored)
        raise


def page_html_render(factsheet: Factsheet) -> str:
    """The factsheet's web page body, from the same document as its PDF (footnotes as linked notes). Rendered
    with the PDF at publishing and stored with the publication, so the public page always shows exactly the
    approved revision, whatever is drafted afterwards."""
    return render_to_string("editorial/web/factsheet_body.html", {"doc": factsheet_document(factsheet, web=True)})


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
