"""Outsourcing rules: each transition allowed and forbidden, quantities that cannot be exceeded, numbers,
deductions, the overdue scan's edges, scope."""

import datetime as dt
from decimal import Decimal

import pytest

from gendan.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    TransitionError,
    ValidationFailed,
)
from gendan.followup.models import FollowupException
from gendan.orders.models import OrderEvent
from gendan.outsourcing import selectors, services
from gendan.outsourcing.models import OutsourcingOrder, OutsourcingStatus
from gendan.parties.models import Supplier
from tests.outsourcing.conftest import frozen

D = dt.date
SENT_ON = D(2026, 11, 28)
BACK_ON = D(2026, 12, 1)


def new_oo(order, actor, sub, **data):
    values = {
        "subcontractor": sub.pk,
        "process": "embroidery",
        "quantity": "100",
        "unit_price": "0.80",
        "due_date": "2026-12-10",
        **data,
    }
    with frozen(D(2026, 11, 27)):
        return services.outsourcing_order_create(order=order, actor=actor, data=values)


def issued(order, actor, sub, **data):
    oo = new_oo(order, actor, sub, **data)
    with frozen(D(2026, 11, 27)):
        return services.outsourcing_order_issue(outsourcing_order=oo, actor=actor)


def send(oo, actor, quantity, day=SENT_ON):
    with frozen(day):
        return services.outsourcing_dispatch_record(
            outsourcing_order=oo, actor=actor, data={"quantity": quantity}
        )


def back(oo, actor, quantity, defective="0", day=BACK_ON, **extra):
    with frozen(day):
        return services.outsourcing_return_record(
            outsourcing_order=oo,
            actor=actor,
            data={"quantity_returned": quantity, "quantity_defective": defective, **extra},
        )


def test_numbers_are_gap_free_and_cancelled_drafts_keep_theirs(people, order, printer):
    first = new_oo(order, people["m1"], printer)
    with frozen(D(2026, 11, 27)):
        services.outsourcing_order_cancel(outsourcing_order=first, actor=people["m1"], reason="重复")
    second = new_oo(order, people["m1"], printer)
    assert (first.number, second.number) == ("WX2026-000001", "WX2026-000002")
    assert OutsourcingOrder.objects.get(pk=first.pk).status == OutsourcingStatus.CANCELLED


def test_amount_is_quantity_times_price_rounded_half_up(people, order, printer):
    oo = new_oo(order, people["m1"], printer, quantity="333", unit_price="0.0125")  # 4.1625
    assert oo.amount == Decimal("4.16")
    oo = new_oo(order, people["m1"], printer, quantity="3", unit_price="0.0125")  # 0.0375
    assert oo.amount == Decimal("0.04")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "-5"}, "quantity"),
        ({"unit_price": "-0.1"}, "unit_price"),
        ({"unit_price": ""}, "unit_price"),
        ({"process": "welding"}, "process"),
        ({"due_date": "2026-01-01"}, "due_date"),  # before the order date
        ({"subcontractor": ""}, "subcontractor"),
        ({"order_line": "999999"}, "order_line"),
    ],
)
def test_bad_outsourcing_orders_are_refused_by_field(people, order, printer, data, field):
    with pytest.raises(ValidationFailed) as info:
        new_oo(order, people["m1"], printer, **data)
    assert field in info.value.fields
    assert not OutsourcingOrder.objects.exists()


def test_a_material_supplier_or_an_inactive_subcontractor_is_not_a_subcontractor(people, order, printer):
    fabric = Supplier.objects.create(code="S01", name="面料行", kind=Supplier.Kind.SUPPLIER)
    with pytest.raises(ValidationFailed) as info:
        new_oo(order, people["m1"], fabric)
    assert "subcontractor" in info.value.fields
    printer.is_active = False
    printer.save()
    with pytest.raises(ValidationFailed):
        new_oo(order, people["m1"], printer)


def test_issue_allowed_from_draft_only(people, order, printer):
    oo = issued(order, people["m1"], printer)
    assert oo.status == OutsourcingStatus.ISSUED and oo.issued_by == people["m1"]
    with frozen(D(2026, 11, 27)), pytest.raises(TransitionError):
        services.outsourcing_order_issue(outsourcing_order=oo, actor=people["m1"])


def test_who_may_write(people, order, printer):
    for who in ("qc", "auditor", "sales", "finance"):
        with pytest.raises((PermissionDeniedError, NotFoundError)):
            new_oo(order, people[who], printer)
    oo = issued(order, people["planner"], printer)  # the planner may place outsourcing orders
    send(oo, people["m1"], "100")
    # QC (a reviewer) receives returns, but may not send goods out
    back(oo, people["qc"], "10")
    with pytest.raises(PermissionDeniedError):
        send(oo, people["qc"], "1")


def test_dispatch_and_return_quantities_are_bounded(people, order, printer):
    oo = issued(order, people["m1"], printer)
    # nothing can come back before something was sent
    with pytest.raises(ValidationFailed) as info:
        back(oo, people["m1"], "1")
    assert "quantity_returned" in info.value.fields
    send(oo, people["m1"], "60")
    with pytest.raises(ValidationFailed) as info:
        send(oo, people["m1"], "41")  # 100 ordered, 60 sent
    assert "quantity" in info.value.fields
    with pytest.raises(ValidationFailed) as info:
        back(oo, people["m1"], "61")  # only 60 at the subcontractor
    assert "quantity_returned" in info.value.fields
    with pytest.raises(ValidationFailed) as info:
        back(oo, people["m1"], "10", defective="11")
    assert "quantity_defective" in info.value.fields
    with pytest.raises(ValidationFailed) as info:
        back(oo, people["m1"], "10", day=D(2026, 11, 27))  # before the goods left
    assert "returned_on" in info.value.fields
    with pytest.raises(ValidationFailed) as info:
        send(oo, people["m1"], "1", day=D(2026, 11, 26))  # before the order was issued
    assert "dispatched_on" in info.value.fields
    with frozen(D(2026, 11, 28)), pytest.raises(ValidationFailed) as info:
        services.outsourcing_dispatch_record(
            outsourcing_order=oo, actor=people["m1"], data={"quantity": "1", "dispatched_on": "2026-11-29"}
        )
    assert "dispatched_on" in info.value.fields  # not ahead of today
    with pytest.raises(ValidationFailed) as info:
        back(oo, people["m1"], "10", deduction_amount="8.01")  # more than the fee of 10 × 0.80
    assert "deduction_amount" in info.value.fields
    oo.refresh_from_db()
    assert (oo.quantity_dispatched, oo.quantity_returned, oo.status) == (60, 0, OutsourcingStatus.ISSUED)


def test_status_follows_the_quantities_and_close_short_needs_a_note(people, order, printer):
    oo = issued(order, people["m1"], printer)
    send(oo, people["m1"], "100")
    back(oo, people["m1"], "40", defective="4")
    oo.refresh_from_db()
    assert oo.status == OutsourcingStatus.PARTIALLY_RETURNED
    back(oo, people["m1"], "30")
    oo.refresh_from_db()
    assert (oo.status, oo.quantity_returned, oo.quantity_defective) == (
        OutsourcingStatus.PARTIALLY_RETURNED,
        70,
        4,
    )
    # closing short needs a note
    with frozen(D(2026, 12, 2)), pytest.raises(ValidationFailed):
        services.outsourcing_order_close(outsourcing_order=oo, actor=people["m1"], note="")
    # cancelling is refused once goods left
    with frozen(D(2026, 12, 2)), pytest.raises(TransitionError) as info:
        services.outsourcing_order_cancel(outsourcing_order=oo, actor=people["m1"], reason="x")
    assert info.value.code == "already_dispatched"
    with frozen(D(2026, 12, 2)):
        oo = services.outsourcing_order_close(
            outsourcing_order=oo, actor=people["m1"], note="30 件加工厂遗失，另行赔偿"
        )
    assert oo.status == OutsourcingStatus.CLOSED
    # nothing moves on a closed order
    with pytest.raises(TransitionError):
        back(oo, people["m1"], "1", day=D(2026, 12, 3))
    event = oo.events.filter(type="transition", to_status="closed").get()
    assert event.data["short"] is True


def test_close_is_forbidden_before_anything_returned_and_a_draft_cannot_receive(people, order, printer):
    draft = new_oo(order, people["m1"], printer)
    with pytest.raises(TransitionError):
        send(draft, people["m1"], "1")
    oo = issued(order, people["m1"], printer)
    with frozen(D(2026, 11, 27)), pytest.raises(TransitionError):
        services.outsourcing_order_close(outsourcing_order=oo, actor=people["m1"], note="x")


def test_only_drafts_are_edited_and_stale_edits_are_refused(people, order, printer, embroiderer):
    oo = new_oo(order, people["m1"], printer)
    with frozen(D(2026, 11, 27)):
        oo = services.outsourcing_order_update(
            outsourcing_order=oo,
            actor=people["m1"],
            version=oo.version,
            data={
                "subcontractor": embroiderer.code,
                "process": "embroidery",
                "quantity": "50",
                "unit_price": "2",
                "due_date": "2026-12-05",
            },
        )
    assert (oo.subcontractor, oo.amount, oo.version) == (embroiderer, Decimal("100.00"), 2)
    with frozen(D(2026, 11, 27)), pytest.raises(ConflictError):
        services.outsourcing_order_update(outsourcing_order=oo, actor=people["m1"], version=1, data={})
    with frozen(D(2026, 11, 27)):
        services.outsourcing_order_issue(outsourcing_order=oo, actor=people["m1"])
    with frozen(D(2026, 11, 27)), pytest.raises(TransitionError):
        services.outsourcing_order_update(
            outsourcing_order=oo, actor=people["m1"], version=3, data={"unit_price": "0.01"}
        )


def test_the_scan_skips_returned_and_watches_a_new_due_date_again(people, order, printer):
    oo = issued(order, people["m1"], printer, due_date="2026-12-05")
    send(oo, people["m1"], "100")
    assert services.outsourcing_overdue_scan(today=D(2026, 12, 6))["raised"] == 1
    # a new due date agreed with the subcontractor: watched again, raised again once it passes
    with frozen(D(2026, 12, 6)):
        services.outsourcing_order_due_date_change(
            outsourcing_order=oo, actor=people["m1"], due_date="2026-12-09", reason="加工厂停电"
        )
    assert services.outsourcing_overdue_scan(today=D(2026, 12, 8))["raised"] == 0
    assert services.outsourcing_overdue_scan(today=D(2026, 12, 10))["raised"] == 1
    assert FollowupException.objects.filter(order=order).count() == 2
    # all back: nothing more to raise
    back(oo, people["m1"], "100", day=D(2026, 12, 10))
    assert services.outsourcing_overdue_scan(today=D(2026, 12, 30))["checked"] == 0


def test_the_scan_falls_back_to_a_timeline_event_when_the_exception_is_refused(people, order, printer):
    # Given the outsourcing order was placed by someone who since lost sight of the order
    oo = issued(order, people["planner"], printer, due_date="2026-12-05")
    send(oo, people["m1"], "50")
    people["planner"].groups.clear()
    # When the scan runs, follow-up refuses the exception (role/scope): the fact still reaches the timeline
    counts = services.outsourcing_overdue_scan(today=D(2026, 12, 7))
    assert counts["raised"] == 1 and counts["via_event"] == 1
    event = order.events.get(type=OrderEvent.Type.OUTSOURCING_OVERDUE)
    assert oo.number in event.note and event.data["followup_refused"]
    assert services.outsourcing_overdue_scan(today=D(2026, 12, 7))["raised"] == 0


def test_plan_items(people, order, printer):
    with frozen(D(2026, 11, 27)):
        item = services.plan_item_create(
            order=order,
            actor=people["m1"],
            data={
                "process": "washing",
                "subcontractor": printer.code,
                "order_line": order.lines.get(line_no=2).pk,
                "quantity": "200",
                "planned_send_date": "2026-12-01",
                "planned_return_date": "2026-12-04",
            },
        )
        with pytest.raises(ValidationFailed) as info:
            services.plan_item_create(
                order=order,
                actor=people["m1"],
                data={
                    "process": "washing",
                    "subcontractor": printer.pk,
                    "quantity": "200",
                    "planned_send_date": "2026-12-05",
                    "planned_return_date": "2026-12-04",
                },
            )
        assert "planned_return_date" in info.value.fields
        # an outsourcing order from the plan takes its subcontractor, line, quantity and return date
        oo = services.outsourcing_order_create(
            order=order, actor=people["m1"], data={"plan_item": item.pk, "unit_price": "0.5"}
        )
    assert (oo.process, oo.order_line.line_no, oo.quantity, oo.due_date, oo.amount) == (
        "washing",
        2,
        Decimal("200"),
        D(2026, 12, 4),
        Decimal("100.00"),
    )
    (row,) = selectors.plan_items_for_order(order=order)
    assert row.ordered_quantity == Decimal("200")
    with frozen(D(2026, 11, 27)):
        services.plan_item_cancel(item=item, actor=people["m1"])
    assert list(selectors.plan_items_for_order(order=order)) == []


def test_scope_other_merchandisers_see_nothing(people, order, other_order, printer):
    mine = issued(order, people["m1"], printer)
    theirs = issued(other_order, people["m3"], printer)
    send(mine, people["m1"], "100")
    send(theirs, people["m3"], "100")
    back(mine, people["m1"], "100", defective="1")
    back(theirs, people["m3"], "100", defective="50")
    # lists
    assert list(selectors.outsourcing_order_visible_list(user=people["m1"])) == [mine]
    assert list(selectors.outsourcing_order_visible_list(user=people["m2"])) == []
    with pytest.raises(NotFoundError):
        selectors.outsourcing_order_get(user=people["m2"], pk=mine.pk)
    # writes on someone else's outsourcing order look like a missing one
    with pytest.raises(NotFoundError):
        back(theirs, people["m1"], "1")
    # the statement of the shared subcontractor holds only the user's orders
    statement = selectors.fee_statement(user=people["m1"], subcontractor=printer, year=2026, month=12)
    assert [r.number for r in statement.rows] == [mine.number]
    assert statement.total_net == Decimal("79.20")  # 100 × 0.80 − 1 × 0.80
    whole = selectors.fee_statement(user=people["gm"], subcontractor=printer, year=2026, month=12)
    assert sorted(r.number for r in whole.rows) == sorted([mine.number, theirs.number])
    # and so does the scorecard
    (card,) = selectors.subcontractor_scorecard(
        user=people["m1"], date_from=D(2026, 12, 1), date_to=D(2026, 12, 31), today=D(2026, 12, 31)
    )
    assert (card.quantity_defective, card.defect_rate) == (1, Decimal("1.00"))
