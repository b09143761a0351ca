"""Writes on orders: intake, edits with optimistic locking, and every status transition."""

import functools
import operator
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.core.errors import (
    ApplicationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    TransitionError,
)
from gendan.core.models import decimals_as_stored
from gendan.core.numbering import document_number_next, document_numbers_next
from gendan.core.workflow import transition_check
from gendan.orders.models import (
    EDITABLE_STATUSES,
    Order,
    OrderEvent,
    OrderLine,
    OrderLineSize,
    OrderStatus,
    SourceDocument,
)
from gendan.orders.selectors import order_duplicate_numbers, order_duplicates_by_po, order_scope_q
from gendan.orders.validation import OrderData, order_data_validate, order_data_validate_many
from gendan.orders.workflows import ORDER_TRANSITIONS, REASON_REQUIRED
from gendan.orders.writer import TableWriter

ORDER_SERIES = "SO"


class DuplicateOrderError(ApplicationError):
    code = "duplicate_po"
    status = 409


def order_event_record(
    *,
    order: Order,
    type: str,
    actor: User | None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict | None = None,
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        type=type,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )


def _ensure_can_write(actor: User) -> None:
    if not actor.is_active or actor.is_read_only or not actor.roles:
        raise PermissionDeniedError(_("Your account is read-only."), code="read_only")


# Who may take orders in and edit them: the roles holding orders.add_order / orders.change_order
# (accounts.roles.ROLE_PERMISSIONS), checked here so the API and imports follow the screens.
ORDER_CREATE_ROLES = (R.MERCHANDISER, R.SUPERVISOR, R.SALES, R.ADMIN)
ORDER_EDIT_ROLES = (R.MERCHANDISER, R.SUPERVISOR, R.ADMIN)


def _ensure_role(actor: User, roles: tuple[str, ...]) -> None:
    if not actor.has_role(*roles):
        raise PermissionDeniedError(_("Your role may not do this."), code="role_not_allowed")


def _duplicate_refused_out_of_scope(
    *, actor: User, data: OrderData, field: str, numbers: Sequence[str], index: int | None = None
) -> None:
    """Refuse a duplicate PO without naming an order the actor may not see (issue 21 item 6): no number in
    the message or `extra`, even with confirm_repeat (a repeat of an order one cannot see is the
    supervisor's call). In-scope duplicates are answered as before by the caller."""
    on_file = [n for n in numbers if not n.startswith("#")]  # "#N": an earlier order of the same batch
    if not on_file:
        return
    visible = set(
        Order.objects.filter(order_scope_q(actor), number__in=on_file).values_list("number", flat=True)
    )
    hidden = sorted(set(on_file) - visible)
    if not hidden:
        return
    customer_po = data.customer_po
    message = _(
        "Another order of this customer already has customer PO %(po)s. Ask your supervisor before taking "
        "this order in."
    ) % {"po": customer_po}
    if index is not None:
        message = _("Order %(index)d: %(message)s") % {"index": index + 1, "message": message}
    error = DuplicateOrderError(
        message,
        code="duplicate_po_out_of_scope",
        extra={"fields": {field: [_("Duplicate customer PO number.")]}},
    )
    # for the audit log only (read by auditors, who see every order); never in the answer
    error.audit_data = {"customer": data.customer.pk, "customer_po": customer_po, "orders": hidden}
    raise error


def duplicate_refusal_audited(function: Callable) -> Callable:
    """Write the refused attempt on a duplicate out of the actor's scope to the audit log, after the
    service's transaction rolled back (a row written inside it would roll back with it)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except DuplicateOrderError as exc:
            if exc.code == "duplicate_po_out_of_scope":
                from gendan.core.audit import audit_record
                from gendan.core.models import AuditLog

                audit = getattr(exc, "audit_data", {})
                audit_record(
                    actor=kwargs.get("actor"),
                    action=AuditLog.Action.SCOPE_REFUSED,
                    what="duplicate_po",
                    object_ref=str(audit.get("customer_po", "")),
                    data=audit,
                )
            raise

    return wrapper


def _check_duplicate(data: OrderData, *, actor: User, exclude_pk: int | None = None) -> list[str]:
    duplicates = order_duplicate_numbers(
        customer_id=data.customer.pk, customer_po=data.customer_po, exclude_pk=exclude_pk
    )
    if duplicates:
        _duplicate_refused_out_of_scope(actor=actor, data=data, field="customer_po", numbers=duplicates)
    if duplicates and not data.confirm_repeat:
        raise DuplicateOrderError(
            _(
                "Customer PO %(po)s of this customer is already on order %(numbers)s. Confirm it as a deliberate "
                "repeat with a reason, or correct the PO number."
            )
            % {"po": data.customer_po, "numbers": ", ".join(duplicates)},
            extra={"fields": {"customer_po": [_("Duplicate customer PO number.")]}, "duplicates": duplicates},
        )
    return duplicates


@functools.cache
def _writers() -> dict[str, TableWriter]:
    """The intake's plain-SQL writers (statements built once per process from the models' _meta)."""
    return {
        "order": TableWriter(Order, _ORDER_COLUMNS),
        "line": TableWriter(OrderLine, _LINE_COLUMNS),
        "size": TableWriter(OrderLineSize, _SIZE_COLUMNS),
        "event": TableWriter(OrderEvent, _EVENT_COLUMNS),
    }


# Every column of an order but the id and the timestamps (the writer stamps those), read from the Order
# object that Django built with its defaults.
_ORDER_COLUMNS = tuple(
    f.attname
    for f in Order._meta.concrete_fields
    if not f.primary_key and f.name not in ("created_at", "updated_at")
)
_order_values = operator.attrgetter(*_ORDER_COLUMNS)
_LINE_COLUMNS = (
    "order_id",
    "line_no",
    "product_id",
    "spec",
    "color",
    "quantity",
    "unit",
    "unit_price",
    "amount",
    "tolerance_percent",
    "cancelled_quantity",
)
_SIZE_COLUMNS = ("line_id", "size", "quantity", "position")
_EVENT_COLUMNS = ("order_id", "type", "actor_id", "from_status", "to_status", "note", "data")


def _quantum(model: type[Model], name: str) -> Decimal:
    return Decimal(1).scaleb(-model._meta.get_field(name).decimal_places)


# Decimals at the scale the database stores (as decimals_as_stored), so objects kept in memory read exactly
# like the rows read back.
_Q_QUANTITY, _Q_PRICE, _Q_AMOUNT, _Q_TOLERANCE, _Q_SIZE = (
    _quantum(OrderLine, "quantity"),
    _quantum(OrderLine, "unit_price"),
    _quantum(OrderLine, "amount"),
    _quantum(OrderLine, "tolerance_percent"),
    _quantum(OrderLineSize, "quantity"),
)


_NOTHING_CANCELLED = Decimal(0).quantize(_Q_QUANTITY)


def _lines_write(order: Order, data: OrderData) -> None:
    _lines_write_many([(order, data)], now=timezone.now(), remember=True)


def _lines_write_many(
    pairs: Sequence[tuple[Order, OrderData]], *, now: datetime, remember: bool = False
) -> None:
    """Every line and size row of saved orders, with plain SQL (gendan.orders.writer): one INSERT per table
    and 999 parameters on SQLite. `remember`: leave them on the order objects for answering the writer."""
    writers = _writers()
    line_rows = []
    for order, data in pairs:
        for index, line in enumerate(data.lines, start=1):
            line_rows.append(
                (
                    order.pk,
                    index,
                    line.product.pk,
                    line.spec,
                    line.color,
                    line.quantity.quantize(_Q_QUANTITY),
                    line.unit,
                    line.unit_price.quantize(_Q_PRICE),
                    line.amount.quantize(_Q_AMOUNT),
                    line.tolerance_percent.quantize(_Q_TOLERANCE),
                    _NOTHING_CANCELLED,
                )
            )
    returned = writers["line"].insert(line_rows, now=now, returning=("order_id", "line_no", "id"))
    line_ids = {(order_id, line_no): pk for order_id, line_no, pk in returned}
    size_rows = [
        (line_ids[(order.pk, index)], size, quantity.quantize(_Q_SIZE), position)
        for order, data in pairs
        for index, line in enumerate(data.lines, start=1)
        for position, (size, quantity) in enumerate(line.sizes)
    ]
    if not remember:
        writers["size"].insert(size_rows, now=now)
        return
    returned = writers["size"].insert(size_rows, now=now, returning=("line_id", "size", "id"))
    size_ids = {(line_id, size): pk for line_id, size, pk in returned}
    # The rows just written stay on the objects (as a prefetch would leave them), so the answer to the
    # writer needs no second read.
    alias = connection.alias
    sizes_of: dict[int, list[OrderLineSize]] = {}
    for line_id, size, quantity, position in size_rows:
        saved = OrderLineSize.from_db(
            alias, None, (size_ids[(line_id, size)], line_id, size, quantity, position)
        )
        sizes_of.setdefault(line_id, []).append(saved)
    lines_of: dict[int, list[OrderLine]] = {}
    by_order = {order.pk: order for order, _data in pairs}
    products = iter(line.product for _order, data in pairs for line in data.lines)
    for row in line_rows:
        line_id = line_ids[(row[0], row[1])]
        saved = OrderLine.from_db(alias, None, (line_id, *row))
        _LINE_ORDER.set_cached_value(saved, by_order[row[0]])
        _LINE_PRODUCT.set_cached_value(saved, next(products))
        sizes = sizes_of.get(line_id, [])
        for size in sizes:
            _SIZE_LINE.set_cached_value(size, saved)
        _remember(saved.sizes, sizes)
        lines_of.setdefault(row[0], []).append(saved)
    for order, _data in pairs:
        _remember(order.lines, lines_of.get(order.pk, []))
        order.latest_review_id = None


_LINE_ORDER = OrderLine._meta.get_field("order")
_LINE_PRODUCT = OrderLine._meta.get_field("product")
_SIZE_LINE = OrderLineSize._meta.get_field("line")


def _remember(manager: Any, rows: list) -> None:
    queryset = manager.all()
    queryset._result_cache, queryset._prefetch_done = rows, True
    manager.instance._prefetched_objects_cache = {
        **getattr(manager.instance, "_prefetched_objects_cache", {}),
        manager.field.remote_field.cache_name: queryset,
    }


def _header_values(data: OrderData) -> dict[str, Any]:
    return {
        "customer": data.customer,
        "customer_po": data.customer_po,
        "order_date": data.order_date,
        "requested_date": data.requested_date,
        "business_type": data.business_type,
        "industry": data.industry,
        "source_document": data.source_document,
        "currency": data.currency,
        "payment_terms": data.payment_terms,
        "incoterm": data.incoterm,
        "merchandiser": data.merchandiser,
        "salesperson": data.salesperson,
        "requirements": data.requirements,
        "is_repeat": bool(data.confirm_repeat),
        "repeat_reason": data.repeat_reason if data.confirm_repeat else "",
        "total_quantity": sum((line.quantity for line in data.lines), start=0),
        "total_amount": sum((line.amount for line in data.lines), start=0),
    }


def _orders_write(
    *,
    actor: User,
    datas: Sequence[OrderData],
    numbers: Sequence[str],
    event_type: str,
    event_data: Sequence[dict] | None,
    duplicates: Sequence[list[str]],
    remember: bool,
) -> list[Order]:
    """Write validated, numbered orders with their lines, sizes and events (plain SQL, the ORM's rows) in
    the caller's transaction; return the saved Order objects (`remember`: with their lines and sizes)."""
    writers = _writers()
    now = timezone.now()
    orders = [
        Order(number=number, created_by=actor, **_header_values(data))
        for number, data in zip(numbers, datas, strict=True)
    ]
    decimals_as_stored(*orders)
    returned = writers["order"].insert(
        [_order_values(o) for o in orders], now=now, returning=("number", "id")
    )
    ids = dict(returned)
    alias = connection.alias
    for order in orders:
        order.pk = ids[order.number]
        order.created_at = order.updated_at = now
        order._state.adding, order._state.db = False, alias
    if remember:  # the single path (one order), through its own seam
        for order, data in zip(orders, datas, strict=True):
            _lines_write(order, data)
    else:
        _lines_write_many(list(zip(orders, datas, strict=True)), now=now)
    events = []
    for index, (order, data) in enumerate(zip(orders, datas, strict=True)):
        extra = event_data[index] if event_data else {}
        created = {"lines": len(data.lines), "total_amount": str(order.total_amount), **extra}
        events.append((order.pk, event_type, actor.pk, "", order.status, "", created))
        if duplicates[index]:
            confirmed = {"duplicates": duplicates[index]}
            events.append(
                (
                    order.pk,
                    OrderEvent.Type.DUPLICATE_CONFIRMED,
                    actor.pk,
                    "",
                    "",
                    data.repeat_reason,
                    confirmed,
                )
            )
    writers["event"].insert(events, now=now)
    return orders


@duplicate_refusal_audited
@transaction.atomic
def order_create_from_data(
    *,
    actor: User,
    data: OrderData,
    event_type: str = OrderEvent.Type.CREATED,
    event_data: dict | None = None,
) -> Order:
    _ensure_can_write(actor)
    duplicates = _check_duplicate(data, actor=actor)
    number = document_number_next(series=ORDER_SERIES, year=data.order_date.year)
    [order] = _orders_write(
        actor=actor,
        datas=[data],
        numbers=[number],
        event_type=event_type,
        event_data=[event_data or {}],
        duplicates=[duplicates],
        remember=True,
    )
    return order


def _batch_duplicates(datas: Sequence[OrderData], *, actor: User) -> list[list[str]]:
    """For each order of a batch, the orders with its customer PO (on file or earlier in the batch); raises
    DuplicateOrderError for the first one not confirmed as a deliberate repeat."""
    on_file = order_duplicates_by_po({(d.customer.pk, d.customer_po) for d in datas})
    seen: dict[tuple[int, str], list[str]] = {}
    result = []
    for index, data in enumerate(datas):
        key = (data.customer.pk, data.customer_po.strip().casefold())
        numbers = on_file.get(key, []) + seen.get(key, [])
        if numbers:
            _duplicate_refused_out_of_scope(
                actor=actor, data=data, field=f"orders.{index}.customer_po", numbers=numbers, index=index
            )
        if numbers and not data.confirm_repeat:
            raise DuplicateOrderError(
                _(
                    "Order %(index)d: customer PO %(po)s of this customer is already on order %(numbers)s. "
                    "Confirm it as a deliberate repeat with a reason, or correct the PO number."
                )
                % {"index": index + 1, "po": data.customer_po, "numbers": ", ".join(numbers[:5]) or "—"},
                extra={
                    "fields": {f"orders.{index}.customer_po": [_("Duplicate customer PO number.")]},
                    "duplicates": numbers[:5],
                },
            )
        seen.setdefault(key, []).append(f"#{index + 1}")
        result.append(numbers[:5])
    return result


@duplicate_refusal_audited
@transaction.atomic
def order_create_batch(
    *,
    actor: User,
    datas: Sequence[OrderData],
    event_type: str = OrderEvent.Type.CREATED,
    event_data: Sequence[dict] | None = None,
) -> list[Order]:
    """Create many validated orders in one transaction, all or none: the same rows and events as
    order_create_from_data per order, written with one statement per table (imports, batch API)."""
    _ensure_can_write(actor)
    duplicates = _batch_duplicates(datas, actor=actor)
    by_year: dict[int, list[int]] = {}
    for index, data in enumerate(datas):
        by_year.setdefault(data.order_date.year, []).append(index)
    numbers: list[str] = [""] * len(datas)
    for year, indexes in sorted(by_year.items()):
        drawn = document_numbers_next(series=ORDER_SERIES, year=year, count=len(indexes))
        for index, number in zip(indexes, drawn, strict=True):
            numbers[index] = number
    return _orders_write(
        actor=actor,
        datas=datas,
        numbers=numbers,
        event_type=event_type,
        event_data=event_data,
        duplicates=duplicates,
        remember=False,
    )


MAX_BATCH = 500


def order_create_many(*, actor: User, rows: Sequence[Mapping[str, Any]]) -> list[Order]:
    """Validate every order of a batch (§2.2; errors named `orders.N.field`), then create them all in
    one transaction — or, on any error, none and no number used."""
    _ensure_can_write(actor)
    _ensure_role(actor, ORDER_CREATE_ROLES)
    return order_create_batch(actor=actor, datas=order_data_validate_many(rows, actor=actor, limit=MAX_BATCH))


def order_create(*, actor: User, data: Mapping[str, Any]) -> Order:
    """Validate (§2.2) then create a draft order with a gap-free number. Nothing is saved on error."""
    _ensure_can_write(actor)
    _ensure_role(actor, ORDER_CREATE_ROLES)
    return order_create_from_data(actor=actor, data=order_data_validate(data, actor=actor))


@duplicate_refusal_audited
@transaction.atomic
def order_update(*, order: Order, actor: User, version: int, data: Mapping[str, Any]) -> Order:
    """Replace header and lines, if `version` is still current (else 409, nothing changed)."""
    _ensure_can_write(actor)
    _ensure_role(actor, ORDER_EDIT_ROLES)
    clean = order_data_validate(data, actor=actor, known_order_date=order.order_date)
    current = _locked(order, actor)
    if current.version != version:
        raise ConflictError(
            _("Someone else changed this order (now version %(now)s, yours %(yours)s). Reload and try again.")
            % {"now": current.version, "yours": version},
            extra={"current_version": current.version},
        )
    if current.status not in EDITABLE_STATUSES:
        raise TransitionError(_("An order can be edited only before its review starts."), code="not_editable")
    _check_duplicate(clean, actor=actor, exclude_pk=current.pk)
    values = _header_values(clean)
    if values["order_date"].year != current.order_date.year:
        raise ApplicationError(
            _("The order date cannot move to another year: the number belongs to it."),
            extra={"fields": {"order_date": [_("Keep the order date within its year.")]}},
        )
    updated = Order.objects.filter(pk=current.pk, version=version).update(
        version=F("version") + 1, updated_at=timezone.now(), **values
    )
    if not updated:  # pragma: no cover - the row lock above makes this unreachable on PostgreSQL
        raise ConflictError(_("Someone else changed this order. Reload and try again."))
    OrderLine.objects.filter(order=current).delete()
    _lines_write(current, clean)
    current.refresh_from_db()
    order_event_record(
        order=current,
        type=OrderEvent.Type.UPDATED,
        actor=actor,
        data={"version": current.version, "total_amount": str(current.total_amount)},
    )
    return current


def _locked(order: Order, actor: User) -> Order:
    """The order's row, locked, if `actor` may see it (services re-check scope; views are not trusted)."""
    # One statement: the scope filter may join the merchandiser's user row, which must not be locked too.
    current = Order.objects.select_for_update(of=("self",)).filter(order_scope_q(actor), pk=order.pk).first()
    if current is None:
        raise NotFoundError(_("Order not found."))
    return current


@transaction.atomic
def order_transition(
    *,
    order: Order,
    actor: User,
    action: str,
    reason: str = "",
    version: int | None = None,
    data: dict | None = None,
    **fields: Any,
) -> Order:
    """Apply one action of ORDER_TRANSITIONS: guard, role, optional version check, event row."""
    _ensure_can_write(actor)
    current = _locked(order, actor)
    if version is not None and current.version != version:
        raise ConflictError(
            _("Someone else changed this order. Reload and try again."),
            extra={"current_version": current.version},
        )
    transition = transition_check(ORDER_TRANSITIONS, action, current.status, set(actor.roles))
    reason = (reason or "").strip()
    if action in REASON_REQUIRED and not reason:
        raise ApplicationError(
            _("Please give a reason."),
            code="reason_required",
            extra={"fields": {"reason": [_("This field is required.")]}},
        )
    source = current.status
    target = transition.target
    if action == "hold":
        current.status_before_hold = source
    if action == "resume":
        target = current.status_before_hold or OrderStatus.DRAFT
        current.status_before_hold = ""
    current.status = target
    for name, value in fields.items():
        setattr(current, name, value)
    current.version += 1
    current.save(update_fields=["status", "status_before_hold", "version", "updated_at", *fields])
    order_event_record(
        order=current,
        type=OrderEvent.Type.TRANSITION,
        actor=actor,
        from_status=source,
        to_status=target,
        note=reason,
        data={"action": action, **(data or {})},
    )
    for hook in ORDER_TRANSITION_HOOKS:
        hook(order=current, action=action, actor=actor, from_status=source)
    return current


# Callables `hook(*, order, action, actor, from_status)` run inside every transition's transaction, after
# its event row (e.g. gendan.reviews closes the open review of a cancelled order). Registered in
# AppConfig.ready() by apps that depend on orders.
ORDER_TRANSITION_HOOKS: list[Callable[..., object]] = []


def order_request_approval(*, order: Order, actor: User) -> Order:
    """A verbal order goes to the supervisor first (请示后再做决定)."""
    if order.source_document != SourceDocument.VERBAL:
        raise ApplicationError(_("Only a verbal order needs approval before review."), code="not_verbal")
    return order_transition(order=order, actor=actor, action="request_approval")


def order_approve_verbal(*, order: Order, actor: User, note: str = "") -> Order:
    return order_transition(
        order=order,
        actor=actor,
        action="approve_verbal",
        reason=note,
        verbal_approved_by=actor,
        verbal_approved_at=timezone.now(),
    )


def order_reject_verbal(*, order: Order, actor: User, reason: str) -> Order:
    return order_transition(order=order, actor=actor, action="reject_verbal", reason=reason)


def order_revise(*, order: Order, actor: User) -> Order:
    return order_transition(order=order, actor=actor, action="revise")


def order_hold(*, order: Order, actor: User, reason: str) -> Order:
    return order_transition(order=order, actor=actor, action="hold", reason=reason)


def order_resume(*, order: Order, actor: User) -> Order:
    return order_transition(order=order, actor=actor, action="resume")


def order_cancel(*, order: Order, actor: User, reason: str) -> Order:
    return order_transition(order=order, actor=actor, action="cancel", reason=reason)


# Callables `hook(*, order, actor)` run inside order_release's transaction after the transition (e.g. the
# T&A plan of gendan.followup). Apps that depend on orders register here in AppConfig.ready(), so orders
# never imports them. A hook that raises rolls the release back.
ORDER_RELEASED_HOOKS: list[Callable[..., object]] = []


@transaction.atomic
def order_release(*, order: Order, actor: User) -> Order:
    """Approved → released to the planner with the business notice (业务通知单)."""
    order = order_transition(order=order, actor=actor, action="release", released_at=timezone.now())
    for hook in ORDER_RELEASED_HOOKS:
        hook(order=order, actor=actor)
    return order


def order_start_production(*, order: Order, actor: User) -> Order:
    # Only a released order waits for the acknowledgement; from any other status the table's refusal is
    # the true reason (a draft is not "waiting for the planner").
    if order.status == OrderStatus.RELEASED and order.planner_ack_at is None:
        raise ApplicationError(
            _("The planner must acknowledge the business notice first."), code="not_acknowledged"
        )
    return order_transition(order=order, actor=actor, action="start_production")


@transaction.atomic
def order_planner_acknowledge(*, order: Order, actor: User) -> Order:
    _ensure_can_write(actor)
    current = _locked(order, actor)
    if not actor.has_role(R.PLANNER, R.ADMIN):
        raise PermissionDeniedError(
            _("Only a planner can acknowledge a business notice."), code="role_not_allowed"
        )
    if current.status != OrderStatus.RELEASED:
        raise TransitionError(_("Only a released order can be acknowledged."))
    if current.planner_ack_at:
        raise TransitionError(
            _("This business notice was already acknowledged."), code="already_acknowledged"
        )
    current.planner_ack_by, current.planner_ack_at = actor, timezone.now()
    current.save(update_fields=["planner_ack_by", "planner_ack_at", "updated_at"])
    order_event_record(order=current, type=OrderEvent.Type.PLANNER_ACK, actor=actor)
    return current


@transaction.atomic
def order_original_receive(*, order: Order, actor: User, data: dict | None = None) -> Order:
    _ensure_can_write(actor)
    current = _locked(order, actor)
    if not current.original_pending:
        raise ApplicationError(_("No original is pending for this order."), code="no_original_pending")
    current.original_received_at = timezone.now()
    current.save(update_fields=["original_received_at", "updated_at"])
    order_event_record(order=current, type=OrderEvent.Type.ORIGINAL_RECEIVED, actor=actor, data=data)
    return current


# Statuses derived from shipped quantities: gendan.shipping computes the target after every shipment (or
# cancelled shipment) and asks for it here; the table's action for (current, target) does the change.
_SHIPPING_ACTIONS = {
    (OrderStatus.IN_PRODUCTION, OrderStatus.PARTIALLY_SHIPPED): "ship_partially",
    (OrderStatus.IN_PRODUCTION, OrderStatus.SHIPPED): "ship",
    (OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED): "ship",
    (OrderStatus.SHIPPED, OrderStatus.PARTIALLY_SHIPPED): "reopen_shipping",
    (OrderStatus.PARTIALLY_SHIPPED, OrderStatus.IN_PRODUCTION): "unship",
    (OrderStatus.SHIPPED, OrderStatus.IN_PRODUCTION): "unship",
}


@transaction.atomic
def order_shipping_status_apply(*, order: Order, actor: User, target: str, data: dict | None = None) -> Order:
    """Move the order to the shipping status its quantities give (no-op if it is there already)."""
    current = _locked(order, actor)
    if current.status == target:
        return current
    action = _SHIPPING_ACTIONS.get((current.status, target))
    if action is None:
        raise TransitionError(
            _("The order cannot go from %(from)s to %(to)s.")
            % {"from": current.get_status_display(), "to": OrderStatus(target).label},
            extra={"status": current.status, "target": target},
        )
    return order_transition(order=current, actor=actor, action=action, data=data)


def order_deliver(*, order: Order, actor: User, data: dict | None = None) -> Order:
    """Shipped → delivered (every shipment signed for by the customer)."""
    return order_transition(order=order, actor=actor, action="deliver", data=data)


def order_close(*, order: Order, actor: User, reason: str = "", data: dict | None = None) -> Order:
    """Delivered → closed (已结清: invoiced and paid)."""
    return order_transition(order=order, actor=actor, action="close", reason=reason, data=data)


def order_settle(*, order: Order, actor: User, data: dict | None = None) -> Order:
    """Delivered → closed by the system once invoiced, paid and signed for (gendan.ledger decides)."""
    return order_transition(
        order=order, actor=actor, action="settle", reason=_("Invoiced and paid in full."), data=data
    )


def order_close_short(*, order: Order, actor: User, reason: str, data: dict | None = None) -> Order:
    """Partially shipped → closed (短交结案); gendan.shipping cancels the unshipped rest first."""
    return order_transition(
        order=order, actor=actor, action="close_short", reason=reason, data={"short": True, **(data or {})}
    )


# Who may cancel the unshipped rest of a line or close an order short: a change of the order's content,
# so not the merchandiser alone ("不得擅自更改交期或订单内容"); they ask, a lead decides.
ORDER_REST_CANCEL_ROLES = (R.SUPERVISOR, R.GENERAL_MANAGER, R.ADMIN)


@transaction.atomic
def order_lines_cancel(
    *,
    order: Order,
    actor: User,
    quantities: Mapping[int, Decimal],
    reason: str,
    data: dict | None = None,
) -> Order:
    """Add `quantities` ({order line id: quantity}) to the lines' cancelled quantity, bring the order's totals
    to what is still to be delivered (ordered − cancelled), bump the version and write one event. The caller
    (gendan.shipping) has checked the quantities against what shipped, on the locked lines."""
    _ensure_can_write(actor)
    _ensure_role(actor, ORDER_REST_CANCEL_ROLES)
    current = _locked(order, actor)
    lines = {line.pk: line for line in OrderLine.objects.select_for_update().filter(order=current)}
    changed = {}
    for line_id, quantity in quantities.items():
        line = lines[line_id]
        if quantity <= 0:
            continue
        if line.cancelled_quantity + quantity > line.quantity:  # pragma: no cover - checked by the caller
            raise ApplicationError(_("More cancelled than ordered."), code="over_cancelled")
        line.cancelled_quantity += quantity
        line.save(update_fields=["cancelled_quantity"])
        changed[str(line.line_no)] = format(quantity.normalize(), "f")
    total_quantity = sum((line.effective_quantity for line in lines.values()), Decimal(0))
    total_amount = sum(
        (
            line.amount
            if not line.cancelled_quantity
            else (line.effective_quantity * line.unit_price).quantize(_Q_AMOUNT)
            for line in lines.values()
        ),
        Decimal(0),
    )
    current.total_quantity, current.total_amount = total_quantity, total_amount
    current.version += 1
    current.save(update_fields=["total_quantity", "total_amount", "version", "updated_at"])
    order_event_record(
        order=current,
        type=OrderEvent.Type.LINE_CANCELLED,
        actor=actor,
        note=reason,
        data={"lines": changed, "total_quantity": str(total_quantity), "total_amount": str(total_amount)}
        | (data or {}),
    )
    return current


@transaction.atomic
def orders_reassign(
    *, order_ids: Sequence[int], actor: User, to: User, reason: str, data: dict | None = None
) -> list[Order]:
    """Give orders to another merchandiser for good (the caller checked who may): each order's merchandiser
    changes, its version goes up and its timeline shows from whom to whom."""
    _ensure_can_write(actor)
    orders = list(
        Order.objects.select_for_update(of=("self",)).filter(pk__in=sorted(order_ids)).order_by("pk")
    )
    for order in orders:
        source = order.merchandiser_id
        if source == to.pk:
            continue
        from_name = str(order.merchandiser)
        order.merchandiser = to
        order.version += 1
        order.save(update_fields=["merchandiser", "version", "updated_at"])
        order_event_record(
            order=order,
            type=OrderEvent.Type.REASSIGNED,
            actor=actor,
            note=reason,
            data={
                "from": source,
                "to": to.pk,
                "from_name": from_name,
                "to_name": str(to),
                **(data or {}),
            },
        )
    return orders
