"""Change requests (改单): routing, bounds, the version check, rejection, scope, and what approval does."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest

from gendan.changes.models import ChangeRequest, ChangeStatus
from gendan.changes.routing import ROUTES, change_kinds, departments_for
from gendan.changes.selectors import change_request_get, change_requests_awaiting
from gendan.changes.services import (
    change_request_approve,
    change_request_cancel,
    change_request_raise,
    change_request_reject,
    change_request_sign,
)
from gendan.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from gendan.followup.models import TaMilestone
from gendan.notify.models import Notification
from gendan.orders.models import OrderEvent, OrderRevision
from gendan.orders.revisions import order_snapshot
from gendan.outsourcing.models import OutsourcingOrder, OutsourcingOrderEvent, OutsourcingStatus, Process
from gendan.planning.calendar import WorkingCalendar
from gendan.quality.models import Inspection, InspectionStage, InspectionStatus
from gendan.reviews.models import ReviewDepartment as D
from tests.changes.conftest import proposal, released_order, sign_all
from tests.factories import CustomerFactory

PLAN, BUY, TECH, QC, BIZ, FIN = D.PLANNING, D.PURCHASING, D.TECHNICAL, D.QUALITY, D.BUSINESS, D.FINANCE


def _quantity(data):
    data["lines"][0].update(quantity="120", sizes="S:36 M:48 L:36")


def _sizes(data):
    data["lines"][0].update(sizes="S:40 M:30 L:30")


def _date(data):
    data["promised_date"] = (dt.date.fromisoformat(data["promised_date"]) + dt.timedelta(days=7)).isoformat()


def _colour(data):
    data["lines"][1].update(color="黑")


def _spec(data):
    data["lines"][1].update(spec="加厚款")


def _price(data):
    data["lines"][1].update(unit_price="13.80")


def _terms(data):
    data["payment_terms"] = "预付30%，余款发货前付清"


def _po(data):
    data["customer_po"] = "PO-CR-B"


def _requirements(data):
    data["requirements"] = "改用环保包装"


def _added(data):
    line = dict(data["lines"][1], line="", color="绿", quantity="30")
    line.pop("sizes", None)
    data["lines"].append(line)


def _removed(data):
    data["lines"].pop(1)


# kind of change → exactly the departments asked to re-sign (issue 14 item 1)
ROUTING_TABLE = [
    ("quantity", _quantity, [PLAN, BUY]),
    ("size breakdown", _sizes, [PLAN, BUY]),
    ("promised date", _date, [PLAN, BUY]),
    ("colour", _colour, [TECH, QC]),
    ("specification", _spec, [TECH, QC]),
    ("requirements", _requirements, [TECH, QC]),
    ("unit price", _price, [BIZ, FIN]),
    ("payment terms", _terms, [BIZ, FIN]),
    ("customer PO", _po, [BIZ]),
    ("line added at the standard price", _added, [TECH, PLAN, BUY, QC]),
    ("line removed", _removed, [PLAN, BUY]),
]


@pytest.mark.parametrize(
    ("name", "change", "departments"), ROUTING_TABLE, ids=[row[0] for row in ROUTING_TABLE]
)
def test_each_kind_of_change_routes_to_exactly_its_departments(people, released, name, change, departments):
    data = proposal(released)
    change(data)
    cr = change_request_raise(
        order=released, actor=people["m1"], data=data, reason="客户来函", cause="customer"
    )
    assert sorted(cr.items.values_list("department", flat=True)) == sorted(departments)
    # signers of only those departments see it as waiting for them
    for key, dept in (("planner", PLAN), ("purchasing", BUY), ("tech", TECH), ("qc", QC), ("finance", FIN)):
        waiting = change_requests_awaiting(user=people[key]).filter(pk=cr.pk).exists()
        assert waiting == (dept in departments), key


def test_amount_above_the_credit_room_asks_finance(people, product):
    # credit limit 2,000; the order is 1,875 (100 + 50 at 12.50); +20 on line 1 → 2,125 > 2,000
    customer = CustomerFactory(merchandiser=people["m1"], credit_limit=Decimal("2000"))
    order = released_order(people, customer, product)
    data = proposal(order)
    data["lines"][1]["quantity"] = "70"
    cr = change_request_raise(order=order, actor=people["m1"], data=data, reason="加量", cause="customer")
    assert cr.touches == ["quantity", "credit"] and not cr.credit_ok
    assert sorted(cr.items.values_list("department", flat=True)) == sorted([PLAN, BUY, FIN])
    item = cr.items.get(department=FIN)
    with pytest.raises(ValidationFailed):
        change_request_sign(item=item, actor=people["finance"], result="pass")


def test_the_table_itself():
    assert departments_for(change_kinds([{"type": "line", "field": "quantity"}])) == [PLAN, BUY]
    assert departments_for(change_kinds([], over_credit=True)) == [FIN]
    assert set(ROUTES) == {
        "quantity",
        "sizes",
        "date",
        "spec",
        "colour",
        "requirements",
        "price",
        "terms",
        "customer_po",
        "credit",
    }


def test_approval_writes_r1_and_everything_follows(people, released):
    plan_before = {
        m.code: (m.planned_date, m.actual_date) for m in TaMilestone.objects.filter(plan__order=released)
    }
    assert plan_before, "the release made a T&A plan"
    first = TaMilestone.objects.filter(plan__order=released).order_by("planned_date").first()
    TaMilestone.objects.filter(pk=first.pk).update(actual_date=first.planned_date)  # one milestone done
    old_promised = released.promised_date
    data = proposal(released)
    _quantity(data)
    _added(data)
    _date(data)
    cr = change_request_raise(
        order=released, actor=people["m1"], data=data, reason="客户邮件改单", cause="customer"
    )
    assert cr.feasible_date is not None and cr.base_revision == 0
    sign_all(cr, people)
    cr = change_request_approve(change_request=cr, actor=people["sup"], conclusion="同意")
    released.refresh_from_db()
    assert cr.status == ChangeStatus.APPROVED and cr.applied_revision == 1
    assert released.revision == 1
    assert released.promised_date == old_promised + dt.timedelta(days=7)
    promise = released.promises.order_by("-id").first()
    assert (promise.promised_date, promise.previous_date, promise.cause) == (
        released.promised_date,
        old_promised,
        "customer",
    )
    lines = list(released.lines.order_by("line_no"))
    assert [(line.line_no, line.quantity, line.color) for line in lines] == [
        (1, Decimal("120"), "红"),
        (2, Decimal("50"), "蓝"),
        (3, Decimal("30"), "绿"),
    ]
    assert [(s.size, s.quantity) for s in lines[0].sizes.all()] == [
        ("S", Decimal("36")),
        ("M", Decimal("48")),
        ("L", Decimal("36")),
    ]
    # totals: (120 + 50 + 30) pieces; 200 × 12.50 = 2,500
    assert released.total_quantity == Decimal("200") and released.total_amount == Decimal("2500")
    revisions = list(OrderRevision.objects.filter(order=released).order_by("number"))
    assert [r.number for r in revisions] == [0, 1]
    kinds = {(c["type"], c.get("field")) for c in revisions[1].changes}
    assert (
        ("line", "quantity") in kinds
        and ("line_added", None) in kinds
        and ("header", "promised_date") in kinds
    )
    # T&A: open milestones moved by the working days between the promised dates, the done one stayed
    calendar = WorkingCalendar.load(old_promised.year - 1, old_promised.year + 1)
    shift = calendar.working_days_between(old_promised, released.promised_date)
    for m in TaMilestone.objects.filter(plan__order=released):
        before, _done = plan_before[m.code]
        if m.pk == first.pk:
            assert m.planned_date == before
        else:
            assert m.planned_date == calendar.add_working_days(
                calendar.working_day_on_or_before(before), shift
            )
            assert calendar.is_working_day(m.planned_date)
    types = set(released.events.values_list("type", flat=True))
    assert {
        OrderEvent.Type.CHANGE_RAISED,
        OrderEvent.Type.CHANGE_SIGNED,
        OrderEvent.Type.CHANGE_APPROVED,
        OrderEvent.Type.REVISED,
        OrderEvent.Type.TA_MILESTONE_MOVED,
    } <= types
    assert Notification.objects.filter(recipient=people["planner"], kind="order_revised").exists()
    assert Notification.objects.filter(recipient=people["qc"], kind="order_revised").exists()


def test_two_requests_against_one_revision_cannot_both_be_approved(people, released):
    one, two = proposal(released), proposal(released)
    _quantity(one)
    _colour(two)
    first = change_request_raise(order=released, actor=people["m1"], data=one, reason="一", cause="customer")
    second = change_request_raise(order=released, actor=people["m1"], data=two, reason="二", cause="internal")
    sign_all(first, people)
    sign_all(second, people)
    change_request_approve(change_request=first, actor=people["sup"])
    released.refresh_from_db()
    snapshot = order_snapshot(order=released)
    with pytest.raises(ConflictError) as exc:
        change_request_approve(change_request=second, actor=people["sup"])
    assert exc.value.status == 409 and exc.value.extra["current_revision"] == 1
    released.refresh_from_db()
    assert order_snapshot(order=released) == snapshot and released.revision == 1
    assert ChangeRequest.objects.get(pk=second.pk).status == ChangeStatus.OPEN


def test_a_rejected_request_changes_nothing(people, released):
    before, version = order_snapshot(order=released), released.version
    data = proposal(released)
    _quantity(data)
    cr = change_request_raise(order=released, actor=people["m1"], data=data, reason="加量", cause="customer")
    with pytest.raises(ValidationFailed):
        change_request_reject(change_request=cr, actor=people["sup"], reason="")
    cr = change_request_reject(change_request=cr, actor=people["sup"], reason="产能不足")
    released.refresh_from_db()
    assert cr.status == ChangeStatus.REJECTED
    assert order_snapshot(order=released) == before and released.version == version and released.revision == 0
    assert not OrderRevision.objects.filter(order=released).exists()
    assert released.events.filter(type=OrderEvent.Type.CHANGE_REJECTED).exists()


def _inspection(order, line, lot):
    return Inspection.objects.create(
        number=f"QC-{line.pk}-{lot}",
        order=order,
        order_line=line,
        stage=InspectionStage.values[0],
        lot_size=lot,
        code_letter="F",
        sample_size=20,
        status=InspectionStatus.PASSED,
        inspected_on=order.order_date,
        inspector=order.merchandiser,
    )


def _outsourcing(order, line, quantity, subcontractor):
    return OutsourcingOrder.objects.create(
        number=f"OS-{line.pk}",
        order=order,
        order_line=line,
        subcontractor=subcontractor,
        process=Process.values[0],
        quantity=quantity,
        unit="件",
        unit_price=Decimal("1"),
        amount=Decimal(quantity),
        due_date=order.promised_date,
        status=OutsourcingStatus.ISSUED,
        created_by=order.merchandiser,
    )


@pytest.mark.parametrize("bound", ["shipped", "inspected", "outsourced"])
def test_a_line_below_what_was_done_is_refused_and_nothing_changes(people, released, bound):
    from gendan.parties.models import Supplier

    line = released.lines.get(line_no=2)  # 50 pieces
    patch = mock.patch("gendan.changes.selectors.shipped_quantities", return_value={})
    if bound == "shipped":
        patch = mock.patch(
            "gendan.changes.selectors.shipped_quantities", return_value={line.pk: Decimal("40")}
        )
    elif bound == "inspected":
        _inspection(released, line, 40)
    else:
        sub = Supplier.objects.create(code="SUB1", name="外协厂", kind="subcontractor")
        _outsourcing(released, line, 40, sub)
    before = order_snapshot(order=released)
    data = proposal(released)
    data["lines"][1].update(quantity="30")
    with patch, pytest.raises(ValidationFailed) as exc:
        change_request_raise(order=released, actor=people["m1"], data=data, reason="减量", cause="customer")
    assert list(exc.value.fields) == ["lines.1.quantity"]
    assert "40" in exc.value.fields["lines.1.quantity"][0]
    # removing the line altogether is refused too
    data["lines"].pop(1)
    with patch, pytest.raises(ValidationFailed) as exc:
        change_request_raise(order=released, actor=people["m1"], data=data, reason="取消", cause="customer")
    assert "lines" in exc.value.fields
    released.refresh_from_db()
    assert order_snapshot(order=released) == before and not ChangeRequest.objects.exists()


def test_bounds_are_checked_again_on_approval(people, released):
    line = released.lines.get(line_no=2)
    data = proposal(released)
    data["lines"][1].update(quantity="30")
    cr = change_request_raise(order=released, actor=people["m1"], data=data, reason="减量", cause="customer")
    sign_all(cr, people)
    _inspection(released, line, 45)
    before = order_snapshot(order=released)
    with pytest.raises(ValidationFailed) as exc:
        change_request_approve(change_request=cr, actor=people["sup"])
    assert list(exc.value.fields) == ["lines.1.quantity"]
    released.refresh_from_db()
    assert order_snapshot(order=released) == before


def test_out_of_scope_is_not_found(people, released):
    data = proposal(released)
    _quantity(data)
    with pytest.raises(NotFoundError):
        change_request_raise(order=released, actor=people["m3"], data=data, reason="x", cause="customer")
    cr = change_request_raise(order=released, actor=people["m1"], data=data, reason="x", cause="customer")
    with pytest.raises(NotFoundError):
        change_request_get(user=people["m3"], pk=cr.pk)
    with pytest.raises(NotFoundError):
        change_request_approve(change_request=cr, actor=people["sup2"])
    assert change_request_get(user=people["m1"], pk=cr.pk) == cr


def test_only_the_asked_department_signs_and_only_deciders_conclude(people, released):
    data = proposal(released)
    _colour(data)
    cr = change_request_raise(order=released, actor=people["m1"], data=data, reason="换色", cause="customer")
    tech_item = cr.items.get(department=TECH)
    with pytest.raises(PermissionDeniedError):
        change_request_sign(item=tech_item, actor=people["planner"], result="pass")
    with pytest.raises(PermissionDeniedError):
        change_request_approve(change_request=cr, actor=people["m1"])
    sign_all(cr, people)
    with pytest.raises(PermissionDeniedError):
        change_request_cancel(change_request=cr, actor=people["sales"])
    assert change_request_cancel(change_request=cr, actor=people["m1"]).status == ChangeStatus.CANCELLED


def test_above_the_policy_amount_the_general_manager_decides(people, released, settings):
    settings.GENDAN_CHANGE_GM_AMOUNT = "100"
    data = proposal(released)
    _quantity(data)  # +20 pieces × 12.50 = +250 > 100
    cr = change_request_raise(order=released, actor=people["m1"], data=data, reason="加量", cause="customer")
    assert cr.needs_gm
    sign_all(cr, people)
    assert not change_requests_awaiting(user=people["sup"]).filter(pk=cr.pk).exists()
    assert change_requests_awaiting(user=people["gm"]).filter(pk=cr.pk).exists()
    with pytest.raises(PermissionDeniedError):
        change_request_approve(change_request=cr, actor=people["sup"])
    assert change_request_approve(change_request=cr, actor=people["gm"]).status == ChangeStatus.APPROVED


def test_outsourcing_orders_of_a_changed_line_are_flagged(people, released):
    from gendan.parties.models import Supplier

    sub = Supplier.objects.create(code="SUB2", name="外协厂二", kind="subcontractor")
    oo = _outsourcing(released, released.lines.get(line_no=1), 10, sub)
    data = proposal(released)
    _quantity(data)
    cr = change_request_raise(order=released, actor=people["m1"], data=data, reason="加量", cause="customer")
    sign_all(cr, people)
    change_request_approve(change_request=cr, actor=people["sup"])
    assert OutsourcingOrderEvent.objects.filter(outsourcing_order=oo, type="order_revised").exists()


def test_nothing_changed_and_on_hold_are_refused(people, released):
    from gendan.core.errors import ApplicationError
    from gendan.orders.services import order_hold

    with pytest.raises(ApplicationError) as exc:
        change_request_raise(
            order=released, actor=people["m1"], data=proposal(released), reason="x", cause="customer"
        )
    assert exc.value.code == "nothing_changed"
    order_hold(order=released, actor=people["sup"], reason="客户暂停")
    data = proposal(released)
    _quantity(data)
    with pytest.raises(ApplicationError) as exc:
        change_request_raise(order=released, actor=people["m1"], data=data, reason="x", cause="customer")
    assert exc.value.code == "order_on_hold"


def test_materials_follow_the_new_quantities(people, customer, product):
    from gendan.materials.models import MaterialRequirement, PurchaseRequest
    from tests.materials.helpers import bom, material, stock

    # given 1 m of fabric per piece and 200 m on hand: the release reserves 150 m (100 + 50 pieces)
    fabric = material("FAB-1", unit="m", on_hand="200")
    bom(product, fabric, "1")
    order = released_order(people, customer, product)
    requirement = MaterialRequirement.objects.get(order=order, material=fabric)
    assert (requirement.required, requirement.reserved) == (Decimal("150"), Decimal("150"))
    # when the change takes line 1 to 180 pieces (230 in all) and is approved
    data = proposal(order)
    data["lines"][0].update(quantity="180", sizes="S:60 M:60 L:60")
    cr = change_request_raise(order=order, actor=people["m1"], data=data, reason="加量", cause="customer")
    sign_all(cr, people)
    change_request_approve(change_request=cr, actor=people["sup"])
    # then 230 m are needed: the 50 m still free are reserved and 30 m go to a purchase request
    requirement.refresh_from_db()
    assert (requirement.required, requirement.reserved) == (Decimal("230"), Decimal("200"))
    assert stock(fabric).reserved == Decimal("200")
    assert list(PurchaseRequest.objects.filter(order=order).values_list("quantity", flat=True)) == [
        Decimal("30")
    ]
    # and a change back down to 100 pieces in all gives the reservation above the need back
    order.refresh_from_db()
    data = proposal(order)
    data["lines"][0].update(quantity="50", sizes="S:20 M:20 L:10")
    cr = change_request_raise(order=order, actor=people["m1"], data=data, reason="减量", cause="customer")
    sign_all(cr, people)
    change_request_approve(change_request=cr, actor=people["sup"])
    requirement.refresh_from_db()
    assert (requirement.required, requirement.reserved) == (Decimal("100"), Decimal("100"))
    assert stock(fabric).reserved == Decimal("100")


def test_a_cancelled_order_withdraws_its_open_change_requests(people, released):
    from gendan.orders.services import order_cancel

    data = proposal(released)
    _colour(data)
    cr = change_request_raise(order=released, actor=people["m1"], data=data, reason="换色", cause="customer")
    order_cancel(order=released, actor=people["sup"], reason="客户取消")
    cr.refresh_from_db()
    assert cr.status == ChangeStatus.CANCELLED and cr.concluded_by == people["sup"]
    assert not change_requests_awaiting(user=people["tech"]).exists()
