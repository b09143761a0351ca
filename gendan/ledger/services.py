"""Writes on the shipped-goods ledger (posted by gendan.shipping, never typed) and on receivables:
invoices from shipped quantities, payments over one or several invoices, overdue reminders."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import Department, User
from gendan.core.errors import (
    ApplicationError,
    NotFoundError,
    PermissionDeniedError,
    TransitionError,
    ValidationFailed,
)
from gendan.core.numbering import document_number_next
from gendan.core.numbers import number_text
from gendan.core.parsing import (
    FieldErrors,
    blank,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    parse_text,
)
from gendan.core.workflow import transition_check
from gendan.ledger.models import (
    EntryKind,
    Invoice,
    InvoiceEvent,
    InvoiceLine,
    InvoiceStatus,
    LedgerEntry,
    Payment,
    PaymentAllocation,
    PaymentMethod,
)
from gendan.ledger.selectors import (
    invoice_visible_list,
    invoiced_amounts,
    invoiced_quantities,
    month_end,
    order_is_settled,
    overdue_invoices,
)
from gendan.orders.models import Order, OrderEvent, OrderStatus
from gendan.orders.selectors import order_visible_list
from gendan.orders.services import order_close, order_event_record, order_settle
from gendan.orders.workflows import ORDER_TRANSITIONS
from gendan.parties.models import PaymentTermsType
from gendan.shipping.models import Shipment, ShipmentLine, ShipmentStatus

INVOICE_SERIES = "IV"
CENT = Decimal("0.01")
MAX_LINES = 500


class AlreadyPostedError(ApplicationError):
    code = "already_posted"
    status = 409


class InvoiceQuantityError(ApplicationError):
    """More invoiced than shipped (and not yet invoiced)."""

    code = "invoice_over_shipped"
    status = 400


class OverPaymentError(ApplicationError):
    code = "payment_exceeds_open"
    status = 400


class InvoicePaidError(ApplicationError):
    code = "invoice_has_payments"
    status = 409


def _is_finance(actor: User) -> bool:
    return actor.has_role(R.REVIEWER) and actor.department_code == Department.Code.FINANCE


def _ensure_may_invoice(actor: User) -> None:
    if (
        actor.is_active
        and not actor.is_read_only
        and (actor.has_role(R.MERCHANDISER, R.SUPERVISOR, R.ADMIN) or _is_finance(actor))
    ):
        return
    raise PermissionDeniedError(_("Your role may not issue invoices."), code="role_not_allowed")


def _ensure_may_collect(actor: User) -> None:
    if (
        actor.is_active
        and not actor.is_read_only
        and (actor.has_role(R.SUPERVISOR, R.ADMIN) or _is_finance(actor))
    ):
        return
    raise PermissionDeniedError(
        _("Only finance, a supervisor or an administrator records payments."), code="role_not_allowed"
    )


def _fail(fields: dict[str, list[str]], error: type[ApplicationError] = ValidationFailed) -> None:
    """Raise with every field message joined into the headline, so a view's flash message is complete."""
    text = " ".join(message for messages in fields.values() for message in messages)
    if error is ValidationFailed:
        raise ValidationFailed(fields, message=text)
    raise error(text, extra={"fields": fields})


# ---------------------------------------------------------------------------------------------------------
# Ledger postings (called by gendan.shipping inside the shipment's transaction)


def ledger_shipment_post(*, shipment: Shipment, actor: User) -> list[LedgerEntry]:
    """One ledger entry per shipment line, at the line's quantity, price and amount."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger postings belong to the shipment's transaction")
    if LedgerEntry.objects.filter(shipment=shipment, kind=EntryKind.POSTING).exists():
        raise AlreadyPostedError(_("Shipment %(n)s is already in the ledger.") % {"n": shipment.number})
    lines = list(shipment.lines.select_related("order_line").order_by("line_no"))
    return LedgerEntry.objects.bulk_create(
        LedgerEntry(
            kind=EntryKind.POSTING,
            posted_on=shipment.ship_date,
            shipment=shipment,
            shipment_line=line,
            customer_id=shipment.customer_id,
            order_id=shipment.order_id,
            order_line=line.order_line,
            product_id=line.order_line.product_id,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=line.amount,
            currency=shipment.currency,
            created_by=actor,
        )
        for line in lines
    )


def ledger_shipment_reverse(*, shipment: Shipment, actor: User, on: dt.date) -> list[LedgerEntry]:
    """A reversal row (negative quantity and amount) for each of the shipment's postings."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger reversals belong to the cancellation's transaction")
    postings = list(
        LedgerEntry.objects.filter(shipment=shipment, kind=EntryKind.POSTING, reversal__isnull=True).order_by(
            "id"
        )
    )
    return LedgerEntry.objects.bulk_create(
        LedgerEntry(
            kind=EntryKind.REVERSAL,
            posted_on=max(on, posting.posted_on),
            shipment=shipment,
            shipment_line_id=posting.shipment_line_id,
            reversal_of=posting,
            customer_id=posting.customer_id,
            order_id=posting.order_id,
            order_line_id=posting.order_line_id,
            product_id=posting.product_id,
            quantity=-posting.quantity,
            unit_price=posting.unit_price,
            amount=-posting.amount,
            currency=posting.currency,
            created_by=actor,
        )
        for posting in postings
    )


# ---------------------------------------------------------------------------------------------------------
# Invoices


def invoice_due_date(*, terms: str, days: int, invoice_date: dt.date) -> dt.date:
    """月结 N 天: the end of the invoice's month + N days; net N: invoice date + N; payment before shipment,
    deposit (the balance is due before shipment) and cash: due on the invoice date."""
    if terms == PaymentTermsType.MONTHLY:
        return month_end(invoice_date.year, invoice_date.month) + dt.timedelta(days=days)
    if terms == PaymentTermsType.NET:
        return invoice_date + dt.timedelta(days=days)
    return invoice_date


@dataclass
class _Billing:
    line: ShipmentLine
    quantity: Decimal
    amount: Decimal


def _requested_lines(
    data: Mapping[str, Any], errors: FieldErrors, *, actor: User
) -> list[tuple[int, Decimal | None, str]]:
    """(shipment line id, quantity or None for "the rest", field path) from `lines` and `shipments`."""
    requested: list[tuple[int, Decimal | None, str]] = []
    raw_lines = data.get("lines") or []
    raw_shipments = data.get("shipments") or []
    if not isinstance(raw_lines, list) or not isinstance(raw_shipments, list):
        errors.add("lines", _("Invalid lines."))
        return []
    if len(raw_lines) > MAX_LINES or len(raw_shipments) > MAX_LINES:
        errors.add("lines", _("At most %(n)d lines.") % {"n": MAX_LINES})
        return []
    for index, raw in enumerate(raw_lines):
        prefix = f"lines.{index}."
        if not isinstance(raw, Mapping):
            errors.add(f"lines.{index}", _("Invalid line."))
            continue
        line_id = parse_int(raw.get("shipment_line"), prefix + "shipment_line", errors)
        quantity = None
        if not blank(raw.get("quantity")):
            quantity = parse_decimal(
                raw.get("quantity"),
                prefix + "quantity",
                errors,
                places=3,
                minimum=Decimal(0),
                exclusive_minimum=True,
            )
            if quantity is None:
                continue
        if line_id is not None:
            requested.append((line_id, quantity, prefix + "quantity"))
    for index, raw in enumerate(raw_shipments):
        shipment_id = parse_int(raw, f"shipments.{index}", errors)
        if shipment_id is None:
            continue
        ids = list(
            ShipmentLine.objects.filter(
                shipment_id=shipment_id, shipment__order__in=order_visible_list(user=actor).values("pk")
            )
            .order_by("line_no")
            .values_list("pk", flat=True)
        )
        if not ids:
            errors.add(f"shipments.{index}", _("Unknown shipment."))
        requested.extend((line_id, None, f"shipments.{index}") for line_id in ids)
    if not requested and not errors:
        errors.add("lines", _("Choose the shipped quantities to invoice."))
    return requested


@transaction.atomic
def invoice_create(*, actor: User, data: Mapping[str, Any]) -> Invoice:
    """Invoice shipped quantities of one customer (one shipment or several; whole or part of a line).
    Never more than was shipped and not yet invoiced; the shipment lines are locked while checking."""
    _ensure_may_invoice(actor)
    errors = FieldErrors()
    invoice_date = parse_date(data.get("invoice_date"), "invoice_date", errors)
    if invoice_date and invoice_date > timezone.localdate():
        errors.add("invoice_date", _("The invoice date cannot be in the future."))
    notes = parse_text(data.get("notes"), "notes", errors, max_length=300)
    requested = _requested_lines(data, errors, actor=actor)
    errors.raise_if_any()
    assert invoice_date is not None

    visible_orders = order_visible_list(user=actor).values("pk")
    line_ids = sorted({line_id for line_id, _qty, _path in requested})
    shipment_ids = sorted(
        set(ShipmentLine.objects.filter(pk__in=line_ids).values_list("shipment_id", flat=True))
    )
    # Lock the shipments (a concurrent cancellation) and then their lines (a concurrent invoice).
    shipments = {
        s.pk: s
        for s in Shipment.objects.select_for_update()
        .filter(pk__in=shipment_ids, order__in=visible_orders)
        .order_by("pk")
    }
    lines = {
        line.pk: line
        for line in ShipmentLine.objects.select_for_update()
        .filter(pk__in=line_ids, shipment_id__in=list(shipments))
        .select_related("order_line__product")
        .order_by("pk")
    }
    done_qty = invoiced_quantities(shipment_line_ids=lines)
    done_amount = invoiced_amounts(shipment_line_ids=lines)
    fields: dict[str, list[str]] = {}
    billing: dict[int, _Billing] = {}
    for line_id, quantity, path in requested:
        line = lines.get(line_id)
        if line is None:
            fields.setdefault(path, []).append(_("Unknown shipment line."))
            continue
        shipment = shipments[line.shipment_id]
        label = f"{shipment.number}/{line.line_no} ({line.order_line.product.code})"
        if shipment.status == ShipmentStatus.CANCELLED:
            fields.setdefault(path, []).append(_("%(line)s: the shipment is cancelled.") % {"line": label})
            continue
        if line_id in billing:
            fields.setdefault(path, []).append(_("%(line)s appears twice.") % {"line": label})
            continue
        invoiced = done_qty.get(line_id, Decimal("0"))
        remaining = line.quantity - invoiced
        wanted = remaining if quantity is None else quantity
        if wanted <= 0 or wanted > remaining:
            fields.setdefault(path, []).append(
                _(
                    "%(line)s: %(shipped)s shipped and %(invoiced)s already invoiced, so at most %(remaining)s "
                    "can be invoiced, not %(wanted)s."
                )
                % {
                    "line": label,
                    "shipped": number_text(line.quantity),
                    "invoiced": number_text(invoiced),
                    "remaining": number_text(remaining),
                    "wanted": number_text(quantity if quantity is not None else remaining),
                }
            )
            continue
        if invoice_date < shipment.ship_date:
            fields.setdefault("invoice_date", []).append(
                _("The invoice date is before the ship date of %(n)s (%(d)s).")
                % {"n": shipment.number, "d": shipment.ship_date.isoformat()}
            )
            continue
        if wanted == remaining:  # the last part of a line takes what is left of its amount, to the cent
            amount = line.amount - done_amount.get(line_id, Decimal("0"))
        else:
            amount = (wanted * line.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
        billing[line_id] = _Billing(line=line, quantity=wanted, amount=amount)
    if fields:
        _fail(fields, InvoiceQuantityError)
    customers = {shipments[b.line.shipment_id].customer_id for b in billing.values()}
    currencies = {shipments[b.line.shipment_id].currency for b in billing.values()}
    if len(customers) != 1 or len(currencies) != 1:
        _fail({"lines": [_("One invoice covers shipments of one customer in one currency.")]})
    total = sum((b.amount for b in billing.values()), Decimal("0"))
    if total <= 0:
        _fail({"lines": [_("The invoice total must be more than zero.")]})
    first = shipments[next(iter(billing.values())).line.shipment_id]
    customer = first.customer
    invoice = Invoice(
        number=document_number_next(series=INVOICE_SERIES, year=invoice_date.year),
        customer=customer,
        currency=first.currency,
        invoice_date=invoice_date,
        due_date=invoice_due_date(
            terms=customer.payment_terms, days=customer.payment_days, invoice_date=invoice_date
        ),
        payment_terms=customer.payment_terms,
        payment_days=customer.payment_days,
        total_amount=total,
        notes=notes,
        created_by=actor,
    )
    invoice.save(force_insert=True)
    ordered = sorted(
        billing.values(),
        key=lambda b: (shipments[b.line.shipment_id].ship_date, b.line.shipment_id, b.line.line_no),
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            line_no=number,
            shipment_line=b.line,
            order_id=shipments[b.line.shipment_id].order_id,
            quantity=b.quantity,
            unit_price=b.line.unit_price,
            amount=b.amount,
        )
        for number, b in enumerate(ordered, start=1)
    )
    InvoiceEvent.objects.create(
        invoice=invoice,
        type=InvoiceEvent.Type.ISSUED,
        actor=actor,
        to_status=invoice.status,
        data={"total_amount": str(total), "due_date": invoice.due_date.isoformat()},
    )
    for order_id in sorted({shipments[b.line.shipment_id].order_id for b in billing.values()}):
        order_event_record(
            order=Order.objects.get(pk=order_id),
            type=OrderEvent.Type.INVOICED,
            actor=actor,
            data={
                "invoice": invoice.number,
                "amount": str(
                    sum(
                        (
                            b.amount
                            for b in billing.values()
                            if shipments[b.line.shipment_id].order_id == order_id
                        ),
                        Decimal("0"),
                    )
                ),
            },
        )
    return invoice


def _invoice_locked(invoice: Invoice, actor: User) -> Invoice:
    locked = Invoice.objects.select_for_update().filter(pk=invoice.pk).first()
    if locked is None or not invoice_visible_list(user=actor).filter(pk=invoice.pk).exists():
        raise NotFoundError(_("Invoice not found."))
    return locked


@transaction.atomic
def invoice_cancel(*, invoice: Invoice, actor: User, reason: str) -> Invoice:
    """Cancel an unpaid invoice; its quantities become invoiceable again."""
    _ensure_may_invoice(actor)
    current = _invoice_locked(invoice, actor)
    if current.status != InvoiceStatus.ISSUED:
        raise TransitionError(_("This invoice is already cancelled."), code="invoice_cancelled")
    if current.paid_amount > 0:
        raise InvoicePaidError(
            _("Invoice %(n)s has payments (%(paid)s): it cannot be cancelled.")
            % {"n": current.number, "paid": current.paid_amount}
        )
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        _fail({"reason": [_("Give a reason (at most 300 characters).")]})
    current.status, current.cancel_reason, current.cancelled_at = (
        InvoiceStatus.CANCELLED,
        reason,
        timezone.now(),
    )
    current.version += 1
    current.save(update_fields=["status", "cancel_reason", "cancelled_at", "version", "updated_at"])
    InvoiceEvent.objects.create(
        invoice=current,
        type=InvoiceEvent.Type.CANCELLED,
        actor=actor,
        from_status=InvoiceStatus.ISSUED,
        to_status=current.status,
        note=reason,
    )
    for order in Order.objects.filter(invoice_lines__invoice=current).distinct():
        order_event_record(
            order=order,
            type=OrderEvent.Type.INVOICE_CANCELLED,
            actor=actor,
            note=reason,
            data={"invoice": current.number},
        )
    return current


# ---------------------------------------------------------------------------------------------------------
# Payments


@transaction.atomic
def payment_record(*, actor: User, data: Mapping[str, Any]) -> Payment:
    """Money received, allocated over one or several invoices of one customer. Each allocation is at most
    the invoice's open amount (checked on the locked invoices; a constraint backs it), and the allocations
    add up to the payment. Orders that are delivered and now paid in full are closed."""
    _ensure_may_collect(actor)
    errors = FieldErrors()
    received_on = parse_date(data.get("received_on"), "received_on", errors)
    if received_on and received_on > timezone.localdate():
        errors.add("received_on", _("The date cannot be in the future."))
    method = parse_choice(data.get("method"), "method", errors, PaymentMethod, default=PaymentMethod.BANK)
    reference = parse_text(data.get("reference"), "reference", errors, max_length=100)
    note = parse_text(data.get("note"), "note", errors, max_length=300)
    amount = None
    if not blank(data.get("amount")):
        amount = parse_decimal(
            data.get("amount"), "amount", errors, minimum=Decimal(0), exclusive_minimum=True
        )
    raw_allocations = data.get("allocations") or []
    if not isinstance(raw_allocations, list) or not raw_allocations or len(raw_allocations) > MAX_LINES:
        errors.add("allocations", _("Allocate the payment to at least one invoice."))
        raw_allocations = []
    wanted: dict[int, tuple[Decimal, str]] = {}
    for index, raw in enumerate(raw_allocations):
        prefix = f"allocations.{index}."
        if not isinstance(raw, Mapping):
            errors.add(f"allocations.{index}", _("Invalid line."))
            continue
        if blank(raw.get("amount")):
            continue
        invoice_id = parse_int(raw.get("invoice"), prefix + "invoice", errors)
        share = parse_decimal(
            raw.get("amount"), prefix + "amount", errors, minimum=Decimal(0), exclusive_minimum=True
        )
        if invoice_id is None or share is None:
            continue
        if invoice_id in wanted:
            errors.add(prefix + "invoice", _("This invoice appears twice."))
            continue
        wanted[invoice_id] = (share, prefix + "amount")
    if not wanted and "allocations" not in errors.fields and not errors:
        errors.add("allocations", _("Allocate the payment to at least one invoice."))
    allocated = sum((share for share, _path in wanted.values()), Decimal("0"))
    if amount is not None and wanted and allocated != amount:
        errors.add(
            "amount",
            _("The allocations add up to %(allocated)s, not the payment's %(amount)s.")
            % {"allocated": allocated, "amount": amount},
        )
    if errors:
        _fail(dict(errors.fields))
    assert received_on is not None

    visible = invoice_visible_list(user=actor).values("pk")
    invoices = {
        i.pk: i
        for i in Invoice.objects.select_for_update()
        .filter(pk__in=sorted(wanted))
        .filter(pk__in=visible)
        .order_by("pk")
    }
    fields: dict[str, list[str]] = {}
    exceeded = False
    for invoice_id, (share, path) in wanted.items():
        invoice = invoices.get(invoice_id)
        if invoice is None:
            fields.setdefault(path, []).append(_("Unknown invoice."))
            continue
        if invoice.status != InvoiceStatus.ISSUED:
            fields.setdefault(path, []).append(_("Invoice %(n)s is cancelled.") % {"n": invoice.number})
            continue
        open_amount = invoice.total_amount - invoice.paid_amount
        if share > open_amount:
            exceeded = True
            fields.setdefault(path, []).append(
                _("Invoice %(n)s has %(open)s open; a payment of %(share)s would exceed it.")
                % {"n": invoice.number, "open": open_amount, "share": share}
            )
    if fields:
        _fail(fields, OverPaymentError if exceeded else ValidationFailed)
    customers = {i.customer_id for i in invoices.values()}
    currencies = {i.currency for i in invoices.values()}
    if len(customers) != 1 or len(currencies) != 1:
        _fail({"allocations": [_("One payment covers invoices of one customer in one currency.")]})
    first = next(iter(invoices.values()))
    payment = Payment.objects.create(
        customer_id=first.customer_id,
        received_on=received_on,
        amount=allocated,
        currency=first.currency,
        method=method,
        reference=reference,
        note=note,
        recorded_by=actor,
    )
    PaymentAllocation.objects.bulk_create(
        PaymentAllocation(payment=payment, invoice_id=invoice_id, amount=share)
        for invoice_id, (share, _path) in sorted(wanted.items())
    )
    touched_orders: set[int] = set()
    for invoice_id, (share, _path) in sorted(wanted.items()):
        Invoice.objects.filter(pk=invoice_id).update(
            paid_amount=F("paid_amount") + share, version=F("version") + 1, updated_at=timezone.now()
        )
        InvoiceEvent.objects.create(
            invoice_id=invoice_id,
            type=InvoiceEvent.Type.PAYMENT,
            actor=actor,
            data={"payment": payment.pk, "amount": str(share), "received_on": received_on.isoformat()},
        )
        touched_orders.update(
            InvoiceLine.objects.filter(invoice_id=invoice_id).values_list("order_id", flat=True)
        )
    for order in Order.objects.filter(pk__in=touched_orders).order_by("pk"):
        order_event_record(
            order=order,
            type=OrderEvent.Type.PAYMENT_RECEIVED,
            actor=actor,
            data={
                "payment": payment.pk,
                "amount": str(payment.amount),
                "invoices": [invoices[i].number for i in sorted(wanted)],
            },
        )
        order_close_if_settled(order=order, actor=actor)
    return payment


def order_close_if_settled(*, order: Order, actor: User) -> bool:
    """Close a delivered order once every ledger entry of it is invoiced and paid (已结清). Called after the
    last receipt (gendan.shipping) and after each payment, so whichever comes second closes it, whoever
    recorded it (the table's `settle` step, a consequence rather than a decision)."""
    order.refresh_from_db(fields=["status", "version"])
    if order.status != OrderStatus.DELIVERED or not order_is_settled(order=order):
        return False
    order_settle(order=order, actor=actor, data={"settled": True})
    return True


class OrderNotSettledError(ApplicationError):
    code = "not_settled"
    status = 409


@transaction.atomic
def order_close_settled(*, order: Order, actor: User, reason: str = "") -> Order:
    """The manual close of a delivered order (supervisor, finance): refused while anything shipped is not
    yet invoiced and paid. Status and role are checked first (the table's refusals), then "settled"."""
    if not actor.is_active or actor.is_read_only:
        raise PermissionDeniedError(_("Your account is read-only."), code="read_only")
    order.refresh_from_db(fields=["status", "version"])
    transition_check(ORDER_TRANSITIONS, "close", order.status, set(actor.roles))
    if not order_is_settled(order=order):
        raise OrderNotSettledError(
            _("Order %(order)s is not settled yet: every shipment must be invoiced and paid before closing.")
            % {"order": order.number}
        )
    return order_close(order=order, actor=actor, reason=reason, data={"settled": True})


# ---------------------------------------------------------------------------------------------------------
# Overdue reminders (run by the scan)


def receivables_overdue_remind(*, as_of: dt.date | None = None) -> int:
    """Remind the merchandisers and salespeople of every overdue invoice, at most once per invoice and ISO
    week. Returns the number of invoices reminded about."""
    from gendan.notify.services import notify

    as_of = as_of or timezone.localdate()
    reminded = 0
    year, week, _day = as_of.isocalendar()
    for invoice in overdue_invoices(qs=Invoice.objects.select_related("customer"), as_of=as_of):
        recipients = {}
        for order in invoice.orders:
            recipients[order.merchandiser_id] = order.merchandiser
            if order.salesperson_id:
                recipients[order.salesperson_id] = order.salesperson
        with transaction.atomic():
            created = notify(
                recipients=list(recipients.values()),
                kind="receivable.overdue",
                title=_("Invoice %(n)s of %(customer)s: %(open)s overdue by %(days)d days")
                % {
                    "n": invoice.number,
                    "customer": invoice.customer.name,
                    "open": invoice.open_as_of,
                    "days": invoice.overdue_days,
                },
                body=_("Due on %(due)s. Please chase the payment (催款).")
                % {"due": invoice.due_date.isoformat()},
                link=f"/ledger/invoices/{invoice.pk}/",
                dedupe_key=f"invoice-overdue:{invoice.pk}:{year}-W{week:02d}",
                order_id=invoice.orders[0].pk if invoice.orders else None,
            )
            if created:
                reminded += 1
                InvoiceEvent.objects.create(
                    invoice=invoice,
                    type=InvoiceEvent.Type.REMINDER,
                    data={
                        "as_of": as_of.isoformat(),
                        "open": str(invoice.open_as_of),
                        "days": invoice.overdue_days,
                    },
                )
    return reminded


def invoice_printed(*, invoice: Invoice, actor: User) -> None:
    """The invoice was printed: on the invoice's record (not a user edit)."""
    InvoiceEvent.objects.create(invoice=invoice, type=InvoiceEvent.Type.PRINTED, actor=actor)
