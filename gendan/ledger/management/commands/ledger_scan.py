import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gendan.ledger.selectors import ledger_reconcile
from gendan.ledger.services import receivables_overdue_remind


class Command(BaseCommand):
    help = (
        "Check that the shipped-goods ledger equals the shipments (quantities and amounts) and the receivables "
        "add up, and remind merchandisers of overdue invoices (once per invoice and week). Prints a JSON "
        "summary; exits with an error when the ledger does not reconcile."
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
        reminded = receivables_overdue_remind(as_of=today)
        result = ledger_reconcile()
        summary = {
            "as_of": today.isoformat(),
            "reconciled": result.ok,
            "shipment_quantity": str(result.shipment_quantity),
            "shipment_amount": str(result.shipment_amount),
            "ledger_quantity": str(result.ledger_quantity),
            "ledger_amount": str(result.ledger_amount),
            "problems": result.problems,
            "overdue_invoices_reminded": reminded,
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
        if not result.ok:
            raise CommandError(f"the ledger does not reconcile: {len(result.problems)} problem(s)")
