"""The agreed delivery date's history (交期承诺记录): the review's promise and every agreed change.

`Order.promised_date` is always the current agreed date (what the customer expects, what the risk projection
compares with). The merchandiser is measured against `order_promise_kpi_date`: a change for the customer's
cause moves that baseline, a change for our own cause does not.
"""

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts.models import User
from gendan.core.errors import ValidationFailed
from gendan.orders.models import Order, OrderEvent, OrderPromise, PromiseCause
from gendan.orders.services import order_event_record

# The causes that move the date the merchandiser is measured against.
KPI_CAUSES = (PromiseCause.INITIAL, PromiseCause.CUSTOMER)
SOURCE_REVIEW = "review"


@transaction.atomic
def order_promise_record(
    *,
    order: Order,
    new_date: dt.date,
    cause: str,
    reason: str,
    actor: User,
    source: str = "",
    agreed_at: dt.datetime | None = None,
) -> OrderPromise:
    """Append an agreed delivery date and make it the order's promised date.

    Called inside the caller's transaction with `order` already locked (select_for_update) by the caller:
    saves only `promised_date`/`updated_at` (no version check, the caller owns locking and versioning).
    A customer's or our own change needs a reason and a date other than the current one, and writes a
    PROMISE_CHANGED event {from, to, cause, reason, source}; the review's promise (cause=initial) writes no
    event of its own (the approval's transition event carries the date)."""
    reason = (reason or "").strip()
    if cause not in PromiseCause.values:
        raise ValidationFailed({"cause": [_("Choose whose cause the date change is.")]})
    if new_date is None:
        raise ValidationFailed({"promised_date": [_("This field is required.")]})
    if new_date < order.order_date:
        raise ValidationFailed({"promised_date": [_("The promised date cannot be before the order date.")]})
    previous = order.promised_date
    if cause != PromiseCause.INITIAL:
        if not reason:
            raise ValidationFailed(
                {"promised_date": [_("Give the reason for changing the promised delivery date.")]}
            )
        if previous == new_date:
            raise ValidationFailed({"promised_date": [_("This is already the promised delivery date.")]})
    promise = OrderPromise.objects.create(
        order=order,
        promised_date=new_date,
        previous_date=previous if previous != new_date else None,
        cause=cause,
        reason=reason[:300],
        agreed_by=actor,
        agreed_at=agreed_at or timezone.now(),
        source=source[:30],
    )
    if previous != new_date:
        order.promised_date = new_date
        order.save(update_fields=["promised_date", "updated_at"])
    if cause != PromiseCause.INITIAL:
        order_event_record(
            order=order,
            type=OrderEvent.Type.PROMISE_CHANGED,
            actor=actor,
            note=reason,
            data={
                "from": previous.isoformat() if previous else None,
                "to": new_date.isoformat(),
                "cause": cause,
                "reason": reason,
                "source": source,
            },
        )
    return promise


def initial_promises_build(
    *,
    orders: Sequence[Order],
    actor: User,
    agreed_at: dt.datetime,
    reasons: Sequence[str] | None = None,
    source: str = SOURCE_REVIEW,
) -> list[OrderPromise]:
    """Unsaved INITIAL rows for orders just promised at review (their `promised_date` already set), for a
    batch path to bulk_create in one statement. `reasons`: per order (an early promise's reason)."""
    return [
        OrderPromise(
            order=order,
            promised_date=order.promised_date,
            previous_date=None,
            cause=PromiseCause.INITIAL,
            reason=(reasons[index] if reasons else "")[:300],
            agreed_by=actor,
            agreed_at=agreed_at,
            source=source,
        )
        for index, order in enumerate(orders)
    ]


def _kpi_date_of(rows: list[tuple[str, dt.date, dt.date | None]]) -> dt.date | None:
    """rows: (cause, promised_date, previous_date) in agreed order."""
    baseline = None
    for cause, promised, _previous in rows:
        if cause in KPI_CAUSES:
            baseline = promised
    if baseline is None and rows:
        # only our own changes on record (no initial row): the date before the first of them
        baseline = rows[0][2]
    return baseline


def order_promise_kpi_date(*, order: Order) -> dt.date | None:
    """The date the merchandiser is measured against: the latest date agreed at review or for the customer's
    cause; changes for our own cause do not move it. Without any recorded promise: the promised date."""
    rows = list(
        OrderPromise.objects.filter(order=order)
        .order_by("agreed_at", "id")
        .values_list("cause", "promised_date", "previous_date")
    )
    return _kpi_date_of(rows) or order.promised_date


def order_promise_kpi_dates(*, order_ids: Iterable[int]) -> dict[int, dt.date]:
    """order_promise_kpi_date for many orders at once: {order id: date} for the orders with a recorded
    promise (the others are absent; callers fall back to the order's due date)."""
    per_order: dict[int, list[tuple[str, dt.date, dt.date | None]]] = {}
    for order_id, cause, promised, previous in (
        OrderPromise.objects.filter(order_id__in=list(order_ids))
        .order_by("order_id", "agreed_at", "id")
        .values_list("order_id", "cause", "promised_date", "previous_date")
    ):
        per_order.setdefault(order_id, []).append((cause, promised, previous))
    result = {}
    for order_id, rows in per_order.items():
        date = _kpi_date_of(rows)
        if date is not None:
            result[order_id] = date
    return result


def order_promise_history(*, order: Order) -> list[OrderPromise]:
    """The agreed dates of an order, oldest first, with who agreed them."""
    if order.promised_date is None:  # nothing agreed yet: the review's approval writes the first row
        return []
    return list(
        OrderPromise.objects.filter(order=order).select_related("agreed_by").order_by("agreed_at", "id")
    )


def promise_dates_summary(*, order: Order, history: Sequence[OrderPromise]) -> dict:
    """{"original": the date promised at review, "current": the order's promised date, "kpi": the date the
    merchandiser is measured against} from the order's history (order_promise_history), without a query."""
    rows = [(p.cause, p.promised_date, p.previous_date) for p in history]
    original = None
    if rows:
        original = rows[0][1] if rows[0][0] == PromiseCause.INITIAL else rows[0][2]
    return {
        "original": original or order.promised_date,
        "current": order.promised_date,
        "kpi": _kpi_date_of(rows) or order.promised_date,
    }
