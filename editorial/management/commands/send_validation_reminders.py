"""Remind national contacts who have not answered, a few days before their deadline (run daily from cron)."""

from django.core.management.base import BaseCommand

from editorial.national_validation.services import validation_reminders_send


class Command(BaseCommand):
    help = "E-mail a reminder (with a fresh private link) to contacts whose deadline is within --days days."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3)

    def handle(self, *args, days, **options):
        count = validation_reminders_send(days_before=days)
        self.stdout.write(f"{count} reminder(s) sent.")
