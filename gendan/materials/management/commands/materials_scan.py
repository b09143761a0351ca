import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gendan.materials.services import materials_scan


class Command(BaseCommand):
    help = "Late or short material arrivals → exceptions on the affected orders (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, **options):
        try:
            today = dt.date.fromisoformat(options["today"]) if options["today"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError("--today must be YYYY-MM-DD") from exc
        self.stdout.write(json.dumps(materials_scan(today=today)))
