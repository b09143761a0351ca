"""Writes on shipments (成品发运) and the sample register (寄样).

A shipment is recorded when the goods leave. In the same transaction: the over-shipment check on the
locked order lines, the quality gate, the ledger posting (发出商品台账), the order status derived from the
shipped quantities, the timeline and the notifications. Cancelling reverses all of it; nothing is deleted.
"""

import datetime as dt
import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
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
from gendan.orders.models import Order, OrderEvent, OrderLine, OrderStatus
from gendan.orders.selectors import order_visible_list
from gendan.orders.services import order_deliver, order_event_record, order_shipping_status_apply
from gendan.parties.selectors import customer_visible_list
from gendan.shipping.models import (
    SampleDispatch,
    SampleFeedback,
    SampleType,
    Shipment,
    ShipmentEvent,
    ShipmentLine,
    ShipmentStatus,
    TransportMode,
)
from gendan.shipping.selectors import (
    order_shipping_progress,
    order_shipping_target,
    shipment_visible_list,
)
from gendan.shipping.workflows import SHIPMENT_TRANSITIONS, SHIPPERS

SHIPMENT_SERIES = "SH"
CENT = Decimal("0.01")
MAX_LINES = 500
SHIPPABLE_STATUSES = (OrderStatus.IN_PRODUCTION, OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED)


class OverShipmentError(ApplicationError):
    code = "over_shipment"
    status = 400


class ShippingBlockedError(ApplicationError):
    """The quality gate (gendan.quality) refuses the shipment."""

    code = "shipping_blocked"
    status = 409


class ShipmentInvoicedError(ApplicationError):
    code = "shipment_invoiced"
    status = 409


def _ensure_can_write(actor: User, roles: tuple[str, ...] = SHIPPERS) -> None:
    if not actor.is_active or actor.is_read_only or not actor.has_role(*roles):
        raise PermissionDeniedError(_("Your role may not do this."), code="role_not_allowed")


def _money(quantity: Decimal, price: Decimal) -> Decimal:
    return (quantity * price).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class ShipmentLineData:
    order_line: OrderLine
    quantity: Decimal
    cartons: int
    quantity_per_carton: Decimal
    gross_weight_kg: Decimal
    net_weight_kg: Decimal
    volume_m3: Decimal


@dataclass
class ShipmentData:
    ship_date: dt.date
    expected_arrival: dt.date
    transport_mode: str
    carrier: str
    tracking_number: str
    ship_to: str
    notes: str
    lines: list[ShipmentLineData]


def shipment_data_validate(raw: Mapping[str, Any], *, order: Order) -> ShipmentData:
    """Parse a shipment of `order`; raises ValidationFailed naming every bad field. Saves nothing.

    Lines: [{"order_line": <id> or "line_no": <n>, "quantity", "cartons", "quantity_per_carton",
    "gross_weight_kg", "net_weight_kg", "volume_m3"}]; lines with a blank quantity are skipped.
    """
    errors = FieldErrors()
    today = timezone.localdate()
    ship_date = parse_date(raw.get("ship_date"), "ship_date", errors)
    expected_arrival = parse_date(raw.get("expected_arrival"), "expected_arrival", errors)
    if ship_date:
        if ship_date > today:
            errors.add(
                "ship_date",
                _("Record a shipment when the goods leave: the ship date cannot be in the future."),
            )
        if ship_date < order.order_date:
            errors.add("ship_date", _("The ship date cannot be before the order date."))
    if ship_date and expected_arrival and expected_arrival < ship_date:
        errors.add("expected_arrival", _("The expected arrival cannot be before the ship date."))
    transport_mode = parse_choice(
        raw.get("transport_mode"), "transport_mode", errors, TransportMode, default=TransportMode.ROAD
    )
    carrier = parse_text(raw.get("carrier"), "carrier", errors, required=True, max_length=100)
    tracking_number = parse_text(raw.get("tracking_number"), "tracking_number", errors, max_length=100)
    if transport_mode != TransportMode.PICKUP and not tracking_number:
        errors.add("tracking_number", _("Give the carrier's tracking number (waybill)."))
    ship_to = parse_text(raw.get("ship_to"), "ship_to", errors, max_length=300)
    notes = parse_text(raw.get("notes"), "notes", errors, max_length=2000)

    order_lines = {line.pk: line for line in order.lines.all()}
    by_no = {line.line_no: line for line in order_lines.values()}
    raw_lines = raw.get("lines") or []
    if not isinstance(raw_lines, list) or len(raw_lines) > MAX_LINES:
        errors.add("lines", _("Invalid lines."))
        raw_lines = []
    lines: list[ShipmentLineData] = []
    seen: set[int] = set()
    for index, raw_line in enumerate(raw_lines):
        prefix = f"lines.{index}."
        if not isinstance(raw_line, Mapping):
            errors.add(f"lines.{index}", _("Invalid line."))
            continue
        if blank(raw_line.get("quantity")):
            continue
        line = None
        if not blank(raw_line.get("order_line")):
            line_id = parse_int(raw_line.get("order_line"), prefix + "order_line", errors)
            line = order_lines.get(line_id) if line_id is not None else None
        elif not blank(raw_line.get("line_no")):
            line_no = parse_int(raw_line.get("line_no"), prefix + "line_no", errors)
            line = by_no.get(line_no) if line_no is not None else None
        if line is None:
            errors.add(prefix + "order_line", _("This line is not a line of the order."))
            continue
        if line.pk in seen:
            errors.add(prefix + "order_line", _("Order line %(n)d appears twice.") % {"n": line.line_no})
            continue
        seen.add(line.pk)
        quantity = parse_decimal(
            raw_line.get("quantity"),
            prefix + "quantity",
            errors,
            places=3,
            minimum=Decimal(0),
            exclusive_minimum=True,
        )
        cartons = parse_int(raw_line.get("cartons"), prefix + "cartons", errors, required=False) or 0
        if cartons > 1_000_000:
            errors.add(prefix + "cartons", _("This number is out of range."))
        per_carton = parse_decimal(
            raw_line.get("quantity_per_carton"),
            prefix + "quantity_per_carton",
            errors,
            required=False,
            places=3,
            max_digits=12,
            minimum=Decimal(0),
            default=Decimal("0"),
        )
        measures = {}
        for name in ("gross_weight_kg", "net_weight_kg", "volume_m3"):
            measures[name] = parse_decimal(
                raw_line.get(name),
                prefix + name,
                errors,
                required=False,
                places=3,
                max_digits=12,
                minimum=Decimal(0),
                default=Decimal("0"),
            )
        gross, net = measures["gross_weight_kg"], measures["net_weight_kg"]
        if gross is not None and net is not None and net > gross:
            errors.add(prefix + "net_weight_kg", _("The net weight cannot exceed the gross weight."))
        if quantity is not None and per_carton and cartons and per_carton * cartons < quantity:
            errors.add(
                prefix + "cartons",
                _("%(cartons)d cartons of %(per)s hold only %(total)s, less than the quantity.")
                % {"cartons": cartons, "per": per_carton, "total": per_carton * cartons},
            )
        if quantity is not None and per_carton is not None and gross is not None and net is not None:
            lines.append(
                ShipmentLineData(
                    order_line=line,
                    quantity=quantity,
                    cartons=cartons,
                    quantity_per_carton=per_carton,
                    gross_weight_kg=gross,
                    net_weight_kg=net,
                    volume_m3=measures["volume_m3"] or Decimal("0"),
                )
            )
    if not lines and "lines" not in errors.fields and not any(k.startswith("lines.") for k in errors.fields):
        errors.add("lines", _("Ship at least one line."))
    errors.raise_if_any()
    assert ship_date and expected_arrival
    return ShipmentData(
        ship_date=ship_date,
        expected_arrival=expected_arrival,
        transport_mode=transport_mode,
        carrier=carrier,
        tracking_number=tracking_number,
        ship_to=ship_to or order.customer.address,
        notes=notes,
        lines=lines,
    )


def quality_block_reason(*, order: Order) -> str | None:
    """The quality gate of gendan.quality, when that module provides one; None means no objection."""
    if importlib.util.find_spec("gendan.quality.selectors") is None:
        return None
    from gendan.quality import selectors as quality_selectors

    check = getattr(quality_selectors, "shipment_block_reason", None)
    return check(order=order) if check is not None else None


def _order_locked(order: Order, actor: User) -> Order:
    current = Order.objects.select_for_update().filter(pk=order.pk).select_related("customer").first()
    if current is None or not order_visible_list(user=actor).filter(pk=order.pk).exists():
        raise NotFoundError(_("Order not found."))
    return current


def _notify(
    *, recipients: list[User], kind: str, title: str, body: str, link: str, key: str, order: Order
) -> bool:
    """Through gendan.notify when present; False if there is no notification layer."""
    if importlib.util.find_spec("gendan.notify.services") is None:
        return False
    from gendan.notify.services import notify

    notify(
        recipients=recipients, kind=kind, title=title, body=body, link=link, dedupe_key=key, order_id=order.pk
    )
    return True


def _announce_shipment(*, shipment: Shipment, order: Order, actor: User) -> None:
    """SPEC §2.10 / seed (五)1: salesperson (and so the customer) told the arrival date; the supervisor told
    that the goods left. The timeline entry records it either way."""
    link = f"/shipping/{shipment.pk}/"
    arrival = {
        "number": shipment.number,
        "order": order.number,
        "date": shipment.expected_arrival.isoformat(),
    }
    told = []
    if order.salesperson_id:
        sent = _notify(
            recipients=[order.salesperson],
            kind="shipment.arrival",
            title=_("Shipment %(number)s of order %(order)s arrives on %(date)s") % arrival,
            body=_("Carrier: %(carrier)s, tracking number: %(tracking)s. Please tell the customer.")
            % {"carrier": shipment.carrier, "tracking": shipment.tracking_number or "—"},
            link=link,
            key=f"shipment-arrival:{shipment.pk}",
            order=order,
        )
        if sent:
            told.append(order.salesperson.username)
    supervisor = order.merchandiser.supervisor
    if supervisor is not None:
        sent = _notify(
            recipients=[supervisor],
            kind="shipment.shipped",
            title=_("Order %(order)s: shipment %(number)s has left (arrival %(date)s)") % arrival,
            body=_("%(qty)s shipped by %(who)s.") % {"qty": shipment.total_quantity, "who": actor},
            link=link,
            key=f"shipment-shipped:{shipment.pk}",
            order=order,
        )
        if sent:
            told.append(supervisor.username)
    order_event_record(
        order=order,
        type=OrderEvent.Type.SHIPMENT_NOTICE,
        actor=actor,
        note=_("Arrival on %(date)s announced to the salesperson/customer; supervisor told that it shipped.")
        % arrival,
        data={
            "shipment": shipment.number,
            "expected_arrival": shipment.expected_arrival.isoformat(),
            "notified": told,
            "salesperson": order.salesperson.username if order.salesperson_id else "",
            "supervisor": supervisor.username if supervisor else "",
        },
    )


@transaction.atomic
def shipment_create(*, order: Order, actor: User, data: Mapping[str, Any]) -> Shipment:
    """Ship quantities of the order's lines. Refused (nothing saved) beyond a line's tolerance, when the
    quality gate objects, or unless the order is in production or (partly) shipped."""
    _ensure_can_write(actor)
    current = _order_locked(order, actor)
    if current.status not in SHIPPABLE_STATUSES:
        raise TransitionError(
            _("Order %(order)s is %(status)s: only an order in production or partly shipped can ship.")
            % {"order": current.number, "status": current.get_status_display()},
            code="order_not_shippable",
        )
    clean = shipment_data_validate(data, order=current)
    reason = quality_block_reason(order=current)
    if reason:
        raise ShippingBlockedError(
            _("The shipment is blocked by quality: %(reason)s") % {"reason": reason}, extra={"reason": reason}
        )
    # Lock the order lines: two shipments of the same line cannot both pass the tolerance check.
    lines = list(
        OrderLine.objects.select_for_update().filter(order=current).select_related("product").order_by("pk")
    )
    progress = {p.line.pk: p for p in order_shipping_progress(order=current, lines=lines)}
    errors: dict[str, list[str]] = {}
    for index, line_data in enumerate(clean.lines):
        p = progress[line_data.order_line.pk]
        if line_data.quantity > p.allowed:
            errors[f"lines.{index}.quantity"] = [
                _(
                    "Line %(no)d (%(product)s): ordered %(ordered)s, tolerance %(tol)s%% allows at most %(max)s "
                    "in all; %(shipped)s already shipped, so at most %(allowed)s more, not %(qty)s."
                )
                % {
                    "no": p.line.line_no,
                    "product": p.line.product.code,
                    "ordered": number_text(p.ordered),
                    "tol": number_text(p.line.tolerance_percent),
                    "max": number_text(p.maximum),
                    "shipped": number_text(p.shipped),
                    "allowed": number_text(p.allowed),
                    "qty": number_text(line_data.quantity),
                }
            ]
    if errors:
        raise OverShipmentError(
            _("Over-shipment refused: %(detail)s")
            % {"detail": " ".join(m for ms in errors.values() for m in ms)},
            extra={"fields": errors},
        )

    shipment = Shipment(
        number=document_number_next(series=SHIPMENT_SERIES, year=clean.ship_date.year),
        order=current,
        customer=current.customer,
        ship_date=clean.ship_date,
        expected_arrival=clean.expected_arrival,
        transport_mode=clean.transport_mode,
        carrier=clean.carrier,
        tracking_number=clean.tracking_number,
        ship_to=clean.ship_to,
        notes=clean.notes,
        currency=current.currency,
        total_quantity=sum((line.quantity for line in clean.lines), Decimal("0")),
        total_amount=sum(
            (_money(line.quantity, line.order_line.unit_price) for line in clean.lines), Decimal("0")
        ),
        created_by=actor,
    )
    shipment.save(force_insert=True)
    ShipmentLine.objects.bulk_create(
        ShipmentLine(
            shipment=shipment,
            line_no=number,
            order_line=line.order_line,
            quantity=line.quantity,
            unit_price=line.order_line.unit_price,
            amount=_money(line.quantity, line.order_line.unit_price),
            cartons=line.cartons,
            quantity_per_carton=line.quantity_per_carton,
            gross_weight_kg=line.gross_weight_kg,
            net_weight_kg=line.net_weight_kg,
            volume_m3=line.volume_m3,
        )
        for number, line in enumerate(clean.lines, start=1)
    )
    ShipmentEvent.objects.create(
        shipment=shipment,
        type=ShipmentEvent.Type.SHIPPED,
        actor=actor,
        to_status=shipment.status,
        data={"total_quantity": str(shipment.total_quantity), "total_amount": str(shipment.total_amount)},
    )
    order_event_record(
        order=current,
        type=OrderEvent.Type.SHIPMENT_SHIPPED,
        actor=actor,
        data={
            "shipment": shipment.number,
            "ship_date": shipment.ship_date.isoformat(),
            "carrier": shipment.carrier,
            "tracking_number": shipment.tracking_number,
            "lines": {str(line.order_line.line_no): str(line.quantity) for line in clean.lines},
        },
    )
    from gendan.ledger.services import ledger_shipment_post

    ledger_shipment_post(shipment=shipment, actor=actor)
    target = order_shipping_target(progress=order_shipping_progress(order=current, lines=lines))
    current = order_shipping_status_apply(
        order=current, actor=actor, target=target, data={"shipment": shipment.number}
    )
    _announce_shipment(shipment=shipment, order=current, actor=actor)
    return shipment


def _shipment_locked(shipment: Shipment, actor: User) -> Shipment:
    locked = Shipment.objects.select_for_update().filter(pk=shipment.pk).select_related("order").first()
    if locked is None or not shipment_visible_list(user=actor).filter(pk=shipment.pk).exists():
        raise NotFoundError(_("Shipment not found."))
    return locked


@transaction.atomic
def shipment_receive(
    *, shipment: Shipment, actor: User, received_on: Any, received_by: str = "", note: str = ""
) -> Shipment:
    """The customer signed for the goods (签收). When every shipment of a fully shipped order is signed
    for, the order is delivered and its return visit falls due."""
    _ensure_can_write(actor)
    order = _order_locked(shipment.order, actor)
    current = _shipment_locked(shipment, actor)
    transition_check(SHIPMENT_TRANSITIONS, "receive", current.status, set(actor.roles))
    errors = FieldErrors()
    day = parse_date(received_on, "received_on", errors)
    who = parse_text(received_by, "received_by", errors, max_length=100)
    note = parse_text(note, "receipt_note", errors, max_length=300)
    if day and day < current.ship_date:
        errors.add(
            "received_on",
            _("The receipt date %(received)s is before the ship date %(shipped)s.")
            % {"received": day.isoformat(), "shipped": current.ship_date.isoformat()},
        )
    if day and day > timezone.localdate():
        errors.add("received_on", _("The receipt date cannot be in the future."))
    if errors:
        raise ValidationFailed(
            dict(errors.fields), message=" ".join(m for ms in errors.fields.values() for m in ms)
        )
    assert day is not None
    source = current.status
    current.status, current.received_on, current.received_by, current.receipt_note = (
        ShipmentStatus.RECEIVED,
        day,
        who,
        note,
    )
    current.version += 1
    current.save(
        update_fields=["status", "received_on", "received_by", "receipt_note", "version", "updated_at"]
    )
    ShipmentEvent.objects.create(
        shipment=current,
        type=ShipmentEvent.Type.RECEIVED,
        actor=actor,
        from_status=source,
        to_status=current.status,
        note=note,
        data={"received_on": day.isoformat(), "received_by": who},
    )
    order_event_record(
        order=order,
        type=OrderEvent.Type.SHIPMENT_RECEIVED,
        actor=actor,
        data={"shipment": current.number, "received_on": day.isoformat(), "received_by": who},
    )
    unsigned = order.shipments.filter(status=ShipmentStatus.SHIPPED).exists()
    if order.status == OrderStatus.SHIPPED and not unsigned:
        order = order_deliver(order=order, actor=actor, data={"shipment": current.number})
        from gendan.visits.services import visit_schedule

        visit_schedule(order=order, delivered_on=day)
        from gendan.ledger.services import order_close_if_settled

        order_close_if_settled(order=order, actor=actor)
    return current


@transaction.atomic
def shipment_cancel(*, shipment: Shipment, actor: User, reason: str) -> Shipment:
    """Cancel a shipment that was not signed for nor invoiced: the ledger gets reversal rows and the order
    goes back to the status its remaining shipments give."""
    _ensure_can_write(actor, (R.SUPERVISOR, R.ADMIN))
    order = _order_locked(shipment.order, actor)
    current = _shipment_locked(shipment, actor)
    transition_check(SHIPMENT_TRANSITIONS, "cancel", current.status, set(actor.roles))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("This field is required.")]}, message=_("Please give a reason."))
    if len(reason) > 300:
        raise ValidationFailed({"reason": [_("At most %(n)d characters.") % {"n": 300}]})
    from gendan.ledger.selectors import shipment_invoice_numbers

    invoices = shipment_invoice_numbers(shipment=current)
    if invoices:
        raise ShipmentInvoicedError(
            _("Shipment %(number)s is on invoice %(invoices)s: cancel the invoice first.")
            % {"number": current.number, "invoices": ", ".join(invoices)},
            extra={"invoices": invoices},
        )
    if order.status not in (OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED):
        raise TransitionError(
            _("Order %(order)s is %(status)s: resume it before cancelling a shipment.")
            % {"order": order.number, "status": order.get_status_display()},
            code="order_not_shipping",
        )
    source = current.status
    current.status, current.cancel_reason, current.cancelled_at = (
        ShipmentStatus.CANCELLED,
        reason,
        timezone.now(),
    )
    current.version += 1
    current.save(update_fields=["status", "cancel_reason", "cancelled_at", "version", "updated_at"])
    ShipmentEvent.objects.create(
        shipment=current,
        type=ShipmentEvent.Type.CANCELLED,
        actor=actor,
        from_status=source,
        to_status=current.status,
        note=reason,
    )
    from gendan.ledger.services import ledger_shipment_reverse

    ledger_shipment_reverse(shipment=current, actor=actor, on=timezone.localdate())
    order_event_record(
        order=order,
        type=OrderEvent.Type.SHIPMENT_CANCELLED,
        actor=actor,
        note=reason,
        data={"shipment": current.number},
    )
    lines = list(OrderLine.objects.select_for_update().filter(order=order).order_by("pk"))
    target = order_shipping_target(progress=order_shipping_progress(order=order, lines=lines))
    order_shipping_status_apply(order=order, actor=actor, target=target, data={"shipment": current.number})
    return current


def shipment_printed(*, shipment: Shipment, actor: User, document: str) -> None:
    """A delivery note / packing list / invoice was printed: on the shipment's record (not a user edit)."""
    ShipmentEvent.objects.create(
        shipment=shipment, type=ShipmentEvent.Type.PRINTED, actor=actor, data={"document": document}
    )


# Sample dispatch register (寄样)


@transaction.atomic
def sample_dispatch_create(*, actor: User, data: Mapping[str, Any]) -> SampleDispatch:
    _ensure_can_write(actor, (R.MERCHANDISER, R.SUPERVISOR, R.SALES, R.ADMIN))
    errors = FieldErrors()
    customer = None
    value = data.get("customer")
    if blank(value):
        errors.add("customer", _("This field is required."))
    else:
        key = str(value).strip()
        visible = customer_visible_list(user=actor)
        customer = visible.filter(code=key).first() or (
            visible.filter(pk=int(key)).first() if key.isdigit() and len(key) < 18 else None
        )
        if customer is None:
            errors.add("customer", _("Unknown customer."))
    order = None
    if not blank(data.get("order")):
        order_id = parse_int(data.get("order"), "order", errors)
        order = order_visible_list(user=actor).filter(pk=order_id).first() if order_id is not None else None
        if order is None:
            errors.add("order", _("Unknown order."))
        elif customer is not None and order.customer_id != customer.pk:
            errors.add("order", _("The order belongs to another customer."))
    product = None
    if not blank(data.get("product")):
        from gendan.catalog.models import Product

        key = str(data.get("product")).strip()
        product = Product.objects.filter(code=key).first() or (
            Product.objects.filter(pk=int(key)).first() if key.isdigit() and len(key) < 18 else None
        )
        if product is None:
            errors.add("product", _("Unknown product."))
    sample_type = parse_choice(data.get("sample_type"), "sample_type", errors, SampleType)
    description = parse_text(data.get("description"), "description", errors, max_length=200)
    quantity = parse_decimal(
        data.get("quantity"),
        "quantity",
        errors,
        places=3,
        max_digits=10,
        minimum=Decimal(0),
        exclusive_minimum=True,
    )
    sent_on = parse_date(data.get("sent_on"), "sent_on", errors)
    if sent_on and sent_on > timezone.localdate():
        errors.add("sent_on", _("The date cannot be in the future."))
    courier = parse_text(data.get("courier"), "courier", errors, required=True, max_length=100)
    tracking = parse_text(
        data.get("tracking_number"), "tracking_number", errors, required=True, max_length=100
    )
    recipient = parse_text(data.get("recipient"), "recipient", errors, max_length=200)
    errors.raise_if_any()
    assert customer is not None and quantity is not None and sent_on is not None
    sample = SampleDispatch(
        customer=customer,
        order=order,
        product=product,
        sample_type=sample_type,
        description=description,
        quantity=quantity,
        sent_on=sent_on,
        courier=courier,
        tracking_number=tracking,
        recipient=recipient,
        sent_by=actor,
    )
    sample.save(force_insert=True)
    return sample


@transaction.atomic
def sample_feedback_record(
    *,
    sample: SampleDispatch,
    actor: User,
    feedback: str,
    feedback_on: Any,
    note: str = "",
    version: int | None = None,
) -> SampleDispatch:
    _ensure_can_write(actor, (R.MERCHANDISER, R.SUPERVISOR, R.SALES, R.ADMIN))
    from gendan.shipping.selectors import sample_visible_list

    current = SampleDispatch.objects.select_for_update().filter(pk=sample.pk).first()
    if current is None or not sample_visible_list(user=actor).filter(pk=sample.pk).exists():
        raise NotFoundError(_("Sample dispatch not found."))
    if version is not None and version != current.version:
        from gendan.core.errors import ConflictError

        raise ConflictError(_("Someone else changed this record. Reload and try again."))
    errors = FieldErrors()
    result = parse_choice(feedback, "feedback", errors, SampleFeedback)
    if result == SampleFeedback.PENDING:
        errors.add("feedback", _("Choose the customer's answer."))
    day = parse_date(feedback_on, "feedback_on", errors)
    if day and day < current.sent_on:
        errors.add("feedback_on", _("The feedback date cannot be before the date the sample was sent."))
    text = parse_text(note, "feedback_note", errors, max_length=2000)
    if result == SampleFeedback.REJECTED and not text:
        errors.add("feedback_note", _("Write down why the customer rejected the sample."))
    errors.raise_if_any()
    current.feedback, current.feedback_on, current.feedback_note = result, day, text
    current.version += 1
    current.save(update_fields=["feedback", "feedback_on", "feedback_note", "version", "updated_at"])
    return current


def shipping_on_order_transition(*, order: Order, action: str, actor: User, from_status: str) -> None:
    """Registered in orders' ORDER_TRANSITION_HOOKS: an order with live shipments cannot be cancelled (the
    goods left and are in the ledger); cancel its shipments first. Raising rolls the transition back."""
    if action != "cancel":
        return
    live = list(order.shipments.exclude(status=ShipmentStatus.CANCELLED).values_list("number", flat=True)[:5])
    if live:
        raise TransitionError(
            _("Order %(order)s has shipments (%(numbers)s): cancel them before cancelling the order.")
            % {"order": order.number, "numbers": ", ".join(live)},
            code="order_has_shipments",
        )


# ---------------------------------------------------------------------------------------------------------
# The unshipped rest: cancel it on a line, or close the order short (短交结案). Here because what "unshipped"
# means is shipping's to say; the writes on the order are orders' services.


class NothingShippedError(ApplicationError):
    code = "nothing_shipped"
    status = 409


def _ensure_may_cancel_rest(actor: User) -> None:
    from gendan.orders.services import ORDER_REST_CANCEL_ROLES

    if not actor.is_active or actor.is_read_only:
        raise PermissionDeniedError(_("Your account is read-only."), code="read_only")
    _ensure_can_write(actor, ORDER_REST_CANCEL_ROLES)


def _locked_lines(order: Order) -> list[OrderLine]:
    return list(
        OrderLine.objects.select_for_update()
        .filter(order=order)
        .select_related("product")
        .order_by("line_no")
    )


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("This field is required.")]}, message=_("Please give a reason."))
    if len(reason) > 500:
        raise ValidationFailed({"reason": [_("At most %(n)d characters.") % {"n": 500}]})
    return reason


@transaction.atomic
def line_rest_cancel(*, order: Order, actor: User, line_no: Any, reason: str, quantity: Any = None) -> Order:
    """Cancel the unshipped rest of one line (all of it, or `quantity` of it): the line then counts as
    ordered less the cancelled part, and the order's status follows (every line shipped or cancelled →
    shipped). Refused below what already shipped, on an order that shipped nothing (cancel the order), and
    outside in production / partially shipped."""
    from gendan.orders.services import order_lines_cancel

    _ensure_may_cancel_rest(actor)
    current = _order_locked(order, actor)
    if current.status not in (OrderStatus.IN_PRODUCTION, OrderStatus.PARTIALLY_SHIPPED):
        raise TransitionError(
            _(
                "Order %(order)s is %(status)s: the rest of a line can be cancelled only in production or when partly shipped."
            )
            % {"order": current.number, "status": current.get_status_display()},
            code="order_not_shipping",
        )
    errors = FieldErrors()
    number = parse_int(line_no, "line_no", errors)
    amount = None
    if not blank(quantity):
        amount = parse_decimal(
            quantity, "quantity", errors, places=3, minimum=Decimal(0), exclusive_minimum=True
        )
    errors.raise_if_any()
    reason = _reason_required(reason)
    lines = _locked_lines(current)
    progress = {p.line.line_no: p for p in order_shipping_progress(order=current, lines=lines)}
    p = progress.get(number)
    if p is None:
        raise ValidationFailed({"line_no": [_("This line is not a line of the order.")]})
    rest = p.remaining
    if rest <= 0:
        raise ValidationFailed(
            {"line_no": [_("Line %(no)d has nothing left to ship.") % {"no": number}]},
            message=_("Line %(no)d has nothing left to ship.") % {"no": number},
        )
    amount = rest if amount is None else amount
    if amount > rest:
        text = _(
            "Line %(no)d: ordered %(ordered)s, %(shipped)s shipped, so at most %(rest)s can be cancelled, not %(qty)s."
        ) % {
            "no": number,
            "ordered": number_text(p.ordered),
            "shipped": number_text(p.shipped),
            "rest": number_text(rest),
            "qty": number_text(amount),
        }
        raise ValidationFailed({"quantity": [text]}, message=text)
    others_shipped = any(q.shipped > 0 for q in progress.values())
    others_open = any(q.remaining > 0 for n, q in progress.items() if n != number) or amount < rest
    if not others_shipped and not others_open:
        raise NothingShippedError(
            _("Nothing of order %(order)s has shipped: cancel the order instead.") % {"order": current.number}
        )
    current = order_lines_cancel(
        order=current,
        actor=actor,
        quantities={p.line.pk: amount},
        reason=reason,
        data={"action": "cancel_rest", "shipped": {str(number): number_text(p.shipped)}},
    )
    for line in lines:
        line.refresh_from_db(fields=["cancelled_quantity"])
    target = order_shipping_target(progress=order_shipping_progress(order=current, lines=lines))
    return order_shipping_status_apply(
        order=current, actor=actor, target=target, data={"cancel_rest": number}
    )


@transaction.atomic
def order_short_close(*, order: Order, actor: User, reason: str, customer_contact: str = "") -> Order:
    """短交结案: a partly shipped order whose customer accepts the shortfall. Every line's unshipped rest is
    cancelled and the order is closed (a final status; the event says "short"); reservations and open
    follow-up items are released by the apps' transition hooks. Shipments, the ledger and invoices are left
    as they are: only what shipped is (and can be) invoiced."""
    from gendan.orders.services import order_close_short, order_lines_cancel

    _ensure_may_cancel_rest(actor)
    current = _order_locked(order, actor)
    if current.status in (OrderStatus.IN_PRODUCTION, OrderStatus.RELEASED, OrderStatus.APPROVED):
        raise NothingShippedError(
            _("Nothing of order %(order)s has shipped: cancel the order instead.") % {"order": current.number}
        )
    if current.status != OrderStatus.PARTIALLY_SHIPPED:
        raise TransitionError(
            _("Order %(order)s is %(status)s: only a partly shipped order can be closed short.")
            % {"order": current.number, "status": current.get_status_display()},
            code="invalid_transition",
        )
    reason = _reason_required(reason)
    contact = parse_text(customer_contact, "customer_contact", FieldErrors(), max_length=100) or ""
    lines = _locked_lines(current)
    progress = order_shipping_progress(order=current, lines=lines)
    shortfall = {p.line.pk: p.remaining for p in progress if p.remaining > 0}
    data = {
        "customer_contact": contact,
        "shortfall": {str(p.line.line_no): number_text(p.remaining) for p in progress if p.remaining > 0},
        "in_transit": list(
            current.shipments.filter(status=ShipmentStatus.SHIPPED).values_list("number", flat=True)
        ),
    }
    if shortfall:
        current = order_lines_cancel(
            order=current,
            actor=actor,
            quantities=shortfall,
            reason=reason,
            data={"action": "close_short"},
        )
    return order_close_short(order=current, actor=actor, reason=reason, data=data)
