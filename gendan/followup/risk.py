"""Risk per order (red / amber / green), computed set-based for any number of orders.

Projection: the order's current stage (the furthest stage it has records for) and its output over the
last N working days (increase of the quantity done so far) give a daily rate; the remaining quantity at
that rate, counted in working days from today, is the projected finish.

- red: projected after the promised date; promised date passed; an open exception whose impact on the
  date is larger than the buffer
- amber: projected within the buffer before the promised date; an overdue milestone; an open exception;
  no output over the window
- green: otherwise
"""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.followup.models import (
    RISK_RANK,
    STAGE_ORDER,
    ExceptionStatus,
    FollowupException,
    OrderRisk,
    ProgressRecord,
    RiskLevel,
    TaMilestone,
)
from gendan.followup.policy import policy_for
from gendan.orders.models import Order, OrderEvent, OrderStatus
from gendan.planning.calendar import WorkingCalendar

RISK_STATUSES = (OrderStatus.RELEASED, OrderStatus.IN_PRODUCTION, OrderStatus.PARTIALLY_SHIPPED)
PRODUCTION_STATUSES = (OrderStatus.IN_PRODUCTION, OrderStatus.PARTIALLY_SHIPPED)
HORIZON_WORKING_DAYS = 520  # about two years: a projection further out is reported as "beyond"
_CHUNK = 500


def reason_text(reason: dict) -> str:
    """A stored reason (code + values) as a sentence in the reader's language."""
    code = reason.get("code")
    if code == "projected_late":
        return _("Projected to finish %(projected)s, after the promised %(due)s") % reason
    if code == "projected_beyond":
        return _("At the current output it will not finish within two years (promised %(due)s)") % reason
    if code == "projected_near":
        return _("Projected to finish %(projected)s, within the buffer before %(due)s") % reason
    if code == "past_due":
        return _("Promised date %(due)s has passed") % reason
    if code == "no_output":
        return _("No output recorded over the last %(days)s working days") % reason
    if code == "milestones_overdue":
        return _("%(count)s milestone(s) overdue") % reason
    if code == "exception_impact":
        return _("Open exception delays delivery by %(days)s working day(s)") % reason
    if code == "open_exceptions":
        return _("%(count)s open exception(s)") % reason
    return str(code)


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _filtered(qs, field: str, ids: list[int] | None):
    return qs if ids is None else qs.filter(**{f"{field}__in": ids})


class _Workdays:
    """Working days around today as lists, so each order's look-up is an index, not a loop."""

    def __init__(self, calendar: WorkingCalendar, today: dt.date) -> None:
        self.calendar = calendar
        self.ahead = calendar.working_days_after(today, HORIZON_WORKING_DAYS)
        self._minus_cache: dict[tuple[dt.date, int], dt.date] = {}

    def minus(self, day: dt.date, days: int) -> dt.date:
        key = (day, days)
        if key not in self._minus_cache:
            self._minus_cache[key] = self.calendar.add_working_days(
                self.calendar.working_day_on_or_before(day), -days
            )
        return self._minus_cache[key]


def _window_start(calendar: WorkingCalendar, today: dt.date, days: int) -> dt.date:
    """First of the last `days` working days ending today (or the last working day before today)."""
    last = calendar.working_day_on_or_before(today)
    return calendar.add_working_days(last, -(days - 1)) if days > 1 else last


def _projections(
    order_rows: dict[int, dict],
    ids: list[int] | None,
    today: dt.date,
    calendar: WorkingCalendar,
    window: int,
    ahead: list[dt.date],
) -> dict[int, dict]:
    """Per order in production: stage, quantity done, daily output and projected finish."""
    start = _window_start(calendar, today, window)
    # `order_id IN (orders in production)` rather than a join: SQLite then walks the covering index
    # followup_rec_progress in (order, stage) order, with no table look-up and no sort for the GROUP BY
    in_production = Order.objects.filter(status__in=PRODUCTION_STATUSES).values("id")
    rows = (
        _filtered(ProgressRecord.objects.filter(order_id__in=in_production), "order_id", ids)
        .values("order_id", "stage")
        .annotate(
            latest=Max("quantity_done"),
            first_qty=Min("quantity_done"),
            base=Max("quantity_done", filter=Q(work_date__lt=start)),
            first_day=Min("work_date"),
        )
        .order_by()
    )
    current: dict[int, dict] = {}
    for row in rows:
        best = current.get(row["order_id"])
        if best is None or STAGE_ORDER.get(row["stage"], -1) > STAGE_ORDER.get(best["stage"], -1):
            current[row["order_id"]] = row
    result = {}
    elapsed_cache: dict[dt.date, int] = {}
    for order_id, row in current.items():
        order = order_rows.get(order_id)
        if order is None:
            continue
        if row["base"] is not None:
            baseline, elapsed = row["base"], window
        else:
            baseline = row["first_qty"]
            if row["first_day"] not in elapsed_cache:
                elapsed_cache[row["first_day"]] = calendar.working_days_between(row["first_day"], today)
            elapsed = elapsed_cache[row["first_day"]]
        latest = row["latest"]
        remaining = max(Decimal("0"), order["total_quantity"] - latest)
        info = {
            "stage": row["stage"],
            "quantity_done": latest,
            "rate": None,
            "projected": None,
            "stalled": False,
        }
        if remaining == 0:
            info["projected"] = today
        elif elapsed > 0:
            rate = (latest - baseline) / elapsed
            info["rate"] = rate.quantize(Decimal("0.001"))
            if rate > 0:
                need = math.ceil(remaining / rate)
                info["projected"] = ahead[need - 1] if need <= len(ahead) else None
                info["beyond"] = need > len(ahead)
            else:
                info["stalled"] = True
        result[order_id] = info
    return result


def risk_evaluate(
    *, order_ids: Iterable[int] | None = None, now: dt.datetime | None = None
) -> dict[int, dict]:
    """Compute (without saving) the risk of each order in RISK_STATUSES (all, or those in `order_ids`)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    policy = policy_for(today)
    ids = None if order_ids is None else list(order_ids)
    calendar = WorkingCalendar.load(today.year - 1, today.year + 2)
    workdays = _Workdays(calendar, today)
    orders = {
        row["id"]: row
        for row in _filtered(Order.objects.filter(status__in=RISK_STATUSES), "id", ids).values(
            "id", "status", "promised_date", "requested_date", "total_quantity"
        )
    }
    projections = _projections(orders, ids, today, calendar, policy.projection_days, workdays.ahead)
    overdue = dict(
        _filtered(
            TaMilestone.objects.filter(
                plan__order__status__in=RISK_STATUSES, actual_date__isnull=True, planned_date__lt=today
            ),
            "plan__order_id",
            ids,
        )
        .values_list("plan__order_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    exceptions = {
        row["order_id"]: row
        for row in _filtered(
            FollowupException.objects.filter(status=ExceptionStatus.OPEN, order__status__in=RISK_STATUSES),
            "order_id",
            ids,
        )
        .values("order_id")
        .annotate(n=Count("id"), impact=Max("impact_days"))
        .order_by()
    }
    buffer = policy.risk_buffer_days
    result = {}
    for order_id, order in orders.items():
        due = order["promised_date"] or order["requested_date"]
        flags: list[tuple[str, dict]] = []
        projection = projections.get(order_id, {})
        projected = projection.get("projected")
        if projected and projected > due:
            flags.append(
                (
                    RiskLevel.RED,
                    {"code": "projected_late", "projected": projected.isoformat(), "due": due.isoformat()},
                )
            )
        elif projection.get("beyond"):
            flags.append((RiskLevel.RED, {"code": "projected_beyond", "due": due.isoformat()}))
        elif projected and projected > workdays.minus(due, buffer):
            flags.append(
                (
                    RiskLevel.AMBER,
                    {"code": "projected_near", "projected": projected.isoformat(), "due": due.isoformat()},
                )
            )
        if due < today:
            flags.append((RiskLevel.RED, {"code": "past_due", "due": due.isoformat()}))
        if projection.get("stalled"):
            flags.append((RiskLevel.AMBER, {"code": "no_output", "days": policy.projection_days}))
        if overdue.get(order_id):
            flags.append((RiskLevel.AMBER, {"code": "milestones_overdue", "count": overdue[order_id]}))
        if order_id in exceptions:
            row = exceptions[order_id]
            if row["impact"] and row["impact"] > buffer:
                flags.append((RiskLevel.RED, {"code": "exception_impact", "days": row["impact"]}))
            else:
                flags.append((RiskLevel.AMBER, {"code": "open_exceptions", "count": row["n"]}))
        level = max(
            (flag_level for flag_level, _reason in flags), key=RISK_RANK.__getitem__, default=RiskLevel.GREEN
        )
        reasons = [reason for _level, reason in flags]
        result[order_id] = {
            "level": level,
            "reasons": reasons,
            "projected_finish": projected,
            "daily_output": projection.get("rate"),
            "quantity_done": projection.get("quantity_done"),
            "stage": projection.get("stage", ""),
            "late": any(r["code"] in ("projected_late", "projected_beyond") for r in reasons),
        }
    return result


_FIELDS = ["level", "reasons", "projected_finish", "daily_output", "quantity_done", "stage"]


@transaction.atomic
def risk_refresh(*, order_ids: Iterable[int] | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Recompute and store the risk; a level change writes one `risk_changed` event on the order's timeline
    and a turn to red tells the merchandiser. Unchanged orders write nothing (the scan is idempotent)."""
    now = now or timezone.now()
    ids = None if order_ids is None else list(order_ids)
    computed = risk_evaluate(order_ids=ids, now=now)
    # plain tuples, not model instances: at scale most rows are unchanged and only need comparing
    existing = {
        row[0]: row[1:]
        for row in _filtered(OrderRisk.objects.all(), "order_id", ids).values_list(
            "order_id", *_FIELDS, "level_since", "delay_since"
        )
    }
    # orders that left the followed statuses lose their risk row
    gone = [pk for pk in existing if pk not in computed]
    for chunk in _chunks(gone):
        OrderRisk.objects.filter(pk__in=chunk).delete()
    create, update, events, turned_red = [], [], [], []
    for order_id, values in computed.items():
        late = values.pop("late")
        row = existing.get(order_id)
        if row is None:
            previous_level = None
            create.append((order_id, values, now, now if late else None, now))
        else:
            previous_level, level_since, delay_since = row[0], row[-2], row[-1]
            new_delay_since = (delay_since or now) if late else None
            if (
                tuple(values[name] for name in _FIELDS) == row[: len(_FIELDS)]
                and new_delay_since == delay_since
            ):
                continue
            since = now if values["level"] != previous_level else level_since
            update.append((order_id, values, since, new_delay_since, now))
        if values["level"] != (previous_level or RiskLevel.GREEN):
            events.append(
                OrderEvent(
                    order_id=order_id,
                    type=OrderEvent.Type.RISK_CHANGED,
                    from_status=previous_level or "",
                    to_status=values["level"],
                    data={
                        "reasons": values["reasons"],
                        "projected_finish": values["projected_finish"].isoformat()
                        if values["projected_finish"]
                        else None,
                    },
                )
            )
            if values["level"] == RiskLevel.RED:
                turned_red.append(order_id)
    _risk_rows_write(create, update)
    OrderEvent.objects.bulk_create(events, batch_size=_CHUNK)
    if turned_red:
        _tell_red(turned_red, computed, now)
    counts = defaultdict(int)
    for values in computed.values():
        counts[values["level"]] += 1
    return {
        "green": counts[RiskLevel.GREEN],
        "amber": counts[RiskLevel.AMBER],
        "red": counts[RiskLevel.RED],
        "changed": len(events),
    }


_WRITTEN = [*_FIELDS, "level_since", "delay_since", "computed_at"]


def _risk_rows_write(create: list[tuple], update: list[tuple]) -> None:
    """INSERT the new rows and UPDATE the changed ones, each (order_id, values, level_since, delay_since,
    computed_at), with one prepared statement each (executemany). A first scan writes a row for every
    followed order (100,000 at scale) and a new day moves most projections; model instances with
    bulk_create / bulk_update spend most of that time preparing each value in Python, and bulk_update's
    CASE WHEN grows with the batch."""
    if not create and not update:
        return
    fields = {name: OrderRisk._meta.get_field(name) for name in ["order", *_WRITTEN]}
    table, quote, ops = OrderRisk._meta.db_table, connection.ops.quote_name, connection.ops
    encoder = fields["reasons"].encoder
    moments: dict = {}  # the same few moments (the scan's `now`) for every row: adapted once

    def moment(value: dt.datetime | None):
        if value not in moments:
            moments[value] = ops.adapt_datetimefield_value(value)
        return moments[value]

    def params(row: tuple) -> list:
        _order_id, values, level_since, delay_since, computed_at = row
        return [
            values["level"],
            ops.adapt_json_value(values["reasons"], encoder),
            ops.adapt_datefield_value(values["projected_finish"]),
            ops.adapt_decimalfield_value(values["daily_output"], 14, 3),
            ops.adapt_decimalfield_value(values["quantity_done"], 14, 3),
            values["stage"],
            moment(level_since),
            moment(delay_since),
            moment(computed_at),
        ]

    columns = [fields[name].column for name in _WRITTEN]
    key = fields["order"].column
    with connection.cursor() as cursor:
        if create:
            names = ", ".join(quote(c) for c in [key, *columns])
            marks = ", ".join(["%s"] * (len(columns) + 1))
            sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"  # noqa: S608 - names from _meta
            for start in range(0, len(create), 5000):
                cursor.executemany(sql, [[row[0], *params(row)] for row in create[start : start + 5000]])
        if update:
            sets = ", ".join(f"{quote(c)} = %s" for c in columns)
            sql = f"UPDATE {quote(table)} SET {sets} WHERE {quote(key)} = %s"  # noqa: S608 - names from _meta
            for start in range(0, len(update), 5000):
                cursor.executemany(sql, [[*params(row), row[0]] for row in update[start : start + 5000]])


def risk_counts() -> dict[str, int]:
    """Orders per risk level, from the stored rows (the scan's summary when only some orders were
    recomputed)."""
    counts = dict(OrderRisk.objects.values_list("level").annotate(n=Count("pk")).order_by())
    return {level: counts.get(level, 0) for level in (RiskLevel.GREEN, RiskLevel.AMBER, RiskLevel.RED)}


def _tell_red(order_ids: list[int], computed: dict[int, dict], now: dt.datetime) -> None:
    from django.urls import reverse

    from gendan.followup.notices import notice_send

    for chunk in _chunks(order_ids):
        for order in Order.objects.filter(pk__in=chunk).select_related("merchandiser"):
            reasons = "; ".join(reason_text(r) for r in computed[order.pk]["reasons"])
            notice_send(
                recipients=[order.merchandiser],
                kind="risk_red",
                title=_("Order %(order)s is at risk (red)") % {"order": order.number},
                body=reasons,
                link=reverse("followup:order_plan", args=[order.pk]),
                dedupe_key=f"risk:{order.pk}:red:{timezone.localdate(now).isoformat()}",
                order_id=order.pk,
            )
