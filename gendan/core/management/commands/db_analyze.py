import json

from django.core.management.base import BaseCommand

from gendan.core.dbstats import database_analyze


class Command(BaseCommand):
    help = "Refresh the database's query planner statistics (nightly, and after a bulk load)."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(database_analyze()))
