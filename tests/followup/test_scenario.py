"""Issue 3's scenario: an order in production falls behind (amber, then red), an exception left open climbs
to the supervisor and then the general manager, a second scan sends nothing new, a customer-caused
exception reaches the salesperson; every step is on the timeline and in the recipients' inboxes."""

import datetime as dt

from gendan.followup.models import FollowupException, OrderRisk, RiskLevel
from gendan.followup.scan import followup_scan
from gendan.followup.services import exception_raise, progress_record_create
from gendan.notify.models import Notification
from gendan.orders.models import OrderEvent
from tests.followup.conftest import at, order_in_production


def _record(order, people, qty, state="normal", note=""):
    return progress_record_create(
        order=order, actor=people["m1"], stage="production", quantity_done=qty, state=state, note=note
    )


def _risk(order):
    return OrderRisk.objects.get(order=order)


def _inbox(user, kind):
    return list(Notification.objects.filter(recipient=user, kind=kind).order_by("id"))


def _counts():
    return OrderEvent.objects.count(), Notification.objects.count()


def test_behind_records_turn_amber_then_red_and_exceptions_climb_the_ladder(people, customer, product, clock):
    # given an order of 1,000 pieces promised Friday 2026-03-20, in production from Monday 03-02
    order = order_in_production(
        people, customer, product, clock, promised=dt.date(2026, 3, 20), po="SC-1", start=at(2026, 3, 2, 8)
    )

    # when the merchandiser records 100 done in the morning and 130 in the afternoon
    clock.set(at(2026, 3, 2, 9, 30))
    _record(order, people, 100)
    clock.set(at(2026, 3, 2, 15))
    _record(order, people, 130, "behind", "缝纫工人不足")
    # then there is no output rate yet: green
    assert _risk(order).level == RiskLevel.GREEN

    # when the next morning shows 170 (70 a day: 830 left → 12 working days → Thu 03-19)
    clock.set(at(2026, 3, 3, 9, 30))
    _record(order, people, 170, "behind", "仍缺人")
    # then the projection falls inside the 2-day buffer before the promised date: amber
    risk = _risk(order)
    assert risk.level == RiskLevel.AMBER
    assert risk.projected_finish == dt.date(2026, 3, 19)
    assert [r["code"] for r in risk.reasons] == ["projected_near"]

    # when the day after shows 200 (50 a day over 2 working days: 800 left → 16 days → 03-26)
    clock.set(at(2026, 3, 4, 9, 30))
    _record(order, people, 200, "behind", "返工")
    # then it passes the promised date: red, and the merchandiser is told
    risk = _risk(order)
    assert risk.level == RiskLevel.RED
    assert risk.projected_finish == dt.date(2026, 3, 26)
    changes = list(
        order.events.filter(type=OrderEvent.Type.RISK_CHANGED).values_list("from_status", "to_status")
    )
    assert changes == [("green", "amber"), ("amber", "red")]
    assert len(_inbox(people["m1"], "risk_red")) == 1

    # when the merchandiser raises a schedule exception at 10:00
    clock.set(at(2026, 3, 4, 10))
    exception = exception_raise(
        order=order, actor=people["m1"], type="schedule", title="车缝落后", impact_days=1, severity="high"
    )
    assert exception.level == 1 and exception.number == "EX2026-000001"
    assert order.events.filter(type=OrderEvent.Type.EXCEPTION_RAISED, data__exception=exception.pk).exists()

    # a scan before level 1's 24 hours are up escalates nothing
    clock.set(at(2026, 3, 5, 9, 59))
    followup_scan()
    exception.refresh_from_db()
    assert exception.level == 1
    assert not _inbox(people["sup"], "exception_escalated")

    # when the scan runs after 24 hours
    clock.set(at(2026, 3, 5, 10, 30))
    summary = followup_scan()
    # then the exception is at level 2 and the merchandiser's supervisor has it in their inbox
    exception.refresh_from_db()
    assert exception.level == 2 and exception.escalated_at == at(2026, 3, 5, 10, 30)
    assert summary["escalated"] == {"count": 1, "numbers": ["EX2026-000001"]}
    assert [n.order_id for n in _inbox(people["sup"], "exception_escalated")] == [order.pk]
    assert not _inbox(people["gm"], "exception_escalated")
    escalation = order.events.get(type=OrderEvent.Type.EXCEPTION_ESCALATED, to_status="L2")
    assert escalation.actor is None and escalation.data["auto"] is True
    assert escalation.data["recipients"] == [people["sup"].pk]

    # a second scan at the same time sends nothing and writes nothing
    before = _counts()
    summary = followup_scan()
    assert _counts() == before
    assert summary["escalated"]["count"] == 0 and summary["risk"]["changed"] == 0

    # when level 2's 48 hours pass
    clock.set(at(2026, 3, 7, 10, 31))
    followup_scan()
    exception.refresh_from_db()
    assert exception.level == 3
    assert [n.order_id for n in _inbox(people["gm"], "exception_escalated")] == [order.pk]
    assert len(_inbox(people["sup"], "exception_escalated")) == 1
    assert order.events.filter(type=OrderEvent.Type.EXCEPTION_ESCALATED, to_status="L3").count() == 1
    # and level 3 is the top: nothing further, however long it stays open
    before = _counts()
    clock.set(at(2026, 3, 7, 10, 31))
    followup_scan()
    assert _counts() == before
    clock.set(at(2026, 3, 12, 10, 31))
    followup_scan()
    exception.refresh_from_db()
    assert exception.level == 3
    assert order.events.filter(type=OrderEvent.Type.EXCEPTION_ESCALATED).count() == 2


def test_customer_caused_exception_notifies_the_salesperson(people, customer, product, clock):
    order = order_in_production(
        people, customer, product, clock, promised=dt.date(2026, 3, 20), po="SC-2", start=at(2026, 3, 2, 8)
    )
    clock.set(at(2026, 3, 2, 11))
    exception = exception_raise(
        order=order,
        actor=people["m1"],
        type="customer",
        title="客户改唛头，包装暂停",
        description="客户 3/2 来邮件更改外箱唛头",
        impact_days=3,
    )
    # the salesperson has it in their inbox, and the notice is on the timeline
    inbox = _inbox(people["sales"], "exception_customer")
    assert len(inbox) == 1 and inbox[0].order_id == order.pk
    notice = order.events.get(type=OrderEvent.Type.EXCEPTION_NOTICE)
    assert notice.data["exception"] == exception.pk and notice.data["recipients"] == [people["sales"].pk]
    # nobody else was told about a customer notice
    assert Notification.objects.filter(kind="exception_customer").count() == 1
    # the impact (3 working days) exceeds the 2-day buffer: the order is red
    assert OrderRisk.objects.get(order=order).level == RiskLevel.RED
    # a schedule exception does not go to the salesperson
    exception_raise(order=order, actor=people["m1"], type="schedule", title="x")
    assert Notification.objects.filter(kind="exception_customer").count() == 1
    assert FollowupException.objects.filter(order=order).count() == 2
