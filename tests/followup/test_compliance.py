"""The missed-records list (跟踪不到位) and the possible-concealment list (瞒报): each rule pinned down."""

import datetime as dt

import pytest

from gendan.core.errors import PermissionDeniedError
from gendan.followup.models import FollowupPolicy
from gendan.followup.selectors import concealment_list, missed_records
from gendan.followup.services import (
    exception_raise,
    exception_resolve,
    progress_record_create,
    ta_milestone_move,
)
from gendan.orders.services import order_hold
from tests.factories import CustomerFactory
from tests.followup.conftest import at, order_in_production

D = dt.date
FAR = D(2026, 6, 30)  # promised far ahead: no milestone falls due unless a test moves one


def _record(order, people, moment, clock, state="normal", note=""):
    clock.set(moment)
    return progress_record_create(
        order=order,
        actor=order.merchandiser,
        stage="production",
        quantity_done=10,
        state=state,
        note=note or ("问题" if state != "normal" else ""),
    )


def test_missed_records_only_for_working_slots_in_production(people, customer, product, clock):
    # B: in production from Friday 02-27 05:00 (before the morning slot starts at 06:00), on hold Tuesday
    # 03-03 at 11:00. A: in production from Monday 03-02 at 10:00 (after the morning slot started).
    b = order_in_production(people, customer, product, clock, promised=FAR, po="MB", start=at(2026, 2, 27, 5))
    a = order_in_production(people, customer, product, clock, promised=FAR, po="MA", start=at(2026, 3, 2, 10))
    # C: another team's order, not in m1's scope
    other = CustomerFactory(merchandiser=people["m3"])
    c = order_in_production(people, other, product, clock, promised=FAR, po="MC", start=at(2026, 2, 27, 5))
    for moment in (at(2026, 2, 27, 9), at(2026, 2, 27, 15), at(2026, 2, 28, 10), at(2026, 3, 2, 9)):
        _record(b, people, moment, clock)
    clock.set(at(2026, 3, 3, 11))
    order_hold(order=b, actor=people["sup"], reason="客户暂停")
    _record(a, people, at(2026, 3, 2, 14), clock)
    _record(a, people, at(2026, 3, 3, 13), clock)

    # when m1 looks at Friday 02-27 … Wednesday 03-04 on Wednesday at 10:00
    rows = missed_records(
        user=people["m1"], date_from=D(2026, 2, 27), date_to=D(2026, 3, 4), now=at(2026, 3, 4, 10)
    )
    found = {(r["number"], r["date"], r["slot"]) for r in rows}
    # then exactly these slots are missing:
    assert found == {
        (b.number, D(2026, 2, 28), 1),  # the make-up Saturday is a working day: afternoon missing
        (b.number, D(2026, 3, 2), 1),
        (b.number, D(2026, 3, 3), 0),  # in production when the morning began, on hold only at 11:00
        (a.number, D(2026, 3, 3), 0),  # an afternoon record does not cover the morning
    }
    # not: Sunday 03-01; A's Monday morning (not yet in production); B's Tuesday afternoon (on hold);
    # Wednesday morning (the slot has not ended); the other team's order
    assert {(r["date"], r["slot"]): r["slot_label"] for r in rows}[(D(2026, 3, 3), 0)] == "Morning"
    # the supervisor of the other team sees only their order, missing nothing but Sunday-free slots
    other_rows = missed_records(
        user=people["sup2"], date_from=D(2026, 2, 27), date_to=D(2026, 3, 4), now=at(2026, 3, 4, 10)
    )
    assert {r["number"] for r in other_rows} == {c.number}
    # 02-27, 02-28 (make-up Saturday), 03-02, 03-03: two slots each; not Sunday, not Wednesday morning yet
    assert len(other_rows) == 8


def test_records_per_day_follows_the_policy_in_force_on_each_day(people, customer, product, clock):
    order = order_in_production(
        people, customer, product, clock, promised=FAR, po="MP", start=at(2026, 3, 2, 5)
    )
    FollowupPolicy.objects.create(effective_from=D(2026, 3, 3), records_per_day=1)
    _record(order, people, at(2026, 3, 2, 9), clock)
    _record(order, people, at(2026, 3, 3, 16), clock)  # one record a day is enough from 03-03
    rows = missed_records(
        user=people["m1"], date_from=D(2026, 3, 2), date_to=D(2026, 3, 3), now=at(2026, 3, 4, 8)
    )
    assert [(r["date"], r["slot"]) for r in rows] == [(D(2026, 3, 2), 1)]


def test_concealment_lists_problems_without_an_exception_in_time(people, customer, product, clock):
    start = at(2026, 2, 27, 8)
    orders = {
        po: order_in_production(people, customer, product, clock, promised=FAR, po=po, start=start)
        for po in ("A", "B", "C", "D", "E", "F", "G")
    }
    # A: behind, no exception at all → listed
    _record(orders["A"], people, at(2026, 3, 2, 10), clock, "behind")
    # B: quality problem, but only a schedule exception was raised → listed (needs a quality exception)
    _record(orders["B"], people, at(2026, 3, 2, 10), clock, "quality")
    clock.set(at(2026, 3, 2, 12))
    exception_raise(order=orders["B"], actor=people["m1"], type="schedule", title="x")
    # C: behind, exception raised 23 hours later → covered
    _record(orders["C"], people, at(2026, 3, 2, 10), clock, "behind")
    clock.set(at(2026, 3, 3, 9))
    exception_raise(order=orders["C"], actor=people["m1"], type="material", title="缺料")
    # D: behind only 2 hours ago → the window has not passed yet
    _record(orders["D"], people, at(2026, 3, 3, 9), clock, "behind")
    # E: behind, exception raised 25.5 hours later → too late, listed
    _record(orders["E"], people, at(2026, 3, 2, 8), clock, "behind")
    clock.set(at(2026, 3, 3, 9, 30))
    exception_raise(order=orders["E"], actor=people["m1"], type="schedule", title="晚报")
    # F: a quality exception raised and resolved *before* the quality record does not cover it → listed
    clock.set(at(2026, 3, 1, 9))
    old = exception_raise(order=orders["F"], actor=people["m1"], type="quality", title="旧问题")
    exception_resolve(exception=old, actor=people["m1"], resolution="已返工")
    _record(orders["F"], people, at(2026, 3, 2, 10), clock, "quality")
    # G: a mandatory milestone moved to Sunday 03-01 and never done, no exception → listed (overdue
    # from Monday 00:00); A's plan stays in the future
    clock.set(at(2026, 2, 27, 9))
    milestone = orders["G"].ta_plan.milestones.get(code="fabric_trims")
    ta_milestone_move(milestone=milestone, actor=people["planner"], planned_date="2026-03-01", reason="提前")

    # when the supervisor looks on Tuesday 03-03 at 11:00 (policy: 24 hours)
    clock.set(at(2026, 3, 3, 11))
    rows = concealment_list(user=people["sup"])
    found = {(r["order"].customer_po, r["kind"]) for r in rows}
    assert found == {
        ("A", "record_behind"),
        ("B", "record_quality"),
        ("E", "record_behind"),
        ("F", "record_quality"),
        ("G", "milestone_overdue"),
    }
    row = next(r for r in rows if r["order"].customer_po == "A")
    assert row["deadline"] == at(2026, 3, 3, 10)
    # a merchandiser cannot open the list; the other team's supervisor sees none of these orders
    with pytest.raises(PermissionDeniedError):
        concealment_list(user=people["m1"])
    assert concealment_list(user=people["sup2"]) == []
