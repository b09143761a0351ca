"""`gendan import_orders FILE --user USERNAME [--commit]`: the Excel order import from the command line.

Prints the same preview as the web page (every error with its row and column); with --commit, and only if
no row has an error, creates all the orders in one transaction.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gendan.accounts.models import User
from gendan.core.errors import ApplicationError
from gendan.core.excel import MAX_UPLOAD_BYTES, ImportRejected
from gendan.orders.imports import may_import_orders, order_import_commit, order_import_plan


class Command(BaseCommand):
    help = "Check an order workbook (.xlsx) and, with --commit, import it (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx file")
        parser.add_argument("--user", required=True, help="username the import is done as (scope, rights)")
        parser.add_argument("--commit", action="store_true", help="create the orders if no row has an error")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        if path.stat().st_size > MAX_UPLOAD_BYTES:
            raise CommandError(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r}.")
        if not may_import_orders(user):
            raise CommandError(f"User {user.username!r} may not import orders.")
        data = path.read_bytes()
        try:
            plan = order_import_plan(data=data, actor=user)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        preview = plan.preview
        for label, value in preview.summary:
            self.stdout.write(f"{label}: {value}")
        if preview.ignored_titles:
            self.stdout.write(f"Columns not used: {', '.join(preview.ignored_titles)}")
        for group_index, group in enumerate(plan.groups, start=1):
            rows = ", ".join(str(r.number) for r in group.rows)
            self.stdout.write(f"  order {group_index}: {group.customer} / {group.customer_po} (rows {rows})")
        if not preview.ok:
            for issue in preview.issues:
                self.stderr.write(str(issue))
            raise CommandError(f"{preview.rows_with_issues} rows have errors; nothing was imported.")
        if not options["commit"]:
            self.stdout.write(self.style.SUCCESS("No errors. Run again with --commit to import."))
            return
        try:
            orders = order_import_commit(data=data, actor=user, file_name=path.name)
        except ImportRejected as exc:
            for issue in exc.preview.issues:
                self.stderr.write(str(issue))
            raise CommandError(exc.message) from None
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        for order in orders:
            self.stdout.write(
                f"{order.number}  {order.customer.code}  {order.customer_po}  {order.total_amount}"
            )
        self.stdout.write(self.style.SUCCESS(f"Imported {len(orders)} orders."))
