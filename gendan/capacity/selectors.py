"""Reads on capacity: the schedule preview for a review, stored results (scoped through the orders' scope),
weekly loads and master data."""

import datetime as dt
from collections import defaultdict

from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.core.errors import NotFoundError
from gendan.orders.models import Order
from gendan.orders.selectors import order_visible_list
from gendan.planning.calendar import not_covered_message

from .models import (
    RouteStep,
    ScheduleChange,
    ScheduleResult,
    ScheduleSnapshot,
    WorkCentre,
    WorkCentreWeekLoad,
)


def may_plan(user: User) -> bool:
    """Work centres, routes and schedule runs: planners, supervisors and administrators."""
    return user.is_active and not user.is_read_only and user.has_role(R.PLANNER, R.SUPERVISOR, R.ADMIN)


def may_view_capacity(user: User) -> bool:
    """Loads and routes hold no customer data: every user with a role may see them."""
    return user.is_active and bool(user.roles)


def capacity_configured() -> bool:
    """Is there anything to schedule on (an active work centre)?"""
    return WorkCentre.objects.filter(is_active=True).exists()


def _materials_only_preview(*, order: Order, today: dt.date) -> dict:
    from gendan.materials.selectors import material_ready_dates
    from gendan.planning.calendar import WorkingCalendar

    calendar = WorkingCalendar.load(today.year - 1, today.year + 1)
    ready = material_ready_dates(orders=[order.pk], today=today, calendar=calendar).get(order.pk)
    return {
        "completion": None,
        "start": None,
        "material_ready": ready,
        "has_route": False,
        "beyond_horizon": False,
        "horizon_end": today,
        "warnings": list(calendar.warnings) if ready else [],
    }


def order_schedule_preview(*, order: Order, today: dt.date | None = None) -> dict:
    """Where `order` would complete if scheduled now with the other scheduled orders as they are (it need
    not be scheduled itself: a draft gets a what-if answer). Nothing is written."""
    from . import engine
    from .scheduler import preview

    today = today or timezone.localdate()
    if not capacity_configured():  # no work centres: only material readiness can hold the order back
        return _materials_only_preview(order=order, today=today)
    state = engine.state_current(today=today)
    calendar, _days = engine.horizon(today)
    job = engine.jobs_load(
        orders=Order.objects.filter(pk=order.pk),
        today=today,
        calendar=calendar,
        days=state.days,
        scheduled_only=False,
    )[order.pk]
    assert job is not None
    plan = preview(
        n=state.n,
        caps=state.caps,
        used=state.used,
        jobs=state.jobs,
        plans=state.plans,
        order=state.order,
        job=job,
    )
    missing = sorted(
        {state.codes.get(wc, str(wc)) for chain in job.chains for wc, _m in chain if wc not in state.caps}
    )
    # only the calendar gaps this order's plan runs into, not those of the whole horizon
    last = state.days[plan.finish] if plan.finish is not None else (state.days[-1] if state.days else today)
    warnings = [not_covered_message(year) for year in sorted(state.missing_years) if year <= last.year]
    if missing:
        warnings.append(_("The route uses inactive work centres: %(codes)s.") % {"codes": ", ".join(missing)})
    return {
        "completion": state.days[plan.finish] if plan.finish is not None and job.chains else None,
        "start": state.days[plan.start]
        if plan.start is not None and plan.start < state.n and job.chains
        else None,
        "material_ready": dt.date.fromordinal(job.ready) if job.ready else None,
        "has_route": bool(job.chains),
        "beyond_horizon": plan.finish is None,
        "horizon_end": state.days[-1] if state.days else today,
        "warnings": warnings,
    }


def schedule_result_list(*, user: User, late_only: bool = False) -> QuerySet[ScheduleResult]:
    qs = ScheduleResult.objects.filter(order__in=order_visible_list(user=user).values("pk")).select_related(
        "order", "order__customer"
    )
    if late_only:
        qs = qs.filter(is_late=True)
    return qs.order_by("due_date", "order_date", "order_id")


def schedule_result_for_order(*, user: User, order_id: int) -> ScheduleResult | None:
    return schedule_result_list(user=user).filter(order_id=order_id).first()


def schedule_status() -> dict:
    """The last stored run and how many changes wait for the next one."""
    snapshot = ScheduleSnapshot.objects.filter(key="current").first()
    applied = snapshot.applied_seq if snapshot else 0
    last = ScheduleChange.objects.aggregate(last=Max("pk"))["last"] or 0
    pending = (
        ScheduleChange.objects.filter(pk__gt=applied).values("order_id").distinct().count()
        if last > applied
        else 0
    )
    return {"snapshot": snapshot, "pending": pending}


def work_centre_list(*, user: User, active: bool | None = None) -> QuerySet[WorkCentre]:
    if not may_view_capacity(user):
        return WorkCentre.objects.none()
    qs = WorkCentre.objects.all()
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("code")


def work_centre_get(*, user: User, pk: int | str) -> WorkCentre:
    try:
        return work_centre_list(user=user).get(pk=int(pk))
    except (WorkCentre.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Work centre not found.")) from None


def route_for_product(*, product_id: int) -> QuerySet[RouteStep]:
    return RouteStep.objects.filter(product_id=product_id).select_related("work_centre").order_by("sequence")


def week_load_chart(*, user: User, work_centre_id: int | None = None, weeks: int = 26) -> list[dict]:
    """Per active work centre: its weeks (from the horizon start) with load, capacity, demand, utilisation
    in % (capped at 100 for the bar, given as is for the label) and the overload mark."""
    centres = list(work_centre_list(user=user, active=True))
    if work_centre_id is not None:
        centres = [wc for wc in centres if wc.pk == work_centre_id]
    rows = WorkCentreWeekLoad.objects.filter(work_centre__in=[wc.pk for wc in centres]).order_by(
        "work_centre_id", "week_start"
    )
    by_wc: dict[int, list[WorkCentreWeekLoad]] = defaultdict(list)
    for row in rows:
        if len(by_wc[row.work_centre_id]) < weeks:
            by_wc[row.work_centre_id].append(row)
    chart = []
    for wc in centres:
        items = []
        for row in by_wc.get(wc.pk, []):
            percent = round(100 * row.load_minutes / row.capacity_minutes) if row.capacity_minutes else 0
            demand = round(100 * row.demand_minutes / row.capacity_minutes) if row.capacity_minutes else 0
            items.append(
                {
                    "week": row.week_start,
                    "capacity": row.capacity_minutes,
                    "load": row.load_minutes,
                    "demand": row.demand_minutes,
                    "percent": percent,
                    "bar": min(percent, 100),
                    "demand_percent": demand,
                    "overloaded": row.overloaded,
                }
            )
        chart.append(
            {
                "work_centre": wc,
                "weeks": items,
                "overloaded_weeks": sum(1 for item in items if item["overloaded"]),
            }
        )
    return chart
