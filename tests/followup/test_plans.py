import datetime as dt
from unittest import mock

import pytest

from gendan.core.errors import ConflictError, PermissionDeniedError, TransitionError, ValidationFailed
from gendan.followup.models import MilestoneStatus, TaMilestone, TaPlan, TaTemplate
from gendan.followup.seed import ta_templates_seed
from gendan.followup.selectors import plan_milestones
from gendan.followup.services import ta_milestone_actual, ta_milestone_move, ta_plan_generate
from gendan.orders import services as order_services
from gendan.orders.models import OrderEvent
from gendan.planning.calendar import CalendarNotCoveredError, WorkingCalendar
from tests.followup.conftest import approved_order, at, released_order

D = dt.date


def _planned(order) -> dict[str, dt.date]:
    return dict(TaMilestone.objects.filter(plan__order=order).values_list("code", "planned_date"))


def test_release_generates_plan_skipping_spring_festival_and_counting_makeup_saturdays(
    people, customer, product, clock
):
    # given an apparel order promised on Tuesday 2026-03-03, shortly after the Spring Festival
    # (holiday 02-15 … 02-23; make-up working Saturdays 02-14 and 02-28)
    clock.set(at(2026, 1, 5))
    order = approved_order(people, customer, product, promised=D(2026, 3, 3), po="SF-1")
    # when it is released
    released_order_ = order_services.order_release(order=order, actor=people["m1"])
    # then the release hook made a T&A plan from the apparel template, scheduled back on working days
    plan = TaPlan.objects.get(order=released_order_)
    assert plan.template.code == "apparel"
    planned = _planned(order)
    assert planned["ex_factory"] == D(2026, 3, 3)
    assert planned["packing"] == D(2026, 3, 2)  # Monday; Sunday 03-01 skipped
    assert planned["final_qc"] == D(2026, 2, 28)  # the make-up Saturday is a working day
    assert planned["finishing"] == D(2026, 2, 27)
    assert planned["sewing"] == D(2026, 2, 25)
    # 3 working days before 02-25: 02-24, then the holiday is skipped, 02-14 (make-up Saturday), 02-13
    assert planned["inline_qc"] == D(2026, 2, 13)
    assert planned["cutting"] == D(2026, 2, 11)
    assert planned["fabric_trims"] == D(2026, 2, 9)
    holiday = {D(2026, 2, 15) + dt.timedelta(days=n) for n in range(9)}
    assert not holiday & set(planned.values())
    # the baseline is kept for later comparison, and the plan is on the order's timeline
    assert set(TaMilestone.objects.filter(plan=plan).values_list("baseline_date", flat=True)) == set(
        planned.values()
    )
    event = order.events.get(type=OrderEvent.Type.TA_PLAN_GENERATED)
    assert event.data["template"] == "apparel" and event.data["milestones"] == 9
    # owners: the merchandiser's milestones are theirs, the salesperson approves the sample
    owners = dict(TaMilestone.objects.filter(plan=plan).values_list("code", "owner__username"))
    assert owners["ex_factory"] == "m1" and owners["pp_sample"] == "sales"


def test_statuses_are_derived_from_dates_and_today(people, customer, product, clock):
    clock.set(at(2026, 1, 5))
    order = released_order(people, customer, product, promised=D(2026, 3, 3), po="SF-2")
    plan = order.ta_plan
    clock.set(
        at(2026, 2, 12, 10)
    )  # fabric & trims (02-09) overdue; cutting (02-11) overdue; inline QC 02-13 due soon
    ta_milestone_actual(
        milestone=plan.milestones.get(code="cutting"), actor=people["planner"], actual_date="2026-02-12"
    )
    statuses = {m.code: m.status for m in plan_milestones(plan=plan)}
    assert statuses["fabric_trims"] == MilestoneStatus.OVERDUE
    assert statuses["cutting"] == MilestoneStatus.DONE
    assert statuses["inline_qc"] == MilestoneStatus.DUE_SOON  # within 2 working days
    assert statuses["sewing"] == MilestoneStatus.NOT_DUE
    # and the object computes the same status
    milestone = plan.milestones.get(code="fabric_trims")
    assert milestone.status_on(D(2026, 2, 12), D(2026, 2, 24)) == MilestoneStatus.OVERDUE


def test_moving_a_milestone_writes_the_timeline(people, customer, product, clock):
    clock.set(at(2026, 1, 5))
    order = released_order(people, customer, product, promised=D(2026, 3, 3), po="SF-3")
    milestone = order.ta_plan.milestones.get(code="final_qc")
    # the merchandiser may not move dates; the planner must give a reason
    with pytest.raises(PermissionDeniedError):
        ta_milestone_move(milestone=milestone, actor=people["m1"], planned_date="2026-03-02", reason="x")
    with pytest.raises(ValidationFailed) as exc:
        ta_milestone_move(milestone=milestone, actor=people["planner"], planned_date="2026-03-02", reason=" ")
    assert "reason" in exc.value.extra["fields"]
    # when the planner moves it with a reason
    clock.set(at(2026, 2, 2, 14))
    moved = ta_milestone_move(
        milestone=milestone,
        actor=people["planner"],
        planned_date="2026-03-02",
        reason="面料晚到两天",
        version=1,
    )
    # then the date moved, the baseline did not, and the timeline says who, when, from, to and why
    assert moved.planned_date == D(2026, 3, 2) and moved.baseline_date == D(2026, 2, 28)
    event = order.events.get(type=OrderEvent.Type.TA_MILESTONE_MOVED)
    assert event.actor == people["planner"]
    assert event.note == "面料晚到两天"
    assert event.data["from"] == "2026-02-28" and event.data["to"] == "2026-03-02"
    assert event.created_at == at(2026, 2, 2, 14)
    # a stale version is refused; a done milestone cannot move
    with pytest.raises(ConflictError):
        ta_milestone_move(
            milestone=milestone, actor=people["planner"], planned_date="2026-03-03", reason="y", version=1
        )
    clock.set(at(2026, 3, 2, 16))
    ta_milestone_actual(milestone=milestone, actor=people["planner"], actual_date="2026-03-02")
    with pytest.raises(TransitionError):
        ta_milestone_move(milestone=milestone, actor=people["planner"], planned_date="2026-03-03", reason="z")
    assert order.events.filter(type=OrderEvent.Type.TA_MILESTONE_DONE).count() == 1


def test_actual_date_cannot_be_in_the_future(people, customer, product, clock):
    clock.set(at(2026, 1, 5))
    order = released_order(people, customer, product, promised=D(2026, 3, 3), po="SF-4")
    with pytest.raises(ValidationFailed):
        ta_milestone_actual(
            milestone=order.ta_plan.milestones.first(), actor=people["m1"], actual_date="2026-01-06"
        )


def test_year_not_covered_strict_error_else_warning(people, customer, product, clock):
    # given an order promised in 2027, a year nobody entered yet, released without the hook
    clock.set(at(2026, 11, 27))
    order = approved_order(people, customer, product, promised=D(2027, 3, 3), po="Y27")
    with mock.patch.object(order_services, "ORDER_RELEASED_HOOKS", []):
        order = order_services.order_release(order=order, actor=people["m1"])
    assert not TaPlan.objects.filter(order=order).exists()
    # a strict caller gets a clear error and nothing is saved
    with pytest.raises(CalendarNotCoveredError) as exc:
        ta_plan_generate(order=order, actor=people["planner"], strict=True)
    assert exc.value.code == "calendar_not_covered" and exc.value.extra["year"] == 2027
    assert not TaPlan.objects.filter(order=order).exists()
    # elsewhere the plan is made on Monday–Friday with a visible warning
    plan = ta_plan_generate(order=order, actor=people["planner"])
    assert any("2027" in warning for warning in plan.warnings)
    assert _planned(order)["final_qc"] == D(2027, 3, 1)  # Wed 03-03 → packing Tue → final QC Mon
    with pytest.raises(Exception) as again:
        ta_plan_generate(order=order, actor=people["planner"])
    assert again.value.code == "plan_exists"


def test_working_calendar_strict_and_lenient():
    calendar = WorkingCalendar(
        years={2026}, working_overrides={D(2026, 2, 28)}, closed_overrides={D(2026, 2, 16)}
    )
    assert calendar.is_working_day(D(2026, 2, 28)) and not calendar.is_working_day(D(2026, 2, 16))
    assert calendar.is_working_day(D(2027, 1, 4)) and calendar.warnings  # Monday, assumed
    strict = WorkingCalendar(years={2026}, working_overrides=set(), closed_overrides=set(), strict=True)
    with pytest.raises(CalendarNotCoveredError):
        strict.add_working_days(D(2026, 12, 30), 3)


def test_template_seed_is_idempotent_and_keeps_admin_edits(db):
    assert TaTemplate.objects.filter(code__in=["apparel", "printing", "generic"]).count() == 3
    TaTemplate.objects.filter(code="apparel").update(name="服装（改）")
    assert ta_templates_seed() == 0
    assert TaTemplate.objects.get(code="apparel").name == "服装（改）"
    printing = TaTemplate.objects.get(code="printing")
    codes = list(printing.milestones.order_by("sequence").values_list("code", flat=True))
    assert codes[0] == "artwork" and codes[-1] == "ex_factory"
