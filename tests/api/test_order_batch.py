"""POST /api/v1/orders/batch: up to 500 orders, all or none, errors named `orders.N.field`."""

from gendan.orders.models import Order
from tests.api.conftest import table_counts
from tests.factories import order_payload


def _rows(customer, product, n):
    return [order_payload(customer, product, customer_po=f"API-B-{k}") for k in range(n)]


def test_batch_creates_orders_and_they_read_back(api, customer, product):
    response = api("m1").post("/orders/batch", {"orders": _rows(customer, product, 3)})
    assert response.status_code == 201, response.content
    created = response.json()
    assert [o["number"] for o in created] == ["SO2026-000001", "SO2026-000002", "SO2026-000003"]
    assert {o["status"] for o in created} == {"draft"} and {o["version"] for o in created} == {1}
    detail = api("m1").get(f"/orders/{created[2]['id']}").json()
    assert detail["customer_po"] == "API-B-2" and len(detail["lines"]) == 1


def test_bad_order_in_batch_answers_field_errors_and_saves_nothing(api, customer, product, other_customer):
    before = table_counts()
    rows = _rows(customer, product, 3)
    rows[0]["customer"] = other_customer.code  # another team's customer: not visible to m1
    rows[2]["requested_date"] = "2026-01-01"  # before the order date
    response = api("m1").post("/orders/batch", {"orders": rows})
    assert response.status_code == 400
    assert set(response.json()["extra"]["fields"]) == {"orders.0.customer", "orders.2.requested_date"}
    assert table_counts() == before


def test_schema_errors_are_named_and_limits_hold(api, customer, product):
    rows = _rows(customer, product, 2)
    rows[1]["lines"][0]["quantity"] = "-1"
    response = api("m1").post("/orders/batch", {"orders": rows})
    assert response.status_code == 422
    assert any("orders.1.lines.0.quantity" in name for name in response.json()["extra"]["fields"])
    too_many = api("m1").post("/orders/batch", {"orders": [rows[0]] * 501})
    assert too_many.status_code == 422
    assert api("m1").post("/orders/batch", {"orders": []}).status_code == 422
    assert api("auditor").post("/orders/batch", {"orders": _rows(customer, product, 1)}).status_code == 403
    assert not Order.objects.exists()
