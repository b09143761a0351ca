import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gendan.outsourcing.services import outsourcing_overdue_scan


class Command(BaseCommand):
    help = (
        "Raise an exception on each order whose outsourcing return is overdue, once per due date, and print "
        "a JSON summary. Safe to repeat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Scan as of this day (YYYY-MM-DD); default: today.")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(f"--today: {exc}") from None
        self.stdout.write(json.dumps(outsourcing_overdue_scan(today=today), ensure_ascii=False, indent=2))
