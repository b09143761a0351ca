import json

from django.core.management.base import BaseCommand, CommandError

from gendan.core.backup import database_backup
from gendan.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Write a consistent online snapshot of the database to FILE."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        try:
            result = database_backup(target=options["file"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(json.dumps(result))
