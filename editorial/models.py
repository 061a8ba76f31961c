"""Editorial records: published versions of factsheets."""

from django.conf import settings
from django.db import models

from factsheets.models import Factsheet


def publication_upload_to(instance, filename):
    return f"publications/{instance.factsheet.edition.year}/{str(instance.factsheet.country.code).lower()}/{filename}"


class Publication(models.Model):
    """An immutable published version (1, 2, …) of a factsheet, with the PDF rendered at publishing."""

    factsheet = models.ForeignKey(Factsheet, on_delete=models.PROTECT, related_name="publications")
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pdf = models.FileField(upload_to=publication_upload_to, max_length=300)
    pdf_sha256 = models.CharField(max_length=64)
    pdf_size = models.PositiveIntegerField(default=0)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["factsheet", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["factsheet", "number"], name="publication_unique_number"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="publication_number_positive"),
        ]

    def __str__(self):
        return f"{self.factsheet} v{self.number}"

    @property
    def file_name(self) -> str:
        country = self.factsheet.country.name.replace(" ", "-")
        return f"ECCP-Country-Factsheet-{country}-{self.factsheet.edition.year}.pdf"
