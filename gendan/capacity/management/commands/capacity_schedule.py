import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from gendan.capacity.services import schedule_run, schedule_update


class Command(BaseCommand):
    help = "Finite-capacity scheduling: apply the noted changes (default) or reschedule everything (--full)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Reschedule every order from scratch")
        parser.add_argument("--today", help="Horizon start, YYYY-MM-DD (default: today)")

    def handle(self, *args, **options):
        try:
            today = dt.date.fromisoformat(options["today"]) if options["today"] else None
        except ValueError as exc:
            raise CommandError("--today must be YYYY-MM-DD") from exc
        snapshot = schedule_run(today=today) if options["full"] else schedule_update(today=today)
        self.stdout.write(
            json.dumps(
                {
                    "kind": snapshot.kind,
                    "orders": snapshot.orders,
                    "changed": snapshot.changed,
                    "duration_ms": snapshot.duration_ms,
                    "horizon": [snapshot.horizon_start.isoformat(), snapshot.horizon_end.isoformat()],
                    "warnings": snapshot.warnings,
                },
                ensure_ascii=False,
            )
        )
