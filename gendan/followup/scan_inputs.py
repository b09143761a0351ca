"""What the scan's set-wide steps read, as a small fingerprint, and which orders changed between two of them.

Risk and missed records are computed over every order in production (millions of progress records at
scale), yet between two runs of the same day almost nothing moves. Every act that can change them writes
an order event or a progress record (ids only grow), or touches `updated_at` of the order, exception or
milestone; the day, the policy and the calendar change the result of every order. So a step remembers the
fingerprint it saw (ScanCursor) and the next run recomputes every order only on a new day or a new
policy or calendar, else only the orders touched since, or nothing.

On PostgreSQL a transaction that took an id before the fingerprint was read can commit after it; its
order is then missed until the next new day's full run. The services that write records, exceptions and
milestones refresh their order's risk themselves, so this only delays what bulk writes changed."""

import datetime as dt
import hashlib
import json

from django.db.models import Max

from gendan.followup.models import (
    FollowupException,
    FollowupPolicy,
    ProgressRecord,
    ScanCursor,
    TaMilestone,
)
from gendan.followup.selectors import calendar_around
from gendan.orders.models import Order, OrderEvent

# Events the scan writes itself; they change none of its inputs (risk, milestones reported, originals).
SCAN_EVENT_TYPES = (
    OrderEvent.Type.RISK_CHANGED,
    OrderEvent.Type.TA_MILESTONE_OVERDUE,
    OrderEvent.Type.ORIGINAL_REMINDER,
)
# the parts that, when they differ, change every order's result
WHOLE_SET_KEYS = ("day", "policy", "calendar")


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _latest(qs, field: str):
    value = qs.aggregate(latest=Max(field))["latest"]
    return value.isoformat() if hasattr(value, "isoformat") else value


def scan_inputs(*, today: dt.date) -> dict:
    """The fingerprint of what the scan reads, as of now: a handful of indexed MAX() look-ups."""
    calendar = calendar_around(today)
    policies = list(FollowupPolicy.objects.order_by("effective_from").values())
    return {
        "day": today.isoformat(),
        "policy": _digest(policies),
        "calendar": _digest(
            [sorted(calendar.years), sorted(calendar.working_overrides), sorted(calendar.closed_overrides)]
        ),
        "record": _latest(ProgressRecord.objects.all(), "id"),
        "event": _latest(OrderEvent.objects.exclude(type__in=SCAN_EVENT_TYPES), "id"),
        "order": [_latest(Order.objects.all(), "id"), _latest(Order.objects.all(), "updated_at")],
        "exception": _latest(FollowupException.objects.all(), "updated_at"),
        "milestone": _latest(TaMilestone.objects.all(), "updated_at"),
    }


def same_set(previous: dict | None, current: dict) -> bool:
    """True if only some orders can have changed since `previous` (same day, policy and calendar)."""
    return bool(previous) and all(previous.get(key) == current[key] for key in WHOLE_SET_KEYS)


def orders_touched(*, previous: dict, current: dict) -> set[int]:
    """Ids of the orders with a new record or event, or an edited order, exception or milestone, between the
    two fingerprints (`updated_at` compared with >=, so a write in the same microsecond is not lost)."""
    touched: set[int] = set()

    def ids_after(key: str) -> tuple[int, int]:
        return previous.get(key) or 0, current[key] or 0

    low, high = ids_after("record")
    if high > low:
        touched.update(
            ProgressRecord.objects.filter(pk__gt=low, pk__lte=high).values_list("order_id", flat=True)
        )
    low, high = ids_after("event")
    if high > low:
        touched.update(
            OrderEvent.objects.filter(pk__gt=low, pk__lte=high)
            .exclude(type__in=SCAN_EVENT_TYPES)
            .values_list("order_id", flat=True)
        )
    (low_id, low_at), (_high_id, _high_at) = previous.get("order") or (0, None), current["order"]
    if current["order"] != previous.get("order"):
        orders = Order.objects.filter(pk__gt=low_id or 0)
        if low_at:
            orders = Order.objects.filter(pk__gt=low_id or 0) | Order.objects.filter(updated_at__gte=low_at)
        touched.update(orders.values_list("id", flat=True))
    for key, model, field in (
        ("exception", FollowupException, "order_id"),
        ("milestone", TaMilestone, "plan__order_id"),
    ):
        if current[key] != previous.get(key):
            rows = model.objects.all()
            if previous.get(key):
                rows = rows.filter(updated_at__gte=previous[key])
            touched.update(rows.values_list(field, flat=True))
    return touched


def cursor_get(step: str) -> ScanCursor | None:
    return ScanCursor.objects.filter(step=step).first()


def cursor_save(*, step: str, inputs: dict, summary: dict) -> None:
    ScanCursor.objects.update_or_create(step=step, defaults={"inputs": inputs, "summary": summary})
