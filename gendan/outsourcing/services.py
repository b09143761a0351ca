"""Writes of outsourcing (外协加工管理): the order's outsourcing plan, outsourcing orders (外协加工单) and their
transitions, dispatches and returns (the derived status follows the quantities), and the overdue scan that
turns a late return into an exception on the order. Every act is on the order's timeline."""

import datetime as dt
import importlib.util
import logging
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts.models import User
from gendan.core.errors import (
    ApplicationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    TransitionError,
    ValidationFailed,
)
from gendan.core.numbering import document_number_next
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
from gendan.orders.services import order_event_record
from gendan.outsourcing.models import (
    OPEN_STATUSES,
    PROCESS_ZH,
    OutsourcingDispatch,
    OutsourcingOrder,
    OutsourcingOrderEvent,
    OutsourcingOverdueAlert,
    OutsourcingPlanItem,
    OutsourcingReturn,
    OutsourcingStatus,
    Process,
)
from gendan.outsourcing.workflows import OUTSOURCING_TRANSITIONS, RECEIVE_ROLES, WRITE_ROLES
from gendan.parties.models import Supplier

logger = logging.getLogger("gendan.outsourcing")

OUTSOURCING_SERIES = "WX"
CENT = Decimal("0.01")
MAX_QUANTITY = Decimal("9999999999")
# Orders whose outsourcing may be planned (from the review's approval) and ordered (from release).
PLAN_ORDER_STATUSES = (
    OrderStatus.APPROVED,
    OrderStatus.RELEASED,
    OrderStatus.IN_PRODUCTION,
    OrderStatus.PARTIALLY_SHIPPED,
)
ORDER_ORDER_STATUSES = (OrderStatus.RELEASED, OrderStatus.IN_PRODUCTION, OrderStatus.PARTIALLY_SHIPPED)
# Orders whose overdue outsourcing still matters.
SCAN_ORDER_STATUSES = (
    OrderStatus.RELEASED,
    OrderStatus.IN_PRODUCTION,
    OrderStatus.PARTIALLY_SHIPPED,
    OrderStatus.ON_HOLD,
)


def qty_text(value: Decimal) -> str:
    """A quantity as people write it: 100.000 → "100", 12.500 → "12.5" (never "1E+2")."""
    return f"{value.normalize():f}"


def money(quantity: Decimal, price: Decimal) -> Decimal:
    return (quantity * price).quantize(CENT, rounding=ROUND_HALF_UP)


# --- guards -------------------------------------------------------------------------------------------


def _ensure_role(actor: User, roles: frozenset[str]) -> None:
    if not actor.is_active or actor.is_read_only or not actor.roles:
        raise PermissionDeniedError(_("Your account is read-only."), code="read_only")
    if not actor.roles & roles:
        raise PermissionDeniedError(_("Your role may not do this."), code="role_not_allowed")


def can_write(user: User) -> bool:
    return user.is_active and not user.is_read_only and bool(user.roles & WRITE_ROLES)


def can_receive(user: User) -> bool:
    return user.is_active and not user.is_read_only and bool(user.roles & RECEIVE_ROLES)


def _order_locked(order: Order | int, actor: User) -> Order:
    pk = order if isinstance(order, int) else order.pk
    if not order_visible_list(user=actor).filter(pk=pk).exists():
        raise NotFoundError(_("Order not found."))
    return Order.objects.select_for_update().select_related("customer", "merchandiser").get(pk=pk)


def _oo_locked(outsourcing_order: OutsourcingOrder | int, actor: User) -> OutsourcingOrder:
    pk = outsourcing_order if isinstance(outsourcing_order, int) else outsourcing_order.pk
    row = OutsourcingOrder.objects.filter(pk=pk).values("order_id").first()
    if row is None or not order_visible_list(user=actor).filter(pk=row["order_id"]).exists():
        raise NotFoundError(_("Outsourcing order not found."))
    return (
        # only this row: PostgreSQL refuses FOR UPDATE on the nullable side of the order line's outer join
        OutsourcingOrder.objects.select_for_update(of=("self",))
        .select_related("order", "subcontractor", "order_line__product")
        .get(pk=pk)
    )


def _check_version(row: Any, version: Any) -> None:
    if version is not None and str(version) != str(row.version):
        raise ConflictError(_("Someone else changed this record. Reload the page and try again."))


def _line_parse(order: Order, value: Any, errors: FieldErrors) -> OrderLine | None:
    if blank(value):
        return None
    if isinstance(value, OrderLine):
        value = value.pk
    number = parse_int(value, "order_line", errors, required=False)
    if number is None:
        return None
    line = OrderLine.objects.filter(order=order, pk=number).select_related("product").first()
    if line is None:
        errors.add("order_line", _("Choose a line of this order."))
    return line


def _subcontractor_parse(value: Any, errors: FieldErrors, field: str = "subcontractor") -> Supplier | None:
    """A subcontractor by id or code: must be an active supplier of kind subcontractor."""
    if blank(value):
        errors.add(field, _("This field is required."))
        return None
    if isinstance(value, Supplier):
        value = value.pk
    text = str(value).strip()[:50]
    qs = Supplier.objects.filter(kind=Supplier.Kind.SUBCONTRACTOR)
    supplier = qs.filter(pk=int(text)).first() if text.isdigit() and len(text) < 16 else None
    supplier = supplier or qs.filter(code__iexact=text).first()
    if supplier is None:
        errors.add(field, _("Choose a subcontractor (a supplier of kind subcontractor)."))
    elif not supplier.is_active:
        errors.add(field, _("This subcontractor is inactive."))
        return None
    return supplier


def _quantity(value: Any, field: str, errors: FieldErrors, *, required: bool = True) -> Decimal | None:
    return parse_decimal(
        value,
        field,
        errors,
        required=required,
        places=3,
        max_digits=14,
        minimum=Decimal(0),
        exclusive_minimum=True,
        maximum=MAX_QUANTITY,
    )


def _not_future(day: dt.date | None, field: str, errors: FieldErrors, today: dt.date) -> None:
    if day is not None and day > today:
        errors.add(field, _("Record it on or after the day it happened, not ahead."))


def _oo_event(
    oo: OutsourcingOrder,
    type: str,
    actor: User | None,
    *,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    **data: Any,
) -> OutsourcingOrderEvent:
    return OutsourcingOrderEvent.objects.create(
        outsourcing_order=oo,
        type=type,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note[:2000],
        data=data,
    )


def _order_event(oo: OutsourcingOrder, type: str, actor: User | None, *, note: str = "", **data: Any) -> None:
    order_event_record(
        order=oo.order,
        type=type,
        actor=actor,
        note=note[:2000],
        data={
            "outsourcing_order": oo.pk,
            "number": oo.number,
            "subcontractor": oo.subcontractor.code,
            **data,
        },
    )


def _transition(
    oo: OutsourcingOrder,
    action: str,
    actor: User | None,
    roles: set[str],
    *,
    note: str = "",
    event: str = OutsourcingOrderEvent.Type.TRANSITION,
    **data: Any,
) -> None:
    """Change the status through the table; the event row in the same transaction."""
    transition = transition_check(OUTSOURCING_TRANSITIONS, action, oo.status, roles)
    source = oo.status
    oo.status = transition.target
    _oo_event(oo, event, actor, from_status=source, to_status=oo.status, note=note, action=action, **data)


# --- the outsourcing plan (外协加工计划表) -------------------------------------------------------------------


def _plan_data(order: Order, data: Mapping[str, Any]) -> dict[str, Any]:
    errors = FieldErrors()
    process = parse_choice(data.get("process"), "process", errors, Process)
    subcontractor = _subcontractor_parse(data.get("subcontractor"), errors)
    line = _line_parse(order, data.get("order_line"), errors)
    quantity = _quantity(data.get("quantity"), "quantity", errors)
    send = parse_date(data.get("planned_send_date"), "planned_send_date", errors)
    back = parse_date(data.get("planned_return_date"), "planned_return_date", errors)
    if send and send < order.order_date:
        errors.add("planned_send_date", _("The send date cannot be before the order date."))
    if send and back and back < send:
        errors.add("planned_return_date", _("The return date cannot be before the send date."))
    values = {
        "process": process,
        "process_detail": parse_text(data.get("process_detail"), "process_detail", errors, max_length=200),
        "subcontractor": subcontractor,
        "order_line": line,
        "quantity": quantity,
        "planned_send_date": send,
        "planned_return_date": back,
        "note": parse_text(data.get("note"), "note", errors, max_length=500),
    }
    errors.raise_if_any()
    return values


@transaction.atomic
def plan_item_create(*, order: Order, actor: User, data: Mapping[str, Any]) -> OutsourcingPlanItem:
    """Add a line to the order's outsourcing plan: process, subcontractor, quantity, planned dates."""
    _ensure_role(actor, WRITE_ROLES)
    order = _order_locked(order, actor)
    if order.status not in PLAN_ORDER_STATUSES:
        raise TransitionError(
            _("Outsourcing is planned once the order is approved, until it is shipped (now: %(status)s).")
            % {"status": order.get_status_display()},
            code="order_not_plannable",
        )
    values = _plan_data(order, data)
    item = OutsourcingPlanItem.objects.create(order=order, created_by=actor, **values)
    order_event_record(
        order=order,
        type=OrderEvent.Type.OUTSOURCING_PLANNED,
        actor=actor,
        note=f"{PROCESS_ZH.get(item.process, item.process)} → {item.subcontractor.name}",
        data={
            "plan_item": item.pk,
            "process": item.process,
            "subcontractor": item.subcontractor.code,
            "quantity": qty_text(item.quantity),
            "send": item.planned_send_date.isoformat(),
            "return": item.planned_return_date.isoformat(),
        },
    )
    return item


def _plan_item_locked(item: OutsourcingPlanItem | int, actor: User) -> OutsourcingPlanItem:
    pk = item if isinstance(item, int) else item.pk
    row = OutsourcingPlanItem.objects.filter(pk=pk).values("order_id").first()
    if row is None or not order_visible_list(user=actor).filter(pk=row["order_id"]).exists():
        raise NotFoundError(_("Plan item not found."))
    return OutsourcingPlanItem.objects.select_for_update().select_related("order").get(pk=pk)


@transaction.atomic
def plan_item_update(
    *, item: OutsourcingPlanItem, actor: User, data: Mapping[str, Any], version: int | None = None
) -> OutsourcingPlanItem:
    _ensure_role(actor, WRITE_ROLES)
    item = _plan_item_locked(item, actor)
    _check_version(item, version)
    if item.cancelled_at is not None:
        raise TransitionError(_("This plan item is cancelled."), code="plan_item_cancelled")
    values = _plan_data(item.order, data)
    for key, value in values.items():
        setattr(item, key, value)
    item.version += 1
    item.save()
    order_event_record(
        order=item.order,
        type=OrderEvent.Type.OUTSOURCING_PLANNED,
        actor=actor,
        note=_("Plan item changed"),
        data={"plan_item": item.pk, "quantity": qty_text(item.quantity), "updated": True},
    )
    return item


@transaction.atomic
def plan_item_cancel(*, item: OutsourcingPlanItem, actor: User) -> OutsourcingPlanItem:
    """Take a line out of the plan (kept, marked cancelled). Its outsourcing orders are not touched."""
    _ensure_role(actor, WRITE_ROLES)
    item = _plan_item_locked(item, actor)
    if item.cancelled_at is None:
        item.cancelled_at, item.cancelled_by = timezone.now(), actor
        item.version += 1
        item.save(update_fields=["cancelled_at", "cancelled_by", "version", "updated_at"])
        order_event_record(
            order=item.order,
            type=OrderEvent.Type.OUTSOURCING_PLANNED,
            actor=actor,
            note=_("Plan item cancelled"),
            data={"plan_item": item.pk, "cancelled": True},
        )
    return item


# --- outsourcing orders (外协加工单) ----------------------------------------------------------------------


def _oo_data(order: Order, data: Mapping[str, Any]) -> dict[str, Any]:
    errors = FieldErrors()
    plan_item = None
    if not blank(data.get("plan_item")):
        plan_id = parse_int(data.get("plan_item"), "plan_item", errors, required=False)
        plan_item = (
            OutsourcingPlanItem.objects.filter(order=order, pk=plan_id, cancelled_at__isnull=True)
            .select_related("subcontractor", "order_line")
            .first()
            if plan_id is not None
            else None
        )
        if plan_item is None:
            errors.add("plan_item", _("Choose a current line of this order's outsourcing plan."))

    def pick(key: str, from_plan: Any) -> Any:
        value = data.get(key)
        return from_plan if blank(value) and plan_item is not None else value

    subcontractor = _subcontractor_parse(pick("subcontractor", plan_item and plan_item.subcontractor), errors)
    process = parse_choice(pick("process", plan_item and plan_item.process), "process", errors, Process)
    line = _line_parse(order, pick("order_line", plan_item and plan_item.order_line_id), errors)
    quantity = _quantity(pick("quantity", plan_item and plan_item.quantity), "quantity", errors)
    unit_price = parse_decimal(
        data.get("unit_price"), "unit_price", errors, places=4, max_digits=14, minimum=Decimal(0)
    )
    due_date = parse_date(pick("due_date", plan_item and plan_item.planned_return_date), "due_date", errors)
    if due_date and due_date < order.order_date:
        errors.add("due_date", _("The due date cannot be before the order date."))
    unit = parse_text(data.get("unit"), "unit", errors, max_length=10) or (line.unit if line else "件")
    values = {
        "plan_item": plan_item,
        "subcontractor": subcontractor,
        "process": process,
        "order_line": line,
        "description": parse_text(
            pick("description", plan_item and plan_item.process_detail), "description", errors, max_length=300
        ),
        "quantity": quantity,
        "unit": unit,
        "unit_price": unit_price,
        "materials_issued": parse_text(
            data.get("materials_issued"), "materials_issued", errors, max_length=4000
        ),
        "due_date": due_date,
        "quality_requirements": parse_text(
            data.get("quality_requirements"), "quality_requirements", errors, max_length=4000
        ),
    }
    errors.raise_if_any()
    values["amount"] = money(quantity, unit_price)
    if values["amount"] >= Decimal(10) ** 14:
        raise ValidationFailed({"quantity": [_("Quantity × unit price is too large.")]})
    return values


@transaction.atomic
def outsourcing_order_create(*, order: Order, actor: User, data: Mapping[str, Any]) -> OutsourcingOrder:
    """A draft outsourcing order with its number (gap-free, WX<year>-<n>); from a plan item, its
    subcontractor, process, line, quantity and return date are proposed unless given."""
    _ensure_role(actor, WRITE_ROLES)
    order = _order_locked(order, actor)
    if order.status not in ORDER_ORDER_STATUSES:
        raise TransitionError(
            _("Outsourcing orders are placed for released orders until they are shipped (now: %(status)s).")
            % {"status": order.get_status_display()},
            code="order_not_released",
        )
    today = timezone.localdate()
    values = _oo_data(order, data)
    oo = OutsourcingOrder.objects.create(
        number=document_number_next(series=OUTSOURCING_SERIES, year=today.year),
        order=order,
        created_by=actor,
        status=OutsourcingStatus.DRAFT,
        **values,
    )
    _oo_event(oo, OutsourcingOrderEvent.Type.CREATED, actor, to_status=oo.status, amount=str(oo.amount))
    return oo


@transaction.atomic
def outsourcing_order_update(
    *, outsourcing_order: OutsourcingOrder, actor: User, data: Mapping[str, Any], version: int | None = None
) -> OutsourcingOrder:
    """Edit a draft; once issued, only the due date changes (outsourcing_order_due_date_change)."""
    _ensure_role(actor, WRITE_ROLES)
    oo = _oo_locked(outsourcing_order, actor)
    _check_version(oo, version)
    if oo.status != OutsourcingStatus.DRAFT:
        raise TransitionError(_("Only a draft outsourcing order can be edited."), code="not_draft")
    values = _oo_data(oo.order, data)
    for key, value in values.items():
        setattr(oo, key, value)
    oo.version += 1
    oo.save()
    _oo_event(oo, OutsourcingOrderEvent.Type.UPDATED, actor, amount=str(oo.amount))
    return oo


@transaction.atomic
def outsourcing_order_issue(*, outsourcing_order: OutsourcingOrder, actor: User) -> OutsourcingOrder:
    """Send the outsourcing order to the subcontractor (下达): from now on goods may be dispatched."""
    _ensure_role(actor, WRITE_ROLES)
    oo = _oo_locked(outsourcing_order, actor)
    if oo.order.status not in ORDER_ORDER_STATUSES:
        raise TransitionError(
            _("The order is %(status)s: outsourcing orders are issued for released orders.")
            % {"status": oo.order.get_status_display()},
            code="order_not_released",
        )
    if not oo.subcontractor.is_active:
        raise TransitionError(_("This subcontractor is inactive."), code="subcontractor_inactive")
    _transition(oo, "issue", actor, set(actor.roles))
    oo.issued_at, oo.issued_by = timezone.now(), actor
    oo.version += 1
    oo.save(update_fields=["status", "issued_at", "issued_by", "version", "updated_at"])
    _order_event(
        oo,
        OrderEvent.Type.OUTSOURCING_ISSUED,
        actor,
        note=f"{oo.number} {PROCESS_ZH.get(oo.process, oo.process)} → {oo.subcontractor.name}",
        quantity=qty_text(oo.quantity),
        due_date=oo.due_date.isoformat(),
        amount=str(oo.amount),
    )
    return oo


@transaction.atomic
def outsourcing_order_cancel(
    *, outsourcing_order: OutsourcingOrder, actor: User, reason: str
) -> OutsourcingOrder:
    """Cancel (never delete) an outsourcing order with nothing sent yet; the number stays used."""
    _ensure_role(actor, WRITE_ROLES)
    oo = _oo_locked(outsourcing_order, actor)
    errors = FieldErrors()
    reason = parse_text(reason, "reason", errors, required=True, max_length=500)
    errors.raise_if_any()
    if oo.quantity_dispatched > 0:
        raise TransitionError(
            _("Goods were already sent to the subcontractor: close the order instead of cancelling it."),
            code="already_dispatched",
        )
    _transition(oo, "cancel", actor, set(actor.roles), note=reason)
    oo.cancelled_at, oo.cancel_reason = timezone.now(), reason
    oo.version += 1
    oo.save(update_fields=["status", "cancelled_at", "cancel_reason", "version", "updated_at"])
    _order_event(oo, OrderEvent.Type.OUTSOURCING_CANCELLED, actor, note=reason)
    return oo


@transaction.atomic
def outsourcing_order_close(
    *, outsourcing_order: OutsourcingOrder, actor: User, note: str = ""
) -> OutsourcingOrder:
    """Close (结案) a returned outsourcing order; one closed short (part never came back) needs a note."""
    _ensure_role(actor, WRITE_ROLES)
    oo = _oo_locked(outsourcing_order, actor)
    errors = FieldErrors()
    short = oo.status == OutsourcingStatus.PARTIALLY_RETURNED
    note = parse_text(note, "note", errors, required=short, max_length=500)
    errors.raise_if_any()
    _transition(oo, "close", actor, set(actor.roles), note=note, short=short)
    oo.closed_at, oo.close_note = timezone.now(), note
    oo.version += 1
    oo.save(update_fields=["status", "closed_at", "close_note", "version", "updated_at"])
    _order_event(
        oo,
        OrderEvent.Type.OUTSOURCING_CLOSED,
        actor,
        note=note,
        short=short,
        returned=qty_text(oo.quantity_returned),
        defective=qty_text(oo.quantity_defective),
    )
    return oo


@transaction.atomic
def outsourcing_order_due_date_change(
    *, outsourcing_order: OutsourcingOrder, actor: User, due_date: Any, reason: str
) -> OutsourcingOrder:
    """Agree a new due date with the subcontractor (with a reason); the overdue scan then follows it."""
    _ensure_role(actor, WRITE_ROLES)
    oo = _oo_locked(outsourcing_order, actor)
    if oo.status not in (OutsourcingStatus.DRAFT, *OPEN_STATUSES):
        raise TransitionError(_("This outsourcing order is no longer open."), code="not_open")
    errors = FieldErrors()
    new_date = parse_date(due_date, "due_date", errors)
    reason = parse_text(reason, "reason", errors, required=True, max_length=500)
    if new_date and new_date < oo.order.order_date:
        errors.add("due_date", _("The due date cannot be before the order date."))
    errors.raise_if_any()
    old = oo.due_date
    oo.due_date = new_date
    oo.version += 1
    oo.save(update_fields=["due_date", "version", "updated_at"])
    _oo_event(
        oo,
        OutsourcingOrderEvent.Type.DUE_DATE_CHANGED,
        actor,
        note=reason,
        old=old.isoformat(),
        new=new_date.isoformat(),
    )
    return oo


# --- dispatches and returns ---------------------------------------------------------------------------


def _first_day(oo: OutsourcingOrder) -> dt.date:
    return timezone.localdate(oo.issued_at) if oo.issued_at else oo.order.order_date


@transaction.atomic
def outsourcing_dispatch_record(
    *, outsourcing_order: OutsourcingOrder, actor: User, data: Mapping[str, Any]
) -> OutsourcingDispatch:
    """Goods sent to the subcontractor (发外): at most what is still to send."""
    _ensure_role(actor, WRITE_ROLES)
    oo = _oo_locked(outsourcing_order, actor)
    if oo.status not in OPEN_STATUSES:
        raise TransitionError(
            _("Goods are sent on an issued outsourcing order (now: %(status)s).")
            % {"status": oo.get_status_display()},
            code="not_issued",
        )
    today = timezone.localdate()
    errors = FieldErrors()
    quantity = _quantity(data.get("quantity"), "quantity", errors)
    day = parse_date(data.get("dispatched_on"), "dispatched_on", errors, required=False) or today
    _not_future(day, "dispatched_on", errors, today)
    if day < _first_day(oo):
        errors.add("dispatched_on", _("Goods cannot leave before the outsourcing order was issued."))
    note = parse_text(data.get("note"), "note", errors, max_length=500)
    if quantity is not None and quantity > oo.quantity_to_send:
        errors.add(
            "quantity",
            _("At most %(left)s %(unit)s are still to send (ordered %(qty)s).")
            % {"left": qty_text(oo.quantity_to_send), "unit": oo.unit, "qty": qty_text(oo.quantity)},
        )
    errors.raise_if_any()
    dispatch = OutsourcingDispatch.objects.create(
        outsourcing_order=oo, dispatched_on=day, quantity=quantity, note=note, created_by=actor
    )
    oo.quantity_dispatched += quantity
    oo.version += 1
    oo.save(update_fields=["quantity_dispatched", "version", "updated_at"])
    _oo_event(
        oo,
        OutsourcingOrderEvent.Type.DISPATCHED,
        actor,
        note=note,
        quantity=qty_text(quantity),
        date=day.isoformat(),
    )
    _order_event(
        oo,
        OrderEvent.Type.OUTSOURCING_DISPATCHED,
        actor,
        note=note,
        quantity=qty_text(quantity),
        date=day.isoformat(),
        at_subcontractor=qty_text(oo.quantity_at_subcontractor),
    )
    return dispatch


@transaction.atomic
def outsourcing_return_record(
    *, outsourcing_order: OutsourcingOrder, actor: User, data: Mapping[str, Any]
) -> OutsourcingReturn:
    """Goods back from the subcontractor (回厂), with the incoming inspection: quantity returned, of which
    defective. The fee is returned × unit price; the rework deduction is defective × unit price unless an
    amount (`deduction_amount`) is given. The status follows: partially returned, or returned when the whole
    quantity is back."""
    _ensure_role(actor, RECEIVE_ROLES)
    oo = _oo_locked(outsourcing_order, actor)
    if oo.status not in OPEN_STATUSES:
        raise TransitionError(
            _("Returns are recorded on an issued outsourcing order (now: %(status)s).")
            % {"status": oo.get_status_display()},
            code="not_issued",
        )
    today = timezone.localdate()
    errors = FieldErrors()
    returned = _quantity(data.get("quantity_returned"), "quantity_returned", errors)
    defective = parse_decimal(
        data.get("quantity_defective"),
        "quantity_defective",
        errors,
        required=False,
        places=3,
        minimum=Decimal(0),
        maximum=MAX_QUANTITY,
        default=Decimal(0),
    )
    explicit = parse_decimal(
        data.get("deduction_amount"), "deduction_amount", errors, required=False, places=2, minimum=Decimal(0)
    )
    day = parse_date(data.get("returned_on"), "returned_on", errors, required=False) or today
    _not_future(day, "returned_on", errors, today)
    first_dispatch = oo.dispatches.order_by("dispatched_on").values_list("dispatched_on", flat=True).first()
    if first_dispatch is None:
        errors.add("quantity_returned", _("Nothing was sent to the subcontractor yet."))
    elif day < first_dispatch:
        errors.add(
            "returned_on",
            _("Goods cannot come back before they were sent (%(date)s).") % {"date": first_dispatch},
        )
    note = parse_text(data.get("inspection_note"), "inspection_note", errors, max_length=500)
    if returned is not None and first_dispatch is not None and returned > oo.quantity_at_subcontractor:
        errors.add(
            "quantity_returned",
            _("Only %(left)s %(unit)s are at the subcontractor (sent %(sent)s, back %(back)s).")
            % {
                "left": qty_text(oo.quantity_at_subcontractor),
                "unit": oo.unit,
                "sent": qty_text(oo.quantity_dispatched),
                "back": qty_text(oo.quantity_returned),
            },
        )
    if returned is not None and defective is not None and defective > returned:
        errors.add(
            "quantity_defective",
            _("The defective pieces are part of those returned: at most %(n)s.") % {"n": qty_text(returned)},
        )
    errors.raise_if_any()
    fee = money(returned, oo.unit_price)
    deduction = explicit if explicit is not None else money(defective, oo.unit_price)
    if deduction > fee:
        raise ValidationFailed(
            {
                "deduction_amount": [
                    _("The deduction cannot exceed this return's fee (%(fee)s).") % {"fee": fee}
                ]
            }
        )
    record = OutsourcingReturn.objects.create(
        outsourcing_order=oo,
        returned_on=day,
        quantity_returned=returned,
        quantity_defective=defective,
        inspection_note=note,
        explicit_deduction=explicit is not None,
        fee_amount=fee,
        deduction_amount=deduction,
        created_by=actor,
    )
    oo.quantity_returned += returned
    oo.quantity_defective += defective
    action = "return_all" if oo.quantity_returned >= oo.quantity else "return_partially"
    source = oo.status
    _transition(
        oo,
        action,
        actor,
        set(actor.roles),
        note=note,
        event=OutsourcingOrderEvent.Type.RETURNED,
        returned=qty_text(returned),
        defective=qty_text(defective),
        date=day.isoformat(),
    )
    oo.version += 1
    oo.save(update_fields=["status", "quantity_returned", "quantity_defective", "version", "updated_at"])
    _order_event(
        oo,
        OrderEvent.Type.OUTSOURCING_RETURNED,
        actor,
        note=note,
        date=day.isoformat(),
        returned=qty_text(returned),
        defective=qty_text(defective),
        fee=str(fee),
        deduction=str(deduction),
        status_from=source,
        status_to=oo.status,
        outstanding=qty_text(oo.quantity_outstanding),
    )
    return record


# --- the overdue scan ---------------------------------------------------------------------------------


def _overdue_candidates(today: dt.date) -> list[OutsourcingOrder]:
    """Open outsourcing orders past their due date with something not back, not yet alerted for that date."""
    rows = list(
        OutsourcingOrder.objects.filter(
            status__in=OPEN_STATUSES,
            due_date__lt=today,
            quantity_returned__lt=F("quantity"),
            order__status__in=SCAN_ORDER_STATUSES,
        )
        .select_related("order", "subcontractor", "created_by")
        .order_by("due_date", "id")
    )
    alerted = set(
        OutsourcingOverdueAlert.objects.filter(
            outsourcing_order__status__in=OPEN_STATUSES, outsourcing_order__due_date__lt=today
        ).values_list("outsourcing_order_id", "due_date")
    )
    return [oo for oo in rows if (oo.pk, oo.due_date) not in alerted]


def _overdue_raise(*, oo: OutsourcingOrder, today: dt.date) -> dict:
    """Through gendan.followup's exception service (type outsourcing), raised by the outsourcing order's
    creator; if that is refused (or there is no follow-up module) the order's timeline keeps the fact."""
    from gendan.planning.calendar import WorkingCalendar

    calendar = WorkingCalendar.load(oo.due_date.year, today.year)
    days_late = calendar.working_days_between(oo.due_date, today)
    outstanding = qty_text(oo.quantity_outstanding)
    title = _(
        "%(number)s overdue at %(subcontractor)s: %(outstanding)s of %(quantity)s %(unit)s not back (%(process)s), due %(date)s"
    ) % {
        "number": oo.number,
        "subcontractor": oo.subcontractor.name,
        "outstanding": outstanding,
        "quantity": qty_text(oo.quantity),
        "unit": oo.unit,
        "process": Process(oo.process).label,
        "date": oo.due_date.isoformat(),
    }
    data = {
        "outsourcing_order": oo.number,
        "subcontractor": oo.subcontractor.code,
        "due_date": oo.due_date.isoformat(),
        "outstanding": str(outstanding),
        "at_subcontractor": qty_text(oo.quantity_at_subcontractor),
        "days_late": days_late,
    }
    refused = "absent"
    if importlib.util.find_spec("gendan.followup.services") is not None:
        from gendan.followup.models import ExceptionType, Severity
        from gendan.followup.services import exception_raise

        try:
            exception = exception_raise(
                order=oo.order,
                actor=oo.created_by,
                type=ExceptionType.OUTSOURCING,
                title=title[:200],
                severity=Severity.HIGH,
                description=_("Raised by the outsourcing scan of %(date)s.") % {"date": today.isoformat()},
                impact_days=min(days_late, 365),
            )
            data.update(via="followup", exception=exception.number)
            _oo_event(oo, OutsourcingOrderEvent.Type.OVERDUE, None, note=title, **data)
            return data
        except ApplicationError as exc:
            refused = exc.code
    data.update(via="event", followup_refused=refused)
    _oo_event(oo, OutsourcingOrderEvent.Type.OVERDUE, None, note=title, **data)
    _order_event(oo, OrderEvent.Type.OUTSOURCING_OVERDUE, None, note=title, **data)
    return data


def outsourcing_overdue_scan(*, today: dt.date) -> dict[str, int]:
    """Every issued outsourcing order whose return is overdue (not all back after the due date) becomes an
    exception on its order, once per due date.

    Idempotent: an `OutsourcingOverdueAlert` row (unique per outsourcing order and due date) is written in
    the same transaction as the exception, so a second run — or a concurrent one — raises nothing new. A new
    due date agreed later is watched again.
    """
    candidates = _overdue_candidates(today)
    counts = {"checked": len(candidates), "raised": 0, "via_followup": 0, "via_event": 0}
    for oo in candidates:
        try:
            with transaction.atomic():
                alert = OutsourcingOverdueAlert.objects.create(
                    outsourcing_order=oo, due_date=oo.due_date, raised_on=today
                )
                alert.data = _overdue_raise(oo=oo, today=today)
                OutsourcingOverdueAlert.objects.filter(pk=alert.pk).update(data=alert.data)
        except IntegrityError:  # a concurrent scan raised it first
            continue
        counts["raised"] += 1
        counts["via_followup" if alert.data.get("via") == "followup" else "via_event"] += 1
    if counts["raised"]:
        logger.info("outsourcing scan %s: %s", today, counts)
    return counts


def outsourcing_orders_flag_revised(
    *, order: Order, actor: User | None, order_line_ids: list[int], revision: int, note: str = ""
) -> list[OutsourcingOrder]:
    """The order was revised (gendan.changes): each open outsourcing order covering a changed line (or the
    whole order) gets an event on its timeline, for its owner to check quantity and due date. Returns them."""
    from gendan.outsourcing.selectors import outsourcing_orders_open_for_lines

    flagged = list(outsourcing_orders_open_for_lines(order=order, order_line_ids=order_line_ids))
    for oo in flagged:
        _oo_event(oo, OutsourcingOrderEvent.Type.ORDER_REVISED, actor, note=note, revision=revision)
    return flagged
