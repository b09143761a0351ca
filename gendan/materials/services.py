"""Writes on materials: master data and BOM, stock counts, reservation on release, purchase requests (请购),
purchase orders, arrivals, and the scan that turns late or short arrivals into exceptions.

Stock is changed only here, always on rows locked `select_for_update()` in material-id order and with
guarded `F()` updates, under the database constraints of `Stock` (on hand ≥ 0, reserved ≥ 0, reserved ≤ on
hand): two releases can never reserve the same quantity twice.
"""

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts.models import User
from gendan.catalog.models import Product
from gendan.core.errors import (
    ApplicationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    TransitionError,
    ValidationFailed,
)
from gendan.core.numbering import document_number_next
from gendan.core.parsing import FieldErrors, parse_date, parse_decimal, parse_int, parse_text
from gendan.core.workflow import transition_check
from gendan.orders.models import Order, OrderEvent, OrderStatus
from gendan.orders.selectors import order_visible_list
from gendan.orders.services import order_event_record
from gendan.parties.models import Supplier
from gendan.planning.calendar import WorkingCalendar

from .models import (
    PURCHASE_ORDER_TRANSITIONS,
    PURCHASE_REQUEST_TRANSITIONS,
    BomLine,
    Material,
    MaterialAlert,
    MaterialRequirement,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    PurchaseRequest,
    PurchaseRequestStatus,
    Receipt,
    Stock,
    StockMovement,
)
from .selectors import may_edit_bom, may_purchase, order_material_needs, purchase_requests_open_for, qty_text

ZERO = Decimal("0")
PR_SERIES = "PR"
PO_SERIES = "PO"
MAX_QTY = Decimal("999999999999")  # 12 integer digits (the fields hold 16 digits, 4 of them decimals)

# Callables `hook(*, order_ids)` run in the same transaction when the material readiness of orders may have
# changed (reservation, purchase order placed or moved, arrival). gendan.capacity registers its reschedule
# marker here in AppConfig.ready(); materials never imports capacity.
READINESS_CHANGED_HOOKS: list[Callable[..., object]] = []

# Orders whose late materials still matter (not cancelled, not closed, not yet delivered).
ALERT_ORDER_STATUSES = (
    OrderStatus.RELEASED,
    OrderStatus.IN_PRODUCTION,
    OrderStatus.PARTIALLY_SHIPPED,
    OrderStatus.ON_HOLD,
)


class StockError(ApplicationError):
    code = "stock_invariant"
    status = 409


class OverReceiptError(ApplicationError):
    code = "over_receipt"
    status = 409


def _ensure_purchaser(actor: User) -> None:
    if not may_purchase(actor):
        raise PermissionDeniedError(
            _("Only purchasing, planners and supervisors may do this."), code="role_not_allowed"
        )


def _ensure_bom_editor(actor: User) -> None:
    if not may_edit_bom(actor):
        raise PermissionDeniedError(
            _("Only purchasing, technical, planners and supervisors may change materials and BOMs."),
            code="role_not_allowed",
        )


def _readiness_changed(order_ids: Collection[int]) -> None:
    if order_ids:
        for hook in READINESS_CHANGED_HOOKS:
            hook(order_ids=sorted(set(order_ids)))


def _quantity(value: Any, field: str, errors: FieldErrors, *, allow_negative: bool = False) -> Decimal | None:
    return parse_decimal(
        value,
        field,
        errors,
        places=4,
        max_digits=16,
        minimum=None if allow_negative else ZERO,
        exclusive_minimum=not allow_negative,
        maximum=MAX_QTY,
    )


# --- master data ---------------------------------------------------------------------------------------


def _supplier(value: Any, errors: FieldErrors) -> Supplier | None:
    if value in (None, ""):
        return None
    if isinstance(value, Supplier):
        return value
    text = str(value).strip()
    supplier = Supplier.objects.filter(code__iexact=text).first()
    if supplier is None and text.isdigit() and len(text) < 16:
        supplier = Supplier.objects.filter(pk=int(text)).first()
    if supplier is None or not supplier.is_active:
        errors.add("supplier", _("Unknown or inactive supplier."))
        return None
    if supplier.kind != Supplier.Kind.SUPPLIER:
        errors.add("supplier", _("Choose a material supplier, not a subcontractor."))
        return None
    return supplier


@transaction.atomic
def material_create(*, actor: User, data: Mapping[str, Any]) -> Material:
    """Validate and create a material with an empty stock row; every bad field is named, nothing saved."""
    _ensure_bom_editor(actor)
    errors = FieldErrors()
    code = parse_text(data.get("code"), "code", errors, required=True, max_length=30)
    if code and any(ch.isspace() for ch in code):
        errors.add("code", _("A code cannot contain spaces."))
    elif code and Material.objects.filter(code__iexact=code).exists():
        errors.add("code", _("A material with this code already exists."))
    name = parse_text(data.get("name"), "name", errors, required=True, max_length=200)
    spec = parse_text(data.get("spec"), "spec", errors, max_length=200)
    unit = parse_text(data.get("unit"), "unit", errors, required=True, max_length=10)
    supplier = _supplier(data.get("supplier"), errors)
    lead = parse_int(data.get("lead_time_days"), "lead_time_days", errors, required=False) or 0
    if lead > 365:
        errors.add("lead_time_days", _("Must not be more than %(max)s.") % {"max": 365})
    errors.raise_if_any()
    material = Material.objects.create(
        code=code, name=name, spec=spec, unit=unit, supplier=supplier, lead_time_days=lead
    )
    Stock.objects.create(material=material)
    return material


@transaction.atomic
def bom_line_set(
    *, actor: User, product: Product, material: Material, usage_per_unit: Any, loss_rate_percent: Any = 0
) -> BomLine:
    """Add the material to the product's BOM, or change its usage and loss rate."""
    _ensure_bom_editor(actor)
    errors = FieldErrors()
    usage = parse_decimal(
        usage_per_unit,
        "usage_per_unit",
        errors,
        places=6,
        max_digits=14,
        minimum=ZERO,
        exclusive_minimum=True,
    )
    loss = parse_decimal(
        loss_rate_percent,
        "loss_rate_percent",
        errors,
        places=2,
        max_digits=5,
        minimum=ZERO,
        maximum=Decimal("99.99"),
        default=ZERO,
    )
    if not material.is_active:
        errors.add("material", _("This material is inactive."))
    errors.raise_if_any()
    line, _created = BomLine.objects.update_or_create(
        product=product, material=material, defaults={"usage_per_unit": usage, "loss_rate_percent": loss}
    )
    return line


@transaction.atomic
def bom_line_remove(*, actor: User, line: BomLine) -> None:
    _ensure_bom_editor(actor)
    BomLine.objects.filter(pk=line.pk).delete()


def _stocks_locked(material_ids: Collection[int]) -> dict[int, Stock]:
    """Stock rows of the materials, created if missing, locked in material-id order (no deadlocks)."""
    ids = sorted(set(material_ids))
    Stock.objects.bulk_create([Stock(material_id=pk) for pk in ids], ignore_conflicts=True)
    return {
        s.material_id: s for s in Stock.objects.select_for_update().filter(material_id__in=ids).order_by("pk")
    }


@transaction.atomic
def stock_adjust(*, actor: User, material: Material, quantity: Any, note: str) -> Stock:
    """A stock count: add (or, negative, remove) `quantity` on hand. Reserved stock cannot be counted away."""
    _ensure_purchaser(actor)
    errors = FieldErrors()
    delta = _quantity(quantity, "quantity", errors, allow_negative=True)
    note = parse_text(note, "note", errors, required=True, max_length=300)
    if delta is not None and delta == 0:
        errors.add("quantity", _("Enter a quantity other than zero."))
    errors.raise_if_any()
    stock = _stocks_locked([material.pk])[material.pk]
    if stock.on_hand + delta < stock.reserved:
        raise StockError(
            _("On hand would fall below what is reserved for orders (%(reserved)s %(unit)s).")
            % {"reserved": qty_text(stock.reserved), "unit": material.unit},
            extra={"fields": {"quantity": [_("Too much removed.")]}},
        )
    Stock.objects.filter(pk=stock.pk).update(on_hand=F("on_hand") + delta, updated_at=timezone.now())
    StockMovement.objects.create(
        material=material, kind=StockMovement.Kind.ADJUST, quantity=delta, actor=actor, note=note
    )
    stock.refresh_from_db()
    return stock


# --- release: requirements, reservation, purchase requests -------------------------------------------


def _reserve(stock: Stock, quantity: Decimal) -> None:
    """Reserve `quantity` of a locked stock row; the guard re-checks availability in the UPDATE itself."""
    if quantity <= 0:
        return
    updated = Stock.objects.filter(pk=stock.pk, on_hand__gte=F("reserved") + quantity).update(
        reserved=F("reserved") + quantity, updated_at=timezone.now()
    )
    if not updated:  # pragma: no cover - the row lock makes this unreachable
        raise ConflictError(_("The stock changed meanwhile. Try again."), code="stock_changed")
    stock.reserved += quantity


@transaction.atomic
def materials_reserve_for_order(*, order: Order, actor: User | None) -> list[MaterialRequirement]:
    """Compute the order's requirements from its BOM, reserve what stock allows (on hand − reserved), and
    turn each shortage into a purchase request due `production cycle` working days before the due date.

    Idempotent: an order whose requirements exist is left as it is.
    """
    existing = list(MaterialRequirement.objects.filter(order=order))
    if existing:
        return existing
    needs = order_material_needs(orders=[order.pk]).get(order.pk, {})
    if not needs:
        return []
    stocks = _stocks_locked(needs)
    due = order.promised_date or order.requested_date
    calendar = WorkingCalendar.load(due.year - 2, due.year)
    materials = Material.objects.in_bulk(list(needs))
    requirements, reserved, shortages, movements = [], {}, {}, []
    for material_id in sorted(needs):
        required, cycle = needs[material_id]
        stock = stocks[material_id]
        take = min(max(stock.available, ZERO), required)
        _reserve(stock, take)
        requirements.append(
            MaterialRequirement(
                order=order,
                material_id=material_id,
                required=required,
                reserved=take,
                required_by=calendar.add_working_days(due, -cycle),
            )
        )
        if take:
            reserved[material_id] = take
            movements.append(
                StockMovement(
                    material_id=material_id,
                    kind=StockMovement.Kind.RESERVE,
                    quantity=take,
                    order=order,
                    actor=actor,
                )
            )
        if required > take:
            shortages[material_id] = required - take
    MaterialRequirement.objects.bulk_create(requirements)
    StockMovement.objects.bulk_create(movements)
    saved = {r.material_id: r for r in MaterialRequirement.objects.filter(order=order)}
    numbers = []
    for material_id, shortage in shortages.items():
        requirement = saved[material_id]
        request = PurchaseRequest.objects.create(
            number=document_number_next(series=PR_SERIES, year=timezone.localdate().year),
            requirement=requirement,
            order=order,
            material_id=material_id,
            quantity=shortage,
            required_by=requirement.required_by,
            requested_by=actor,
        )
        numbers.append(request.number)
    order_event_record(
        order=order,
        type=OrderEvent.Type.MATERIALS_RESERVED,
        actor=actor,
        data={
            "reserved": {materials[m].code: qty_text(q) for m, q in reserved.items()},
            "short": {materials[m].code: qty_text(q) for m, q in shortages.items()},
            "requests": numbers,
            "calendar_warnings": calendar.warnings,
        },
    )
    _readiness_changed([order.pk])
    return list(saved.values())


def materials_order_released(*, order: Order, actor: User) -> None:
    """The ORDER_RELEASED_HOOKS entry (registered in MaterialsConfig.ready)."""
    materials_reserve_for_order(order=order, actor=actor)


def materials_orders_released(*, orders: Sequence[Order], actor: User) -> None:
    """materials_order_released for a batch release (orders.bulk.ORDER_RELEASED_MANY_HOOKS): which orders
    already have requirements and which need materials is read once for all; each order that needs some
    is reserved for as on a single release."""
    have = set(
        MaterialRequirement.objects.filter(order__in=[order.pk for order in orders])
        .values_list("order_id", flat=True)
        .distinct()
    )
    todo = [order for order in orders if order.pk not in have]
    if not todo:
        return
    needs = order_material_needs(orders=[order.pk for order in todo])
    for order in todo:
        if needs.get(order.pk):
            materials_reserve_for_order(order=order, actor=actor)


def materials_order_transitioned(*, order: Order, action: str, actor: User, from_status: str) -> None:
    """The ORDER_TRANSITION_HOOKS entry: a cancelled or short-closed order gives its reserved stock back and
    its open purchase requests are cancelled (a hold keeps both: the order comes back)."""
    if action not in ("cancel", "close_short"):
        return
    requirements = list(MaterialRequirement.objects.select_for_update().filter(order=order, reserved__gt=0))
    if requirements:
        stocks = _stocks_locked({r.material_id for r in requirements})
        now = timezone.now()
        for requirement in requirements:
            Stock.objects.filter(pk=stocks[requirement.material_id].pk).update(
                reserved=F("reserved") - requirement.reserved, updated_at=now
            )
        StockMovement.objects.bulk_create(
            StockMovement(
                material_id=r.material_id,
                kind=StockMovement.Kind.RELEASE,
                quantity=-r.reserved,
                order=order,
                actor=actor,
            )
            for r in requirements
        )
        MaterialRequirement.objects.filter(pk__in=[r.pk for r in requirements]).update(reserved=0)
    PurchaseRequest.objects.filter(order=order, status=PurchaseRequestStatus.OPEN).update(
        status=PurchaseRequestStatus.CANCELLED, updated_at=timezone.now()
    )


@transaction.atomic
def purchase_request_cancel(*, actor: User, request: PurchaseRequest, reason: str) -> PurchaseRequest:
    """An open request nobody will order (e.g. the customer cancelled). Ordered requests stay."""
    _ensure_purchaser(actor)
    request = _request_locked(actor, request.pk)
    transition_check(PURCHASE_REQUEST_TRANSITIONS, "cancel", request.status, set(actor.roles))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("This field is required.")]})
    request.status = PurchaseRequestStatus.CANCELLED
    request.save(update_fields=["status", "updated_at"])
    return request


def _request_locked(actor: User, pk: int) -> PurchaseRequest:
    request = PurchaseRequest.objects.select_for_update().filter(pk=pk).first()
    if request is None or not order_visible_list(user=actor).filter(pk=request.order_id).exists():
        raise NotFoundError(_("Purchase request not found."))
    return request


# --- purchase orders and arrivals --------------------------------------------------------------------


@transaction.atomic
def purchase_order_create(
    *,
    actor: User,
    supplier: Supplier | str | int,
    request_ids: Collection[int],
    expected_date: Any,
    order_date: dt.date | None = None,
    note: str = "",
) -> PurchaseOrder:
    """One purchase order to a supplier covering open purchase requests (one line each); the requests become
    ordered and the quantities go on order."""
    _ensure_purchaser(actor)
    errors = FieldErrors()
    supplier_obj = _supplier(supplier, errors) if supplier not in (None, "") else None
    if supplier_obj is None and "supplier" not in errors.fields:
        errors.add("supplier", _("This field is required."))
    order_date = order_date or timezone.localdate()
    expected = parse_date(expected_date, "expected_date", errors)
    if expected is not None and expected < order_date:
        errors.add("expected_date", _("The expected arrival cannot be before the order date."))
    note = parse_text(note, "note", errors, max_length=300)
    ids = sorted({int(pk) for pk in request_ids})
    if not ids:
        errors.add("requests", _("Choose at least one open purchase request."))
    errors.raise_if_any()
    requests = purchase_requests_open_for(user=actor, ids=ids)
    locked = {
        r.pk: r
        for r in PurchaseRequest.objects.select_for_update()
        .filter(pk__in=[r.pk for r in requests])
        .order_by("pk")
    }
    missing = [pk for pk in ids if pk not in locked or locked[pk].status != PurchaseRequestStatus.OPEN]
    if missing:
        raise TransitionError(
            _("Some purchase requests are no longer open (or not yours to see): %(ids)s.")
            % {"ids": ", ".join(map(str, missing))},
            code="request_not_open",
            extra={"requests": missing},
        )
    for request in locked.values():
        transition_check(PURCHASE_REQUEST_TRANSITIONS, "order", request.status, set(actor.roles))
    po = PurchaseOrder.objects.create(
        number=document_number_next(series=PO_SERIES, year=order_date.year),
        supplier=supplier_obj,
        order_date=order_date,
        expected_date=expected,
        note=note,
        created_by=actor,
    )
    lines = PurchaseOrderLine.objects.bulk_create(
        PurchaseOrderLine(
            purchase_order=po,
            line_no=index,
            request=request,
            material_id=request.material_id,
            quantity=request.quantity,
        )
        for index, request in enumerate(locked.values(), start=1)
    )
    PurchaseRequest.objects.filter(pk__in=list(locked)).update(
        status=PurchaseRequestStatus.ORDERED, updated_at=timezone.now()
    )
    totals: dict[int, Decimal] = {}
    for request in locked.values():
        totals[request.material_id] = totals.get(request.material_id, ZERO) + request.quantity
    stocks = _stocks_locked(totals)
    for material_id, quantity in totals.items():
        Stock.objects.filter(pk=stocks[material_id].pk).update(
            on_order=F("on_order") + quantity, updated_at=timezone.now()
        )
    StockMovement.objects.bulk_create(
        StockMovement(
            material_id=line.material_id,
            kind=StockMovement.Kind.ORDERED,
            quantity=line.quantity,
            po_line=line,
            order_id=line.request.order_id,
            actor=actor,
            note=po.number,
        )
        for line in lines
    )
    _readiness_changed([r.order_id for r in locked.values()])
    return po


def _po_locked(actor: User, pk: int) -> PurchaseOrder:
    if not may_purchase(actor):
        raise PermissionDeniedError(
            _("Only purchasing, planners and supervisors may do this."), code="role_not_allowed"
        )
    po = PurchaseOrder.objects.select_for_update().filter(pk=pk).first()
    if po is None:
        raise NotFoundError(_("Purchase order not found."))
    return po


def _po_order_ids(po: PurchaseOrder) -> list[int]:
    return list(po.lines.filter(request__isnull=False).values_list("request__order_id", flat=True))


@transaction.atomic
def purchase_order_expected_change(
    *, actor: User, purchase_order: PurchaseOrder, expected_date: Any, note: str = ""
) -> PurchaseOrder:
    """The supplier confirmed another arrival date: move it (the orders' material readiness follows)."""
    po = _po_locked(actor, purchase_order.pk)
    if po.status not in (PurchaseOrderStatus.OPEN, PurchaseOrderStatus.PARTIALLY_RECEIVED):
        raise TransitionError(_("Only an open purchase order can be moved."), code="po_not_open")
    errors = FieldErrors()
    expected = parse_date(expected_date, "expected_date", errors)
    if expected is not None and expected < po.order_date:
        errors.add("expected_date", _("The expected arrival cannot be before the order date."))
    note = parse_text(note, "note", errors, max_length=300)
    errors.raise_if_any()
    po.expected_date = expected
    if note:
        po.note = note
    po.save(update_fields=["expected_date", "note", "updated_at"])
    _readiness_changed(_po_order_ids(po))
    return po


@transaction.atomic
def purchase_order_cancel(*, actor: User, purchase_order: PurchaseOrder, reason: str) -> PurchaseOrder:
    """Cancel a purchase order nothing has arrived on: its requests open again, on-order goes down."""
    po = _po_locked(actor, purchase_order.pk)
    transition_check(PURCHASE_ORDER_TRANSITIONS, "cancel", po.status, set(actor.roles))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("This field is required.")]})
    lines = list(po.lines.all())
    stocks = _stocks_locked({line.material_id for line in lines})
    for line in lines:
        Stock.objects.filter(pk=stocks[line.material_id].pk).update(
            on_order=F("on_order") - line.quantity, updated_at=timezone.now()
        )
    PurchaseRequest.objects.filter(po_lines__purchase_order=po).update(
        status=PurchaseRequestStatus.OPEN, updated_at=timezone.now()
    )
    po.status, po.note = PurchaseOrderStatus.CANCELLED, reason[:300]
    po.save(update_fields=["status", "note", "updated_at"])
    _readiness_changed([line.request.order_id for line in lines if line.request_id])
    return po


def _po_status_derive(po: PurchaseOrder, actor: User) -> None:
    """Received / partially received follow from the lines' quantities (never typed in)."""
    lines = list(po.lines.values_list("quantity", "received"))
    if all(received >= quantity for quantity, received in lines):
        action = "receive"
    elif any(received > 0 for _quantity, received in lines):
        action = "receive_partially"
    else:  # pragma: no cover - called only after an arrival
        return
    transition = transition_check(PURCHASE_ORDER_TRANSITIONS, action, po.status, set(actor.roles))
    if po.status != transition.target:
        po.status = transition.target
        po.save(update_fields=["status", "updated_at"])


@transaction.atomic
def purchase_receive(
    *, actor: User, line: PurchaseOrderLine, quantity: Any, received_on: Any = None, note: str = ""
) -> Receipt:
    """Record an arrival (partial allowed): on order → on hand, and what the line's order still misses is
    reserved for it at once. More than is outstanding on the line is refused."""
    _ensure_purchaser(actor)
    line = PurchaseOrderLine.objects.select_for_update().select_related("material").filter(pk=line.pk).first()
    if line is None:
        raise NotFoundError(_("Purchase order line not found."))
    po = _po_locked(actor, line.purchase_order_id)
    if po.status not in (PurchaseOrderStatus.OPEN, PurchaseOrderStatus.PARTIALLY_RECEIVED):
        raise TransitionError(_("Nothing more can arrive on this purchase order."), code="po_not_open")
    errors = FieldErrors()
    qty = _quantity(quantity, "quantity", errors)
    when = parse_date(received_on, "received_on", errors, required=False) or timezone.localdate()
    if when > timezone.localdate():
        errors.add("received_on", _("An arrival cannot be in the future."))
    if when < po.order_date:
        errors.add("received_on", _("An arrival cannot be before the order date."))
    note = parse_text(note, "note", errors, max_length=300)
    errors.raise_if_any()
    if qty > line.outstanding:
        raise OverReceiptError(
            _("Only %(outstanding)s %(unit)s are outstanding on this line.")
            % {"outstanding": qty_text(line.outstanding), "unit": line.material.unit},
            extra={"fields": {"quantity": [_("More than outstanding.")]}},
        )
    receipt = Receipt.objects.create(line=line, quantity=qty, received_on=when, received_by=actor, note=note)
    PurchaseOrderLine.objects.filter(pk=line.pk).update(received=F("received") + qty)
    line.received += qty
    stock = _stocks_locked([line.material_id])[line.material_id]
    on_order_drop = min(qty, stock.on_order)
    Stock.objects.filter(pk=stock.pk).update(
        on_hand=F("on_hand") + qty, on_order=F("on_order") - on_order_drop, updated_at=timezone.now()
    )
    stock.on_hand += qty
    StockMovement.objects.create(
        material_id=line.material_id, kind=StockMovement.Kind.RECEIPT, quantity=qty, po_line=line, actor=actor
    )
    order_ids: list[int] = []
    if line.request_id:
        request = PurchaseRequest.objects.select_for_update().get(pk=line.request_id)
        requirement = MaterialRequirement.objects.select_for_update().get(pk=request.requirement_id)
        take = min(qty, requirement.shortage, stock.available)
        if request.order.status == OrderStatus.CANCELLED:
            take = ZERO  # bought for an order since cancelled: the arrival is free stock
        if take > 0:
            _reserve(stock, take)
            MaterialRequirement.objects.filter(pk=requirement.pk).update(reserved=F("reserved") + take)
            StockMovement.objects.create(
                material_id=line.material_id,
                kind=StockMovement.Kind.RESERVE,
                quantity=take,
                order_id=request.order_id,
                po_line=line,
                actor=actor,
            )
        if line.received >= line.quantity:
            transition_check(PURCHASE_REQUEST_TRANSITIONS, "receive", request.status, set(actor.roles))
            request.status = PurchaseRequestStatus.RECEIVED
            request.save(update_fields=["status", "updated_at"])
        order_event_record(
            order=request.order,
            type=OrderEvent.Type.MATERIAL_RECEIVED,
            actor=actor,
            note=note,
            data={
                "purchase_order": po.number,
                "material": line.material.code,
                "quantity": qty_text(qty),
                "received_on": when.isoformat(),
                "reserved": qty_text(take) if take > 0 else "0",
                "outstanding": qty_text(line.outstanding),
                "late": when > po.expected_date,
            },
        )
        order_ids.append(request.order_id)
    _po_status_derive(po, actor)
    _readiness_changed(order_ids)
    return receipt


# --- the scan: late or short arrivals → exceptions -----------------------------------------------------


def _alert_candidates(today: dt.date) -> list[tuple[PurchaseOrderLine, str]]:
    """(line, kind) for each purchase order line bought for an order whose materials are late or short:
    overdue (nothing by the expected date), short (part arrived, the rest overdue), late (all arrived, after
    the expected date). Two queries."""
    base = PurchaseOrderLine.objects.filter(
        request__isnull=False, request__order__status__in=ALERT_ORDER_STATUSES
    ).select_related("purchase_order__created_by", "material", "request__order")
    open_late = list(
        base.filter(
            purchase_order__status__in=(PurchaseOrderStatus.OPEN, PurchaseOrderStatus.PARTIALLY_RECEIVED),
            purchase_order__expected_date__lt=today,
            received__lt=F("quantity"),
        )
    )
    arrived_late = list(
        base.filter(
            received__gte=F("quantity"),
            receipts__received_on__gt=F("purchase_order__expected_date"),
            alerts__isnull=True,
        ).distinct()
    )
    result = [
        (line, MaterialAlert.Kind.SHORT if line.received > 0 else MaterialAlert.Kind.OVERDUE)
        for line in open_late
    ]
    result += [(line, MaterialAlert.Kind.LATE) for line in arrived_late]
    return result


def _exception_raise(
    *, line: PurchaseOrderLine, kind: str, today: dt.date, actor: User | None, calendar: WorkingCalendar
) -> dict:
    """Through gendan.followup's exception service (type material); if it refuses (e.g. the acting user may
    not raise on this order), an order event keeps the fact on the timeline instead."""
    order = line.request.order
    po = line.purchase_order
    last_arrival = max((r.received_on for r in line.receipts.all()), default=None)
    late_until = last_arrival if kind == MaterialAlert.Kind.LATE and last_arrival else today
    days_late = calendar.working_days_between(po.expected_date, late_until)
    labels = {
        MaterialAlert.Kind.OVERDUE: _("%(material)s not arrived: %(po)s expected %(date)s"),
        MaterialAlert.Kind.SHORT: _(
            "%(material)s short: %(received)s of %(quantity)s arrived on %(po)s, expected %(date)s"
        ),
        MaterialAlert.Kind.LATE: _("%(material)s arrived late on %(po)s: expected %(date)s"),
    }
    title = labels[kind] % {
        "material": line.material.name,
        "po": po.number,
        "date": po.expected_date.isoformat(),
        "received": qty_text(line.received),
        "quantity": qty_text(line.quantity),
    }
    data = {
        "purchase_order": po.number,
        "material": line.material.code,
        "kind": kind,
        "expected_date": po.expected_date.isoformat(),
        "ordered": qty_text(line.quantity),
        "received": qty_text(line.received),
        "days_late": days_late,
    }
    raiser = actor or po.created_by
    try:
        from gendan.followup.models import ExceptionType, Severity
        from gendan.followup.services import exception_raise

        exception = exception_raise(
            order=order,
            actor=raiser,
            type=ExceptionType.MATERIAL,
            title=title[:200],
            severity=Severity.HIGH if kind != MaterialAlert.Kind.LATE else Severity.MEDIUM,
            description=_("Raised by the materials scan of %(date)s.") % {"date": today.isoformat()},
            impact_days=min(days_late, 365),
        )
        return {**data, "via": "followup", "exception": exception.number}
    except ApplicationError as exc:
        order_event_record(
            order=order,
            type=OrderEvent.Type.MATERIAL_EXCEPTION,
            actor=None,
            note=title,
            data={**data, "followup_refused": exc.code},
        )
        return {**data, "via": "event", "followup_refused": exc.code}


def materials_scan(*, today: dt.date, actor: User | None = None) -> dict[str, int]:
    """Turn every late or short arrival into an exception on the affected order, once.

    Idempotent: each (order, purchase order line, kind) is raised at most once (`MaterialAlert`, unique), so
    a second run on the same day — or a concurrent one — raises nothing new. Each alert commits on its own.
    """
    calendar = WorkingCalendar.load(today.year - 1, today.year)
    candidates = _alert_candidates(today)
    raised = {
        (order_id, line_id, kind)
        for order_id, line_id, kind in MaterialAlert.objects.filter(
            line_id__in=[line.pk for line, _kind in candidates]
        ).values_list("order_id", "line_id", "kind")
    }
    counts = {"checked": len(candidates), "raised": 0, "via_followup": 0, "via_event": 0}
    for line, kind in candidates:
        key = (line.request.order_id, line.pk, kind)
        if key in raised:
            continue
        try:
            with transaction.atomic():
                alert = MaterialAlert.objects.create(
                    order_id=key[0], line=line, kind=kind, raised_on=today, data={}
                )
                alert.data = _exception_raise(
                    line=line, kind=kind, today=today, actor=actor, calendar=calendar
                )
                MaterialAlert.objects.filter(pk=alert.pk).update(data=alert.data)
        except IntegrityError:  # a concurrent scan raised it first
            continue
        counts["raised"] += 1
        counts["via_followup" if alert.data.get("via") == "followup" else "via_event"] += 1
    return counts


def materials_on_order_revised(
    *, order: Order, actor: User | None, revision: Any, changes: list[dict]
) -> None:
    """Registered in orders.revisions.ORDER_REVISED_HOOKS: a released order's requirements follow its new
    quantities (gendan.changes). Less needed: the reservation above the need is given back and open purchase
    requests of a material no longer needed are cancelled. More needed: free stock is reserved and the
    rest not yet covered by a purchase request becomes a new one. An order not released yet has no
    requirements: its release computes them."""
    existing = {r.material_id: r for r in MaterialRequirement.objects.select_for_update().filter(order=order)}
    if not existing:
        return
    needs = order_material_needs(orders=[order.pk]).get(order.pk, {})
    stocks = _stocks_locked(set(existing) | set(needs))
    due = order.promised_date or order.requested_date
    calendar = WorkingCalendar.load(due.year - 2, due.year)
    now = timezone.now()
    changed: dict[str, Any] = {}
    for material_id in sorted(set(existing) | set(needs)):
        required, cycle = needs.get(material_id, (ZERO, 0))
        requirement = existing.get(material_id)
        stock = stocks[material_id]
        if requirement is None:
            if required <= 0:
                continue
            requirement = MaterialRequirement.objects.create(
                order=order,
                material_id=material_id,
                required=required,
                reserved=ZERO,
                required_by=calendar.add_working_days(due, -cycle),
            )
        if required == requirement.required:
            continue
        release = max(requirement.reserved - required, ZERO)
        if release:
            Stock.objects.filter(pk=stock.pk).update(reserved=F("reserved") - release, updated_at=now)
            stock.reserved -= release
            StockMovement.objects.create(
                material_id=material_id,
                kind=StockMovement.Kind.RELEASE,
                quantity=-release,
                order=order,
                actor=actor,
            )
            requirement.reserved -= release
        if required <= 0:
            PurchaseRequest.objects.filter(requirement=requirement, status=PurchaseRequestStatus.OPEN).update(
                status=PurchaseRequestStatus.CANCELLED, updated_at=now
            )
            requirement.save(update_fields=["reserved"])
            changed[str(material_id)] = "0"
            continue
        take = min(max(stock.available, ZERO), max(required - requirement.reserved, ZERO))
        if take:
            _reserve(stock, take)
            StockMovement.objects.create(
                material_id=material_id,
                kind=StockMovement.Kind.RESERVE,
                quantity=take,
                order=order,
                actor=actor,
            )
            requirement.reserved += take
        requirement.required = required
        requirement.save(update_fields=["required", "reserved"])
        requested = sum(
            PurchaseRequest.objects.filter(requirement=requirement)
            .exclude(status=PurchaseRequestStatus.CANCELLED)
            .values_list("quantity", flat=True),
            start=ZERO,
        )
        shortage = required - requirement.reserved - requested
        if shortage > 0:
            PurchaseRequest.objects.create(
                number=document_number_next(series=PR_SERIES, year=timezone.localdate().year),
                requirement=requirement,
                order=order,
                material_id=material_id,
                quantity=shortage,
                required_by=requirement.required_by,
                requested_by=actor,
            )
        changed[str(material_id)] = qty_text(required)
    if changed:
        _readiness_changed([order.pk])
