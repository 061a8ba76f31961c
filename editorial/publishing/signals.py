"""What publishing tells the apps above it (a lower app tells a higher one through a signal).

- `publications_changed`: sent inside the transaction that changes what the public sees (a version published, a
  factsheet withdrawn, an edition released), with `editions` (edition ids), `publications` (the publications that
  went live or were withdrawn) and `reason` ("publish", "withdraw" or "release"). A receiver that keeps derived
  public data (the full-text search index, a sitemap) updates it in the same transaction, so it changes at the
  same instant as the pages, or not at all.
- `summary_wanted`: asks for an edition's summary report of a given set of live versions, with `edition` and
  `entries` ((country code, revision id) pairs); a receiver returns (html, pdf bytes). The portal answers it;
  editorial stores the result (editorial.publishing.summaries).
"""

from django.dispatch import Signal

publications_changed = Signal()
summary_wanted = Signal()
