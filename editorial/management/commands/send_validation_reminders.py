"""Remind national contacts who have not answered, a few days before their deadline, and delete the kept draft PDFs
that no open link shows any more (run daily from cron)."""

from django.core.management.base import BaseCommand

from editorial.national_validation.services import validation_drafts_purge, validation_reminders_send


class Command(BaseCommand):
    help = ("E-mail a reminder (with a fresh private link) to contacts whose deadline is within --days days; delete "
            "the validation drafts of links that expired or were revoked.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3)

    def handle(self, *args, days, **options):
        count = validation_reminders_send(days_before=days)
        purged = validation_drafts_purge()
        self.stdout.write(f"{count} reminder(s) sent; {purged} expired validation draft(s) deleted.")
