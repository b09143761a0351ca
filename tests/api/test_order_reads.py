"""Order lists (scope, filters, ordering, limit/offset with a capped count), detail and the planner's queue."""

import datetime as dt

import pytest

from gendan.orders.models import OrderStatus
from tests.factories import CustomerFactory, ProductFactory, order_payload


@pytest.fixture
def three_orders(api, people, customer, product):
    m1 = api("m1")
    second_customer = CustomerFactory(merchandiser=people["m1"], name="宁波纺织")
    made = [
        m1.post("/orders", order_payload(customer, product, customer_po="PO-A", requested_date="2027-01-10")),
        m1.post(
            "/orders",
            order_payload(
                second_customer,
                product,
                customer_po="PO-B",
                requested_date="2026-12-20",
                source_document="fax",
            ),
        ),
        m1.post("/orders", order_payload(customer, product, customer_po="PO-C", requested_date="2027-02-01")),
    ]
    assert all(r.status_code == 201 for r in made)
    return {"orders": [r.json() for r in made], "second_customer": second_customer}


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["items"]]


def test_filters_and_ordering(api, customer, three_orders):
    a, b, c = (o["number"] for o in three_orders["orders"])
    m1 = api("m1")
    assert numbers(m1.get("/orders")) == [c, b, a]  # newest first
    assert numbers(m1.get("/orders", ordering="requested_date")) == [b, a, c]
    assert numbers(m1.get("/orders", ordering="-requested_date")) == [c, a, b]
    assert numbers(m1.get("/orders", customer=customer.pk)) == [c, a]
    assert numbers(m1.get("/orders", q="宁波")) == [b]
    assert numbers(m1.get("/orders", q="po-c")) == [c]
    assert numbers(m1.get("/orders", due_from="2027-01-01", due_to="2027-01-31")) == [a]
    assert numbers(m1.get("/orders", original_pending="true")) == [b]
    assert numbers(m1.get("/orders", status="draft")) == [c, b, a]
    assert numbers(m1.get("/orders", status=["in_review", "released"])) == []
    for bad in (
        {"status": "shipped-ish"},
        {"ordering": "customer__credit_limit"},
        {"due_from": "tomorrow"},
        {"customer": 0},
        {"customer": 2**60},
        {"offset": -1},
        {"offset": 100_001},
    ):
        response = m1.get("/orders", **bad)
        assert response.status_code == 422, bad
        assert {field.split(".")[0] for field in response.json()["extra"]["fields"]} == set(bad)


def test_status_filter_takes_several_statuses(api, order_at):
    draft, released = order_at(OrderStatus.DRAFT), order_at(OrderStatus.RELEASED)
    order_at(OrderStatus.CANCELLED)
    got = numbers(api("m1").get("/orders", status=["draft", "released"]))
    assert got == [released.number, draft.number]


def test_limit_offset_and_capped_count(api, monkeypatch, three_orders):
    m1 = api("m1")
    page = m1.get("/orders", limit=2, offset=2).json()
    assert (page["count"], page["count_capped"], len(page["items"])) == (3, False, 1)
    # when more rows match than the cap, the count stops at the cap and says so
    monkeypatch.setattr("gendan.core.schemas.COUNT_CAP", 2)
    page = m1.get("/orders", limit=1).json()
    assert (page["count"], page["count_capped"], len(page["items"])) == (2, True, 1)
    page = m1.get("/orders", limit=50).json()  # the whole list fits one page: counted exactly
    assert (page["count"], page["count_capped"], len(page["items"])) == (3, False, 3)


def test_detail_has_lines_sizes_version_and_actions(api, three_orders):
    order = three_orders["orders"][0]
    detail = api("m1").get(f"/orders/{order['id']}").json()
    assert detail["version"] == 1 and detail["status_label"]
    line = detail["lines"][0]
    assert (line["line_no"], line["quantity"], line["unit_price"], line["amount"], line["unit"]) == (
        1,
        "100.000",
        "12.5000",
        "1250.00",
        "件",
    )
    assert [s["size"] for s in line["sizes"]] == ["S", "M", "L"]
    assert detail["customer"]["code"] and detail["merchandiser"]["username"] == "m1"
    assert detail["allowed_actions"] == ["submit_review", "hold"]
    assert api("sup").get(f"/orders/{order['id']}").json()["allowed_actions"] == [
        "submit_review",
        "hold",
        "cancel",
    ]
    assert api("m1").get(f"/orders/{2**53}").status_code == 404
    assert api("m1").get("/orders/abc").status_code == 422


def test_planner_queue_groups_released_orders_by_family_and_work_centre(
    api, people, customer, product, order_at
):
    # given a released order with a knit line and a woven line, another released knit order, and a draft
    product.work_centre = "缝制一线"
    product.save()
    woven = ProductFactory(family="梭织", work_centre="缝制二线")
    mixed_payload = order_payload(customer, product)
    mixed_payload["lines"].append({"product": woven.code, "quantity": "50", "unit_price": "20"})
    mixed = order_at(OrderStatus.RELEASED, lines=mixed_payload["lines"])
    knit = order_at(OrderStatus.RELEASED, requested_date=(dt.date(2026, 12, 20)).isoformat())
    order_at(OrderStatus.DRAFT)
    planner = api("planner")
    assert planner.post(f"/orders/{knit.pk}/actions/acknowledge").status_code == 200

    # when the planner opens the queue
    queue = planner.get("/orders/planner-queue").json()

    # then the orders are grouped by family and work centre, unacknowledged first, quantities per group
    assert [(g["family"], g["work_centre"], g["unacknowledged"]) for g in queue] == [
        ("梭织", "缝制二线", 1),
        ("针织", "缝制一线", 1),
    ]
    assert [(o["number"], o["quantity"], o["acknowledged"]) for o in queue[1]["orders"]] == [
        (mixed.number, "100.000", False),
        (knit.number, "100.000", True),
    ]
    assert [(o["number"], o["quantity"]) for o in queue[0]["orders"]] == [(mixed.number, "50.000")]
    assert [p["code"] for p in queue[0]["orders"][0]["products"]] == [woven.code]
