"""Inspections: plans per defect class, pass/fail from the table, the quality exception and the shipment
gate with the supervisor's concession; who may do what; scope."""

import datetime as dt

import pytest

from gendan.core.errors import NotFoundError, PermissionDeniedError, TransitionError, ValidationFailed
from gendan.followup.models import ExceptionStatus, ExceptionType, FollowupException
from gendan.orders.models import OrderEvent, OrderStatus
from gendan.quality import selectors
from gendan.quality.models import Inspection, InspectionStatus
from gendan.quality.services import inspection_cancel, inspection_concede, inspection_record
from gendan.quality.workflows import INSPECTION_TRANSITIONS
from gendan.shipping.services import ShippingBlockedError, shipment_create
from tests.q2c import shipment_payload, today

DAY = dt.date(2026, 11, 27)


def final(order, actor, *, major=0, minor=0, critical=0, lot=300, line=None, stage="final", **extra):
    """A final inspection of lot 300 at level II (code H, n=50): critical 0, major 2.5 (Ac 3), minor 4.0 (Ac 5)."""
    data = {
        "stage": stage,
        "lot_size": lot,
        "level": "II",
        "aql_critical": "0",
        "aql_major": "2.5",
        "aql_minor": "4.0",
        "critical_found": critical,
        "major_found": major,
        "minor_found": minor,
        "order_line": line.pk if line else "",
        **extra,
    }
    with today(DAY):
        return inspection_record(order=order, actor=actor, data=data)


def test_each_defect_class_gets_its_plan_and_the_inspection_passes_at_ac(people, order):
    # Given a lot of 300 at level II: code letter H, n=50; major AQL 2.5 → Ac 3 Re 4; minor 4.0 → Ac 5 Re 6
    inspection = final(order, people["qc"], major=3, minor=5)
    # Then every class was checked on its plan and at Ac the lot is accepted
    classes = {c.defect_class: c for c in inspection.classes.all()}
    assert (inspection.code_letter, inspection.sample_size, inspection.status) == (
        "H",
        50,
        InspectionStatus.PASSED,
    )
    assert (classes["major"].sample_size, classes["major"].accept_number, classes["major"].reject_number) == (
        50,
        3,
        4,
    )
    assert (classes["minor"].accept_number, classes["minor"].reject_number) == (5, 6)
    # critical AQL 0: Ac 0 on every unit drawn
    assert (
        classes["critical"].sample_size,
        classes["critical"].accept_number,
        classes["critical"].reject_number,
    ) == (
        50,
        0,
        1,
    )
    assert inspection.number.startswith("QC2026-")
    assert selectors.shipment_block_reason(order=order) is None
    # And the fact is on the order's timeline
    event = order.events.filter(type=OrderEvent.Type.QUALITY_INSPECTED).get()
    assert event.data["classes"]["major"] == {
        "aql": "2.5",
        "code": "H",
        "n": 50,
        "ac": 3,
        "re": 4,
        "found": 3,
        "passed": True,
    }


@pytest.mark.parametrize(
    ("found", "failed_class"),
    [({"major": 4}, "major"), ({"minor": 6}, "minor"), ({"critical": 1}, "critical")],
)
def test_one_defect_over_ac_in_any_class_fails_the_inspection(people, order, found, failed_class):
    inspection = final(order, people["qc"], **found)
    assert inspection.status == InspectionStatus.FAILED
    assert [c.defect_class for c in inspection.classes.all() if not c.passed] == [failed_class]


def test_failed_final_inspection_raises_a_quality_exception_and_blocks_shipment_until_concession(
    people, order
):
    # Given QC records a final inspection with 4 major defects (Re 4)
    inspection = final(order, people["qc"], major=4)
    # Then a quality exception is open on the order
    exception = FollowupException.objects.get(order=order, type=ExceptionType.QUALITY)
    assert exception.status == ExceptionStatus.OPEN
    assert inspection.exception_number == exception.number
    assert inspection.number in exception.title
    # And shipment is blocked, with a reason naming the inspection
    reason = selectors.shipment_block_reason(order=order)
    assert reason is not None and inspection.number in reason
    # And the shipping service refuses to ship
    with today(DAY), pytest.raises(ShippingBlockedError):
        shipment_create(
            order=order, actor=people["m1"], data=shipment_payload(order, {1: "100"}, ship_date=DAY)
        )

    # When the merchandiser or QC try a concession, they may not
    for who in ("m1", "qc"):
        with pytest.raises(PermissionDeniedError):
            inspection_concede(inspection=inspection, actor=people[who], reason="客户同意")
    # When the supervisor of another team tries, the inspection is not even visible
    with pytest.raises(NotFoundError):
        inspection_concede(inspection=inspection, actor=people["sup2"], reason="客户同意")
    # A concession needs a reason
    with pytest.raises(ValidationFailed):
        inspection_concede(inspection=inspection, actor=people["sup"], reason="  ")
    assert selectors.shipment_block_reason(order=order) is not None

    # When the supervisor records a concession (让步接收) with a reason
    inspection = inspection_concede(inspection=inspection, actor=people["sup"], reason="客户书面同意让步接收")
    # Then the order may ship, the concession is on the timeline and the exception is resolved
    assert inspection.status == InspectionStatus.CONCEDED
    assert selectors.shipment_block_reason(order=order) is None
    event = order.events.get(type=OrderEvent.Type.QUALITY_CONCESSION)
    assert (event.actor, event.note, event.from_status, event.to_status) == (
        people["sup"],
        "客户书面同意让步接收",
        "failed",
        "conceded",
    )
    exception.refresh_from_db()
    assert exception.status == ExceptionStatus.RESOLVED
    with today(DAY):
        shipment = shipment_create(
            order=order, actor=people["m1"], data=shipment_payload(order, {1: "100"}, ship_date=DAY)
        )
    assert shipment.pk is not None
    # And a concession cannot be recorded twice
    with pytest.raises(TransitionError):
        inspection_concede(inspection=inspection, actor=people["sup"], reason="again")


def test_a_passing_reinspection_or_a_cancellation_lifts_the_block(people, order):
    failed = final(order, people["qc"], major=5)
    assert selectors.shipment_block_reason(order=order)
    # a later passing final inspection of the same scope (after rework) decides
    final(order, people["qc"], major=1)
    assert selectors.shipment_block_reason(order=order) is None

    # a failed line inspection blocks; cancelling it as a record made in error lifts the block
    line = order.lines.get(line_no=1)
    on_line = final(order, people["qc"], lot=100, line=line, major=9)
    reason = selectors.shipment_block_reason(order=order)
    assert reason and "line 1" in reason
    with pytest.raises(ValidationFailed):
        inspection_cancel(inspection=on_line, actor=people["qc"], reason="")
    inspection_cancel(inspection=on_line, actor=people["qc"], reason="录错批次")
    assert selectors.shipment_block_reason(order=order) is None
    assert Inspection.objects.get(pk=failed.pk).status == InspectionStatus.FAILED  # superseded, not changed


def test_first_article_and_inline_failures_do_not_block_shipment_nor_take_a_concession(people, order):
    inline = final(order, people["qc"], stage="inline", major=10)
    assert inline.status == InspectionStatus.FAILED
    assert selectors.shipment_block_reason(order=order) is None
    assert not FollowupException.objects.filter(order=order).exists()
    with pytest.raises(TransitionError):
        inspection_concede(inspection=inline, actor=people["sup"], reason="x")


def test_only_qc_records_inspections(people, order):
    for who in ("m1", "tech", "sup", "planner"):
        with pytest.raises(PermissionDeniedError):
            final(order, people[who])
    with pytest.raises(PermissionDeniedError):
        final(order, people["auditor"])
    assert not Inspection.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"lot": 0}, "lot_size"),
        ({"lot": 310}, "lot_size"),  # 300 ordered + 3 % → at most 309
        ({"stage": "midway"}, "stage"),
        ({"aql_major": "3.0"}, "aql_major"),
        ({"major": -1}, "major_found"),
        ({"major": ""}, "major_found"),
        ({"inspected_on": "2026-12-31"}, "inspected_on"),
        ({"level": "IV"}, "level"),
        (
            {"lot": 5, "aql_major": "10", "aql_minor": "", "aql_critical": ""},
            "aql_major",
        ),  # no plan in the table
    ],
)
def test_bad_input_is_refused_field_by_field_and_nothing_is_saved(people, order, overrides, field):
    kwargs = {
        "major": overrides.pop("major", 0),
        "lot": overrides.pop("lot", 300),
        "stage": overrides.pop("stage", "final"),
    }
    with pytest.raises(ValidationFailed) as info:
        final(order, people["qc"], **kwargs, **overrides)
    assert field in info.value.fields
    assert not Inspection.objects.exists()


def test_a_line_lot_is_limited_by_the_line_quantity(people, order):
    line = order.lines.get(line_no=1)  # 100 + 3 % → 103
    with pytest.raises(ValidationFailed) as info:
        final(order, people["qc"], lot=104, line=line)
    assert "lot_size" in info.value.fields
    assert final(order, people["qc"], lot=103, line=line).lot_size == 103


def test_draft_orders_are_not_inspected(people, customer, product):
    from gendan.orders.services import order_create
    from tests.factories import order_payload

    with today(DAY):
        draft = order_create(actor=people["m1"], data=order_payload(customer, product, customer_po="PO-Q"))
    assert draft.status == OrderStatus.DRAFT
    # QC does not even see orders before review; an administrator sees it, and is refused by the status
    with pytest.raises(NotFoundError):
        final(draft, people["qc"], lot=10)
    with pytest.raises(TransitionError) as info:
        final(draft, people["admin"], lot=10)
    assert info.value.code == "order_not_inspectable"


def test_scope_a_merchandiser_sees_only_their_orders_inspections(people, order, other_order):
    mine = final(order, people["qc"])
    theirs = final(other_order, people["qc"])
    assert list(selectors.inspection_visible_list(user=people["m1"])) == [mine]
    assert list(selectors.inspection_visible_list(user=people["m3"])) == [theirs]
    with pytest.raises(NotFoundError):
        selectors.inspection_get(user=people["m2"], pk=mine.pk)
    assert {i.pk for i in selectors.inspection_visible_list(user=people["qc"])} == {mine.pk, theirs.pk}
    assert {i.pk for i in selectors.inspection_visible_list(user=people["sup"])} == {mine.pk}


def test_transition_table_allowed_and_forbidden():
    assert INSPECTION_TRANSITIONS["concede"].sources == frozenset({"failed"})
    assert "passed" not in INSPECTION_TRANSITIONS["concede"].sources
    assert "cancelled" not in INSPECTION_TRANSITIONS["cancel"].sources
    assert "merchandiser" not in INSPECTION_TRANSITIONS["concede"].roles
