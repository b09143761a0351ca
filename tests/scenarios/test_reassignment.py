"""Permanent reassignment (issue 14 item 3): m1 resigns; the supervisor sees the handover checklist of
everything open on m1's orders and customers, reassigns them to m2 for good; both timelines and inboxes say
so, m2 sees and finishes the orders (to closed, the ledger reconciled), m1 no longer sees them."""

import datetime as dt
from decimal import Decimal

import pytest

from gendan.accounts.models import Delegation
from gendan.accounts.services import api_token_create
from gendan.complaints.services import complaint_register
from gendan.followup.models import FollowupException
from gendan.followup.services import exception_raise
from gendan.ledger.selectors import ledger_reconcile
from gendan.ledger.services import invoice_create, payment_record
from gendan.notify.models import Notification
from gendan.orders.models import Order, OrderEvent, OrderStatus
from gendan.orders.selectors import order_visible_list
from gendan.orders.services import order_create
from gendan.parties.models import Customer
from gendan.reassignments.models import Reassignment
from gendan.reassignments.selectors import handover_checklist
from gendan.shipping.services import sample_dispatch_create, shipment_create, shipment_receive
from tests.api.conftest import ApiClient
from tests.factories import order_payload
from tests.q2c import ORDER_DATE, order_in_production, shipment_payload, today

pytestmark = pytest.mark.django_db

DAY1 = dt.date(2026, 12, 10)


def client_of(user) -> ApiClient:
    _token, key = api_token_create(user=user, name=f"test {user.username}")
    return ApiClient(key)


def test_resignation_hands_orders_and_customers_over_for_good(people, customer, product):
    m1, m2, sup, finance = people["m1"], people["m2"], people["sup"], people["finance"]
    # given m1's order in production with a shipment on the road, an open exception, a complaint, an open
    # invoice; a draft order; a sample awaiting the customer's feedback
    order = order_in_production(people, customer, product)
    with today(DAY1):
        shipment = shipment_create(
            order=order, actor=m1, data=shipment_payload(order, {1: "100"}, ship_date=DAY1)
        )
        exception = exception_raise(order=order, actor=m1, type="schedule", title="印花延误")
        invoice = invoice_create(
            actor=finance, data={"invoice_date": "2026-12-10", "shipments": [shipment.pk]}
        )
        sample_dispatch_create(
            actor=m1,
            data={
                "customer": customer.code,
                "description": "春季新色样",
                "sample_type": "approval",
                "quantity": "2",
                "sent_on": "2026-12-09",
                "courier": "顺丰",
                "tracking_number": "SF123",
            },
        )
        complaint_register(
            actor=m1,
            data={"order": order.pk, "type": "quality", "description": "线头多", "received_on": "2026-12-10"},
        )
        draft = order_create(actor=m1, data=order_payload(customer, product, customer_po="PO-DRAFT"))
    assert exception.owner == m1

    # when the supervisor previews the handover checklist (API and page)
    response = client_of(sup).get("/reassignments/checklist", from_id=m1.pk)
    assert response.status_code == 200, response.content
    checklist = response.json()
    counts = checklist["counts"]
    assert counts["orders"] == 2 and counts["customers"] == 1
    assert counts["exceptions"] == 1 and counts["shipments"] == 1 and counts["samples"] == 1
    assert counts["complaints"] == 1 and counts["receivables"] == 1
    assert counts["milestones"] >= 1  # the T&A plan generated on release
    assert checklist["receivables"][0]["number"] == invoice.number
    # m1's peer of another team's supervisor cannot even see the checklist
    assert client_of(people["sup2"]).get("/reassignments/checklist", from_id=m1.pk).status_code == 404
    assert client_of(m1).get("/reassignments/checklist", from_id=m1.pk).status_code == 404

    # and reassigns everything to m2
    response = client_of(sup).post("/reassignments", {"from_id": m1.pk, "to_id": m2.pk, "reason": "离职交接"})
    assert response.status_code == 201, response.content
    reassignment = Reassignment.objects.get(pk=response.json()["id"])
    assert sorted(reassignment.order_ids) == sorted([order.pk, draft.pk])
    assert reassignment.checklist["counts"]["shipments"] == 1

    # then both orders are m2's, each timeline shows from whom to whom, the customer's default is m2
    for moved in (order, draft):
        moved.refresh_from_db()
        assert moved.merchandiser == m2
        event = moved.events.get(type=OrderEvent.Type.REASSIGNED)
        assert (event.data["from"], event.data["to"], event.actor) == (m1.pk, m2.pk, sup)
        assert event.note == "离职交接" and event.data["reassignment"] == reassignment.pk
    assert Customer.objects.get(pk=customer.pk).merchandiser == m2
    # the open exception and the milestones m1 owned are m2's now
    assert FollowupException.objects.get(pk=exception.pk).owner == m2
    # both are told
    assert Notification.objects.filter(recipient=m2, kind="reassignment.received").count() == 1
    assert Notification.objects.filter(recipient=m1, kind="reassignment.given").count() == 1
    # m2 sees the orders, m1 no longer does: through the scoped selector and the API (404)
    assert set(order_visible_list(user=m2).values_list("pk", flat=True)) >= {order.pk, draft.pk}
    assert not order_visible_list(user=m1).filter(pk__in=[order.pk, draft.pk]).exists()
    assert client_of(m2).get(f"/orders/{order.pk}").status_code == 200
    assert client_of(m1).get(f"/orders/{order.pk}").status_code == 404
    # both can read the reassignment; another team's merchandiser cannot
    assert client_of(m1).get(f"/reassignments/{reassignment.pk}").status_code == 200
    assert client_of(people["m3"]).get(f"/reassignments/{reassignment.pk}").status_code == 404

    # and a handover (Delegation) from m2 back to m1 would let m1 see them again: scope as documented
    Delegation.objects.create(
        owner=m2, substitute=m1, starts_on=DAY1, ends_on=DAY1 + dt.timedelta(days=5), approved=True
    )
    with today(DAY1):
        assert order_visible_list(user=m1).filter(pk=order.pk).exists()
    Delegation.objects.all().delete()

    # m2 finishes the order: ships the rest, the customer signs and pays → closed
    day2 = dt.date(2026, 12, 15)
    with today(day2):
        second = shipment_create(
            order=order, actor=m2, data=shipment_payload(order, {2: "200"}, ship_date=day2)
        )
        shipment_receive(shipment=shipment, actor=m2, received_on="2026-12-13")
        shipment_receive(shipment=second, actor=m2, received_on="2026-12-15")
        rest = invoice_create(actor=finance, data={"invoice_date": "2026-12-15", "shipments": [second.pk]})
        payment_record(
            actor=finance,
            data={
                "received_on": "2026-12-15",
                "allocations": [
                    {"invoice": invoice.pk, "amount": str(invoice.total_amount)},
                    {"invoice": rest.pk, "amount": str(rest.total_amount)},
                ],
            },
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED
    assert invoice.total_amount + rest.total_amount == Decimal("2850.00")  # 100 × 12.50 + 200 × 8.00
    result = ledger_reconcile()
    assert result.ok, result.problems


def test_refusals(people, customer, product, other_customer):
    m1, m2, m3, sup = people["m1"], people["m2"], people["m3"], people["sup"]
    with today(ORDER_DATE):
        order = order_create(actor=m1, data=order_payload(customer, product))
    api = client_of(sup)
    # to someone outside the supervisor's team: a field error
    response = api.post("/reassignments", {"from_id": m1.pk, "to_id": m3.pk, "reason": "调岗"})
    assert response.status_code == 400 and "to_id" in response.json()["extra"]["fields"]
    # to the same merchandiser
    response = api.post("/reassignments", {"from_id": m1.pk, "to_id": m1.pk, "reason": "调岗"})
    assert response.status_code == 400 and "to_id" in response.json()["extra"]["fields"]
    # an order that is not m1's open order
    response = api.post(
        "/reassignments", {"from_id": m1.pk, "to_id": m2.pk, "reason": "调岗", "order_ids": [order.pk + 999]}
    )
    assert response.status_code == 400 and "order_ids" in response.json()["extra"]["fields"]
    # another team's supervisor: m1 does not exist for them
    response = client_of(people["sup2"]).post(
        "/reassignments", {"from_id": m1.pk, "to_id": m2.pk, "reason": "x"}
    )
    assert response.status_code == 404
    # a merchandiser may not reassign at all
    response = client_of(m1).post("/reassignments", {"from_id": m1.pk, "to_id": m2.pk, "reason": "x"})
    assert response.status_code == 403
    assert not Reassignment.objects.exists()
    assert Order.objects.get(pk=order.pk).merchandiser == m1


def test_a_selection_moves_only_the_chosen_orders_and_customers(people, customer, product):
    m1, m2, sup = people["m1"], people["m2"], people["sup"]
    with today(ORDER_DATE):
        first = order_create(actor=m1, data=order_payload(customer, product, customer_po="A-1"))
        second = order_create(actor=m1, data=order_payload(customer, product, customer_po="A-2"))
    checklist = handover_checklist(user=sup, merchandiser=m1, order_ids=[first.pk])
    assert [o["number"] for o in checklist["orders"]] == [first.number]
    response = client_of(sup).post(
        "/reassignments",
        {"from_id": m1.pk, "to_id": m2.pk, "reason": "分担", "order_ids": [first.pk], "customer_ids": []},
    )
    assert response.status_code == 201, response.content
    assert Order.objects.get(pk=first.pk).merchandiser == m2
    assert Order.objects.get(pk=second.pk).merchandiser == m1
    assert Customer.objects.get(pk=customer.pk).merchandiser == m1
    assert not second.events.filter(type=OrderEvent.Type.REASSIGNED).exists()


def test_reassignment_page_preview_and_confirm(client, people, customer, product):
    m1, m2, sup = people["m1"], people["m2"], people["sup"]
    with today(ORDER_DATE):
        order = order_create(actor=m1, data=order_payload(customer, product))
    client.force_login(sup)
    page = client.get("/reassignments/", {"from_id": m1.pk})
    assert page.status_code == 200
    assert order.number in page.content.decode()
    response = client.post(
        "/reassignments/",
        {
            "from_id": m1.pk,
            "to_id": m2.pk,
            "reason": "离职",
            "order_ids": [order.pk],
            "customer_ids": [customer.pk],
        },
    )
    assert response.status_code == 302
    reassignment = Reassignment.objects.get()
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and order.number in detail.content.decode()
    assert Order.objects.get(pk=order.pk).merchandiser == m2
    # the order page's timeline shows the reassignment from m1 to m2
    timeline = client.get(f"/orders/{order.pk}/").content.decode()
    assert str(m1) in timeline and str(m2) in timeline
    # a merchandiser sees no form
    client.force_login(m1)
    assert (
        client.post("/reassignments/", {"from_id": m1.pk, "to_id": m2.pk, "reason": "x"}).status_code == 403
    )
    assert client.get(f"/reassignments/{reassignment.pk}/").status_code == 200  # their own handover
    client.force_login(people["m3"])
    assert client.get(f"/reassignments/{reassignment.pk}/").status_code == 404
