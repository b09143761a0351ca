"""The schedule as data: loading its inputs in a few set-based queries, and the in-process copy of the
current schedule that makes a change cost milliseconds.

- `state_build` loads every scheduled order, route, work centre, material readiness and the calendar with a
  handful of queries and runs the full schedule in memory (scheduler.py).
- `state_current` returns the process's copy brought up to date: orders named in `ScheduleChange` rows since
  the copy was made are re-read (a few queries for those orders only) and rescheduled incrementally. A new
  day (the horizon starts today), changed work centres, routes or calendar (the fingerprint), or a copy older
  than `MAX_AGE` rebuild it in full.
- The copy is shared by the process only once the transaction that read it has committed
  (`transaction.on_commit`), so it never holds data of a transaction that rolled back.

Material readiness of orders that are not released yet is a projection against free stock; it changes
when other orders reserve stock, which is picked up by the next full run (nightly), not by the incremental
path.
"""

import datetime as dt
import gc
import hashlib
import threading
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field, replace

from django.db import connection, transaction
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from gendan.materials.selectors import material_ready_dates
from gendan.orders.models import Order, OrderLine
from gendan.planning.calendar import WorkingCalendar
from gendan.planning.models import CalendarDay, CalendarYear

from . import scheduler as S
from .models import SCHEDULED_STATUSES, RouteStep, ScheduleChange, WorkCentre

HORIZON_DAYS = 366  # calendar days from today: one year of working days
MAX_AGE = dt.timedelta(hours=12)
# Changes re-read on every refresh even if their id is not new: a transaction that drew a lower id may
# commit after one with a higher id (sequences are not commit-ordered).
REREAD = dt.timedelta(seconds=30)


@dataclass
class State:
    today: dt.date
    fingerprint: str
    days: list[dt.date]
    weeks: list[dt.date]  # Mondays of the horizon
    week_of_day: list[int]
    caps: dict[int, float]
    codes: dict[int, str]
    jobs: dict[int, S.Job]
    plans: dict[int, S.Plan]
    order: list[tuple[S.Key, int]]
    used: dict[int, list[float]]
    demand: dict[int, list[float]]  # minutes of orders due per work centre per week
    seq: int  # last ScheduleChange id taken into account
    read_at: dt.datetime
    generation: str | None  # the stored snapshot's generation this copy belongs to
    warnings: list[str] = field(default_factory=list)
    missing_years: frozenset[int] = frozenset()  # horizon years without a holiday schedule (Mon–Fri assumed)
    fresh: bool = True  # built from scratch: every stored row must be rewritten
    unsaved: frozenset[int] = frozenset()  # orders whose stored result is out of date
    unsaved_wcs: frozenset[int] = frozenset()  # work centres whose weekly rows are out of date
    weeks_written: dict[int, list[tuple]] = field(default_factory=dict)  # week values as last stored

    @property
    def n(self) -> int:
        return len(self.days)

    def week_index(self, day: dt.date) -> int | None:
        if day < self.days[0]:
            return 0
        monday = day - dt.timedelta(days=day.weekday())
        index = bisect_left(self.weeks, monday)
        return index if index < len(self.weeks) and self.weeks[index] == monday else None


_lock = threading.Lock()
_cache: dict[str, State] = {}


def horizon(today: dt.date) -> tuple[WorkingCalendar, list[dt.date]]:
    last = today + dt.timedelta(days=HORIZON_DAYS - 1)
    calendar = WorkingCalendar.load(today.year - 1, last.year)
    return calendar, calendar.working_days_in(today, last)


def fingerprint(today: dt.date) -> str:
    """Changes when work centres, routes or the calendar of the horizon change (three aggregate queries)."""
    last = today + dt.timedelta(days=HORIZON_DAYS)
    wc = WorkCentre.objects.aggregate(
        n=Count("pk"), t=Max("updated_at"), s=Sum("daily_minutes"), a=Count("pk", filter=Q(is_active=True))
    )
    route = RouteStep.objects.aggregate(n=Count("pk"), t=Max("updated_at"), s=Sum("minutes_per_piece"))
    days = CalendarDay.objects.filter(date__gte=today, date__lte=last).aggregate(
        n=Count("pk"), w=Count("pk", filter=Q(kind=CalendarDay.Kind.MAKEUP))
    )
    years = CalendarYear.objects.filter(year__gte=today.year, year__lte=last.year).count()
    raw = repr((today, sorted(wc.items()), sorted(route.items()), sorted(days.items()), years))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _routes(product_ids: Collection[int] | None) -> dict[int, list[tuple[int, float]]]:
    """Route steps per product as (work centre, standard minutes per piece) in sequence. Minutes are floats
    from here on: the schedule is arithmetic on minutes, not money (Decimal would triple its cost)."""
    qs = RouteStep.objects.all()
    if product_ids is not None:
        qs = qs.filter(product_id__in=list(product_ids))
    routes: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for product_id, wc, minutes in qs.order_by("product_id", "sequence").values_list(
        "product_id", "work_centre_id", "minutes_per_piece"
    ):
        routes[product_id].append((wc, float(minutes)))
    return routes


def jobs_load(
    *,
    orders: QuerySet[Order],
    today: dt.date,
    calendar: WorkingCalendar,
    days: list[dt.date],
    scheduled_only: bool = True,
) -> dict[int, S.Job | None]:
    """Jobs of the given orders (None for an order that is not scheduled): 4–6 queries for any number."""
    rows = list(orders.values_list("pk", "status", "promised_date", "requested_date", "order_date"))
    result: dict[int, S.Job | None] = {}
    live = [r for r in rows if not scheduled_only or r[1] in SCHEDULED_STATUSES]
    for r in rows:
        result[r[0]] = None
    if not live:
        return result
    live_qs = Order.objects.filter(pk__in=orders.values("pk"))
    if scheduled_only:
        live_qs = live_qs.filter(status__in=SCHEDULED_STATUSES)
    quantities: dict[int, list[tuple[int, float]]] = defaultdict(list)
    products: set[int] = set()
    for order_id, product_id, quantity in (
        OrderLine.objects.filter(order__in=live_qs.values("pk"))
        .values_list("order_id", "product_id")
        .annotate(quantity=Sum("quantity"))
        .order_by("order_id", "product_id")
    ):
        quantities[order_id].append((product_id, float(quantity)))
        products.add(product_id)
    routes = _routes(products if len(products) < 5000 else None)
    ready = material_ready_dates(orders=live_qs, today=today, calendar=calendar)
    n = len(days)
    for pk, _status, promised, requested, order_date in live:
        ready_day = ready.get(pk)
        chains = tuple(
            tuple((wc, quantity * minutes) for wc, minutes in routes[product_id])
            for product_id, quantity in quantities.get(pk, ())
            if product_id in routes
        )
        result[pk] = S.Job(
            order_id=pk,
            key=((promised or requested).toordinal(), order_date.toordinal(), pk),
            earliest=bisect_left(days, ready_day) if ready_day else 0,
            chains=chains,
            ready=ready_day.toordinal() if ready_day else None,
        )
        if ready_day and ready_day > days[-1]:
            result[pk] = replace(result[pk], earliest=n)  # type: ignore[arg-type]
    return result


def _demand_add(
    state: State, demand: dict[int, list[float]], job: S.Job, sign: float, copied: set[int]
) -> None:
    week = state.week_index(dt.date.fromordinal(job.key[0]))
    if week is None:
        return
    for chain in job.chains:
        for wc, minutes in chain:
            if wc not in copied:
                demand[wc] = list(demand.get(wc) or [0.0] * len(state.weeks))
                copied.add(wc)
            demand[wc][week] += sign * minutes


def week_values(state: State, wc: int) -> list[tuple[float, float, float, bool]]:
    """(capacity, scheduled, due, overloaded) per week of the horizon for one work centre. Overloaded: the
    orders due up to this week need more than the capacity from the horizon start to the end of the week."""
    n_weeks = len(state.weeks)
    days_per_week = [0] * n_weeks
    load = [0.0] * n_weeks
    for day, minutes in enumerate(state.used.get(wc) or [0.0] * state.n):
        week = state.week_of_day[day]
        days_per_week[week] += 1
        load[week] += minutes
    demand = state.demand.get(wc) or [0.0] * n_weeks
    values, cum_capacity, cum_demand = [], 0.0, 0.0
    for week in range(n_weeks):
        capacity = state.caps[wc] * days_per_week[week]
        cum_capacity += capacity
        cum_demand += demand[week]
        values.append(
            (capacity, round(load[week], 2), round(demand[week], 2), cum_demand > cum_capacity + S.EPS)
        )
    return values


def _last_seq() -> int:
    return ScheduleChange.objects.aggregate(last=Max("pk"))["last"] or 0


def state_build(*, today: dt.date, fp: str | None = None, generation: str | None = None) -> State:
    """Everything from the database, scheduled in full."""
    seq, read_at = _last_seq(), timezone.now()
    calendar, days = horizon(today)
    centres = list(WorkCentre.objects.values_list("pk", "code", "daily_minutes", "is_active"))
    caps = {pk: float(minutes) for pk, _code, minutes, active in centres if active}
    codes = {pk: code for pk, code, _minutes, _active in centres}
    jobs = {
        pk: job
        for pk, job in jobs_load(
            orders=Order.objects.filter(status__in=SCHEDULED_STATUSES),
            today=today,
            calendar=calendar,
            days=days,
        ).items()
        if job is not None
    }
    order = sorted((job.key, pk) for pk, job in jobs.items())
    board = S.Board(len(days), caps)
    plans = S.schedule(board, (jobs[pk] for _key, pk in order))
    weeks = sorted({day - dt.timedelta(days=day.weekday()) for day in days})
    week_pos = {monday: index for index, monday in enumerate(weeks)}
    state = State(
        today=today,
        fingerprint=fp or fingerprint(today),
        days=days,
        weeks=weeks,
        week_of_day=[week_pos[day - dt.timedelta(days=day.weekday())] for day in days],
        caps=caps,
        codes=codes,
        jobs=jobs,
        plans=plans,
        order=order,
        used=board.used(),
        demand={},
        seq=seq,
        read_at=read_at,
        generation=generation,
        warnings=list(calendar.warnings),
        missing_years=frozenset(calendar.missing_years),
        unsaved=frozenset(jobs),
        unsaved_wcs=frozenset(caps),
    )
    copied: set[int] = set()
    for job in jobs.values():
        _demand_add(state, state.demand, job, +1.0, copied)
    return state


def state_advance(state: State, *, extra: Collection[int] = ()) -> State:
    """A new State with the orders changed since `state` (and `extra`) rescheduled; `state` is not modified."""
    since = state.read_at - REREAD
    read_at = timezone.now()
    rows = list(
        ScheduleChange.objects.filter(Q(pk__gt=state.seq) | Q(created_at__gte=since)).values_list(
            "pk", "order_id"
        )
    )
    ids = {order_id for _pk, order_id in rows} | set(extra)
    seq = max([state.seq, *(pk for pk, _order in rows)])
    if not ids:
        return replace(state, seq=seq, read_at=read_at)
    calendar, _days = horizon(state.today)
    current = jobs_load(
        orders=Order.objects.filter(pk__in=sorted(ids)), today=state.today, calendar=calendar, days=state.days
    )
    for pk in ids:
        current.setdefault(pk, None)  # a deleted order
    changes = {pk: job for pk, job in current.items() if state.jobs.get(pk) != job}
    if not changes:
        return replace(state, seq=seq, read_at=read_at)
    result = S.reschedule(
        n=state.n,
        caps=state.caps,
        used=state.used,
        jobs=state.jobs,
        plans=state.plans,
        order=state.order,
        changes=changes,
    )
    jobs, plans = dict(state.jobs), dict(state.plans)
    demand, copied = dict(state.demand), set()
    for pk, job in changes.items():
        if pk in jobs:
            _demand_add(state, demand, jobs[pk], -1.0, copied)
            del jobs[pk]
            plans.pop(pk, None)
        if job is not None:
            jobs[pk] = job
            _demand_add(state, demand, job, +1.0, copied)
    shown = set(changes)
    for pk, plan in result.plans.items():
        old = state.plans.get(pk)
        if old is None or (old.start, old.finish) != (plan.start, plan.finish) or pk in changes:
            shown.add(pk)
        plans[pk] = plan
    return replace(
        state,
        jobs=jobs,
        plans=plans,
        order=result.order,
        used=result.used,
        demand=demand,
        seq=seq,
        read_at=read_at,
        unsaved=state.unsaved | shown,
        unsaved_wcs=state.unsaved_wcs | result.touched | copied,
    )


def _share(state: State) -> None:
    with _lock:
        current = _cache.get("state")
        if (
            current is None
            or (current.generation, current.today) != (state.generation, state.today)
            or current.read_at <= state.read_at
        ):
            _cache["state"] = state


def state_share(state: State) -> None:
    """Make `state` the process's copy once the current transaction (if any) commits."""
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _share(state))
    else:
        _share(state)


def state_forget() -> None:
    with _lock:
        _cache.pop("state", None)


def stored_generation() -> str | None:
    from .models import ScheduleSnapshot

    return ScheduleSnapshot.objects.filter(key="current").values_list("generation", flat=True).first()


def state_current(*, today: dt.date, extra: Collection[int] = (), rebuild: bool = False) -> State:
    """The schedule as of now (see the module's docstring). The process's copy is used only if it belongs to
    the stored schedule's generation (a restored or emptied database never matches), today's horizon and the
    current work centres, routes and calendar."""
    fp, generation = fingerprint(today), stored_generation()
    with _lock:
        cached = _cache.get("state")
    usable = (
        cached is not None
        and not rebuild
        and generation is not None
        and cached.generation == generation
        and cached.today == today
        and cached.fingerprint == fp
        and timezone.now() - cached.read_at < MAX_AGE
    )
    if usable:
        state = state_advance(cached, extra=extra)  # type: ignore[arg-type]
    else:
        state = state_build(today=today, fp=fp, generation=generation)
        _heap_freeze()
    state_share(state)
    return state


def _heap_freeze() -> None:
    """A built schedule is some 250,000 long-lived objects per process, and every full garbage collection
    walked them: a 100 ms pause inside one incremental update in four (the bench's p95). Moved to the
    permanent generation they are skipped; reference counting still frees them when the copy is replaced
    (a State holds no reference cycles). The collection first keeps garbage out of that generation."""
    gc.collect()
    gc.freeze()
