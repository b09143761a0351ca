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
from collections.abc import Iterable, Iterator
from decimal import Decimal
from functools import partial
from itertools import chain

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.sql.constants import MULTI
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.followup.links import order_plan_path
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
from gendan.orders.models import DUE_DATE, Order, OrderEvent, OrderStatus
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


def _rows(qs: QuerySet) -> Iterator[tuple]:
    """The tuples iterating a values_list() queryset gives, with each distinct raw value of a column
    converted once. At scale most columns repeat a few values (dates, quantities, levels), and Django's
    per-value converters on SQLite (text to date, number to quantized Decimal, JSON) cost as much as the
    query (on PostgreSQL the driver gives most of these types: little to convert)."""
    compiler = qs.query.get_compiler(using=qs.db)
    results = compiler.execute_sql(MULTI)
    rows = chain.from_iterable(results)
    # (as results_iter() does: execute_sql() set up the selected columns)
    converters = compiler.get_converters([column for column, *_rest in compiler.select[: compiler.col_count]])
    if not converters:
        return map(tuple, rows)
    memos = [(position, convs, expression, {}) for position, (convs, expression) in converters.items()]

    def converted(row: tuple) -> tuple:
        row = list(row)
        for position, convs, expression, memo in memos:
            raw = row[position]
            key = (raw.__class__, raw)  # 1 == 1.0 == True, yet each may convert differently
            try:
                row[position] = memo[key]
                continue
            except KeyError:
                pass
            except TypeError:  # unhashable (a memoryview, a list): converted each time
                key = None
            value = raw
            for convert in convs:
                value = convert(value, expression, compiler.connection)
            row[position] = value
            if key is not None:
                memo[key] = value
        return tuple(row)

    return map(converted, rows)


def _projections(
    totals: dict[int, Decimal],
    ids: list[int] | None,
    today: dt.date,
    calendar: WorkingCalendar,
    window: int,
    ahead: list[dt.date],
) -> dict[int, tuple]:
    """Per order in production (`totals`: order → total quantity): (stage, quantity done, daily output,
    projected finish, stalled, beyond the horizon)."""
    start = _window_start(calendar, today, window)
    # `order_id IN (orders in production)` rather than a join: SQLite then walks the covering index
    # followup_rec_progress in (order, stage) order, with no table look-up and no sort for the GROUP BY
    in_production = Order.objects.filter(status__in=PRODUCTION_STATUSES).values("id")
    rows = (
        _filtered(ProgressRecord.objects.filter(order_id__in=in_production), "order_id", ids)
        .values("order_id", "stage")
        .annotate(latest=Max("quantity_done"), base=Max("quantity_done", filter=Q(work_date__lt=start)))
        .order_by()
        .values_list("order_id", "stage", "latest", "base")
    )
    current: dict[int, tuple] = {}
    rank = STAGE_ORDER.get
    for row in _rows(rows):
        best = current.get(row[0])
        if best is None or rank(row[1], -1) > rank(best[1], -1):
            current[row[0]] = row
    # A stage begun within the window (no record before it) runs from its first record: only these few
    # need their first quantity and day, and all their records of that stage are within the window.
    started: dict[tuple[int, str], tuple] = {}
    for chunk in _chunks(
        sorted(order_id for order_id, _stage, _latest, base in current.values() if base is None)
    ):
        for order_id, stage, first_qty, first_day in _rows(
            ProgressRecord.objects.filter(order_id__in=chunk, work_date__gte=start)
            .values("order_id", "stage")
            .annotate(first_qty=Min("quantity_done"), first_day=Min("work_date"))
            .order_by()
            .values_list("order_id", "stage", "first_qty", "first_day")
        ):
            started[(order_id, stage)] = (first_qty, first_day)
    result = {}
    elapsed_cache: dict[dt.date, int] = {}
    zero, places, horizon = Decimal("0"), Decimal("0.001"), len(ahead)
    for order_id, stage, latest, base in current.values():
        total = totals.get(order_id)
        if total is None:
            continue
        if base is not None:
            baseline, elapsed = base, window
        elif (order_id, stage) not in started:
            # its records changed between the two reads (PostgreSQL, read committed): no rate for now; the
            # service that wrote them refreshes this order's risk after its commit
            baseline, elapsed = latest, 0
        else:
            baseline, first_day = started[(order_id, stage)]
            if first_day not in elapsed_cache:
                elapsed_cache[first_day] = calendar.working_days_between(first_day, today)
            elapsed = elapsed_cache[first_day]
        remaining = max(zero, total - latest)
        rate = projected = None
        stalled = beyond = False
        if remaining == 0:
            projected = today
        elif elapsed > 0:
            exact = (latest - baseline) / elapsed
            rate = exact.quantize(places)
            if exact > 0:
                need = math.ceil(remaining / exact)
                beyond = need > horizon
                projected = None if beyond else ahead[need - 1]
            else:
                stalled = True
        result[order_id] = (stage, latest, rate, projected, stalled, beyond)
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
    orders = list(
        _rows(
            _filtered(Order.objects.filter(status__in=RISK_STATUSES), "id", ids)
            .annotate(due=DUE_DATE)
            .values_list("id", "due", "total_quantity")
        )
    )
    projections = _projections(
        {order_id: total for order_id, _due, total in orders},
        ids,
        today,
        calendar,
        policy.projection_days,
        workdays.ahead,
    )
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
        order_id: (n, impact)
        for order_id, n, impact in _filtered(
            FollowupException.objects.filter(status=ExceptionStatus.OPEN, order__status__in=RISK_STATUSES),
            "order_id",
            ids,
        )
        .values("order_id")
        .annotate(n=Count("id"), impact=Max("impact_days"))
        .order_by()
        .values_list("order_id", "n", "impact")
    }
    buffer, window = policy.risk_buffer_days, policy.projection_days
    none = ("", None, None, None, False, False)  # no record at the current stage: no projection
    red, amber, green = RiskLevel.RED, RiskLevel.AMBER, RiskLevel.GREEN
    result = {}
    for order_id, due, _total in orders:
        stage, quantity_done, rate, projected, stalled, beyond = projections.get(order_id, none)
        # (level, reason) in the order they are listed; the level is the worst of them
        flags: list[tuple[str, dict]] = []
        if projected and projected > due:
            flags.append(
                (red, {"code": "projected_late", "projected": projected.isoformat(), "due": due.isoformat()})
            )
        elif beyond:
            flags.append((red, {"code": "projected_beyond", "due": due.isoformat()}))
        elif projected and projected > workdays.minus(due, buffer):
            flags.append(
                (
                    amber,
                    {"code": "projected_near", "projected": projected.isoformat(), "due": due.isoformat()},
                )
            )
        if due < today:
            flags.append((red, {"code": "past_due", "due": due.isoformat()}))
        if stalled:
            flags.append((amber, {"code": "no_output", "days": window}))
        if overdue.get(order_id):
            flags.append((amber, {"code": "milestones_overdue", "count": overdue[order_id]}))
        if order_id in exceptions:
            n, impact = exceptions[order_id]
            if impact and impact > buffer:
                flags.append((red, {"code": "exception_impact", "days": impact}))
            else:
                flags.append((amber, {"code": "open_exceptions", "count": n}))
        level = green
        if flags:
            level = max((flag_level for flag_level, _reason in flags), key=RISK_RANK.__getitem__)
        result[order_id] = {
            "level": level,
            "reasons": [reason for _level, reason in flags],
            "projected_finish": projected,
            "daily_output": rate,
            "quantity_done": quantity_done,
            "stage": stage,
            "late": bool(flags) and flags[0][1]["code"] in ("projected_late", "projected_beyond"),
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
        for row in _rows(
            _filtered(OrderRisk.objects.all(), "order_id", ids).values_list(
                "order_id", *_FIELDS, "level_since", "delay_since"
            )
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
    decimal = partial(ops.adapt_decimalfield_value, max_digits=14, decimal_places=3)  # both columns
    encoder = fields["reasons"].encoder
    # most rows share their dates, quantities, moments and (empty) reasons: each distinct one adapted once
    dates: dict = {}
    decimals: dict = {}
    moments: dict = {}
    no_reasons = ops.adapt_json_value([], encoder)

    def params(row: tuple) -> list:
        _order_id, values, level_since, delay_since, computed_at = row
        projected, rate, done = values["projected_finish"], values["daily_output"], values["quantity_done"]
        if projected not in dates:
            dates[projected] = ops.adapt_datefield_value(projected)
        for value in (rate, done):
            if value not in decimals:
                decimals[value] = decimal(value)
        for value in (level_since, delay_since, computed_at):
            if value not in moments:
                moments[value] = ops.adapt_datetimefield_value(value)
        return [
            values["level"],
            ops.adapt_json_value(values["reasons"], encoder) if values["reasons"] else no_reasons,
            dates[projected],
            decimals[rate],
            decimals[done],
            values["stage"],
            moments[level_since],
            moments[delay_since],
            moments[computed_at],
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
    from gendan.followup.notices import notice_send

    for chunk in _chunks(order_ids):
        for order in Order.objects.filter(pk__in=chunk).select_related("merchandiser"):
            reasons = "; ".join(reason_text(r) for r in computed[order.pk]["reasons"])
            notice_send(
                recipients=[order.merchandiser],
                kind="risk_red",
                title=_("Order %(order)s is at risk (red)") % {"order": order.number},
                body=reasons,
                link=order_plan_path(order.pk),
                dedupe_key=f"risk:{order.pk}:red:{timezone.localdate(now).isoformat()}",
                order_id=order.pk,
            )
