"""Writes on capacity: work centres, routes, and storing the schedule (full or incremental).

Scheduling itself is pure computation (scheduler.py) on data loaded set-based (engine.py); this module
writes its results: one `ScheduleResult` per scheduled order and one `WorkCentreWeekLoad` per work centre and
week, in bulk. A full run rewrites everything; an incremental run rewrites only the orders whose result
changed and the weeks of the work centres whose load changed.
"""

import datetime as dt
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts.models import User
from gendan.catalog.models import Product
from gendan.core.errors import ConflictError, PermissionDeniedError
from gendan.core.parsing import FieldErrors, parse_decimal, parse_int, parse_text
from gendan.orders.models import Order

from . import engine
from .models import (
    MAX_DAILY_MINUTES,
    SCHEDULED_STATUSES,
    RouteStep,
    ScheduleChange,
    ScheduleResult,
    ScheduleSnapshot,
    WorkCentre,
    WorkCentreWeekLoad,
)
from .selectors import capacity_configured, may_plan

CHANGE_LOG_KEEP = dt.timedelta(days=1)
BATCH = 2000


def _ensure_planner(actor: User) -> None:
    if not may_plan(actor):
        raise PermissionDeniedError(
            _("Only planners, supervisors and administrators may change capacity data."),
            code="role_not_allowed",
        )


# --- master data --------------------------------------------------------------------------------------


def _work_centre_values(
    data: Mapping[str, Any], errors: FieldErrors, *, exclude_pk: int | None = None
) -> dict:
    code = parse_text(data.get("code"), "code", errors, required=True, max_length=20)
    if code and any(ch.isspace() for ch in code):
        errors.add("code", _("A code cannot contain spaces."))
    elif code and WorkCentre.objects.filter(code__iexact=code).exclude(pk=exclude_pk).exists():
        errors.add("code", _("A work centre with this code already exists."))
    name = parse_text(data.get("name"), "name", errors, required=True, max_length=100)
    minutes = parse_int(data.get("daily_minutes"), "daily_minutes", errors)
    if minutes is not None and not 1 <= minutes <= MAX_DAILY_MINUTES:
        errors.add("daily_minutes", _("Between 1 and %(max)s minutes.") % {"max": MAX_DAILY_MINUTES})
    active = data.get("is_active", True)
    return {
        "code": code,
        "name": name,
        "daily_minutes": minutes,
        "is_active": active not in (False, "false", "0", ""),
    }


@transaction.atomic
def work_centre_create(*, actor: User, data: Mapping[str, Any]) -> WorkCentre:
    _ensure_planner(actor)
    errors = FieldErrors()
    values = _work_centre_values(data, errors)
    errors.raise_if_any()
    return WorkCentre.objects.create(**values)


@transaction.atomic
def work_centre_update(
    *, actor: User, work_centre: WorkCentre, version: int, data: Mapping[str, Any]
) -> WorkCentre:
    """Change a work centre if `version` is still current (else 409). The next schedule run is a full one
    (the fingerprint changes)."""
    _ensure_planner(actor)
    current = WorkCentre.objects.select_for_update().get(pk=work_centre.pk)
    if current.version != version:
        raise ConflictError(
            _("Someone else changed this work centre. Reload and try again."),
            extra={"current_version": current.version},
        )
    errors = FieldErrors()
    values = _work_centre_values(data, errors, exclude_pk=current.pk)
    errors.raise_if_any()
    for name, value in values.items():
        setattr(current, name, value)
    current.version += 1
    current.save()
    return current


@transaction.atomic
def route_set(*, actor: User, product: Product, steps: Sequence[Mapping[str, Any]]) -> list[RouteStep]:
    """Replace the product's route: steps in the order given (sequence 1, 2, …), each with a work centre (id
    or code) and standard minutes per piece. An empty list removes the route."""
    _ensure_planner(actor)
    errors = FieldErrors()
    centres = {wc.code.lower(): wc for wc in WorkCentre.objects.all()}
    by_pk = {str(wc.pk): wc for wc in centres.values()}
    rows = []
    if len(steps) > 50:
        errors.add("steps", _("At most 50 steps."))
    for index, step in enumerate(steps[:50]):
        ref = str(step.get("work_centre") or "").strip()
        wc = centres.get(ref.lower()) or by_pk.get(ref)
        if wc is None:
            errors.add(f"steps.{index}.work_centre", _("Unknown work centre."))
        elif not wc.is_active:
            errors.add(f"steps.{index}.work_centre", _("This work centre is inactive."))
        minutes = parse_decimal(
            step.get("minutes_per_piece"),
            f"steps.{index}.minutes_per_piece",
            errors,
            places=4,
            max_digits=10,
            minimum=Decimal("0"),
            exclusive_minimum=True,
        )
        rows.append((wc, minutes))
    errors.raise_if_any()
    RouteStep.objects.filter(product=product).delete()
    return RouteStep.objects.bulk_create(
        RouteStep(product=product, sequence=index, work_centre=wc, minutes_per_piece=minutes)
        for index, (wc, minutes) in enumerate(rows, start=1)
    )


# --- change markers -------------------------------------------------------------------------------------


def schedule_changes_mark(*, order_ids: Iterable[int]) -> None:
    """Note orders whose schedule inputs may have changed, in the caller's transaction; after commit a task
    applies them (incremental run), once per transaction however many orders changed. Registered as the
    materials readiness hook (CapacityConfig.ready). Without any active work centre there is no schedule to
    keep: nothing is noted (the first run after work centres appear is a full one anyway)."""
    ids = sorted(set(order_ids))
    if not ids or not capacity_configured():
        return
    ScheduleChange.objects.bulk_create([ScheduleChange(order_id=pk) for pk in ids])
    pending = getattr(connection, "run_on_commit", [])
    if not any(entry[1] is _update_enqueue for entry in pending):
        transaction.on_commit(_update_enqueue, robust=True)


def schedule_order_transitioned(*, order: Order, action: str, actor: User, from_status: str) -> None:
    """The ORDER_TRANSITION_HOOKS entry: an order entering, leaving or moving within the scheduled statuses
    (a promised date is set on approval) is noted for the next run. Drafts never enter the schedule."""
    if order.status in SCHEDULED_STATUSES or from_status in SCHEDULED_STATUSES:
        schedule_changes_mark(order_ids=[order.pk])


def schedule_orders_transitioned(
    *, orders: Sequence[Order], action: str, actor: User, from_statuses: Sequence[str]
) -> None:
    """schedule_order_transitioned for a batch transition (orders.bulk.ORDER_TRANSITION_MANY_HOOKS): the
    same markers, written together."""
    schedule_changes_mark(
        order_ids=[
            order.pk
            for order, source in zip(orders, from_statuses, strict=True)
            if order.status in SCHEDULED_STATUSES or source in SCHEDULED_STATUSES
        ]
    )


def _update_enqueue() -> None:
    from gendan.capacity.tasks import schedule_update_task

    schedule_update_task()


# --- storing the schedule -------------------------------------------------------------------------------


def _columns(model, names: list[str]) -> list[str]:
    return [model._meta.get_field(name).column for name in names]


RESULT_FIELDS = [
    "order",
    "due_date",
    "order_date",
    "material_ready_date",
    "start_date",
    "completion_date",
    "beyond_horizon",
    "has_route",
    "is_late",
    "load",
    "computed_at",
]
WEEK_FIELDS = [
    "work_centre",
    "week_start",
    "capacity_minutes",
    "load_minutes",
    "demand_minutes",
    "overloaded",
]


def _result_row(state: engine.State, pk: int, now: object) -> tuple:
    """One ScheduleResult row, adapted for the database (the ORM's per-field preparation would cost more than
    the scheduling itself at 10,000 rows)."""
    ops = connection.ops
    job, plan = state.jobs[pk], state.plans[pk]
    due = dt.date.fromordinal(job.key[0])
    completion = state.days[plan.finish] if plan.finish is not None else None
    start = state.days[plan.start] if plan.start is not None and plan.start < state.n else None
    ready = dt.date.fromordinal(job.ready) if job.ready else None
    load: dict[str, float] = {}
    for chain in job.chains:
        for wc, minutes in chain:
            code = state.codes.get(wc, str(wc))
            load[code] = round(load.get(code, 0.0) + minutes, 1)
    return (
        pk,
        ops.adapt_datefield_value(due),
        ops.adapt_datefield_value(dt.date.fromordinal(job.key[1])),
        ops.adapt_datefield_value(ready),
        ops.adapt_datefield_value(start),
        ops.adapt_datefield_value(completion),
        plan.finish is None,
        bool(job.chains),
        completion is None or completion > due,
        ops.adapt_json_value(load, None),
        now,
    )


def _insert(model, names: list[str], rows: list[tuple]) -> None:
    qn = connection.ops.quote_name
    columns = ", ".join(qn(c) for c in _columns(model, names))
    marks = ", ".join(["%s"] * len(names))
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 - names from _meta
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, BATCH):
            cursor.executemany(sql, chunk)


def _weeks_update(rows: list[tuple]) -> None:
    """rows: (capacity, load, demand, overloaded, work centre, week start)."""
    qn = connection.ops.quote_name
    cap, load, demand, over, wc, week = _columns(WorkCentreWeekLoad, [*WEEK_FIELDS[2:], *WEEK_FIELDS[:2]])
    sql = (
        f"UPDATE {qn(WorkCentreWeekLoad._meta.db_table)} SET {qn(cap)} = %s, {qn(load)} = %s, "  # noqa: S608
        f"{qn(demand)} = %s, {qn(over)} = %s WHERE {qn(wc)} = %s AND {qn(week)} = %s"
    )
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, BATCH):
            cursor.executemany(sql, chunk)


def _chunks(items: list, size: int = 900):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _persist(state: engine.State) -> tuple[int, dict[int, list[tuple]]]:
    """Write what changed: every row after a build from scratch, else the results of the orders whose dates
    changed and the weeks whose figures changed. Returns (results written, week values now stored)."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    adapt = connection.ops.adapt_datefield_value
    written = dict(state.weeks_written)
    if state.fresh:
        ScheduleResult.objects.all().delete()
        WorkCentreWeekLoad.objects.all().delete()
        ids = list(state.jobs)
        weeks = []
        for wc in sorted(state.caps):
            written[wc] = engine.week_values(state, wc)
            weeks += [
                (wc, adapt(monday), *values) for monday, values in zip(state.weeks, written[wc], strict=True)
            ]
        _insert(WorkCentreWeekLoad, WEEK_FIELDS, weeks)
    else:
        ids = sorted(state.unsaved)
        for chunk in _chunks(ids):
            ScheduleResult.objects.filter(order_id__in=chunk).delete()
        changed = []
        for wc in sorted(state.unsaved_wcs & set(state.caps)):
            values, before = engine.week_values(state, wc), written.get(wc)
            for index, (monday, row) in enumerate(zip(state.weeks, values, strict=True)):
                if before is None or before[index] != row:
                    changed.append((*row, wc, adapt(monday)))
            written[wc] = values
        _weeks_update(changed)
    rows = [_result_row(state, pk, now) for pk in ids if pk in state.jobs]
    _insert(ScheduleResult, RESULT_FIELDS, rows)
    return len(rows), written


@transaction.atomic
def schedule_update(*, today: dt.date | None = None, full: bool = False) -> ScheduleSnapshot:
    """Bring the stored schedule up to date: incrementally from the changes noted since the last run, or in
    full (`full=True`, a new day, or changed work centres, routes or calendar)."""
    today = today or timezone.localdate()
    started = time.perf_counter()
    snapshot = (
        ScheduleSnapshot.objects.select_for_update().filter(key="current").first()
    )  # one writer at a time
    state = engine.state_current(today=today, rebuild=full or snapshot is None)
    kind = ScheduleSnapshot.Kind.FULL if state.fresh else ScheduleSnapshot.Kind.INCREMENTAL
    changed, weeks_written = _persist(state)
    generation = (
        uuid.uuid4().hex if kind == ScheduleSnapshot.Kind.FULL or snapshot is None else snapshot.generation
    )
    engine.state_share(
        replace(
            state,
            fresh=False,
            unsaved=frozenset(),
            unsaved_wcs=frozenset(),
            weeks_written=weeks_written,
            generation=generation,
        )
    )
    if kind == ScheduleSnapshot.Kind.FULL:
        ScheduleChange.objects.filter(
            pk__lte=state.seq, created_at__lt=timezone.now() - CHANGE_LOG_KEEP
        ).delete()
    values = {
        "kind": kind,
        "generation": generation,
        "applied_seq": state.seq,
        "horizon_start": state.days[0] if state.days else today,
        "horizon_end": state.days[-1] if state.days else today,
        "fingerprint": state.fingerprint,
        "orders": len(state.jobs),
        "changed": changed,
        "duration_ms": int((time.perf_counter() - started) * 1000),
        "warnings": state.warnings,
        "computed_at": timezone.now(),
    }
    if snapshot is None:
        snapshot = ScheduleSnapshot.objects.create(key="current", **values)
    else:
        for name, value in values.items():
            setattr(snapshot, name, value)
        snapshot.save()
    return snapshot


def schedule_run(*, today: dt.date | None = None) -> ScheduleSnapshot:
    """A full run: every scheduled order from scratch (nightly, and on demand)."""
    return schedule_update(today=today, full=True)


def schedule_order_revised(
    *, order: Order, actor: User | None, revision: object, changes: list[dict]
) -> None:
    """Registered in orders.revisions.ORDER_REVISED_HOOKS: a revised order (new quantities or date) in the
    schedule is noted for the next run."""
    if order.status in SCHEDULED_STATUSES:
        schedule_changes_mark(order_ids=[order.pk])
