"""What the other apps' facts contribute to appraisal: KPI figures and violation evidence."""

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from gendan.followup.models import FollowupException, ProgressRecord
from gendan.followup.selectors import concealment_signals, missed_slots
from gendan.orders.models import Order
from gendan.performance.kpis import month_bounds
from gendan.performance.models import Kpi, PerformancePolicy, ViolationCode

TWO = Decimal("0.01")


def followup_compliance(merchandiser_ids: list[int], month: dt.date, policy: PerformancePolicy) -> dict:
    """Records made / records due (跟踪不到位 counts against it), per merchandiser."""
    start, end = month_bounds(month)
    orders = Order.objects.filter(merchandiser_id__in=merchandiser_ids)
    missed = missed_slots(orders=orders, date_from=start, date_to=end)
    made = defaultdict(set)
    for order_id, user_id, day, slot in (
        ProgressRecord.objects.filter(
            order__merchandiser_id__in=merchandiser_ids, work_date__gte=start, work_date__lte=end
        )
        .values_list("order_id", "order__merchandiser_id", "work_date", "slot")
        .distinct()
    ):
        made[user_id].add((order_id, day, slot))
    lost = defaultdict(list)
    for row in missed:
        lost[row["merchandiser_id"]].append(row["order_id"])
    result = {}
    for user_id in merchandiser_ids:
        done, due = len(made[user_id]), len(made[user_id]) + len(lost[user_id])
        value = (Decimal(done) * 100 / due).quantize(TWO, rounding=ROUND_HALF_UP) if due else None
        result[user_id] = {
            Kpi.COMPLIANCE: {
                "value": value,
                "numerator": done,
                "denominator": due,
                "orders": sorted({o for o, _d, _s in made[user_id]} | set(lost[user_id])),
                "missed": sorted(set(lost[user_id])),
            }
        }
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
    from gendan.performance.kpis import _first_shipped

    start, end = month_bounds(month)
    received = defaultdict(list)
    for user_id, order_id in Complaint.objects.filter(
        order__merchandiser_id__in=merchandiser_ids, received_on__gte=start, received_on__lte=end
    ).values_list("order__merchandiser_id", "order_id"):
        received[user_id].append(order_id)
    shipped = _first_shipped({"order__merchandiser_id__in": merchandiser_ids})
    owners = dict(
        Order.objects.filter(pk__in=[o for o, d in shipped.items() if start <= d <= end]).values_list(
            "id", "merchandiser_id"
        )
    )
    active = defaultdict(set)
    for order_id, user_id in owners.items():
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
