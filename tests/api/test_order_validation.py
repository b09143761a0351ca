"""SPEC §2.2 through POST /orders: every bad input is a 4xx naming the field, and nothing is saved — not
even a number drawn: the next valid order gets the next consecutive number."""

import pytest

from gendan.catalog.models import Product
from gendan.orders.models import Order, OrderEvent
from gendan.parties.models import Customer
from tests.api.conftest import table_counts
from tests.factories import CustomerFactory, ProductFactory, order_payload


def _line(payload, **changes):
    payload["lines"][0].update(changes)
    return payload


def _inactive_customer(payload, customer, product):
    inactive = CustomerFactory(merchandiser=customer.merchandiser, is_active=False)
    payload["customer"] = inactive.code
    return payload


def _inactive_product(payload, customer, product):
    inactive = ProductFactory(is_active=False)
    return _line(payload, product=inactive.code)


# name: (change to a valid payload, expected status, field named in extra.fields)
BAD_INPUT = {
    "quantity zero": (lambda p, c, pr: _line(p, quantity="0", sizes=None), 422, "lines.0.quantity"),
    "quantity negative": (lambda p, c, pr: _line(p, quantity=-5, sizes=None), 422, "lines.0.quantity"),
    "price negative": (lambda p, c, pr: _line(p, unit_price="-0.01"), 422, "lines.0.unit_price"),
    "tolerance over 100 %": (
        lambda p, c, pr: _line(p, tolerance_percent=101),
        422,
        "lines.0.tolerance_percent",
    ),
    "delivery before order date": (
        lambda p, c, pr: {**p, "order_date": "2026-11-27", "requested_date": "2026-11-26"},
        400,
        "requested_date",
    ),
    "unknown customer code": (lambda p, c, pr: {**p, "customer": "NO-SUCH"}, 400, "customer"),
    "unknown customer id": (lambda p, c, pr: {**p, "customer": 987654}, 400, "customer"),
    "inactive customer": (_inactive_customer, 400, "customer"),
    "sizes do not add up (text)": (lambda p, c, pr: _line(p, sizes="S:30 M:40 L:20"), 400, "lines.0.sizes"),
    "sizes do not add up (list)": (
        lambda p, c, pr: _line(p, sizes=[{"size": "S", "quantity": 50}, {"size": "M", "quantity": 49}]),
        400,
        "lines.0.sizes",
    ),
    "size breakdown unreadable": (lambda p, c, pr: _line(p, sizes="S30 M40"), 400, "lines.0.sizes"),
    "size repeated": (lambda p, c, pr: _line(p, sizes="S:50 S:50"), 400, "lines.0.sizes"),
    "size quantity a boolean": (
        lambda p, c, pr: _line(p, sizes=[{"size": "S", "quantity": True}]),
        400,
        "lines.0.sizes",
    ),
    "no lines": (lambda p, c, pr: {**p, "lines": []}, 400, "lines"),
    "lines missing": (lambda p, c, pr: {k: v for k, v in p.items() if k != "lines"}, 422, "lines"),
    "unknown product": (lambda p, c, pr: _line(p, product="NO-SUCH"), 400, "lines.0.product"),
    "inactive product": (_inactive_product, 400, "lines.0.product"),
    "product missing": (
        lambda p, c, pr: {**p, "lines": [{k: v for k, v in p["lines"][0].items() if k != "product"}]},
        422,
        "lines.0.product",
    ),
    "date in another format": (lambda p, c, pr: {**p, "order_date": "27/11/2026"}, 422, "order_date"),
    "date that does not exist": (
        lambda p, c, pr: {**p, "requested_date": "2026-02-30"},
        422,
        "requested_date",
    ),
    "date as a number": (lambda p, c, pr: {**p, "order_date": 1795708800}, 422, "order_date"),
    "date out of range": (
        lambda p, c, pr: {**p, "order_date": "2999-01-01", "requested_date": "2999-02-01"},
        400,
        "order_date",
    ),
    "huge quantity": (lambda p, c, pr: _line(p, quantity="1e20", sizes=None), 422, "lines.0.quantity"),
    "huge price": (lambda p, c, pr: _line(p, unit_price=10**15), 422, "lines.0.unit_price"),
    "line amount too large": (
        lambda p, c, pr: _line(p, quantity="99999999999", unit_price="9999999999", sizes=None),
        400,
        "lines.0.quantity",
    ),
    "too many decimal places": (lambda p, c, pr: _line(p, unit_price="1.23456"), 422, "lines.0.unit_price"),
    "huge customer id": (lambda p, c, pr: {**p, "customer": 2**64}, 422, "customer"),
    "boolean as quantity": (lambda p, c, pr: _line(p, quantity=True, sizes=None), 422, "lines.0.quantity"),
    "boolean as customer": (lambda p, c, pr: {**p, "customer": True}, 422, "customer"),
    "number as confirm_repeat": (lambda p, c, pr: {**p, "confirm_repeat": 1}, 422, "confirm_repeat"),
    "customer PO too long": (lambda p, c, pr: {**p, "customer_po": "X" * 51}, 422, "customer_po"),
    "customer PO blank": (lambda p, c, pr: {**p, "customer_po": "   "}, 400, "customer_po"),
    "unknown business type": (lambda p, c, pr: {**p, "business_type": "barter"}, 422, "business_type"),
    "unknown field": (lambda p, c, pr: {**p, "discount": "5"}, 422, "discount"),
    "merchandiser is not one": (lambda p, c, pr: {**p, "merchandiser": "planner"}, 400, "merchandiser"),
    "foreign customer without incoterm": (
        lambda p, c, pr: (Customer.objects.filter(pk=c.pk).update(is_foreign=True), p)[1],
        400,
        "incoterm",
    ),
    "repeat confirmed without reason": (lambda p, c, pr: {**p, "confirm_repeat": True}, 400, "repeat_reason"),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_order_is_refused_names_the_field_and_saves_nothing(case, api, customer, product):
    m1 = api("m1")
    # given one order already exists, so the counter stands at 1
    assert m1.post("/orders", order_payload(customer, product, customer_po="FIRST")).status_code == 201
    before = table_counts()
    change, status, field = BAD_INPUT[case]
    payload = change(order_payload(customer, product, customer_po="SECOND"), customer, product)

    # when the bad order is posted
    response = m1.post("/orders", payload)

    # then it is refused with the field named, in the {message, code, extra} shape
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == "validation_error" and body["message"]
    assert field in body["extra"]["fields"], body["extra"]["fields"]
    assert all(isinstance(m, str) and m for m in body["extra"]["fields"][field])
    # and nothing was saved, no number drawn
    assert table_counts() == before
    # and the next valid order gets the next consecutive number
    Customer.objects.filter(pk=customer.pk).update(is_foreign=False)
    response = m1.post("/orders", order_payload(customer, product, customer_po="THIRD"))
    assert response.status_code == 201, response.content
    assert response.json()["number"] == "SO2026-000002"


def test_all_errors_of_one_order_are_named_together(api, customer, product):
    # given an order with three independent mistakes the shared validation finds
    payload = {**order_payload(customer, product, requested_date="2026-01-01"), "customer": "NO-SUCH"}
    payload["lines"][0]["product"] = "NO-SUCH"
    # when it is posted
    response = api("m1").post("/orders", payload)
    # then all of them are reported at once
    assert response.status_code == 400
    assert {"customer", "requested_date", "lines.0.product"} <= set(response.json()["extra"]["fields"])
    assert Order.objects.count() == 0


def test_duplicate_customer_po_is_refused_then_accepted_as_a_deliberate_repeat(api, customer, product):
    m1 = api("m1")
    first = m1.post("/orders", order_payload(customer, product, customer_po="PO-77")).json()
    before = table_counts()

    # when the same customer PO is entered again (in another case: still the same PO)
    response = m1.post("/orders", order_payload(customer, product, customer_po="po-77"))
    # then 409 duplicate_po names the field and the existing order, and nothing is saved
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "duplicate_po"
    assert "customer_po" in body["extra"]["fields"]
    assert body["extra"]["duplicates"] == [first["number"]]
    assert table_counts() == before

    # when it is confirmed as a deliberate repeat with a reason
    response = m1.post(
        "/orders",
        order_payload(
            customer, product, customer_po="PO-77", confirm_repeat=True, repeat_reason="客户追加同款"
        ),
    )
    # then it is accepted with the next number, flagged, and the confirmation is on its timeline
    assert response.status_code == 201, response.content
    repeat = response.json()
    assert repeat["number"] == "SO2026-000002"
    assert repeat["is_repeat"] is True and repeat["repeat_reason"] == "客户追加同款"
    types = [e["type"] for e in m1.get(f"/orders/{repeat['id']}/events").json()]
    assert types == [OrderEvent.Type.CREATED, OrderEvent.Type.DUPLICATE_CONFIRMED]


def test_same_po_of_another_customer_is_not_a_duplicate(api, people, customer, product):
    second_customer = CustomerFactory(merchandiser=people["m1"])
    m1 = api("m1")
    assert m1.post("/orders", order_payload(customer, product, customer_po="PO-9")).status_code == 201
    response = m1.post("/orders", order_payload(second_customer, product, customer_po="PO-9"))
    assert response.status_code == 201, response.content
    assert response.json()["is_repeat"] is False


def test_decimals_as_strings_or_numbers_and_ids_or_codes(api, customer, product):
    # given quantities and prices as JSON numbers, the customer and product by id
    payload = order_payload(customer, product)
    payload["customer"] = customer.pk
    payload["lines"][0].update(product=product.pk, quantity=100, unit_price=12.5, sizes=None)
    payload["lines"].append({"product": product.code, "quantity": "0.5", "unit_price": "3.3333"})
    # when posted
    response = api("m1").post("/orders", payload)
    # then the amounts are exact decimals, rounded half up to the cent, and the total adds them
    assert response.status_code == 201, response.content
    order = response.json()
    assert [line["amount"] for line in order["lines"]] == ["1250.00", "1.67"]
    assert order["total_amount"] == "1251.67"
    assert order["total_quantity"] == "100.500"
    assert Product.objects.get(pk=product.pk).order_lines.count() == 2


def test_malformed_json_is_a_400(api):
    client = api("m1")
    response = client.client.post(
        "/api/v1/orders", "{not json", content_type="application/json", **client.headers
    )
    assert response.status_code == 400
    assert set(response.json()) == {"message", "code", "extra"}
    assert Order.objects.count() == 0
