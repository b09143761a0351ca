"""PUT /orders/{id}: optimistic locking (a stale version is 409 and changes nothing) and the edit rules."""

from gendan.orders.models import Order, OrderLine, OrderStatus
from tests.api.conftest import order_state, table_counts
from tests.factories import order_payload


def _snapshot(order_id: int) -> tuple:
    order = Order.objects.get(pk=order_id)
    lines = list(
        OrderLine.objects.filter(order=order).values_list("line_no", "quantity", "unit_price", "color")
    )
    return (
        order.customer_po,
        order.requested_date,
        order.total_amount,
        order.version,
        lines,
        order_state(order_id),
    )


def test_update_replaces_lines_and_bumps_the_version(api, customer, product):
    m1 = api("m1")
    order = m1.post("/orders", order_payload(customer, product)).json()
    payload = order_payload(customer, product, customer_po="PO-1B", requested_date="2027-01-29")
    payload["lines"] = [
        {"product": product.code, "quantity": "60", "unit_price": "13", "color": "蓝", "sizes": "M:60"},
        {"product": product.code, "quantity": 10, "unit_price": 2},
    ]
    response = m1.put(f"/orders/{order['id']}", {**payload, "version": order["version"]})
    assert response.status_code == 200, response.content
    updated = response.json()
    assert updated["version"] == order["version"] + 1
    assert updated["customer_po"] == "PO-1B" and updated["requested_date"] == "2027-01-29"
    assert [(line["color"], line["amount"]) for line in updated["lines"]] == [("蓝", "780.00"), ("", "20.00")]
    assert updated["total_amount"] == "800.00"
    assert updated["number"] == order["number"]
    assert [e["type"] for e in m1.get(f"/orders/{order['id']}/events").json()] == ["created", "updated"]


def test_stale_update_is_409_and_changes_nothing(api, customer, product):
    m1, sup = api("m1"), api("sup")
    # given two people read version 1 of the same order
    order = m1.post("/orders", order_payload(customer, product)).json()
    # and the supervisor saves first
    first = sup.put(
        f"/orders/{order['id']}", {**order_payload(customer, product, customer_po="SUP"), "version": 1}
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    before, counts = _snapshot(order["id"]), table_counts()

    # when the merchandiser saves their copy of version 1
    response = m1.put(
        f"/orders/{order['id']}", {**order_payload(customer, product, customer_po="M1"), "version": 1}
    )

    # then 409 stale_version tells the current version, and the supervisor's edit stands untouched
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale_version" and body["extra"]["current_version"] == 2
    assert _snapshot(order["id"]) == before and table_counts() == counts
    assert Order.objects.get(pk=order["id"]).customer_po == "SUP"


def test_update_needs_a_version_and_valid_data(api, customer, product):
    m1 = api("m1")
    order = m1.post("/orders", order_payload(customer, product)).json()
    before = _snapshot(order["id"])
    missing = m1.put(f"/orders/{order['id']}", order_payload(customer, product))
    assert missing.status_code == 422 and "version" in missing.json()["extra"]["fields"]
    as_text = m1.put(f"/orders/{order['id']}", {**order_payload(customer, product), "version": "1"})
    assert as_text.status_code == 422
    bad = order_payload(customer, product)
    bad["lines"][0]["sizes"] = "S:1"
    response = m1.put(f"/orders/{order['id']}", {**bad, "version": 1})
    assert response.status_code == 400 and "lines.0.sizes" in response.json()["extra"]["fields"]
    other_year = m1.put(
        f"/orders/{order['id']}",
        {
            **order_payload(customer, product, order_date="2027-01-04", requested_date="2027-02-01"),
            "version": 1,
        },
    )
    assert other_year.status_code == 400 and "order_date" in other_year.json()["extra"]["fields"]
    assert _snapshot(order["id"]) == before


def test_order_in_review_cannot_be_edited(api, order_at, customer, product):
    order = order_at(OrderStatus.IN_REVIEW)
    before = _snapshot(order.pk)
    response = api("m1").put(
        f"/orders/{order.pk}",
        {**order_payload(customer, product, customer_po="LATE"), "version": order.version},
    )
    assert response.status_code == 409 and response.json()["code"] == "not_editable"
    assert _snapshot(order.pk) == before


def test_update_to_another_orders_po_is_a_duplicate(api, customer, product):
    m1 = api("m1")
    m1.post("/orders", order_payload(customer, product, customer_po="A-1"))
    second = m1.post("/orders", order_payload(customer, product, customer_po="B-1")).json()
    before = _snapshot(second["id"])
    response = m1.put(
        f"/orders/{second['id']}", {**order_payload(customer, product, customer_po="A-1"), "version": 1}
    )
    assert response.status_code == 409 and response.json()["code"] == "duplicate_po"
    assert _snapshot(second["id"]) == before
