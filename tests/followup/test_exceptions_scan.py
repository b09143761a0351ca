import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from gendan.core.errors import PermissionDeniedError, TransitionError, ValidationFailed
from gendan.followup.models import ExceptionStatus, ScanRun
from gendan.followup.scan import followup_scan
from gendan.followup.services import (
    exception_close,
    exception_escalate,
    exception_raise,
    exception_reopen,
    exception_resolve,
)
from gendan.notify.models import Notification
from gendan.orders.models import OrderEvent
from gendan.orders.services import order_create
from tests.followup.conftest import at, order_in_production

FAR = dt.date(2026, 6, 30)


@pytest.fixture
def producing(people, customer, product, clock):
    return order_in_production(
        people, customer, product, clock, promised=FAR, po="X-1", start=at(2026, 3, 2, 8)
    )


def test_exception_transitions_allowed_and_forbidden(people, producing, clock):
    clock.set(at(2026, 3, 2, 10))
    exception = exception_raise(
        order=producing, actor=people["qc"], type="quality", title="色差", severity="critical"
    )
    # raised by QC: the merchandiser (owner) is told
    assert Notification.objects.filter(recipient=people["m1"], kind="exception_raised").count() == 1
    with pytest.raises(ValidationFailed):
        exception_resolve(exception=exception, actor=people["m1"], resolution="")
    with pytest.raises(PermissionDeniedError):
        exception_resolve(exception=exception, actor=people["sales"], resolution="x")
    with pytest.raises(TransitionError):  # close needs a resolution first
        exception_close(exception=exception, actor=people["sup"])
    # by hand: 1 → 2 → 3, then no further
    exception = exception_escalate(exception=exception, actor=people["m1"], note="需要主任协调")
    assert exception.level == 2
    event = producing.events.get(type=OrderEvent.Type.EXCEPTION_ESCALATED)
    assert event.actor == people["m1"] and event.data["auto"] is False and event.note == "需要主任协调"
    exception = exception_escalate(exception=exception, actor=people["sup"])
    assert exception.level == 3
    with pytest.raises(TransitionError) as exc:
        exception_escalate(exception=exception, actor=people["gm"])
    assert exc.value.code == "top_level"
    clock.set(at(2026, 3, 3, 10))
    exception = exception_resolve(exception=exception, actor=people["m1"], resolution="换布重裁")
    assert exception.status == ExceptionStatus.RESOLVED
    # the supervisor and the general manager who had it are told it is solved
    assert {n.recipient.username for n in Notification.objects.filter(kind="exception_resolved")} == {"gm"}
    with pytest.raises(PermissionDeniedError):
        exception_close(exception=exception, actor=people["m1"])
    exception = exception_reopen(exception=exception, actor=people["sup"], reason="复检仍有色差")
    assert exception.status == ExceptionStatus.OPEN and exception.escalated_at == at(2026, 3, 3, 10)
    exception = exception_resolve(exception=exception, actor=people["m1"], resolution="第二次返工")
    exception = exception_close(exception=exception, actor=people["sup"])
    assert exception.status == ExceptionStatus.CLOSED
    with pytest.raises(TransitionError):
        exception_escalate(exception=exception, actor=people["sup"])
    types = list(producing.events.filter(data__exception=exception.pk).values_list("type", flat=True))
    assert types == [
        OrderEvent.Type.EXCEPTION_RAISED,
        OrderEvent.Type.EXCEPTION_ESCALATED,
        OrderEvent.Type.EXCEPTION_ESCALATED,
        OrderEvent.Type.EXCEPTION_RESOLVED,
        OrderEvent.Type.EXCEPTION_REOPENED,
        OrderEvent.Type.EXCEPTION_RESOLVED,
        OrderEvent.Type.EXCEPTION_CLOSED,
    ]


def test_other_team_cannot_touch_an_exception(people, producing, clock):
    from gendan.core.errors import NotFoundError

    clock.set(at(2026, 3, 2, 10))
    exception = exception_raise(order=producing, actor=people["m1"], type="material", title="缺拉链")
    with pytest.raises(NotFoundError):
        exception_escalate(exception=exception, actor=people["m3"])
    with pytest.raises(NotFoundError):
        exception_raise(order=producing, actor=people["m3"], type="material", title="x")
    with pytest.raises(PermissionDeniedError):
        exception_escalate(exception=exception, actor=people["auditor"])


def test_scan_reminds_of_originals_and_overdue_milestones_once(people, customer, product, producing, clock):
    # an order taken on a fax on 03-02, original still missing
    clock.set(at(2026, 3, 2, 9))
    fax = order_create(
        actor=people["m1"],
        data={
            "customer": customer.code,
            "customer_po": "FAX-1",
            "order_date": "2026-03-02",
            "requested_date": "2026-05-01",
            "source_document": "fax",
            "lines": [{"product": product.code, "quantity": "10", "unit_price": "1"}],
        },
    )
    # a milestone of the production order moved into the past
    from gendan.followup.services import ta_milestone_move

    milestone = producing.ta_plan.milestones.get(code="cutting")
    ta_milestone_move(
        milestone=milestone, actor=people["planner"], planned_date="2026-03-03", reason="提前裁剪"
    )
    clock.set(at(2026, 3, 4, 9))
    first = followup_scan()
    assert first["originals"] == {"reminded": 0, "pending": 0}  # only 2 days: not yet
    assert first["milestones"]["overdue"] == 1
    assert producing.events.filter(type=OrderEvent.Type.TA_MILESTONE_OVERDUE).count() == 1
    assert Notification.objects.filter(recipient=people["m1"], kind="milestone_overdue").count() == 1
    clock.set(at(2026, 3, 5, 9))
    assert followup_scan()["originals"]["reminded"] == 1
    assert followup_scan()["originals"]["reminded"] == 0
    clock.set(at(2026, 3, 7, 9))
    assert followup_scan()["originals"]["reminded"] == 0  # 5 days: still the first period of 3 days
    clock.set(at(2026, 3, 8, 9))
    assert followup_scan()["originals"]["reminded"] == 1  # 6 days: the second reminder
    assert fax.events.filter(type=OrderEvent.Type.ORIGINAL_REMINDER).count() == 2
    assert Notification.objects.filter(kind="original_pending", order_id=fax.pk).count() == 2
    # the overdue milestone was reported once, however many scans ran
    assert producing.events.filter(type=OrderEvent.Type.TA_MILESTONE_OVERDUE).count() == 1
    # moved again (into the past again), it is reported again
    clock.set(at(2026, 3, 9, 9))
    ta_milestone_move(milestone=milestone, actor=people["planner"], planned_date="2026-03-06", reason="重排")
    assert followup_scan()["milestones"]["overdue"] == 1
    assert ScanRun.objects.filter(finished_at__isnull=False).count() == 6


def test_scan_tells_each_merchandiser_of_missed_slots_once(people, producing, clock):
    clock.set(at(2026, 3, 2, 18, 30))
    summary = followup_scan()
    # Monday 03-02: in production from 08:00, so the morning (from 06:00) is not required; the afternoon is
    assert summary["missed_records"] == {"slots": 1, "notices": 1}
    assert followup_scan()["missed_records"] == {"slots": 1, "notices": 0}
    notice = Notification.objects.get(recipient=people["m1"], kind="followup_missed")
    assert producing.number in notice.body


def test_gendan_scan_command_prints_a_json_summary(people, producing, clock):
    out = io.StringIO()
    call_command("scan", "--now", "2026-03-02T18:30", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["as_of"].startswith("2026-03-02T18:30")
    assert summary["missed_records"]["slots"] == 1
    assert set(summary) >= {"escalated", "risk", "milestones", "originals", "calendar_warnings"}


def test_huey_periodic_task_runs_the_scan(people, producing, clock):
    from gendan.followup.tasks import followup_scan_task

    clock.set(at(2026, 3, 2, 18, 30))
    result = followup_scan_task.call_local()
    assert result["missed_records"]["slots"] == 1


def test_scan_tells_each_person_once_per_run_listing_many_milestones(people, customer, product, clock):
    from collections import Counter

    from gendan.followup.links import order_plan_path, plans_path
    from gendan.followup.models import TaMilestone
    from gendan.followup.services import ta_milestone_move

    # given three of m1's orders in production, with four milestones moved into the past
    orders = [
        order_in_production(
            people, customer, product, clock, promised=FAR, po=f"D-{n}", start=at(2026, 3, 2, 8)
        )
        for n in range(3)
    ]
    moved = [(order, "cutting") for order in orders] + [(orders[2], "fabric_trims")]
    for order, code in moved:
        milestone = order.ta_plan.milestones.get(code=code)
        ta_milestone_move(
            milestone=milestone, actor=people["planner"], planned_date="2026-03-03", reason="提前"
        )
    # one of them owned by the planner
    TaMilestone.objects.filter(plan__order=orders[0], code="cutting").update(owner=people["planner"])
    # when the scan runs the next day
    clock.set(at(2026, 3, 4, 9))
    assert followup_scan()["milestones"]["overdue"] == 4
    # then every milestone is on its order's timeline
    for order in orders:
        expected = 2 if order == orders[2] else 1
        assert order.events.filter(type=OrderEvent.Type.TA_MILESTONE_OVERDUE).count() == expected
    # and each person is told once: the merchandiser one list of all four, on the plans page's overdue filter
    notices = Notification.objects.filter(kind="milestone_overdue")
    assert set(Counter(notices.values_list("recipient_id", flat=True)).values()) == {1}
    digest = notices.get(recipient=people["m1"])
    assert digest.link == plans_path(status="overdue") and digest.order_id is None
    assert "4" in digest.title
    assert sorted(line.split()[0] for line in digest.body.splitlines()) == sorted(
        [o.number for o in orders] + [orders[2].number]
    )
    # someone with a single milestone gets it as itself, linked to its order's plan
    singles = notices.exclude(recipient=people["m1"])
    assert set(singles.values_list("recipient__username", flat=True)) == {"planner"}
    for single in singles:
        assert single.order_id in {o.pk for o in orders}
        assert single.link == order_plan_path(single.order_id)
    # and a second run tells nobody again
    count = notices.count()
    followup_scan()
    assert Notification.objects.filter(kind="milestone_overdue").count() == count
