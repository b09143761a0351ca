"""The KPIs other apps feed: satisfaction (return visits), complaints, exception response; and the
violations their evidence proposes."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from gendan.complaints.models import Complaint
from gendan.followup.models import FollowupException, ProgressRecord
from gendan.followup.selectors import missed_slots
from gendan.orders.models import Order
from gendan.orders.services import order_create
from gendan.performance.models import Kpi, Violation, ViolationCode
from gendan.performance.policy import policy_in_force
from gendan.performance.services import violation_candidates_scan
from gendan.performance.sources import complaints, exception_response, followup_compliance, satisfaction
from gendan.visits.models import ReturnVisit
from tests.factories import order_payload

OCT = dt.date(2026, 10, 1)


def aware(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_satisfaction_complaints_and_response_time(people, customer, product):
    m1 = people["m1"]
    order = order_create(actor=m1, data=order_payload(customer, product, customer_po="S1"))
    policy = policy_in_force(on=OCT)
    # two visits in October (one per order): (5+4+5+4)/4 = 4.5 and (3+3+4+2)/4 = 3.0 → average 3.75 of 5 = 75.00 %
    second = order_create(actor=m1, data=order_payload(customer, product, customer_po="S1b"))
    for visited, scores, day in ((order, (5, 4, 5, 4), 10), (second, (3, 3, 4, 2), 20)):
        ReturnVisit.objects.create(
            order=visited,
            customer=customer,
            merchandiser=m1,
            delivered_on=OCT,
            due_on=OCT,
            status="done",
            visited_on=dt.date(2026, 10, day),
            score_quality=scores[0],
            score_delivery=scores[1],
            score_service=scores[2],
            score_communication=scores[3],
        )
    assert satisfaction([m1.pk], OCT, policy)[m1.pk][Kpi.SATISFACTION]["value"] == Decimal("75.00")
    # one complaint received in October: 100 − 20 = 80
    Complaint.objects.create(
        number="KS2026-000001",
        customer=customer,
        order=order,
        type="service",
        received_on=dt.date(2026, 10, 12),
        description="业务员态度差",
        currency="CNY",
        registered_by=m1,
    )
    figure = complaints([m1.pk], OCT, policy)[m1.pk][Kpi.COMPLAINTS]
    assert figure["value"] == Decimal("80.00") and figure["missed"] == [order.pk]
    # exceptions resolved in October after 12 h and 60 h: average 36 h against a 24 h target →
    # 100 − (36 − 24) × 100 / 72 = 83.33
    for number, hours in (("EX2026-000001", 12), ("EX2026-000002", 60)):
        raised = aware(dt.date(2026, 10, 8), 8)
        FollowupException.objects.create(
            number=number,
            order=order,
            type="schedule",
            title="进度落后",
            raised_by=m1,
            raised_at=raised,
            escalated_at=raised,
            owner=m1,
            status="resolved",
            resolved_at=raised + dt.timedelta(hours=hours),
        )
    response = exception_response([m1.pk], OCT, policy)[m1.pk][Kpi.RESPONSE]
    assert response["value"] == Decimal("83.33") and response["average_hours"] == "36.00"


def test_a_service_complaint_proposes_violation_7_once(people, customer, product):
    m1 = people["m1"]
    order = order_create(actor=m1, data=order_payload(customer, product, customer_po="S2"))
    Complaint.objects.create(
        number="KS2026-000002",
        customer=customer,
        order=order,
        type="service",
        received_on=timezone.localdate(),
        description="态度恶劣",
        currency="CNY",
        registered_by=m1,
    )
    assert violation_candidates_scan() == 1
    assert violation_candidates_scan() == 0
    proposal = Violation.objects.get()
    assert proposal.code == ViolationCode.ATTITUDE and proposal.merchandiser == m1
    assert proposal.evidence[0]["complaint"] == "KS2026-000002"


def test_compliance_counts_match_the_slot_by_slot_list(people, october):
    """Given October's orders plus records: two for one slot, one on a non-working day, one on a shipped order
    When compliance is computed from counts
    Then it agrees with the missed slots listed one by one (made = distinct order/day/slot records)."""
    m1, m2 = people["m1"], people["m2"]
    c, e = october["c"], october["e"]
    for order, day, slot in [
        (c, dt.date(2026, 10, 12), 0),
        (c, dt.date(2026, 10, 12), 0),  # a second record for the same slot counts once
        (c, dt.date(2026, 10, 13), 1),
        (c, dt.date(2026, 10, 11), 0),  # a Sunday: made, but no slot was due
        (e, dt.date(2026, 10, 15), 0),
        (october["a"], dt.date(2026, 10, 20), 0),  # after shipping: made, not due
    ]:
        ProgressRecord.objects.create(
            order=order,
            recorded_by=order.merchandiser,
            recorded_at=aware(day, 9 + 5 * slot),
            work_date=day,
            slot=slot,
            stage="production",
        )
    ids = [m1.pk, m2.pk, people["m3"].pk]
    figures = followup_compliance(ids, OCT, policy_in_force(on=OCT))
    missed = missed_slots(
        orders=Order.objects.filter(merchandiser_id__in=ids),
        date_from=OCT,
        date_to=dt.date(2026, 10, 31),
    )
    for user in (m1, m2):
        made = set(
            ProgressRecord.objects.filter(order__merchandiser=user, work_date__month=10).values_list(
                "order_id", "work_date", "slot"
            )
        )
        lost = [m["order_id"] for m in missed if m["merchandiser_id"] == user.pk]
        kpi = figures[user.pk][Kpi.COMPLIANCE]
        assert (kpi["numerator"], kpi["denominator"]) == (len(made), len(made) + len(lost))
        assert kpi["missed"] == sorted(set(lost))
        assert kpi["orders"] == sorted({o for o, _d, _s in made} | set(lost))
    assert figures[m1.pk][Kpi.COMPLIANCE]["numerator"] == 4
