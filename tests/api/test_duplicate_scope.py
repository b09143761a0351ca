"""Issue 21 item 6: a duplicate customer PO on an order outside the caller's scope is refused without naming
that order (message and `extra`), even as a "deliberate repeat", and the attempt is on the audit log; a
duplicate the caller can see is still named as before.

Given: a customer handled by m2 (so m2 may take its orders in), and one of its orders assigned by the
supervisor to m1 — m1's order, which m2 gets 404 for."""

import json

import pytest

from gendan.core.errors import ApplicationError
from gendan.core.models import AuditLog
from gendan.orders.models import Order
from gendan.orders.services import order_create, order_create_many, order_update
from tests.factories import CustomerFactory, order_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(people, product):
    customer = CustomerFactory(merchandiser=people["m2"])
    hidden = order_create(
        actor=people["sup"],
        data=order_payload(customer, product, customer_po="PO-SHARED", merchandiser=people["m1"].username),
    )
    assert hidden.merchandiser == people["m1"]
    return customer, hidden


def _refusals() -> list[AuditLog]:
    return list(AuditLog.objects.filter(action=AuditLog.Action.SCOPE_REFUSED, what="duplicate_po"))


def _no_number(error: dict | ApplicationError, number: str) -> None:
    text = json.dumps(error if isinstance(error, dict) else error.as_dict(), ensure_ascii=False)
    assert number not in text


@pytest.mark.parametrize("confirm_repeat", [False, True])
def test_service_out_of_scope_duplicate_names_no_order(people, product, shared, confirm_repeat):
    customer, hidden = shared
    before = Order.objects.count()
    extra = {"confirm_repeat": True, "repeat_reason": "追加"} if confirm_repeat else {}
    # when m2 takes the same PO in, alone and in a batch
    with pytest.raises(ApplicationError) as single:
        order_create(
            actor=people["m2"], data=order_payload(customer, product, customer_po="po-shared", **extra)
        )
    with pytest.raises(ApplicationError) as batch:
        order_create_many(
            actor=people["m2"],
            rows=[
                order_payload(customer, product, customer_po="OTHER-1"),
                order_payload(customer, product, customer_po="PO-SHARED", **extra),
            ],
        )
    # then both are refused, naming the field but no order, and nothing was saved
    assert single.value.code == batch.value.code == "duplicate_po_out_of_scope"
    assert single.value.status == 409
    assert "Ask your supervisor" in single.value.message
    assert single.value.extra["fields"] == {"customer_po": ["Duplicate customer PO number."]}
    assert list(batch.value.extra["fields"]) == ["orders.1.customer_po"]
    assert batch.value.message.startswith("Order 2:")
    for error in (single.value, batch.value):
        _no_number(error, hidden.number)
        assert "duplicates" not in error.extra
    assert Order.objects.count() == before
    # and each attempt is on the audit log, with the order it hit (for the auditor)
    rows = _refusals()
    assert len(rows) == 2
    assert {r.actor for r in rows} == {people["m2"]}
    assert all(r.data["orders"] == [hidden.number] and r.data["customer_po"] == "PO-SHARED" for r in rows[:1])


def test_service_edit_onto_an_out_of_scope_po_is_refused(people, product, shared):
    customer, hidden = shared
    mine = order_create(actor=people["m2"], data=order_payload(customer, product, customer_po="MINE-1"))
    with pytest.raises(ApplicationError) as exc:
        order_update(
            order=mine,
            actor=people["m2"],
            version=mine.version,
            data=order_payload(customer, product, customer_po="PO-SHARED"),
        )
    assert exc.value.code == "duplicate_po_out_of_scope"
    _no_number(exc.value, hidden.number)
    mine.refresh_from_db()
    assert mine.customer_po == "MINE-1"
    assert len(_refusals()) == 1


def test_service_in_scope_duplicate_still_names_the_order(people, product, shared):
    customer, hidden = shared
    # the supervisor (m1's and m2's lead) sees the order: it is named, as before
    with pytest.raises(ApplicationError) as exc:
        order_create(actor=people["sup"], data=order_payload(customer, product, customer_po="PO-SHARED"))
    assert exc.value.code == "duplicate_po"
    assert exc.value.extra["duplicates"] == [hidden.number]
    assert hidden.number in exc.value.message
    # and a deliberate repeat is accepted
    again = order_create(
        actor=people["sup"],
        data=order_payload(
            customer, product, customer_po="PO-SHARED", confirm_repeat=True, repeat_reason="追加"
        ),
    )
    assert again.pk
    assert _refusals() == []


def test_api_out_of_scope_duplicate_names_no_order(api, people, product, shared):
    customer, hidden = shared
    assert api("m2").get(f"/orders/{hidden.pk}").status_code == 404
    before = Order.objects.count()
    response = api("m2").post("/orders", order_payload(customer, product, customer_po="PO-SHARED"))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "duplicate_po_out_of_scope"
    assert set(body) == {"message", "code", "extra"}
    _no_number(body, hidden.number)
    batch = api("m2").post(
        "/orders/batch", {"orders": [order_payload(customer, product, customer_po="PO-SHARED")]}
    )
    assert batch.status_code == 409
    _no_number(batch.json(), hidden.number)
    assert Order.objects.count() == before
    assert len(_refusals()) == 2


def test_api_in_scope_duplicate_names_the_order(api, people, product, shared):
    customer, hidden = shared
    response = api("sup").post("/orders", order_payload(customer, product, customer_po="PO-SHARED"))
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_po"
    assert response.json()["extra"]["duplicates"] == [hidden.number]
    assert _refusals() == []
