from django.core.management.base import BaseCommand

from gendan.core.demo import DEMO_PASSWORD, DEMO_USERS, demo_load


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        counts = demo_load()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {counts}"))
        self.stdout.write("Demo logins (password for all: %s):" % DEMO_PASSWORD)
        for username, name, roles, dept, _boss in DEMO_USERS:
            self.stdout.write(f"  {username:<12} {name:<8} {', '.join(roles)} / {dept}")
