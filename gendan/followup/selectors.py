"""Reads of follow-up. Every list starts from `order_visible_list(user=…)` (row-level scope)."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.core.errors import NotFoundError, PermissionDeniedError
from gendan.followup.models import (
    ExceptionStatus,
    ExceptionType,
    FollowupException,
    MilestoneStatus,
    OrderRisk,
    ProgressRecord,
    ProgressState,
    RiskLevel,
    ScanRun,
    ShipmentConfirmation,
    TaMilestone,
    TaPlan,
)
from gendan.followup.policy import PolicyTimeline, day_start, policy_for, slot_window
from gendan.followup.workflows import CONCEALMENT_ROLES
from gendan.orders.models import Order, OrderEvent, OrderStatus
from gendan.orders.selectors import order_visible_list
from gendan.planning.calendar import WorkingCalendar, calendar_years_missing, not_covered_message

PRODUCTION_STATUSES = (OrderStatus.IN_PRODUCTION, OrderStatus.PARTIALLY_SHIPPED)
PLAN_STATUSES = (
    OrderStatus.RELEASED,
    OrderStatus.IN_PRODUCTION,
    OrderStatus.PARTIALLY_SHIPPED,
    OrderStatus.ON_HOLD,
)
MAX_REPORT_DAYS = 62


# --- dates --------------------------------------------------------------------------------------------


def calendar_around(today: dt.date) -> WorkingCalendar:
    return WorkingCalendar.load(today.year - 1, today.year + 2)


def due_soon_until(*, today: dt.date, calendar: WorkingCalendar | None = None) -> dt.date:
    calendar = calendar or calendar_around(today)
    return calendar.add_working_days(today, policy_for(today).due_soon_days)


def calendar_warnings(*, today: dt.date | None = None, until: dt.date | None = None) -> list[str]:
    """A visible warning for each year up to `until` (default: next year) nobody entered."""
    today = today or timezone.localdate()
    last = max(until.year if until else today.year + 1, today.year)
    return [
        not_covered_message(year) for year in calendar_years_missing(first_year=today.year, last_year=last)
    ]


def milestone_status_expression(*, today: dt.date, soon: dt.date) -> Case:
    return Case(
        When(actual_date__isnull=False, then=Value(MilestoneStatus.DONE)),
        When(planned_date__lt=today, then=Value(MilestoneStatus.OVERDUE)),
        When(planned_date__lte=soon, then=Value(MilestoneStatus.DUE_SOON)),
        default=Value(MilestoneStatus.NOT_DUE),
        output_field=CharField(),
    )


# --- plans --------------------------------------------------------------------------------------------


def order_for_followup(*, user: User, pk: int | str) -> Order:
    try:
        return order_visible_list(user=user).select_related("merchandiser__supervisor").get(pk=int(pk))
    except (Order.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Order not found.")) from None


def plan_for_order(*, order: Order) -> TaPlan | None:
    return TaPlan.objects.filter(order=order).select_related("template").first()


def plan_milestones(*, plan: TaPlan, today: dt.date | None = None) -> list[TaMilestone]:
    today = today or timezone.localdate()
    soon = due_soon_until(today=today)
    return list(
        plan.milestones.select_related("owner", "offset_from")
        .annotate(status=milestone_status_expression(today=today, soon=soon))
        .order_by("planned_date", "sequence", "id")
    )


def milestone_get(*, user: User, pk: int | str) -> TaMilestone:
    try:
        milestone = TaMilestone.objects.select_related("plan__order").get(pk=int(pk))
    except (TaMilestone.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Milestone not found.")) from None
    if not order_visible_list(user=user).filter(pk=milestone.plan.order_id).exists():
        raise NotFoundError(_("Milestone not found."))
    return milestone


def _pct(day: dt.date, start: dt.date, span: int) -> float:
    return round(100 * (day - start).days / span, 2)


def plan_gantt(*, plan: TaPlan, milestones: list[TaMilestone], today: dt.date) -> dict:
    """Bars for an HTML/CSS Gantt: each milestone's bar runs from the previous milestone's planned date
    (or the release) to its own; markers for the actual date, the baseline and today."""
    order = plan.order
    released = timezone.localdate(order.released_at) if order.released_at else plan.created_at.date()
    days = [released, today, plan.promised_date]
    for m in milestones:
        days += [m.planned_date, m.baseline_date] + ([m.actual_date] if m.actual_date else [])
    start = min(days) - dt.timedelta(days=1)
    end = max(days) + dt.timedelta(days=2)
    span = max(1, (end - start).days)
    rows, previous = [], released
    for m in sorted(milestones, key=lambda m: (m.planned_date, m.sequence, m.pk)):
        bar_start = min(previous, m.planned_date)
        rows.append(
            {
                "milestone": m,
                "left": _pct(bar_start, start, span),
                "width": max(
                    0.8,
                    _pct(m.planned_date + dt.timedelta(days=1), start, span) - _pct(bar_start, start, span),
                ),
                "actual": _pct(m.actual_date, start, span) if m.actual_date else None,
                "baseline": _pct(m.baseline_date, start, span) if m.baseline_date != m.planned_date else None,
            }
        )
        previous = m.planned_date
    ticks, tick = [], start + dt.timedelta(days=(7 - start.weekday()) % 7)
    step = 7 if span <= 120 else 28
    while tick < end:
        ticks.append({"left": _pct(tick, start, span), "label": tick.strftime("%m-%d")})
        tick += dt.timedelta(days=step)
    return {
        "rows": rows,
        "ticks": ticks,
        "today": _pct(today, start, span) if start <= today <= end else None,
        "promised": _pct(plan.promised_date, start, span),
        "start": start,
        "end": end,
    }


def plan_overview(
    *, user: User, today: dt.date, filters: dict | None = None, before: int = 14, after: int = 56
) -> dict:
    """The consolidated plan across orders: per order, its milestones placed on one time axis."""
    filters = filters or {}
    soon = due_soon_until(today=today)
    orders = order_visible_list(user=user).filter(status__in=PLAN_STATUSES, ta_plan__isnull=False)
    if merchandiser := filters.get("merchandiser"):
        orders = orders.filter(merchandiser_id=merchandiser)
    if q := (filters.get("q") or "").strip():
        orders = orders.filter(
            Q(number__icontains=q) | Q(customer__name__icontains=q) | Q(customer_po__icontains=q)
        )
    status = filters.get("status")
    if status == MilestoneStatus.OVERDUE:
        orders = orders.filter(
            ta_plan__milestones__actual_date__isnull=True, ta_plan__milestones__planned_date__lt=today
        )
    elif status == MilestoneStatus.DUE_SOON:
        orders = orders.filter(
            ta_plan__milestones__actual_date__isnull=True,
            ta_plan__milestones__planned_date__gte=today,
            ta_plan__milestones__planned_date__lte=soon,
        )
    orders = orders.distinct().order_by("promised_date", "requested_date", "id")
    start, end = today - dt.timedelta(days=before), today + dt.timedelta(days=after)
    return {"orders": orders, "start": start, "end": end, "soon": soon}


def plan_overview_rows(
    *, orders: list[Order], today: dt.date, start: dt.date, end: dt.date, soon: dt.date
) -> list[dict]:
    span = max(1, (end - start).days)
    by_order: dict[int, list] = defaultdict(list)
    for m in (
        TaMilestone.objects.filter(plan__order__in=[o.pk for o in orders])
        .annotate(status=milestone_status_expression(today=today, soon=soon))
        .values("id", "name", "planned_date", "actual_date", "status", "mandatory", "plan__order_id")
        .order_by("planned_date", "sequence")
    ):
        m["in_window"] = start <= m["planned_date"] <= end
        m["left"] = _pct(min(max(m["planned_date"], start), end), start, span)
        by_order[m["plan__order_id"]].append(m)
    rows = []
    for order in orders:
        milestones = by_order.get(order.pk, [])
        due = order.promised_date or order.requested_date
        rows.append(
            {
                "order": order,
                "milestones": milestones,
                "overdue": sum(1 for m in milestones if m["status"] == MilestoneStatus.OVERDUE),
                "next": next((m for m in milestones if m["status"] != MilestoneStatus.DONE), None),
                "due_left": _pct(due, start, span) if start <= due <= end else None,
            }
        )
    return rows


def overview_ticks(*, start: dt.date, end: dt.date) -> list[dict]:
    span = max(1, (end - start).days)
    ticks, tick = [], start + dt.timedelta(days=(7 - start.weekday()) % 7)
    while tick < end:
        ticks.append({"left": _pct(tick, start, span), "label": tick.strftime("%m-%d")})
        tick += dt.timedelta(days=7)
    return ticks


# --- progress records ---------------------------------------------------------------------------------


def records_for_order(*, order: Order) -> QuerySet[ProgressRecord]:
    return (
        order.progress_records.select_related("recorded_by")
        .prefetch_related("photos")
        .order_by("-recorded_at", "-id")
    )


def record_photo_get(*, user: User, pk: int | str):
    from gendan.followup.models import ProgressPhoto

    try:
        photo = ProgressPhoto.objects.select_related("record").get(pk=int(pk))
    except (ProgressPhoto.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Photo not found.")) from None
    if not order_visible_list(user=user).filter(pk=photo.record.order_id).exists():
        raise NotFoundError(_("Photo not found."))
    return photo


def followup_today(
    *, user: User, now: dt.datetime | None = None, open_only: bool = False, limit: int = 200
) -> list[dict]:
    """The user's orders in production with today's slots: recorded or still open.

    `open_only` keeps the orders with a slot still to record (the dashboard), at most `limit` of them, taken
    from the same first 200 orders as the full list; its rows carry no risk (the dashboard does not show it).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    policy = policy_for(today)
    working = calendar_around(today).is_working_day(today)
    # The first 200 of each status (index on (merchandiser,) status, promised_date: read in order, no sort of
    # a whole team's production), then the first 200 of those: the same rows as sorting all of them.
    visible, by_promise = order_visible_list(user=user), ("promised_date", "id")
    first = Q()
    for status in PRODUCTION_STATUSES:
        first |= Q(pk__in=visible.filter(status=status).order_by(*by_promise).values("pk")[:200])
    # Only the columns the rows show: 200 whole orders (with customer and merchandiser) cost more in Python
    # than the query itself.
    fields = ["number", "status", "promised_date", "requested_date", "customer__name"]
    related = ["customer"]
    if not open_only:
        fields += ["risk__level", "risk__reasons"]
        related.append("risk")
    orders = list(
        visible.filter(first)
        .select_related(None)
        .select_related(*related)
        .only(*fields)
        .order_by(*by_promise)[:200]
    )
    ids = [o.pk for o in orders]
    done = set(ProgressRecord.objects.filter(order__in=ids, work_date=today).values_list("order_id", "slot"))
    confirmed = set(
        ShipmentConfirmation.objects.filter(order__in=ids, work_date=today).values_list("order_id", flat=True)
    )
    # Each slot's label and whether it has ended are the same for every order.
    slot_ends = [
        (slot, policy.slot_label(slot), working and slot_window(policy, today, slot)[1] <= now)
        for slot in range(policy.records_per_day)
    ]
    rows = []
    for order in orders:
        slots = [
            {
                "label": label,
                "done": (order.pk, slot) in done,
                "missed": ended and (order.pk, slot) not in done,
            }
            for slot, label, ended in slot_ends
        ]
        if open_only and all(s["done"] for s in slots):
            continue
        row = {"order": order, "slots": slots, "shipment_confirmed": order.pk in confirmed}
        if not open_only:
            row["risk"] = getattr(order, "risk", None)
        rows.append(row)
        if len(rows) >= limit:
            break
    return rows


def ended_slots(
    *, date_from: dt.date, date_to: dt.date, now: dt.datetime
) -> list[tuple[dt.date, int, dt.datetime, str]]:
    """(day, slot, start, label) of every slot of the working days in the range that has ended by `now`."""
    date_to = min(date_to, timezone.localdate(now))
    if date_to < date_from:
        return []
    policies = PolicyTimeline()
    calendar = WorkingCalendar.load(date_from.year, date_to.year)
    slots = []
    for day in calendar.working_days_in(date_from, date_to):
        policy = policies.for_day(day)
        for slot in range(policy.records_per_day):
            start, end = slot_window(policy, day, slot)
            if end <= now:
                slots.append((day, slot, start, policy.slot_label(slot)))
    return slots


def _moved_since(moment: dt.datetime) -> QuerySet[OrderEvent]:
    """Transitions into or out of production since `moment` (their orders' status varied over the range)."""
    return OrderEvent.objects.filter(type=OrderEvent.Type.TRANSITION, created_at__gte=moment).filter(
        Q(to_status__in=PRODUCTION_STATUSES) | Q(from_status__in=PRODUCTION_STATUSES)
    )


def missed_slot_counts(*, date_from: dt.date, date_to: dt.date, now: dt.datetime) -> dict:
    """What `missed_slots` over every order finds, per (merchandiser, day, slot): `counts` of orders with no
    record and their `numbers` (unsorted). Orders that moved in or out of production in the range go
    through `missed_slots` (their status per slot needs their history); the others, in production
    throughout, are one query: each order once, with one EXISTS per slot on the (order, day, slot) index."""
    slots = ended_slots(date_from=date_from, date_to=date_to, now=now)
    counts: dict[tuple[int | None, dt.date, int], int] = defaultdict(int)
    numbers: dict[tuple[int | None, dt.date, int], list[str]] = defaultdict(list)
    result: dict = {"slots": slots, "counts": counts, "numbers": numbers}
    if not slots:
        return result
    moved = _moved_since(min(s[2] for s in slots)).values("order_id")
    if moved.exists():
        for row in missed_slots(
            orders=Order.objects.filter(pk__in=moved), date_from=date_from, date_to=date_to, now=now
        ):
            group = (row["merchandiser_id"], row["date"], row["slot"])
            counts[group] += 1
            numbers[group].append(row["number"])
    keys = [(day, slot) for day, slot, _start, _label in slots]
    recorded = {f"slot_{n}": Exists(slot_recorded(day=day, slot=slot)) for n, (day, slot) in enumerate(keys)}
    steady = (
        Order.objects.filter(status__in=PRODUCTION_STATUSES)
        .exclude(pk__in=moved)
        .annotate(**recorded)
        .values_list("merchandiser_id", "number", *recorded)
        .order_by()
    )
    for merchandiser_id, number, *done in steady:
        for key, present in zip(keys, done, strict=True):
            if not present:
                group = (merchandiser_id, *key)
                counts[group] += 1
                numbers[group].append(number)
    result.update(counts=dict(counts), numbers=dict(numbers))
    return result


def slot_recorded(*, day: dt.date, slot: int) -> QuerySet[ProgressRecord]:
    """The outer order's records of a slot (for Exists)."""
    return ProgressRecord.objects.filter(order=OuterRef("pk"), work_date=day, slot=slot)


def missed_slots(
    *, orders: QuerySet[Order], date_from: dt.date, date_to: dt.date, now: dt.datetime | None = None
) -> list[dict]:
    """Orders × working day × slot with no progress record, where the slot has ended by `now` and the order
    was in production (or partially shipped) when the slot began. Set-based: four queries in all."""
    now = now or timezone.now()
    slots = ended_slots(date_from=date_from, date_to=date_to, now=now)
    if not slots:
        return []
    range_start = min(s[2] for s in slots)
    candidates = orders.filter(
        Q(status__in=PRODUCTION_STATUSES) | Q(pk__in=_moved_since(range_start).values("order_id"))
    )
    rows = {
        row["id"]: row
        for row in candidates.values("id", "number", "status", "merchandiser_id", "customer__name").order_by()
    }
    if not rows:
        return []
    changes: dict[int, list[tuple[dt.datetime, str, str]]] = defaultdict(list)
    for order_id, at, source, target in (
        OrderEvent.objects.filter(
            type=OrderEvent.Type.TRANSITION, created_at__gte=range_start, order__in=candidates.values("id")
        )
        .order_by("created_at", "id")
        .values_list("order_id", "created_at", "from_status", "to_status")
    ):
        changes[order_id].append((at, source, target))
    recorded = set(
        ProgressRecord.objects.filter(
            order__in=candidates.values("id"), work_date__gte=date_from, work_date__lte=date_to
        ).values_list("order_id", "work_date", "slot")
    )
    users = {u.pk: u for u in User.objects.filter(pk__in={r["merchandiser_id"] for r in rows.values()})}
    missed = []
    for order_id, row in rows.items():
        history = changes.get(order_id, [])
        initial = history[0][1] if history else row["status"]
        for day, slot, start, label in slots:
            status = initial
            for at, _source, target in history:
                if at <= start:
                    status = target
                else:
                    break
            if status in PRODUCTION_STATUSES and (order_id, day, slot) not in recorded:
                missed.append(
                    {
                        "order_id": order_id,
                        "number": row["number"],
                        "customer": row["customer__name"],
                        "merchandiser_id": row["merchandiser_id"],
                        "merchandiser": users.get(row["merchandiser_id"]),
                        "date": day,
                        "slot": slot,
                        "slot_label": label,
                    }
                )
    missed.sort(key=lambda m: (m["date"], m["slot"], m["number"]))
    return missed


def missed_records(
    *, user: User, date_from: dt.date, date_to: dt.date, now: dt.datetime | None = None
) -> list[dict]:
    """The compliance list (跟踪不到位) for the orders the user sees."""
    if (date_to - date_from).days > MAX_REPORT_DAYS:
        date_from = date_to - dt.timedelta(days=MAX_REPORT_DAYS)
    return missed_slots(orders=order_visible_list(user=user), date_from=date_from, date_to=date_to, now=now)


# --- concealment --------------------------------------------------------------------------------------


def _covered(signal: dict, exceptions: list[dict], hours: dt.timedelta) -> bool:
    """An exception on the order covers a signal if it was raised no later than `hours` after it and was not
    already resolved before it; a quality problem needs a quality exception."""
    for exc in exceptions:
        if signal["quality"] and exc["type"] != ExceptionType.QUALITY:
            continue
        if exc["raised_at"] <= signal["at"] + hours and (
            exc["resolved_at"] is None or exc["resolved_at"] >= signal["at"]
        ):
            return True
    return False


def concealment_list(*, user: User, now: dt.datetime | None = None, days: int = 30) -> list[dict]:
    """The possible-concealment list for a supervisor (their team's orders) or a manager."""
    if not user.has_role(*CONCEALMENT_ROLES):
        raise PermissionDeniedError(
            _("The concealment list is for supervisors and managers."), code="role_not_allowed"
        )
    return concealment_signals(orders=order_visible_list(user=user), now=now, days=days)


def concealment_signals(
    *, orders: QuerySet[Order], now: dt.datetime | None = None, days: int = 30
) -> list[dict]:
    """Possible concealment (瞒报, violations 4–5) among `orders` (unscoped: callers scope): a "behind" or
    "quality problem" record, a mandatory milestone that went overdue, or a projected delay, with no
    exception raised within the policy's hours. A quality problem needs a quality exception."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    hours = dt.timedelta(hours=policy_for(today).concealment_hours)
    since, cutoff = now - dt.timedelta(days=days), now - hours
    visible = orders
    signals: list[dict] = []
    for row in ProgressRecord.objects.filter(
        order__in=visible.values("id"),
        state__in=(ProgressState.BEHIND, ProgressState.QUALITY),
        recorded_at__gte=since,
        recorded_at__lte=cutoff,
    ).values("id", "order_id", "recorded_at", "state", "note"):
        quality = row["state"] == ProgressState.QUALITY
        signals.append(
            {
                "kind": "record_quality" if quality else "record_behind",
                "label": _("Quality problem recorded") if quality else _("Behind schedule recorded"),
                "order_id": row["order_id"],
                "at": row["recorded_at"],
                "quality": quality,
                "detail": row["note"][:200],
            }
        )
    for row in (
        TaMilestone.objects.filter(
            plan__order__in=visible.values("id"),
            mandatory=True,
            planned_date__gte=since.date() - dt.timedelta(days=1),
            planned_date__lt=today,
        )
        .filter(Q(actual_date__isnull=True) | Q(actual_date__gt=F("planned_date")))
        .values("id", "plan__order_id", "name", "planned_date", "actual_date")
    ):
        at = day_start(row["planned_date"] + dt.timedelta(days=1))
        if at > cutoff:
            continue
        signals.append(
            {
                "kind": "milestone_overdue",
                "label": _("Milestone overdue"),
                "order_id": row["plan__order_id"],
                "at": at,
                "quality": False,
                "detail": f"{row['name']} ({row['planned_date']})",
            }
        )
    for row in OrderRisk.objects.filter(
        order__in=visible.values("id"), delay_since__isnull=False, delay_since__lte=cutoff
    ).values("order_id", "delay_since", "projected_finish"):
        signals.append(
            {
                "kind": "projected_delay",
                "label": _("Projected late"),
                "order_id": row["order_id"],
                "at": row["delay_since"],
                "quality": False,
                "detail": _("projected finish %(d)s") % {"d": row["projected_finish"] or "-"},
            }
        )
    if not signals:
        return []
    order_ids = {s["order_id"] for s in signals}
    exceptions: dict[int, list[dict]] = defaultdict(list)
    for exc in FollowupException.objects.filter(order_id__in=order_ids).values(
        "order_id", "type", "raised_at", "resolved_at"
    ):
        exceptions[exc["order_id"]].append(exc)
    orders = {
        o.pk: o for o in Order.objects.filter(pk__in=order_ids).select_related("merchandiser", "customer")
    }
    result = []
    for signal in signals:
        if _covered(signal, exceptions.get(signal["order_id"], []), hours):
            continue
        signal["order"] = orders[signal["order_id"]]
        signal["deadline"] = signal["at"] + hours
        result.append(signal)
    result.sort(key=lambda s: (s["order"].number, s["at"]))
    return result


# --- risk and exceptions ------------------------------------------------------------------------------


def orders_at_risk(
    *, user: User, levels: tuple[str, ...] = (RiskLevel.RED, RiskLevel.AMBER)
) -> QuerySet[OrderRisk]:
    return (
        OrderRisk.objects.filter(order__in=order_visible_list(user=user).values("id"), level__in=levels)
        .select_related("order__customer", "order__merchandiser")
        .annotate(rank=Case(When(level=RiskLevel.RED, then=Value(0)), default=Value(1)))
        .order_by("rank", "projected_finish", "order__promised_date", "order_id")
    )


def last_scan() -> ScanRun | None:
    return ScanRun.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()


def exception_list(*, user: User, filters: dict | None = None) -> QuerySet[FollowupException]:
    filters = filters or {}
    qs = FollowupException.objects.filter(
        order__in=order_visible_list(user=user).values("id")
    ).select_related("order__customer", "owner", "order__merchandiser")
    status = filters.get("status")
    if status == "active":
        qs = qs.filter(status=ExceptionStatus.OPEN)
    elif status in ExceptionStatus.values:
        qs = qs.filter(status=status)
    if (level := str(filters.get("level") or "")) in {"1", "2", "3"}:
        qs = qs.filter(level=int(level))
    if (kind := filters.get("type")) in ExceptionType.values:
        qs = qs.filter(type=kind)
    if order := filters.get("order"):
        qs = qs.filter(order_id=order)
    if filters.get("mine"):
        qs = qs.filter(Q(owner=user) | Q(order__merchandiser=user))
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(order__number__icontains=q))
    open_first = Case(
        When(status=ExceptionStatus.OPEN, then=Value(0)),
        When(status=ExceptionStatus.RESOLVED, then=Value(1)),
        default=Value(2),
    )
    return qs.order_by(open_first, "-level", "-raised_at", "-id")


def exception_actions(*, exception: FollowupException, user: User) -> list[str]:
    """The actions of EXCEPTION_TRANSITIONS `user` may take now (escalate only below level 3)."""
    from gendan.core.workflow import allowed_actions
    from gendan.followup.workflows import EXCEPTION_TRANSITIONS

    if not user.is_active or user.is_read_only:
        return []
    actions = allowed_actions(EXCEPTION_TRANSITIONS, exception.status, set(user.roles))
    return [a for a in actions if a != "escalate" or exception.level < 3]


def exception_get(*, user: User, pk: int | str) -> FollowupException:
    try:
        return exception_list(user=user).get(pk=int(pk))
    except (FollowupException.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Exception not found.")) from None


def exception_timeline(*, exception: FollowupException) -> QuerySet[OrderEvent]:
    return (
        OrderEvent.objects.filter(order_id=exception.order_id, data__exception=exception.pk)
        .select_related("actor")
        .order_by("created_at", "id")
    )


FOLLOWUP_EVENT_TYPES = (
    OrderEvent.Type.TA_PLAN_GENERATED,
    OrderEvent.Type.TA_MILESTONE_MOVED,
    OrderEvent.Type.TA_MILESTONE_DONE,
    OrderEvent.Type.TA_MILESTONE_OVERDUE,
    OrderEvent.Type.PROGRESS_RECORDED,
    OrderEvent.Type.SHIPMENT_CONFIRMED,
    OrderEvent.Type.EXCEPTION_RAISED,
    OrderEvent.Type.EXCEPTION_ESCALATED,
    OrderEvent.Type.EXCEPTION_NOTICE,
    OrderEvent.Type.EXCEPTION_RESOLVED,
    OrderEvent.Type.EXCEPTION_REOPENED,
    OrderEvent.Type.EXCEPTION_CLOSED,
    OrderEvent.Type.RISK_CHANGED,
    OrderEvent.Type.ORIGINAL_REMINDER,
)


def followup_events(*, order: Order) -> QuerySet[OrderEvent]:
    return (
        order.events.filter(type__in=FOLLOWUP_EVENT_TYPES)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


# --- daily log and weekly report ----------------------------------------------------------------------


def report_subject(*, viewer: User, user_id: int | str | None) -> User:
    """Whose log the viewer may read: their own, their team's (supervisor), anyone's (GM, auditor, admin)."""
    if not user_id or str(user_id) == str(viewer.pk):
        return viewer
    try:
        subject = User.objects.get(pk=int(user_id))
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("User not found.")) from None
    if viewer.sees_all or (viewer.has_role(R.SUPERVISOR) and subject.supervisor_id == viewer.pk):
        return subject
    raise NotFoundError(_("User not found."))


def report_subjects(*, viewer: User) -> list[User]:
    if viewer.sees_all:
        return list(
            User.objects.filter(is_active=True, groups__name=R.MERCHANDISER).distinct().order_by("username")
        )
    if viewer.has_role(R.SUPERVISOR):
        return [viewer, *User.objects.filter(supervisor=viewer, is_active=True).order_by("username")]
    return [viewer]


def daily_log(*, user: User, date: dt.date, now: dt.datetime | None = None) -> dict:
    """§2.15: the day's records, exceptions and shipment confirmations on the user's orders, the slots
    missed, and tomorrow's due milestones (明日工作方案), with the user's own notes."""
    from gendan.followup.models import DailyLog

    now = now or timezone.now()
    own = Order.objects.filter(merchandiser=user)
    calendar = calendar_around(date)
    tomorrow = calendar.add_working_days(date, 1)
    records = list(
        ProgressRecord.objects.filter(Q(recorded_by=user) | Q(order__merchandiser=user), work_date=date)
        .select_related("order__customer", "recorded_by")
        .order_by("recorded_at")
    )
    start, end = day_start(date), day_start(date + dt.timedelta(days=1))
    raised = list(
        FollowupException.objects.filter(order__in=own.values("id"), raised_at__gte=start, raised_at__lt=end)
        .select_related("order")
        .order_by("raised_at")
    )
    resolved = list(
        FollowupException.objects.filter(
            order__in=own.values("id"), resolved_at__gte=start, resolved_at__lt=end
        )
        .select_related("order")
        .order_by("resolved_at")
    )
    open_exceptions = list(
        FollowupException.objects.filter(
            order__in=own.values("id"), status=ExceptionStatus.OPEN, raised_at__lt=end
        )
        .select_related("order")
        .order_by("-level", "raised_at")
    )
    shipments = list(
        ShipmentConfirmation.objects.filter(order__in=own.values("id"), work_date=date)
        .select_related("order__customer")
        .order_by("order__number")
    )
    due = list(
        TaMilestone.objects.filter(
            Q(owner=user) | Q(plan__order__merchandiser=user),
            plan__order__status__in=PLAN_STATUSES,
            actual_date__isnull=True,
            planned_date__lte=tomorrow,
        )
        .select_related("plan__order")
        .order_by("planned_date", "plan__order__number")[:200]
    )
    log = DailyLog.objects.filter(user=user, date=date).first()
    return {
        "subject": user,
        "date": date,
        "tomorrow": tomorrow,
        "records": records,
        "raised": raised,
        "resolved": resolved,
        "open_exceptions": open_exceptions,
        "shipments": shipments,
        "due": due,
        "missed": missed_slots(orders=own, date_from=date, date_to=date, now=now),
        "notes": log.notes if log else "",
        "plan_notes": log.plan_notes if log else "",
        "log": log,
    }


def weekly_report(*, user: User, week_start: dt.date, now: dt.datetime | None = None) -> dict:
    """Per day of the week: records, slots missed, exceptions raised and resolved, shipments; the open
    exceptions, next week's milestones, and the merchandiser's notes."""
    from gendan.followup.models import DailyLog, WeeklyReport

    now = now or timezone.now()
    week_start = week_start - dt.timedelta(days=week_start.weekday())
    week_end = week_start + dt.timedelta(days=6)
    own = Order.objects.filter(merchandiser=user)
    records = dict(
        ProgressRecord.objects.filter(
            Q(recorded_by=user) | Q(order__merchandiser=user),
            work_date__gte=week_start,
            work_date__lte=week_end,
        )
        .values_list("work_date")
        .annotate(n=Count("id"))
        .order_by()
    )
    problems = dict(
        ProgressRecord.objects.filter(
            order__merchandiser=user,
            work_date__gte=week_start,
            work_date__lte=week_end,
            state__in=(ProgressState.BEHIND, ProgressState.QUALITY),
        )
        .values_list("work_date")
        .annotate(n=Count("id"))
        .order_by()
    )
    start, end = day_start(week_start), day_start(week_end + dt.timedelta(days=1))
    raised = defaultdict(int)
    resolved = defaultdict(int)
    for at in FollowupException.objects.filter(
        order__in=own.values("id"), raised_at__gte=start, raised_at__lt=end
    ).values_list("raised_at", flat=True):
        raised[timezone.localdate(at)] += 1
    for at in FollowupException.objects.filter(
        order__in=own.values("id"), resolved_at__gte=start, resolved_at__lt=end
    ).values_list("resolved_at", flat=True):
        resolved[timezone.localdate(at)] += 1
    shipped = defaultdict(Decimal)
    confirmations = defaultdict(int)
    for day, qty in ShipmentConfirmation.objects.filter(
        order__in=own.values("id"), work_date__gte=week_start, work_date__lte=week_end
    ).values_list("work_date", "quantity_shipped"):
        shipped[day] += qty
        confirmations[day] += 1
    missed = defaultdict(int)
    for slot in missed_slots(orders=own, date_from=week_start, date_to=week_end, now=now):
        missed[slot["date"]] += 1
    notes = dict(
        DailyLog.objects.filter(user=user, date__gte=week_start, date__lte=week_end).values_list(
            "date", "notes"
        )
    )
    days = []
    for offset in range(7):
        day = week_start + dt.timedelta(days=offset)
        days.append(
            {
                "date": day,
                "records": records.get(day, 0),
                "problems": problems.get(day, 0),
                "missed": missed.get(day, 0),
                "raised": raised.get(day, 0),
                "resolved": resolved.get(day, 0),
                "confirmations": confirmations.get(day, 0),
                "shipped": shipped.get(day, Decimal("0")),
                "notes": notes.get(day, ""),
            }
        )
    next_start, next_end = week_end + dt.timedelta(days=1), week_end + dt.timedelta(days=7)
    upcoming = list(
        TaMilestone.objects.filter(
            Q(owner=user) | Q(plan__order__merchandiser=user),
            plan__order__status__in=PLAN_STATUSES,
            actual_date__isnull=True,
            planned_date__lte=next_end,
        )
        .select_related("plan__order")
        .order_by("planned_date")[:200]
    )
    report = WeeklyReport.objects.filter(user=user, week_start=week_start).first()
    totals = {
        key: sum(d[key] for d in days)
        for key in ("records", "problems", "missed", "raised", "resolved", "confirmations", "shipped")
    }
    return {
        "subject": user,
        "week_start": week_start,
        "week_end": week_end,
        "days": days,
        "totals": totals,
        "open_exceptions": list(
            FollowupException.objects.filter(order__in=own.values("id"), status=ExceptionStatus.OPEN)
            .select_related("order")
            .order_by("-level", "raised_at")
        ),
        "upcoming": upcoming,
        "next_start": next_start,
        "report": report,
        "notes": report.notes if report else "",
    }


# --- dashboard ----------------------------------------------------------------------------------------


def followup_dashboard(*, user: User, now: dt.datetime | None = None) -> dict:
    """ "My work today" for follow-up: today's slots still to record, milestones due/overdue, my open
    exceptions (and those escalated to me), orders at risk.

    Scoped by EXISTS per row (the visible order by primary key), not IN (every visible order id): a supervisor
    sees hundreds of thousands of orders, and SQLite would list them all before looking at the few open rows.
    The lists are those of exception_list / orders_at_risk, in their order.
    """
    from gendan.orders.selectors import order_visible_exists

    now = now or timezone.now()
    today = timezone.localdate(now)
    soon = due_soon_until(today=today)
    milestones = TaMilestone.objects.filter(
        order_visible_exists(user=user, ref="plan__order_id", status__in=PLAN_STATUSES),
        actual_date__isnull=True,
        planned_date__lte=soon,
    )
    if not user.sees_all:  # mine: owned by me, or on my orders
        milestones = milestones.filter(
            Q(owner=user)
            | Q(plan__order__merchandiser=user)
            | Q(owner__isnull=True, owner_role__in=user.roles)
        )
    milestones = (
        milestones.annotate(status=milestone_status_expression(today=today, soon=soon))
        .select_related("plan__order")
        .order_by("planned_date")
    )
    exceptions = FollowupException.objects.filter(
        order_visible_exists(user=user), status=ExceptionStatus.OPEN
    ).select_related("order__customer", "owner", "order__merchandiser")
    if not (user.sees_all or user.has_role(R.SUPERVISOR)):
        exceptions = exceptions.filter(Q(owner=user) | Q(order__merchandiser=user))
    elif user.has_role(R.GENERAL_MANAGER):
        exceptions = exceptions.filter(level=3)
    elif user.has_role(R.SUPERVISOR):
        exceptions = exceptions.filter(Q(level__gte=2) | Q(owner=user))
    at_risk = (
        OrderRisk.objects.filter(order_visible_exists(user=user), level=RiskLevel.RED)
        .select_related("order__customer", "order__merchandiser")
        .order_by("projected_finish", "order__promised_date", "order_id")
    )
    slots_open = (
        followup_today(user=user, now=now, open_only=True, limit=20)
        if user.has_role(R.MERCHANDISER, R.SUPERVISOR)
        else []
    )
    return {
        "followup_slots_open": slots_open,
        "milestones_due": list(milestones[:20]),
        "my_exceptions": list(exceptions.order_by("-level", "-raised_at", "-id")[:20]),
        "at_risk": list(at_risk[:10]),
        "calendar_warnings": calendar_warnings(today=today),
    }


def milestones_open_for_orders(*, order_ids: list[int]) -> QuerySet[TaMilestone]:
    """Milestones of these orders not done yet, earliest first (a handover checklist; the caller scoped the
    orders)."""
    return (
        TaMilestone.objects.filter(plan__order__in=order_ids, actual_date__isnull=True)
        .select_related("plan__order", "owner")
        .order_by("planned_date", "sequence", "pk")
    )


def exceptions_open_for_orders(*, order_ids: list[int]) -> QuerySet[FollowupException]:
    return (
        FollowupException.objects.filter(order__in=order_ids, status=ExceptionStatus.OPEN)
        .select_related("order", "owner")
        .order_by("raised_at", "pk")
    )
