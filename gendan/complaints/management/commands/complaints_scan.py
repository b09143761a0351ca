import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gendan.complaints.services import complaints_overdue_remind


class Command(BaseCommand):
    help = "Remind merchandisers and supervisors of complaints past a step's deadline (once each). Safe to repeat."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Scan as of this day (YYYY-MM-DD); default: today.")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(f"--today: {exc}") from None
        summary = {"as_of": today.isoformat(), "complaints_reminded": complaints_overdue_remind(as_of=today)}
        self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
