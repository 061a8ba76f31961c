"""The portal's own data: the full-text search index of the published factsheets, one row per passage (an
introduction, a policy, a qualitative assessment, a note, a reference) of each publication's approved revision.
Which rows a reader may find is decided when searching, by joining them to the live publications."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models

from editorial.models import Publication


class SearchPassage(models.Model):
    """A passage as the factsheet page prints it (`title`, `body`: plain text), where it is on the page
    (`section`, `anchor`), and the same texts as searched (`title_search`, `body_search`: accents removed, lower
    case, every other character a space, so each character sits where it sits in the printed text). SQLite searches
    them through the FTS5 table `portal_search_fts` (kept in step by triggers); PostgreSQL through `vector`."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(help_text="Order of the passage on the page.")
    section = models.CharField(max_length=300, help_text="The section as printed, e.g. “2. Cluster policy”.")
    anchor = models.CharField(max_length=100, help_text="Its place on the factsheet page (an element id).")
    title = models.TextField(blank=True)
    body = models.TextField(blank=True)
    title_search = models.TextField(blank=True)
    body_search = models.TextField(blank=True)
    weight = models.FloatField(default=1.0, help_text="What a match here counts for in the ranking.")
    vector = SearchVectorField(null=True, editable=False, help_text="PostgreSQL only (GIN index).")

    class Meta:
        ordering = ["publication", "position"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "position"], name="search_passage_unique_position"),
        ]

    def __str__(self):
        return f"{self.publication}: {self.section} {self.title}".strip()
