"""Make the editions' releases that are due (the task queue does it by itself; this is for a backend that cannot
defer tasks, or to check by hand)."""

from django.core.management.base import BaseCommand

from editorial.publishing.releases import releases_due_run


class Command(BaseCommand):
    help = "Make every scheduled edition release that is due and ready."

    def handle(self, *args, **options):
        outcomes = releases_due_run()
        for release_id, outcome in outcomes.items():
            self.stdout.write(f"Release {release_id}: {outcome}")
        if not outcomes:
            self.stdout.write("No release is due.")
