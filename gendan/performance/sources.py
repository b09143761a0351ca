"""What the other apps' facts contribute to appraisal: KPI figures and violation evidence."""

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import CharField, Count, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from gendan.followup.models import FollowupException, ProgressRecord
from gendan.followup.policy import PolicyTimeline, slot_window
from gendan.followup.selectors import PRODUCTION_STATUSES, concealment_signals, missed_slots
from gendan.orders.models import Order, OrderEvent
from gendan.performance.kpis import month_bounds
from gendan.performance.models import Kpi, PerformancePolicy, ViolationCode
from gendan.planning.calendar import WorkingCalendar

TWO = Decimal("0.01")


def _slots_due(
    *, date_from: dt.date, date_to: dt.date, now: dt.datetime
) -> list[tuple[dt.date, int, dt.datetime]]:
    """(day, slot, slot start) of every working-day slot in the range that has ended by `now`."""
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
                slots.append((day, slot, start))
    return slots


def followup_compliance(merchandiser_ids: list[int], month: dt.date, policy: PerformancePolicy) -> dict:
    """Records made / records due (跟踪不到位 counts against it), per merchandiser.

    The same figures as counting `missed_slots` rows, without building one row per missed slot (a month of
    thousands of orders in production is millions of slots): orders whose status did not change in the
    month owe every slot, so for them only their record counts are read, aggregated in SQL.
    """
    start, end = month_bounds(month)
    now = timezone.now()
    slots = _slots_due(date_from=start, date_to=end, now=now)
    records = ProgressRecord.objects.filter(
        order__merchandiser_id__in=merchandiser_ids, work_date__gte=start, work_date__lte=end
    )
    # One record per (order, day, slot) counts, however many were made for it.
    pair = Concat(Cast("work_date", CharField()), Value("/"), Cast("slot", CharField()))
    counts = {"made": Count(pair, distinct=True)}
    if slots:
        in_slots = Q()
        for day, day_slots in _group_slots(slots).items():
            in_slots |= Q(work_date=day, slot__in=day_slots)
        counts["in_slots"] = Count(pair, distinct=True, filter=in_slots)
    per_order = {
        row["order_id"]: row
        for row in records.values("order_id", "order__merchandiser_id").annotate(**counts).order_by()
    }
    made: dict[int, int] = defaultdict(int)
    orders: dict[int, set[int]] = defaultdict(set)
    for order_id, row in per_order.items():
        made[row["order__merchandiser_id"]] += row["made"]
        orders[row["order__merchandiser_id"]].add(order_id)
    lost: dict[int, int] = defaultdict(int)
    missed: dict[int, set[int]] = defaultdict(set)
    if slots:
        # Orders that moved in or out of production since the first slot: status slot by slot.
        moved = set(
            OrderEvent.objects.filter(type=OrderEvent.Type.TRANSITION, created_at__gte=slots[0][2])
            .filter(Q(to_status__in=PRODUCTION_STATUSES) | Q(from_status__in=PRODUCTION_STATUSES))
            .filter(order__merchandiser_id__in=merchandiser_ids)
            .values_list("order_id", flat=True)
        )
        unchanged = Order.objects.filter(
            merchandiser_id__in=merchandiser_ids, status__in=PRODUCTION_STATUSES
        ).exclude(pk__in=moved)
        missing = [
            (
                order_id,
                user_id,
                len(slots) - (per_order[order_id]["in_slots"] if order_id in per_order else 0),
            )
            for order_id, user_id in unchanged.values_list("id", "merchandiser_id")
        ]
        missing += _missing_of_moved(moved, slots, merchandiser_ids)
        for order_id, user_id, count in missing:
            if count > 0:
                lost[user_id] += count
                missed[user_id].add(order_id)
    result = {}
    for user_id in merchandiser_ids:
        done, due = made[user_id], made[user_id] + lost[user_id]
        value = (Decimal(done) * 100 / due).quantize(TWO, rounding=ROUND_HALF_UP) if due else None
        result[user_id] = {
            Kpi.COMPLIANCE: {
                "value": value,
                "numerator": done,
                "denominator": due,
                "orders": sorted(orders[user_id] | missed[user_id]),
                "missed": sorted(missed[user_id]),
            }
        }
    return result


def _group_slots(slots: list[tuple[dt.date, int, dt.datetime]]) -> dict[dt.date, list[int]]:
    grouped: dict[dt.date, list[int]] = defaultdict(list)
    for day, slot, _start in slots:
        grouped[day].append(slot)
    return grouped


def _missing_of_moved(
    moved: set[int], slots: list, merchandiser_ids: list[int]
) -> list[tuple[int, int, int]]:
    """(order id, merchandiser id, slots owed and not recorded) for the orders whose status changed since the
    first slot: an order owes a slot if it was in production when the slot began (as `missed_slots`)."""
    if not moved:
        return []
    history: dict[int, list[tuple[dt.datetime, str]]] = defaultdict(list)
    for order_id, at, source, target in (
        OrderEvent.objects.filter(
            type=OrderEvent.Type.TRANSITION, created_at__gte=slots[0][2], order_id__in=moved
        )
        .order_by("created_at", "id")
        .values_list("order_id", "created_at", "from_status", "to_status")
    ):
        if not history[order_id]:
            history[order_id].append((slots[0][2] - dt.timedelta(days=1), source))
        history[order_id].append((at, target))
    recorded = set(
        ProgressRecord.objects.filter(
            order_id__in=moved, work_date__gte=slots[0][0], work_date__lte=slots[-1][0]
        ).values_list("order_id", "work_date", "slot")
    )
    result = []
    for order_id, user_id in Order.objects.filter(
        pk__in=moved, merchandiser_id__in=merchandiser_ids
    ).values_list("id", "merchandiser_id"):
        count = 0
        for day, slot, slot_start in slots:
            status = ""
            for at, target in history[order_id]:
                if at > slot_start:
                    break
                status = target
            if status in PRODUCTION_STATUSES and (order_id, day, slot) not in recorded:
                count += 1
        result.append((order_id, user_id, count))
    return result


def exception_response(merchandiser_ids: list[int], month: dt.date, policy: PerformancePolicy) -> dict:
    """Hours from raising to resolving the exceptions resolved this month: 100 within the target, falling
    linearly to 0 at four times the target."""
    start, end = month_bounds(month)
    target = Decimal(policy.response_target_hours)
    rows = FollowupException.objects.filter(
        order__merchandiser_id__in=merchandiser_ids,
        resolved_at__isnull=False,
        resolved_at__date__gte=start,
        resolved_at__date__lte=end,
    ).values_list("order__merchandiser_id", "order_id", "raised_at", "resolved_at")
    hours = defaultdict(list)
    for user_id, order_id, raised, resolved in rows:
        hours[user_id].append((order_id, Decimal((resolved - raised).total_seconds()) / 3600))
    result = {}
    for user_id in merchandiser_ids:
        items = hours[user_id]
        if not items or not target:
            result[user_id] = {
                Kpi.RESPONSE: {"value": None, "numerator": 0, "denominator": 0, "orders": [], "missed": []}
            }
            continue
        average = sum(h for _o, h in items) / len(items)
        value = max(Decimal(0), min(Decimal(100), 100 - (average - target) * 100 / (3 * target)))
        result[user_id] = {
            Kpi.RESPONSE: {
                "value": value.quantize(TWO, rounding=ROUND_HALF_UP),
                "numerator": len(items),
                "denominator": len(items),
                "average_hours": str(average.quantize(TWO)),
                "orders": sorted({o for o, _h in items}),
                "missed": sorted({o for o, h in items if h > target}),
            }
        }
    return result


def concealment_evidence(*, today: dt.date, since: dt.datetime, propose) -> int:
    """A delay or quality problem seen with no exception in time: violations 4–5, proposed for the supervisor."""
    days = max(1, (timezone.now() - since).days)
    proposed = 0
    for signal in concealment_signals(orders=Order.objects.all(), days=days):
        order = signal["order"]
        code = ViolationCode.CONCEALED_QUALITY if signal["quality"] else ViolationCode.CONCEALED_DELAY
        at = timezone.localtime(signal["at"])
        proposed += bool(
            propose(
                merchandiser_id=order.merchandiser_id,
                code=code,
                occurred_on=at.date(),
                order_id=order.pk,
                source_key=f"conceal:{signal['kind']}:{order.pk}:{at.date().isoformat()}",
                evidence=[
                    {
                        "order": order.number,
                        "signal": str(signal["label"]),
                        "detail": str(signal["detail"]),
                        "at": at.isoformat(timespec="minutes"),
                    }
                ],
                description=str(signal["label"]),
            )
        )
    return proposed


def satisfaction(merchandiser_ids: list[int], month: dt.date, policy: PerformancePolicy) -> dict:
    """Return visits made this month: the average of the four 1–5 scores, as a percentage of 5."""
    from gendan.visits.models import ReturnVisit

    start, end = month_bounds(month)
    scores = defaultdict(list)
    for user_id, order_id, *values in ReturnVisit.objects.filter(
        merchandiser_id__in=merchandiser_ids, visited_on__gte=start, visited_on__lte=end
    ).values_list(
        "merchandiser_id",
        "order_id",
        "score_quality",
        "score_delivery",
        "score_service",
        "score_communication",
    ):
        given = [v for v in values if v is not None]
        if given:
            scores[user_id].append((order_id, Decimal(sum(given)) / len(given)))
    result = {}
    for user_id in merchandiser_ids:
        items = scores[user_id]
        value = None
        if items:
            value = (sum(a for _o, a in items) / len(items) * 20).quantize(TWO, rounding=ROUND_HALF_UP)
        result[user_id] = {
            Kpi.SATISFACTION: {
                "value": value,
                "numerator": len(items),
                "denominator": len(items),
                "orders": sorted({o for o, _a in items}),
                "missed": sorted({o for o, a in items if a < 3}),
            }
        }
    return result


def complaints(merchandiser_ids: list[int], month: dt.date, policy: PerformancePolicy) -> dict:
    """100 minus the policy's points per complaint received this month; measured for whoever shipped or
    received a complaint this month."""
    from gendan.complaints.models import Complaint
    from gendan.performance.kpis import first_shipped_in_month

    start, end = month_bounds(month)
    received = defaultdict(list)
    for user_id, order_id in Complaint.objects.filter(
        order__merchandiser_id__in=merchandiser_ids, received_on__gte=start, received_on__lte=end
    ).values_list("order__merchandiser_id", "order_id"):
        received[user_id].append(order_id)
    active = defaultdict(set)
    for order_id, (user_id, _day) in first_shipped_in_month(
        merchandiser_ids=merchandiser_ids, month=month
    ).items():
        active[user_id].add(order_id)
    result = {}
    for user_id in merchandiser_ids:
        count = len(received[user_id])
        measured = count or active[user_id]
        value = max(Decimal(0), 100 - policy.complaint_penalty * count).quantize(TWO) if measured else None
        result[user_id] = {
            Kpi.COMPLAINTS: {
                "value": value,
                "numerator": count,
                "denominator": len(active[user_id]),
                "orders": sorted(active[user_id] | set(received[user_id])),
                "missed": sorted(set(received[user_id])),
            }
        }
    return result


def complaint_evidence(*, today: dt.date, since: dt.datetime, propose) -> int:
    """Complaints that point at violations 3 and 7: a complaint on an order whose follow-up records were
    missed in the 30 days before it, and a complaint about service or attitude."""
    from gendan.complaints.models import Complaint, ComplaintType

    proposed = 0
    for complaint in Complaint.objects.filter(created_at__gte=since, order__isnull=False).select_related(
        "order"
    ):
        order = complaint.order
        evidence = [
            {"complaint": complaint.number, "order": order.number, "type": complaint.get_type_display()}
        ]
        if complaint.type == ComplaintType.SERVICE:
            proposed += bool(
                propose(
                    merchandiser_id=order.merchandiser_id,
                    code=ViolationCode.ATTITUDE,
                    occurred_on=complaint.received_on,
                    source_key=f"attitude:{complaint.pk}",
                    order_id=order.pk,
                    evidence=evidence,
                    description=complaint.description[:300],
                )
            )
        missed = missed_slots(
            orders=Order.objects.filter(pk=order.pk),
            date_from=complaint.received_on - dt.timedelta(days=30),
            date_to=complaint.received_on,
        )
        if missed:
            evidence[0]["missed_records"] = len(missed)
            proposed += bool(
                propose(
                    merchandiser_id=order.merchandiser_id,
                    code=ViolationCode.NO_FOLLOWUP,
                    occurred_on=complaint.received_on,
                    source_key=f"no_followup:{complaint.pk}",
                    order_id=order.pk,
                    evidence=evidence,
                    description=complaint.description[:300],
                )
            )
    return proposed


def performance_scan_step(*, now: dt.datetime) -> dict:
    from gendan.performance.services import handovers_expire, violation_candidates_scan

    today = timezone.localdate(now)
    return {
        "handovers_returned": handovers_expire(today=today),
        "violations_proposed": violation_candidates_scan(today=today),
    }
