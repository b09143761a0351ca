"""Monthly KPIs per merchandiser, computed from what happened (event rows), never typed in.

Each KPI is {"value": 0–100 or None (nothing to measure), "numerator", "denominator", "orders": [...ids
counted], "missed": [...ids that lost points]} so every figure can be drilled down to its orders.
"""

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Min
from django.utils import timezone

from gendan.orders.models import DUE_DATE, Order, OrderEvent, OrderPromise, OrderStatus, PromiseCause
from gendan.orders.promises import order_promise_kpi_dates
from gendan.performance.models import Kpi, PerformancePolicy

TWO = Decimal("0.01")
SHIPPED_STATES = (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CLOSED)


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def _aware_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _rate(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(TWO, rounding=ROUND_HALF_UP)


def _shipped_transitions():
    return OrderEvent.objects.filter(type=OrderEvent.Type.TRANSITION, to_status__in=SHIPPED_STATES)


def first_shipped_in_month(*, merchandiser_ids: list[int], month: dt.date) -> dict[int, tuple[int, dt.date]]:
    """Order id → (merchandiser id, local date) for the orders whose first transition into a shipped state
    falls in the month.

    Bounded by the month, not by history: the candidates are the orders with such a transition in the month
    (index on type, created_at); only their own earlier transitions are read (index on order, created_at).
    """
    start, end = month_bounds(month)
    in_month = _shipped_transitions().filter(
        created_at__gte=_aware_start(start),
        created_at__lt=_aware_start(end + dt.timedelta(days=1)),
        order__merchandiser_id__in=merchandiser_ids,
    )
    rows = (
        _shipped_transitions()
        .filter(order_id__in=in_month.values("order_id"))
        .values("order_id", "order__merchandiser_id")
        .annotate(first=Min("created_at"))
        .order_by()
    )
    result = {}
    for row in rows:
        day = timezone.localtime(row["first"]).date()
        if start <= day <= end:
            result[row["order_id"]] = (row["order__merchandiser_id"], day)
    return result


def completion_and_on_time(*, merchandiser_ids: list[int], month: dt.date) -> dict[int, dict]:
    start, end = month_bounds(month)
    result: dict[int, dict] = defaultdict(dict)
    # Both KPIs measure against the agreed date the merchandiser answers for (gendan.orders.promises): a
    # change for the customer's cause moves it, one for our own cause does not. Only orders with such an
    # internal change can differ from the current date (promised, else requested); they are read apart.
    moved = _kpi_dates_moved_internally(merchandiser_ids)
    # Completion: orders due this month shipped by the month's end.
    # The due date expression is the one of the orders_merch_due index, so only the month's orders are read.
    due_orders = (
        Order.objects.filter(merchandiser_id__in=merchandiser_ids)
        .exclude(status=OrderStatus.CANCELLED)
        .annotate(due=DUE_DATE)
        .filter(due__gte=start, due__lte=end)
    )
    due = [row for row in due_orders.values_list("id", "merchandiser_id") if row[0] not in moved]
    due += [(order_id, user_id) for order_id, (user_id, day) in moved.items() if start <= day <= end]
    shipped_by = set(
        _shipped_transitions()
        .filter(
            order_id__in=[order_id for order_id, _user in due],
            created_at__lt=_aware_start(end + dt.timedelta(days=1)),
        )
        .values_list("order_id", flat=True)
        .distinct()
    )
    per_user: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
    for order_id, user_id in due:
        per_user[user_id][0 if order_id in shipped_by else 1].append(order_id)
    for user_id in merchandiser_ids:
        done, missed = per_user[user_id]
        result[user_id][Kpi.COMPLETION] = {
            "value": _rate(len(done), len(done) + len(missed)),
            "numerator": len(done),
            "denominator": len(done) + len(missed),
            "orders": sorted(done + missed),
            "missed": sorted(missed),
        }
    # On time: orders first shipped this month, on or before the agreed date they are measured against.
    in_month = first_shipped_in_month(merchandiser_ids=merchandiser_ids, month=month)
    due_dates = dict(Order.objects.filter(pk__in=in_month).annotate(due=DUE_DATE).values_list("id", "due"))
    due_dates.update({order_id: moved[order_id][1] for order_id in in_month if order_id in moved})
    per_user = defaultdict(lambda: ([], []))
    for order_id, (user_id, day) in in_month.items():
        per_user[user_id][0 if day <= due_dates[order_id] else 1].append(order_id)
    for user_id in merchandiser_ids:
        ok, late = per_user[user_id]
        result[user_id][Kpi.ON_TIME] = {
            "value": _rate(len(ok), len(ok) + len(late)),
            "numerator": len(ok),
            "denominator": len(ok) + len(late),
            "orders": sorted(ok + late),
            "missed": sorted(late),
        }
    return result


def _kpi_dates_moved_internally(merchandiser_ids: list[int]) -> dict[int, tuple[int, dt.date]]:
    """Order id → (merchandiser id, KPI date) for the orders whose promised date was
    changed for our own cause (index orders_promise_cause_order): the only ones whose KPI date may differ
    from their current promised date. Cancelled orders are left out, as the completion KPI does."""
    owners = dict(
        OrderPromise.objects.filter(cause=PromiseCause.INTERNAL, order__merchandiser_id__in=merchandiser_ids)
        .exclude(order__status=OrderStatus.CANCELLED)
        .values_list("order_id", "order__merchandiser_id")
        .distinct()
    )
    if not owners:
        return {}
    dates = order_promise_kpi_dates(order_ids=list(owners))
    return {order_id: (owners[order_id], dates[order_id]) for order_id in owners if order_id in dates}


# Other apps contribute KPIs by registering a function(merchandiser_ids, month, policy) -> {user_id: {kpi: {...}}}.
KPI_SOURCES: list = [
    lambda merchandiser_ids, month, policy: completion_and_on_time(
        merchandiser_ids=merchandiser_ids, month=month
    )
]


def kpis_for_month(
    *, merchandiser_ids: list[int], month: dt.date, policy: PerformancePolicy
) -> dict[int, dict]:
    combined: dict[int, dict] = {user_id: {} for user_id in merchandiser_ids}
    for source in KPI_SOURCES:
        for user_id, figures in source(merchandiser_ids, month, policy).items():
            combined.setdefault(user_id, {}).update(figures)
    return combined


def weighted_score(*, kpis: dict, policy: PerformancePolicy) -> Decimal:
    """Weighted average of the KPIs that have a value; KPIs with nothing to measure don't count.

    A month with nothing to measure at all scores 100: nothing went wrong, and deductions still apply.
    """
    total = weight_sum = Decimal("0")
    for code, weight in policy.kpi_weights.items():
        figure = kpis.get(code)
        weight = Decimal(str(weight))
        if figure is None or figure.get("value") is None or not weight:
            continue
        total += Decimal(str(figure["value"])) * weight
        weight_sum += weight
    if not weight_sum:
        return Decimal("100.00")
    return (total / weight_sum).quantize(TWO, rounding=ROUND_HALF_UP)
