"""Load the Mexico 2020 and 2023 demo factsheets, their editions and the demo users."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from factsheets.services import demo_load, demo_users_ensure


class Command(BaseCommand):
    help = "Load the demo editions and factsheets (idempotent) and create the demo users."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Create demo users even when DEBUG is off.")
        parser.add_argument("--no-users", action="store_true", help="Do not create the demo users.")

    def handle(self, *args, force=False, no_users=False, **options):
        if not no_users and not (settings.DEBUG or force):
            raise CommandError(
                "Refusing to create demo users (known passwords) with DJANGO_DEBUG off. "
                "Set DJANGO_DEBUG=1, pass --force, or pass --no-users."
            )
        try:
            report = demo_load()
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"Editions: {', '.join(report['editions'])}")
        for label in report["created"]:
            self.stdout.write(self.style.SUCCESS(f"Created factsheet {label}"))
        for label in report["kept"]:
            self.stdout.write(f"Factsheet {label} exists; left as it is")
        if not no_users:
            created = demo_users_ensure()
            self.stdout.write(f"Demo users: {', '.join(created) if created else 'already there'}")
