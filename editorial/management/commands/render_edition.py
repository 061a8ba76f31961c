"""Render every published factsheet of an edition to a folder, in parallel processes, with a progress bar; or,
with --publish, publish every approved factsheet of the edition through the task queue (the same jobs as the
edition dashboard) and follow them until they are done."""

import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from django import db
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from editorial import services
from editorial.models import Publication
from editorial.publishing import selectors as publishing_selectors
from editorial.rendering import pdf as pdf_rendering
from factsheets.models import Edition


def _render_one(pk: int, output: str) -> str:
    """Render a live publication again from the approved revision it was published from."""
    publication = Publication.objects.select_related("factsheet__country", "factsheet__edition", "revision").get(pk=pk)
    factsheet = publication.factsheet
    country = factsheet.country.name.replace(" ", "-")
    path = Path(output) / f"ECCP-Country-Factsheet-{country}-{factsheet.edition.year}.pdf"
    path.write_bytes(pdf_rendering.render_factsheet_pdf(
        factsheet, publication.revision.snapshot if publication.revision_id else None))
    db.connections.close_all()
    return str(path)


class Command(BaseCommand):
    help = "Render every published factsheet of an edition: render_edition 2023 --jobs N [-o DIR]"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--jobs", type=int, default=1)
        parser.add_argument("-o", "--output", default="rendered")
        parser.add_argument("--publish", metavar="EDITOR", help="publish the approved factsheets as this editor "
                            "(user name) on the task queue, instead of rendering published ones to a folder")

    def handle(self, *args, year, jobs, output, publish=None, **options):
        if publish:
            return self._publish(year, publish)
        if jobs < 1:
            raise CommandError("--jobs must be at least 1.")
        pks = list(publishing_selectors.publications_current().filter(factsheet__edition__year=year)
                   .values_list("pk", flat=True))
        if not pks:
            raise CommandError(f"No published factsheet in the {year} edition.")
        Path(output).mkdir(parents=True, exist_ok=True)
        written = []
        progress = tqdm(total=len(pks), desc=f"Rendering {year}", unit="pdf", file=self.stderr._out)
        if jobs == 1:
            for pk in pks:
                written.append(_render_one(pk, output))
                progress.update()
        else:
            db.connections.close_all()
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                for future in as_completed([pool.submit(_render_one, pk, output) for pk in pks]):
                    written.append(future.result())
                    progress.update()
        progress.close()
        for path in sorted(written):
            self.stdout.write(path)
        self.stdout.write(self.style.SUCCESS(f"Rendered {len(written)} factsheet(s) into {output}"))

    def _publish(self, year, username):
        editor = get_user_model().objects.filter(username=username, is_active=True).first()
        edition = Edition.objects.filter(year=year).first()
        if editor is None or edition is None:
            raise CommandError(f"No active user “{username}” or no {year} edition.")
        batch, refused = services.edition_publish(edition=edition, by=editor)
        for factsheet, reason in refused:
            self.stderr.write(f"{factsheet}: not published: {reason}")
        progress = publishing_selectors.batch_progress(batch=batch)
        bar = tqdm(total=progress["total"], desc=f"Publishing {year}", unit="pdf", file=self.stderr._out)
        while not progress["finished"]:
            time.sleep(1)
            services.publish_jobs_recover()
            progress = publishing_selectors.batch_progress(batch=batch)
            bar.n = progress["done"] + progress["failed"]
            bar.refresh()
        bar.close()
        for item in progress["failed_items"]:
            self.stderr.write(f"{item['country']}: {item['error']}")
        self.stdout.write(self.style.SUCCESS(
            f"Published {progress['done']} of {progress['total']} (batch {batch}); {progress['failed']} failed."))
