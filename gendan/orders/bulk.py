"""Batch transitions: many orders through one action of ORDER_TRANSITIONS in one transaction, all or none.

The same checks, rows, events and hooks per order as `orders.services.order_transition` /
`order_release`, written with set-based statements: the orders are locked with one query (scope included),
their status changes with one UPDATE per distinct set of values (one for a release), their events with one
INSERT. An error names the item that failed
(`extra["fields"]["orders.N"]`, N counted from 0 in the caller's list) and nothing is saved.

Hooks: every entry of ORDER_TRANSITION_HOOKS / ORDER_RELEASED_HOOKS runs for every order, in the same
order as the single services run them. An app may register a batch variant of its hook here (keyed by the
per-order hook, in AppConfig.ready()); the batch variant then runs once for all orders, and a hook without
one runs per order.
"""

import copy
import functools
from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts.models import User
from gendan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError, ValidationFailed
from gendan.core.workflow import transition_check
from gendan.orders import services as order_services
from gendan.orders.models import Order, OrderEvent
from gendan.orders.selectors import order_scope_q
from gendan.orders.services import _ensure_can_write
from gendan.orders.workflows import ORDER_TRANSITIONS, REASON_REQUIRED
from gendan.orders.writer import TableWriter

# The most items one batch call takes (API, review queue, planner's release list).
MAX_BATCH = 500

# {per-order hook of ORDER_TRANSITION_HOOKS: `hook(*, orders, action, actor, from_statuses)`}
ORDER_TRANSITION_MANY_HOOKS: dict[Callable[..., object], Callable[..., object]] = {}
# {per-order hook of ORDER_RELEASED_HOOKS: `hook(*, orders, actor)`}
ORDER_RELEASED_MANY_HOOKS: dict[Callable[..., object], Callable[..., object]] = {}

# Actions whose target depends on the order (resume) or that keep per-order state (hold): single only.
_SINGLE_ONLY = frozenset({"hold", "resume"})


@functools.cache
def table_writer(model: type[Model], columns: tuple[str, ...]) -> TableWriter:
    """A plain-SQL writer of `model`'s rows given `columns` (gendan.orders.writer), built once per process."""
    return TableWriter(model, columns)


# An event row for events_write: (order id, type, actor id, from status, to status, note, data).
EventRow = tuple[int, str, int | None, str, str, str, dict]
_EVENT_COLUMNS = ("order_id", "type", "actor_id", "from_status", "to_status", "note", "data")


def events_write(rows: Sequence[EventRow], *, now: Any = None) -> None:
    """OrderEvent rows, as order_event_record writes them, in one INSERT (the batch services' events)."""
    if rows:
        table_writer(OrderEvent, _EVENT_COLUMNS).insert(rows, now=now or timezone.now())


def item_error(exc: ApplicationError, *, key: str, index: int, label: str) -> ApplicationError:
    """The error of one item of a batch: the same class, code and status; the message names the item and
    every field error moves under `key.index` (`orders.3`, `items.0.result`)."""
    error = copy.copy(exc)
    fields = exc.extra.get("fields") or {}
    prefix = f"{key}.{index}"
    named = {f"{prefix}.{name}": list(messages) for name, messages in fields.items()} or {
        prefix: [exc.message]
    }
    message = _("%(item)s: %(message)s") % {"item": label, "message": exc.message}
    error.message = message
    error.args = (message,)
    error.extra = {**exc.extra, "fields": named, "index": index}
    if isinstance(error, ValidationFailed):
        error.fields = named
    return error


def batch_size_check(values: Sequence[Any], *, key: str, limit: int = MAX_BATCH) -> None:
    """Refuse an empty batch, one over `limit`, and an item listed twice (400, nothing done)."""
    if not values:
        raise ValidationFailed({key: [_("Choose at least one.")]})
    if len(values) > limit:
        raise ValidationFailed(
            {
                key: [
                    _("At most %(limit)d at once (%(count)d given).") % {"limit": limit, "count": len(values)}
                ]
            }
        )
    seen: set[Any] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise ValidationFailed({f"{key}.{index}": [_("Listed twice.")]})
        seen.add(value)


def pk_of(value: Any) -> Any:
    return value.pk if hasattr(value, "pk") else value


def batch_ids(values: Sequence[Any], *, key: str, limit: int = MAX_BATCH) -> list[int]:
    """The ids of a batch's objects (objects or ids), checked by batch_size_check."""
    if len(values) > limit:  # before converting: a huge list is refused as it is
        batch_size_check(values, key=key, limit=limit)
    try:
        ids = [int(pk_of(value)) for value in values]
    except (TypeError, ValueError, OverflowError):
        raise ValidationFailed({key: [_("Enter whole numbers (ids).")]}) from None
    batch_size_check(ids, key=key, limit=limit)
    return ids


def not_found(*, key: str, indexes: Sequence[int], message: str) -> NotFoundError:
    return NotFoundError(message, extra={"fields": {f"{key}.{index}": [message] for index in indexes}})


def orders_locked(
    *, orders: Sequence[Order | int], actor: User, key: str = "orders", related: Sequence[str] = ()
) -> list[Order]:
    """The orders' rows, locked in id order with one query, in the caller's order — if `actor` may see
    every one (else 404 naming the unseen ones: services re-check scope). `related`: rows read along
    (select_related), not locked."""
    wanted = batch_ids(orders, key=key)
    # One statement: the scope filter may join the merchandiser's user row, which must not be locked too.
    found = {
        order.pk: order
        for order in Order.objects.select_for_update(of=("self",))
        .select_related(*related)
        .filter(order_scope_q(actor), pk__in=wanted)
        .order_by("pk")
    }
    missing = [index for index, pk in enumerate(wanted) if pk not in found]
    if missing:
        raise not_found(key=key, indexes=missing, message=_("Order not found."))
    return [found[pk] for pk in wanted]


def _ensure_role(actor: User, action: str) -> None:
    """The table's role gate, checked once for the batch (before any order's status is read)."""
    transition = ORDER_TRANSITIONS.get(action)
    if transition is not None and not set(actor.roles) & transition.roles:
        raise PermissionDeniedError(
            _("Your role may not do this."), code="role_not_allowed", extra={"action": action}
        )


def order_transitions_apply(
    *,
    orders: Sequence[Order],
    actor: User,
    action: str,
    reason: str = "",
    fields: Sequence[dict[str, Any]] | None = None,
    data: Sequence[dict[str, Any]] | None = None,
    key: str = "orders",
) -> list[Order]:
    """order_transition for orders already locked by the caller (`orders_locked`, or a join that locked
    them): table check per order, one UPDATE per distinct set of `fields` (one in all when every order
    gets the same values), the events in one INSERT, then the transition hooks. `fields` / `data`: per
    order, in the orders' order. Must run inside the caller's transaction."""
    if action in _SINGLE_ONLY:
        raise ValueError(f"{action} changes one order at a time")
    _ensure_can_write(actor)
    _ensure_role(actor, action)
    roles = set(actor.roles)
    reason = (reason or "").strip()
    if action in REASON_REQUIRED and not reason:
        raise ApplicationError(
            _("Please give a reason."),
            code="reason_required",
            extra={"fields": {"reason": [_("This field is required.")]}},
        )
    per_order = list(fields) if fields is not None else [{} for _order in orders]
    target = ""
    for index, order in enumerate(orders):
        try:
            target = transition_check(ORDER_TRANSITIONS, action, order.status, roles).target or ""
        except ApplicationError as exc:
            raise item_error(exc, key=key, index=index, label=order.number) from None
    sources = [order.status for order in orders]
    now = timezone.now()
    groups: dict[tuple, list[Order]] = {}
    for order, values in zip(orders, per_order, strict=True):
        groups.setdefault(tuple(sorted(values.items())), []).append(order)
    for values, members in groups.items():
        Order.objects.filter(pk__in=[order.pk for order in members]).update(
            status=target, version=F("version") + 1, updated_at=now, **dict(values)
        )
    for order, values in zip(orders, per_order, strict=True):
        order.status = target
        order.version += 1
        order.updated_at = now
        for name, value in values.items():
            setattr(order, name, value)
    events_write(
        [
            (
                order.pk,
                OrderEvent.Type.TRANSITION,
                actor.pk,
                source,
                target,
                reason,
                {"action": action, **(data[index] if data else {})},
            )
            for index, (order, source) in enumerate(zip(orders, sources, strict=True))
        ],
        now=now,
    )
    for hook in order_services.ORDER_TRANSITION_HOOKS:  # read at call time: tests replace the lists
        many = ORDER_TRANSITION_MANY_HOOKS.get(hook)
        if many is not None:
            many(orders=list(orders), action=action, actor=actor, from_statuses=sources)
            continue
        for order, source in zip(orders, sources, strict=True):
            hook(order=order, action=action, actor=actor, from_status=source)
    return list(orders)


@transaction.atomic
def order_transition_many(
    *, orders: Sequence[Order | int], actor: User, action: str, reason: str = "", **fields: Any
) -> list[Order]:
    """Apply one action of ORDER_TRANSITIONS to many orders (up to MAX_BATCH): all or none."""
    _ensure_can_write(actor)
    _ensure_role(actor, action)
    locked = orders_locked(orders=orders, actor=actor)
    return order_transitions_apply(
        orders=locked, actor=actor, action=action, reason=reason, fields=[fields] * len(locked)
    )


@transaction.atomic
def order_release_many(*, orders: Sequence[Order | int], actor: User) -> list[Order]:
    """Approved → released, many at once (批量下达): order_release's checks, rows, events and hooks per
    order, or nothing when one order cannot be released."""
    released = order_transition_many(orders=orders, actor=actor, action="release", released_at=timezone.now())
    for hook in order_services.ORDER_RELEASED_HOOKS:
        many = ORDER_RELEASED_MANY_HOOKS.get(hook)
        if many is not None:
            many(orders=released, actor=actor)
            continue
        for order in released:
            hook(order=order, actor=actor)
    return released
