import datetime as dt
from decimal import Decimal

import pytest

from gendan.core.errors import NotFoundError, TransitionError, ValidationFailed
from gendan.orders.models import OrderEvent, OrderStatus
from gendan.shipping.services import shipment_create, shipment_receive
from gendan.visits.models import ReturnVisit, VisitStatus
from gendan.visits.selectors import (
    satisfaction_by_customer,
    satisfaction_by_merchandiser,
    visit_list,
    visits_due,
)
from gendan.visits.services import visit_record
from tests.factories import CustomerFactory
from tests.q2c import order_in_production, shipment_payload, today

DAY = dt.date(2026, 12, 10)


def delivered(people, customer, product, by="m1", po="PO-1"):
    """An order shipped in full and signed for: its return visit falls due 7 days later."""
    order = order_in_production(people, customer, product, by=by, customer_po=po)
    with today(DAY):
        shipment = shipment_create(
            order=order, actor=people[by], data=shipment_payload(order, {1: "100", 2: "200"}, ship_date=DAY)
        )
        shipment_receive(shipment=shipment, actor=people[by], received_on=DAY)
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    return ReturnVisit.objects.get(order=order)


SCORES = {"score_quality": "5", "score_delivery": "4", "score_service": "4", "score_communication": "3"}


def test_a_visit_falls_due_after_delivery_and_is_recorded(people, customer, product):
    visit = delivered(people, customer, product)
    assert (visit.status, visit.delivered_on, visit.due_on) == (
        VisitStatus.DUE,
        DAY,
        DAY + dt.timedelta(days=7),
    )
    assert not visits_due(user=people["m1"], as_of=DAY + dt.timedelta(days=6)).exists()
    assert list(visits_due(user=people["m1"], as_of=DAY + dt.timedelta(days=7))) == [visit]
    with today(DAY + dt.timedelta(days=8)):
        done = visit_record(visit=visit, actor=people["m1"], data={"visited_on": "2026-12-18", **SCORES})
    assert done.status == VisitStatus.DONE and done.average == Decimal("4.00")
    assert done.order.events.filter(type=OrderEvent.Type.RETURN_VISIT_DONE).exists()
    with today(DAY + dt.timedelta(days=8)), pytest.raises(TransitionError):
        visit_record(visit=visit, actor=people["m1"], data={"visited_on": "2026-12-18", **SCORES})


def test_scores_must_be_one_to_five_and_low_scores_need_a_comment(people, customer, product):
    visit = delivered(people, customer, product)
    with today(DAY + dt.timedelta(days=8)):
        with pytest.raises(ValidationFailed) as exc:
            visit_record(
                visit=visit,
                actor=people["m1"],
                data={
                    "visited_on": "2026-12-09",
                    "score_quality": "0",
                    "score_delivery": "6",
                    "score_service": "x",
                },
            )
        assert {
            "visited_on",
            "score_quality",
            "score_delivery",
            "score_service",
            "score_communication",
        } <= set(exc.value.fields)
        with pytest.raises(ValidationFailed) as exc:
            visit_record(
                visit=visit,
                actor=people["m1"],
                data={"visited_on": "2026-12-18", **SCORES, "score_delivery": "2"},
            )
        assert "comments" in exc.value.fields
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DUE and visit.score_quality is None


def test_averages_per_customer_and_per_merchandiser_within_scope(people, customer, product):
    first = delivered(people, customer, product)
    second_customer = CustomerFactory(merchandiser=people["m1"], salesperson=people["sales"])
    second = delivered(people, second_customer, product, po="PO-2")
    third = delivered(people, CustomerFactory(merchandiser=people["m2"]), product, by="m2", po="PO-3")
    with today(DAY + dt.timedelta(days=8)):
        visit_record(visit=first, actor=people["m1"], data={"visited_on": "2026-12-18", **SCORES})
        visit_record(
            visit=second,
            actor=people["m1"],
            data={
                "visited_on": "2026-12-18",
                "score_quality": "2",
                "score_delivery": "3",
                "score_service": "4",
                "score_communication": "5",
                "comments": "有线头",
            },
        )
        visit_record(visit=third, actor=people["m2"], data={"visited_on": "2026-12-18", **SCORES})
    by_merchandiser = {
        row["merchandiser"].username: row for row in satisfaction_by_merchandiser(user=people["sup"])
    }
    assert set(by_merchandiser) == {"m1", "m2"}
    m1 = by_merchandiser["m1"]
    assert (m1["visits"], m1["score_quality"], m1["score_communication"], m1["overall"]) == (
        2,
        Decimal("3.50"),
        Decimal("4.00"),
        Decimal("3.75"),
    )
    by_customer = {row["customer"]: row for row in satisfaction_by_customer(user=people["m1"])}
    assert set(by_customer) == {customer, second_customer}  # m2's customer is out of m1's scope
    assert by_customer[second_customer]["overall"] == Decimal("3.50")
    assert {v.order.customer for v in visit_list(user=people["m2"])} == {third.customer}
    with pytest.raises(NotFoundError):
        visit_record(visit=third, actor=people["m1"], data={"visited_on": "2026-12-18", **SCORES})
