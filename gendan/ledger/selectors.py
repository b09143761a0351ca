"""Reads on the shipped-goods ledger and receivables. Scope: the order's (a merchandiser sees the entries
and invoices of their orders only). States and balances are derived here, on reading, optionally as of
a past date (the month-end view, ageing on a given date)."""

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from gendan.accounts.models import User
from gendan.core.errors import NotFoundError
from gendan.ledger.models import (
    EntryKind,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    LedgerEntry,
    LedgerState,
    Payment,
    PaymentAllocation,
)
from gendan.orders.models import Order
from gendan.orders.selectors import order_visible_exists, order_visible_list
from gendan.parties.models import Customer
from gendan.shipping.models import Shipment, ShipmentLine, ShipmentStatus

ZERO = Decimal("0")
ZERO_MONEY = Decimal("0.00")
AGEING_BUCKETS = (("0-30", 0, 30), ("31-60", 31, 60), ("61-90", 61, 90), (">90", 91, None))


# ---------------------------------------------------------------------------------------------------------
# Scope


def ledger_entry_visible_list(*, user: User) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(order__in=order_visible_list(user=user).values("pk")).select_related(
        "customer", "order", "product", "shipment", "shipment_line"
    )


def invoice_visible_list(*, user: User) -> QuerySet[Invoice]:
    """Invoices all of whose lines belong to orders the user sees."""
    # the order of each line by EXISTS (primary key), not IN (every visible order id): see order_visible_exists
    visible_order = order_visible_exists(user=user)
    visible_line = InvoiceLine.objects.filter(visible_order, invoice=OuterRef("pk"))
    hidden_line = InvoiceLine.objects.filter(invoice=OuterRef("pk")).exclude(visible_order)
    return (
        Invoice.objects.filter(Exists(visible_line)).exclude(Exists(hidden_line)).select_related("customer")
    )


def invoice_list(*, user: User, filters: dict | None = None) -> QuerySet[Invoice]:
    filters = filters or {}
    qs = invoice_visible_list(user=user)
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if customer := filters.get("customer"):
        qs = qs.filter(customer_id=customer)
    if filters.get("open"):
        qs = qs.filter(status=InvoiceStatus.ISSUED, paid_amount__lt=F("total_amount"))
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(Q(number__icontains=q) | Q(customer__name__icontains=q))
    return qs.order_by("-invoice_date", "-id")


def invoice_get(*, user: User, pk: int | str) -> Invoice:
    try:
        return invoice_visible_list(user=user).get(pk=int(pk))
    except (Invoice.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Invoice not found.")) from None


def invoice_lines(*, invoice: Invoice) -> QuerySet[InvoiceLine]:
    return invoice.lines.select_related(
        "shipment_line__shipment", "shipment_line__order_line__product", "order"
    ).order_by("line_no")


def payment_visible_list(*, user: User) -> QuerySet[Payment]:
    """Payments allocated only to invoices the user sees."""
    visible = invoice_visible_list(user=user).values("pk")
    hidden = PaymentAllocation.objects.filter(payment=OuterRef("pk")).exclude(invoice__in=visible)
    shown = PaymentAllocation.objects.filter(payment=OuterRef("pk"), invoice__in=visible)
    return (
        Payment.objects.filter(Exists(shown))
        .exclude(Exists(hidden))
        .select_related("customer", "recorded_by")
    )


def shipment_invoice_numbers(*, shipment: Shipment) -> list[str]:
    """Numbers of the live invoices that bill part of this shipment."""
    return list(
        Invoice.objects.filter(lines__shipment_line__shipment=shipment, status=InvoiceStatus.ISSUED)
        .distinct()
        .order_by("number")
        .values_list("number", flat=True)
    )


# ---------------------------------------------------------------------------------------------------------
# Derived state of ledger entries


@dataclass
class EntryView:
    entry: LedgerEntry
    state: str
    received_on: dt.date | None = None
    invoiced_quantity: Decimal = ZERO
    invoiced_amount: Decimal = ZERO_MONEY
    paid_amount: Decimal = ZERO_MONEY
    invoices: list[str] = field(default_factory=list)

    @property
    def open_amount(self) -> Decimal:
        """What is still to be collected on this entry (0 for reversed entries)."""
        if self.state == LedgerState.REVERSED:
            return ZERO_MONEY
        return self.entry.amount - self.paid_amount

    @property
    def uninvoiced_amount(self) -> Decimal:
        if self.state == LedgerState.REVERSED:
            return ZERO_MONEY
        return self.entry.amount - self.invoiced_amount

    def get_state_display(self) -> str:
        return str(LedgerState(self.state).label)


def _invoice_paid(invoices: Iterable[Invoice], *, as_of: dt.date | None) -> dict[int, Decimal]:
    invoices = list(invoices)
    if as_of is None:
        return {invoice.pk: invoice.paid_amount for invoice in invoices}
    rows = (
        PaymentAllocation.objects.filter(
            invoice__in=[i.pk for i in invoices], payment__received_on__lte=as_of
        )
        .values("invoice_id")
        .annotate(total=Sum("amount"))
    )
    return {row["invoice_id"]: row["total"] for row in rows}


def _fifo_paid(lines: list[InvoiceLine], paid: Decimal) -> dict[int, Decimal]:
    """An invoice's payments applied to its lines in line order (exact to the cent)."""
    result = {}
    left = paid
    for line in lines:
        share = min(line.amount, max(left, ZERO_MONEY))
        result[line.pk] = share
        left -= share
    return result


def ledger_entry_states(entries: Iterable[LedgerEntry], *, as_of: dt.date | None = None) -> list[EntryView]:
    """Each entry with its state, invoiced and paid amounts (as of the end of `as_of`, or now)."""
    entries = list(entries)
    postings = [e for e in entries if e.kind == EntryKind.POSTING]
    reversal_q = LedgerEntry.objects.filter(kind=EntryKind.REVERSAL, reversal_of__in=[e.pk for e in postings])
    if as_of is not None:
        reversal_q = reversal_q.filter(posted_on__lte=as_of)
    reversed_ids = set(reversal_q.values_list("reversal_of_id", flat=True))
    line_ids = {e.shipment_line_id for e in postings}
    billing = InvoiceLine.objects.filter(shipment_line_id__in=line_ids, invoice__status=InvoiceStatus.ISSUED)
    if as_of is not None:
        billing = billing.filter(invoice__invoice_date__lte=as_of)
    invoice_ids = set(billing.values_list("invoice_id", flat=True))
    invoices = {i.pk: i for i in Invoice.objects.filter(pk__in=invoice_ids)}
    paid = _invoice_paid(invoices.values(), as_of=as_of)
    lines_by_invoice: dict[int, list[InvoiceLine]] = defaultdict(list)
    for line in InvoiceLine.objects.filter(invoice_id__in=invoice_ids).order_by("invoice_id", "line_no"):
        lines_by_invoice[line.invoice_id].append(line)
    per_line: dict[int, dict] = defaultdict(
        lambda: {"qty": ZERO, "amount": ZERO_MONEY, "paid": ZERO_MONEY, "nos": []}
    )
    for invoice_id, lines in lines_by_invoice.items():
        shares = _fifo_paid(lines, paid.get(invoice_id, ZERO_MONEY))
        for line in lines:
            if line.shipment_line_id not in line_ids:
                continue
            bucket = per_line[line.shipment_line_id]
            bucket["qty"] += line.quantity
            bucket["amount"] += line.amount
            bucket["paid"] += shares[line.pk]
            bucket["nos"].append(invoices[invoice_id].number)

    views = []
    for entry in entries:
        shipment = entry.shipment
        received_on = shipment.received_on
        if as_of is not None and received_on is not None and received_on > as_of:
            received_on = None
        if entry.kind == EntryKind.REVERSAL or entry.pk in reversed_ids:
            views.append(EntryView(entry=entry, state=LedgerState.REVERSED, received_on=received_on))
            continue
        billed = per_line.get(entry.shipment_line_id)
        view = EntryView(entry=entry, state=LedgerState.SHIPPED_NOT_RECEIVED, received_on=received_on)
        if billed:
            view.invoiced_quantity = billed["qty"]
            view.invoiced_amount = billed["amount"]
            view.paid_amount = billed["paid"]
            view.invoices = sorted(set(billed["nos"]))
        if view.invoiced_quantity >= entry.quantity and view.paid_amount >= view.invoiced_amount:
            view.state = LedgerState.PAID
        elif view.paid_amount > 0:
            view.state = LedgerState.PARTLY_PAID
        elif view.invoiced_quantity > 0:
            view.state = LedgerState.INVOICED_NOT_PAID
        elif received_on is not None:
            view.state = LedgerState.RECEIVED_NOT_INVOICED
        views.append(view)
    return views


def ledger_list(
    *, user: User, filters: dict | None = None, as_of: dt.date | None = None
) -> QuerySet[LedgerEntry]:
    filters = filters or {}
    qs = ledger_entry_visible_list(user=user)
    if as_of is not None:
        qs = qs.filter(posted_on__lte=as_of)
    if customer := filters.get("customer"):
        qs = qs.filter(customer_id=customer)
    if order := filters.get("order"):
        qs = qs.filter(order_id=order)
    if date_from := filters.get("date_from"):
        qs = qs.filter(posted_on__gte=date_from)
    if date_to := filters.get("date_to"):
        qs = qs.filter(posted_on__lte=date_to)
    return qs.order_by("posted_on", "id")


def ledger_views(
    *, user: User, filters: dict | None = None, as_of: dt.date | None = None, state: str | None = None
) -> list[EntryView]:
    views = ledger_entry_states(ledger_list(user=user, filters=filters, as_of=as_of), as_of=as_of)
    if state:
        views = [v for v in views if v.state == state]
    return views


@dataclass
class Totals:
    quantity: Decimal = ZERO
    amount: Decimal = ZERO_MONEY
    invoiced: Decimal = ZERO_MONEY
    paid: Decimal = ZERO_MONEY
    count: int = 0

    @property
    def uninvoiced(self) -> Decimal:
        return self.amount - self.invoiced

    @property
    def receivable(self) -> Decimal:
        return self.invoiced - self.paid

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid


def ledger_totals(views: Iterable[EntryView]) -> Totals:
    """Net quantity and amount (reversals included, so a cancelled shipment nets to zero), invoiced, paid."""
    totals = Totals()
    for view in views:
        totals.count += 1
        totals.quantity += view.entry.quantity
        totals.amount += view.entry.amount
        totals.invoiced += view.invoiced_amount
        totals.paid += view.paid_amount
    return totals


def ledger_totals_by_state(views: Iterable[EntryView]) -> list[dict]:
    groups: dict[str, Totals] = {state: Totals() for state in LedgerState.values}
    for view in views:
        group = groups[view.state]
        group.count += 1
        group.quantity += view.entry.quantity
        group.amount += view.entry.amount
        group.invoiced += view.invoiced_amount
        group.paid += view.paid_amount
    return [{"state": s, "label": LedgerState(s).label, "totals": groups[s]} for s in LedgerState.values]


def ledger_customer_balances(views: Iterable[EntryView]) -> list[dict]:
    """Per customer: shipped (net), invoiced, paid and the three balances."""
    by_customer: dict[int, dict] = {}
    for view in views:
        row = by_customer.setdefault(
            view.entry.customer_id, {"customer": view.entry.customer, "totals": Totals()}
        )
        totals = row["totals"]
        totals.count += 1
        totals.quantity += view.entry.quantity
        totals.amount += view.entry.amount
        totals.invoiced += view.invoiced_amount
        totals.paid += view.paid_amount
    return sorted(by_customer.values(), key=lambda r: r["customer"].code)


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def ledger_monthly_balances(*, user: User, year: int, customer: int | None = None) -> list[dict]:
    """Per customer and month of `year`: shipped, invoiced and paid in the month, and the closing balances
    (uninvoiced goods, receivable, outstanding) at the month's end."""
    filters = {"customer": customer} if customer else {}
    previous: dict[int, Totals] = {}
    opening_day = dt.date(year, 1, 1) - dt.timedelta(days=1)
    for row in ledger_customer_balances(ledger_views(user=user, filters=filters, as_of=opening_day)):
        previous[row["customer"].pk] = row["totals"]
    result = []
    for month in range(1, 13):
        end = month_end(year, month)
        closing = {
            row["customer"].pk: row
            for row in ledger_customer_balances(ledger_views(user=user, filters=filters, as_of=end))
        }
        for customer_id, row in sorted(closing.items(), key=lambda item: item[1]["customer"].code):
            before = previous.get(customer_id, Totals())
            now = row["totals"]
            moved = (now.amount - before.amount, now.invoiced - before.invoiced, now.paid - before.paid)
            if not any(moved) and not now.outstanding:
                continue
            result.append(
                {
                    "customer": row["customer"],
                    "month": f"{year}-{month:02d}",
                    "opening_outstanding": before.outstanding,
                    "shipped": moved[0],
                    "invoiced": moved[1],
                    "paid": moved[2],
                    "uninvoiced": now.uninvoiced,
                    "receivable": now.receivable,
                    "outstanding": now.outstanding,
                }
            )
        previous = {pk: row["totals"] for pk, row in closing.items()}
    return result


def ledger_month_end(*, user: User, year: int, month: int, customer: int | None = None) -> dict:
    """The ledger as it stood at the end of the month: open entries, totals per state, per customer."""
    as_of = month_end(year, month)
    filters = {"customer": customer} if customer else {}
    views = ledger_views(user=user, filters=filters, as_of=as_of)
    open_views = [v for v in views if v.state not in (LedgerState.PAID, LedgerState.REVERSED)]
    return {
        "as_of": as_of,
        "open_entries": open_views,
        "by_state": ledger_totals_by_state(views),
        "by_customer": ledger_customer_balances(views),
        "totals": ledger_totals(views),
        "open_totals": ledger_totals(open_views),
    }


# ---------------------------------------------------------------------------------------------------------
# Reconciliation: the ledger equals the shipments


@dataclass
class Reconciliation:
    shipment_quantity: Decimal = ZERO
    shipment_amount: Decimal = ZERO_MONEY
    ledger_quantity: Decimal = ZERO
    ledger_amount: Decimal = ZERO_MONEY
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def ledger_reconcile(*, shipments: QuerySet[Shipment] | None = None) -> Reconciliation:
    """Compare every shipment line with its ledger rows (live shipment: one posting with the same
    quantity, price, amount, customer and order; cancelled: the posting plus its exact reversal), the
    totals, and the receivables' arithmetic. Unscoped: for the scan, the admin and tests."""
    result = Reconciliation()
    shipments = shipments if shipments is not None else Shipment.objects.all()
    lines = ShipmentLine.objects.filter(shipment__in=shipments).select_related("shipment", "order_line")
    entries: dict[int, list[LedgerEntry]] = defaultdict(list)
    for entry in LedgerEntry.objects.filter(shipment__in=shipments):
        entries[entry.shipment_line_id].append(entry)
        result.ledger_quantity += entry.quantity
        result.ledger_amount += entry.amount
    seen: set[int] = set()
    for line in lines:
        seen.add(line.pk)
        shipment = line.shipment
        live = shipment.status != ShipmentStatus.CANCELLED
        if live:
            result.shipment_quantity += line.quantity
            result.shipment_amount += line.amount
        rows = entries.get(line.pk, [])
        postings = [e for e in rows if e.kind == EntryKind.POSTING]
        reversals = [e for e in rows if e.kind == EntryKind.REVERSAL]
        label = f"{shipment.number}/{line.line_no}"
        if len(postings) != 1:
            result.problems.append(
                _("%(line)s: %(n)d ledger postings instead of 1.") % {"line": label, "n": len(postings)}
            )
            continue
        posting = postings[0]
        if (posting.quantity, posting.unit_price, posting.amount) != (
            line.quantity,
            line.unit_price,
            line.amount,
        ):
            result.problems.append(
                _("%(line)s: the ledger posting differs from the shipment line.") % {"line": label}
            )
        if posting.customer_id != shipment.customer_id or posting.order_id != shipment.order_id:
            result.problems.append(
                _("%(line)s: the ledger posting names another customer or order.") % {"line": label}
            )
        expected_reversals = 0 if live else 1
        if len(reversals) != expected_reversals:
            result.problems.append(
                _("%(line)s: %(n)d reversals, expected %(e)d.")
                % {"line": label, "n": len(reversals), "e": expected_reversals}
            )
        elif reversals and (reversals[0].quantity, reversals[0].amount) != (
            -posting.quantity,
            -posting.amount,
        ):
            result.problems.append(_("%(line)s: the reversal does not cancel the posting.") % {"line": label})
    orphans = set(entries) - seen
    if orphans:
        result.problems.append(_("%(n)d ledger rows have no shipment line.") % {"n": len(orphans)})
    if (result.ledger_quantity, result.ledger_amount) != (result.shipment_quantity, result.shipment_amount):
        result.problems.append(
            _("Ledger totals %(lq)s / %(la)s differ from shipment totals %(sq)s / %(sa)s.")
            % {
                "lq": result.ledger_quantity,
                "la": result.ledger_amount,
                "sq": result.shipment_quantity,
                "sa": result.shipment_amount,
            }
        )
    result.problems.extend(receivables_check(shipments=shipments))
    return result


def receivables_check(*, shipments: QuerySet[Shipment] | None = None) -> list[str]:
    """Invoice total = its lines, paid = its allocations, a payment = its allocations, never more invoiced
    than shipped, nothing invoiced on a cancelled shipment."""
    problems = []
    invoices = Invoice.objects.all()
    if shipments is not None:
        invoices = invoices.filter(lines__shipment_line__shipment__in=shipments).distinct()
    invoices = invoices.annotate(
        lines_total=Sum("lines__amount", distinct=False),
    )
    for invoice in invoices:
        if invoice.lines_total != invoice.total_amount:
            problems.append(_("Invoice %(n)s: total differs from its lines.") % {"n": invoice.number})
        allocated = invoice.allocations.aggregate(total=Sum("amount"))["total"] or ZERO_MONEY
        if allocated != invoice.paid_amount:
            problems.append(
                _("Invoice %(n)s: paid amount differs from its payments.") % {"n": invoice.number}
            )
    payments = Payment.objects.all()
    if shipments is not None:
        payments = payments.filter(allocations__invoice__in=invoices.values("pk")).distinct()
    for payment in payments.annotate(allocated=Sum("allocations__amount")):
        if payment.allocated != payment.amount:
            problems.append(_("Payment %(id)s: amount differs from its allocations.") % {"id": payment.pk})
    lines = ShipmentLine.objects.all()
    if shipments is not None:
        lines = lines.filter(shipment__in=shipments)
    billed = lines.annotate(
        billed=Sum("invoice_lines__quantity", filter=Q(invoice_lines__invoice__status=InvoiceStatus.ISSUED))
    ).select_related("shipment")
    for line in billed:
        if line.billed and (line.billed > line.quantity or line.shipment.status == ShipmentStatus.CANCELLED):
            problems.append(
                _("%(line)s: invoiced %(b)s of %(q)s shipped.")
                % {"line": f"{line.shipment.number}/{line.line_no}", "b": line.billed, "q": line.quantity}
            )
    return problems


# ---------------------------------------------------------------------------------------------------------
# Receivables


@dataclass(frozen=True)
class InvoiceableLine:
    line: ShipmentLine
    invoiced: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.line.quantity - self.invoiced


def invoiced_quantities(*, shipment_line_ids: Iterable[int]) -> dict[int, Decimal]:
    rows = (
        InvoiceLine.objects.filter(
            shipment_line_id__in=list(shipment_line_ids), invoice__status=InvoiceStatus.ISSUED
        )
        .values("shipment_line_id")
        .annotate(total=Sum("quantity"))
    )
    return {row["shipment_line_id"]: row["total"] for row in rows}


def invoiced_amounts(*, shipment_line_ids: Iterable[int]) -> dict[int, Decimal]:
    rows = (
        InvoiceLine.objects.filter(
            shipment_line_id__in=list(shipment_line_ids), invoice__status=InvoiceStatus.ISSUED
        )
        .values("shipment_line_id")
        .annotate(total=Sum("amount"))
    )
    return {row["shipment_line_id"]: row["total"] for row in rows}


def invoiceable_lines(*, user: User, customer: Customer | None = None) -> list[InvoiceableLine]:
    """Shipped (not cancelled) quantities not yet invoiced, within the user's scope."""
    qs = ShipmentLine.objects.filter(
        shipment__order__in=order_visible_list(user=user).values("pk"),
        shipment__status__in=(ShipmentStatus.SHIPPED, ShipmentStatus.RECEIVED),
    ).select_related("shipment__customer", "shipment__order", "order_line__product")
    if customer is not None:
        qs = qs.filter(shipment__customer=customer)
    lines = list(qs.order_by("shipment__ship_date", "shipment_id", "line_no"))
    invoiced = invoiced_quantities(shipment_line_ids=[line.pk for line in lines])
    result = [InvoiceableLine(line=line, invoiced=invoiced.get(line.pk, ZERO)) for line in lines]
    return [item for item in result if item.remaining > 0]


def _paid_as_of_q(as_of: dt.date) -> Sum:
    return Sum("allocations__amount", filter=Q(allocations__payment__received_on__lte=as_of))


def invoices_open_as_of(*, qs: QuerySet[Invoice], as_of: dt.date) -> list[Invoice]:
    """Invoices issued by `as_of` with an open amount then (`open_as_of`, `age_days` set on each)."""
    rows = []
    for invoice in qs.filter(status=InvoiceStatus.ISSUED, invoice_date__lte=as_of).annotate(
        paid_then=_paid_as_of_q(as_of)
    ):
        invoice.open_as_of = invoice.total_amount - (invoice.paid_then or ZERO_MONEY)
        if invoice.open_as_of <= 0:
            continue
        invoice.age_days = (as_of - invoice.invoice_date).days
        invoice.overdue_days = max((as_of - invoice.due_date).days, 0)
        rows.append(invoice)
    return rows


def ageing_bucket(days: int) -> str:
    for label, low, high in AGEING_BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    return AGEING_BUCKETS[0][0]


def receivables_ageing(*, user: User, as_of: dt.date, customer: int | None = None) -> dict:
    """Open amounts on `as_of` by age since the invoice date: 0–30, 31–60, 61–90, >90 days; per customer
    and in total."""
    qs = invoice_visible_list(user=user)
    if customer:
        qs = qs.filter(customer_id=customer)
    labels = [label for label, _low, _high in AGEING_BUCKETS]
    by_customer: dict[int, dict] = {}
    totals = dict.fromkeys(labels, ZERO_MONEY)
    invoices = invoices_open_as_of(qs=qs, as_of=as_of)
    for invoice in invoices:
        bucket = ageing_bucket(invoice.age_days)
        invoice.bucket = bucket
        row = by_customer.setdefault(
            invoice.customer_id,
            {"customer": invoice.customer, "buckets": dict.fromkeys(labels, ZERO_MONEY), "total": ZERO_MONEY},
        )
        row["buckets"][bucket] += invoice.open_as_of
        row["total"] += invoice.open_as_of
        totals[bucket] += invoice.open_as_of
    return {
        "as_of": as_of,
        "labels": labels,
        "customers": sorted(by_customer.values(), key=lambda r: r["customer"].code),
        "invoices": sorted(invoices, key=lambda i: (i.customer.code, i.invoice_date, i.pk)),
        "totals": totals,
        "total": sum(totals.values(), ZERO_MONEY),
    }


def overdue_invoices(*, qs: QuerySet[Invoice], as_of: dt.date) -> list[Invoice]:
    """Open invoices of `qs` past their due date on `as_of`, most overdue first, each with its `orders`."""
    invoices = [i for i in invoices_open_as_of(qs=qs, as_of=as_of) if i.due_date < as_of]
    orders = defaultdict(list)
    for line in InvoiceLine.objects.filter(invoice__in=[i.pk for i in invoices]).select_related(
        "order__merchandiser", "order__salesperson"
    ):
        if line.order not in orders[line.invoice_id]:
            orders[line.invoice_id].append(line.order)
    for invoice in invoices:
        invoice.orders = orders[invoice.pk]
    return sorted(invoices, key=lambda i: (-i.overdue_days, i.pk))


def dunning_list(*, user: User, as_of: dt.date) -> list[Invoice]:
    """The merchandiser's collection list (催款): their open invoices past the due date on `as_of`, most
    overdue first, with the orders' merchandisers and salespeople (散单/现金单 are due on the invoice date)."""
    return overdue_invoices(qs=invoice_visible_list(user=user), as_of=as_of)


def customer_receivables(*, customer: Customer) -> Decimal:
    """The customer's open invoiced balance (unscoped: for the credit check)."""
    totals = Invoice.objects.filter(customer=customer, status=InvoiceStatus.ISSUED).aggregate(
        total=Sum("total_amount"), paid=Sum("paid_amount")
    )
    return (totals["total"] or ZERO_MONEY) - (totals["paid"] or ZERO_MONEY)


def orders_invoiced_amount(*, order_ids: Iterable[int] | QuerySet) -> Decimal:
    # A queryset stays a subquery: a big customer's open orders would not fit in a parameter list.
    ids = order_ids if isinstance(order_ids, QuerySet) else list(order_ids)
    return (
        InvoiceLine.objects.filter(order_id__in=ids, invoice__status=InvoiceStatus.ISSUED).aggregate(
            total=Sum("amount")
        )["total"]
        or ZERO_MONEY
    )


def customers_receivables(*, customer_ids: Iterable[int]) -> dict[int, Decimal]:
    """customer_receivables for many customers in one query (every id answered, 0.00 when nothing is open)."""
    ids = list(customer_ids)
    totals = {
        row["customer_id"]: row
        for row in Invoice.objects.filter(customer_id__in=ids, status=InvoiceStatus.ISSUED)
        .values("customer_id")
        .annotate(total=Sum("total_amount"), paid=Sum("paid_amount"))
        .order_by()
    }
    empty = {"total": None, "paid": None}
    return {
        pk: (totals.get(pk, empty)["total"] or ZERO_MONEY) - (totals.get(pk, empty)["paid"] or ZERO_MONEY)
        for pk in ids
    }


def customers_orders_invoiced_amount(*, orders: QuerySet[Order]) -> dict[int, Decimal]:
    """orders_invoiced_amount of `orders` per customer, in one query ({customer id: amount}; a customer
    without invoiced lines is left out)."""
    return {
        row["order__customer_id"]: row["total"] or ZERO_MONEY
        for row in InvoiceLine.objects.filter(
            order_id__in=orders.values("pk"), invoice__status=InvoiceStatus.ISSUED
        )
        .values("order__customer_id")
        .annotate(total=Sum("amount"))
        .order_by()
    }


def order_is_settled(*, order: Order) -> bool:
    """Every live ledger entry of the order is invoiced in full and paid (and there is at least one)."""
    views = ledger_entry_states(order.ledger_entries.select_related("shipment", "customer"))
    live = [v for v in views if v.state != LedgerState.REVERSED]
    return bool(live) and all(v.state == LedgerState.PAID for v in live)


def invoices_open_for_orders(*, order_ids: list[int]) -> QuerySet[Invoice]:
    """Issued invoices with an open amount that bill any of these orders (the caller scoped the orders)."""
    billed = InvoiceLine.objects.filter(invoice=OuterRef("pk"), order__in=order_ids)
    return (
        Invoice.objects.filter(Exists(billed), status=InvoiceStatus.ISSUED, paid_amount__lt=F("total_amount"))
        .select_related("customer")
        .order_by("due_date", "pk")
    )
