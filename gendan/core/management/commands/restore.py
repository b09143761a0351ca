import json

from django.core.management.base import BaseCommand, CommandError

from gendan.core.backup import database_restore
from gendan.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Restore FILE (made by `gendan backup`) into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        try:
            result = database_restore(source=options["file"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(json.dumps(result))
