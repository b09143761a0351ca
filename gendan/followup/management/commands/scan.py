import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gendan.followup.scan import followup_scan


class Command(BaseCommand):
    help = (
        "Run the follow-up scan once (risk, overdue milestones, auto-escalation, missed records, originals "
        "pending) and print its JSON summary. Safe to repeat: nothing is sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", help="Scan as of this time (ISO 8601, local time if no offset).")

    def handle(self, *args, **options):
        now = None
        if options.get("now"):
            try:
                now = dt.datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now: {exc}") from None
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        summary = followup_scan(now=now)
        self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
