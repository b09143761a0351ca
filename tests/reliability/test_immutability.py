"""Immutability and mass assignment on orders.

Once the review starts (in_review, approved, released, in production, on hold, cancelled …) header and lines
are frozen: the API's PUT, the web edit form, admin and the Excel import all leave them as they are.
Read-only fields sent in a request body (status, number, totals, creator, version beyond its role as the
precondition, a merchandiser validation would not allow) are refused, never applied.
"""

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from gendan.core.excel import ImportRejected
from gendan.orders.imports import order_import_commit
from gendan.orders.models import EDITABLE_STATUSES, Order, OrderEvent, OrderStatus
from tests.api.conftest import build_order
from tests.factories import PASSWORD, order_payload
from tests.files.conftest import xlsx
from tests.orders.test_views import form_data

FROZEN = [
    OrderStatus.IN_REVIEW,
    OrderStatus.APPROVED,
    OrderStatus.RELEASED,
    OrderStatus.IN_PRODUCTION,
    OrderStatus.ON_HOLD,
    OrderStatus.CANCELLED,
]
IMPORT_HEADER = [
    "客户编码",
    "客户订单号",
    "下单日期",
    "要求交期",
    "产品编码",
    "数量",
    "单价",
    "确认重复下单",
    "重复原因",
]


def snapshot(order_id: int) -> tuple:
    """Everything a user could change on an order, plus its version, status and number."""
    order = Order.objects.get(pk=order_id)
    header = tuple(
        getattr(order, f.attname)
        for f in Order._meta.concrete_fields
        if f.name not in ("updated_at",)  # a timestamp alone is no change of content
    )
    lines = tuple(
        (line.line_no, line.product_id, line.quantity, line.unit_price, line.amount, line.color, line.spec)
        for line in order.lines.order_by("line_no")
    )
    sizes = tuple(
        order.lines.values_list("sizes__size", "sizes__quantity").order_by("line_no", "sizes__position")
    )
    return header, lines, sizes


def login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


# ----------------------------------------------------------------------------- frozen after review


@pytest.mark.parametrize("status", FROZEN)
def test_a_frozen_order_refuses_changes_through_the_api_the_web_form_and_admin(
    status, api, people, customer, product
):
    # given an order of m1 that reached `status` through the services
    order = build_order(people, customer, product, status, customer_po=f"FROZEN-{status}")
    assert order.status == status and status not in EDITABLE_STATUSES
    before = snapshot(order.pk)
    events = order.events.count()
    changed = order_payload(
        customer,
        product,
        customer_po="CHANGED",
        requirements="改",
        lines=[{"product": product.code, "quantity": "999", "unit_price": "1.00"}],
    )

    # when its merchandiser PUTs a change with the current version
    response = api("m1").put(f"/orders/{order.pk}", {**changed, "version": order.version})
    # then the API refuses it as not editable
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "not_editable"

    # when the web edit form is posted anyway (bypassing the redirect of its GET)
    web = login("m1")
    assert web.get(f"/orders/{order.pk}/edit/").status_code == 302
    data = form_data(
        customer,
        product,
        **{
            "customer_po": "CHANGED",
            "lines-0-quantity": "999",
            "lines-0-sizes": "",
            "version": str(order.version),
        },
    )
    response = web.post(f"/orders/{order.pk}/edit/", data)
    assert response.status_code == 200  # the form again, with the refusal as its message
    with translation.override("zh-hans"):  # the site's language: the browser sent no Accept-Language
        refusal = gettext("An order can be edited only before its review starts.")
    assert refusal in [str(m) for m in response.context["messages"]]

    # when an administrator posts a change in admin
    admin = login("admin")
    change_url = f"/admin/orders/order/{order.pk}/change/"
    assert admin.get(change_url).status_code == 200  # may look
    response = admin.post(change_url, {"customer_po": "CHANGED", "status": "draft", "requirements": "改"})
    assert response.status_code == 403
    assert admin.post(f"/admin/orders/order/{order.pk}/delete/", {"post": "yes"}).status_code == 403

    # then nothing changed: header, lines, sizes, version, status, and no "updated" event
    assert snapshot(order.pk) == before
    assert order.events.count() == events
    assert not order.events.filter(type=OrderEvent.Type.UPDATED).exists()


def test_admin_cannot_add_orders_or_change_lines(people):
    admin = login("admin")
    assert admin.get("/admin/orders/order/add/").status_code == 403
    assert admin.post("/admin/orders/order/add/", {"number": "SO2026-999999"}).status_code == 403
    assert not Order.objects.exists()


def test_the_excel_import_only_creates_and_never_touches_a_frozen_order(people, customer, product):
    # given an order in review with customer PO "IMP-1"
    order = build_order(people, customer, product, OrderStatus.IN_REVIEW, customer_po="IMP-1")
    before = snapshot(order.pk)
    day = dt.datetime(2026, 11, 27)
    # when a sheet with the same customer and PO but other quantities and prices is imported
    rows = [IMPORT_HEADER, [customer.code, "IMP-1", day, "2027-01-15", product.code, 500, 1.5, None, None]]
    with pytest.raises(ImportRejected):
        order_import_commit(data=xlsx(rows), actor=people["m1"], file_name="again.xlsx")
    # then it was refused as a duplicate and the order is as it was
    assert snapshot(order.pk) == before
    # when the sheet confirms a deliberate repeat
    rows[1][7:9] = ["是", "客户追加"]
    created = order_import_commit(data=xlsx(rows), actor=people["m1"], file_name="repeat.xlsx")
    # then a new draft order was created with its own number, and the order in review is untouched
    assert len(created) == 1 and created[0].pk != order.pk and created[0].number != order.number
    assert created[0].status == OrderStatus.DRAFT and created[0].total_quantity == 500
    assert snapshot(order.pk) == before


# ----------------------------------------------------------------------------- mass assignment


READ_ONLY_FIELDS = {
    "status": "approved",
    "number": "SO2026-999999",
    "version": 7,
    "total_amount": "0.01",
    "total_quantity": "1",
    "created_by": 1,
    "released_at": "2026-11-27T10:00:00+08:00",
    "planner_ack_at": "2026-11-27T10:00:00+08:00",
    "feasible_date": "2026-12-01",
    "is_date_risk": True,
    "id": 12345,
}


@pytest.mark.parametrize("field", sorted(READ_ONLY_FIELDS))
def test_post_with_a_read_only_field_is_refused_and_creates_nothing(field, api, people, customer, product):
    body = {**order_payload(customer, product, customer_po=f"RO-{field}"), field: READ_ONLY_FIELDS[field]}
    response = api("m1").post("/orders", body)
    assert response.status_code == 422, (field, response.content)
    assert field in response.json()["extra"]["fields"], response.json()
    assert not Order.objects.exists()


def test_a_line_amount_in_the_body_is_refused_and_totals_are_always_computed(api, people, customer, product):
    m1 = api("m1")
    body = order_payload(customer, product, customer_po="AMT-1")
    body["lines"][0]["amount"] = "1.00"
    response = m1.post("/orders", body)
    assert response.status_code == 422 and "lines.0.amount" in response.json()["extra"]["fields"]
    del body["lines"][0]["amount"]
    order = m1.post("/orders", body).json()
    assert order["total_amount"] == "1250.00" and order["lines"][0]["amount"] == "1250.00"


@pytest.mark.parametrize("field", sorted(set(READ_ONLY_FIELDS) - {"version"}))
def test_put_with_a_read_only_field_is_refused_and_changes_nothing(field, api, people, customer, product):
    m1 = api("m1")
    order = m1.post("/orders", order_payload(customer, product, customer_po="PUT-RO")).json()
    before = snapshot(order["id"])
    body = {
        **order_payload(customer, product, customer_po="PUT-RO", requirements="改"),
        "version": order["version"],
        field: READ_ONLY_FIELDS[field],
    }
    response = m1.put(f"/orders/{order['id']}", body)
    assert response.status_code == 422, (field, response.content)
    assert snapshot(order["id"]) == before


def test_the_version_in_a_body_is_only_the_precondition_never_the_new_value(api, people, customer, product):
    m1 = api("m1")
    order = m1.post("/orders", order_payload(customer, product, customer_po="VER-1")).json()
    body = order_payload(customer, product, customer_po="VER-1", requirements="改")
    # a version from the future is stale too: refused, nothing applied
    response = m1.put(f"/orders/{order['id']}", {**body, "version": 99})
    assert response.status_code == 409 and response.json()["code"] == "stale_version"
    assert Order.objects.get(pk=order["id"]).version == 1
    # the right one lands, and the new version is the server's (old + 1), whatever was sent
    response = m1.put(f"/orders/{order['id']}", {**body, "version": 1})
    assert response.status_code == 200 and response.json()["version"] == 2
    for bad in ("2", 2.0, True, -1, 0):
        response = m1.put(f"/orders/{order['id']}", {**body, "version": bad})
        assert response.status_code in (409, 422), (bad, response.content)
    assert Order.objects.get(pk=order["id"]).version == 2


def test_merchandiser_and_creator_cannot_be_set_beyond_what_validation_allows(api, people, customer, product):
    m1 = api("m1")
    # a user who is not a merchandiser (the planner, the auditor) cannot be made the order's merchandiser
    for username in ("planner", "auditor", "sales"):
        body = order_payload(customer, product, customer_po=f"MER-{username}", merchandiser=username)
        response = m1.post("/orders", body)
        assert response.status_code == 400, (username, response.content)
        assert "merchandiser" in response.json()["extra"]["fields"]
    assert not Order.objects.exists()
    # another merchandiser is allowed (the form offers them); the creator is always the one who posts
    response = api("sup").post(
        "/orders", order_payload(customer, product, customer_po="MER-OK", merchandiser="m2", created_by=None)
    )
    assert response.status_code == 422  # created_by is not even a field of the request
    response = api("sup").post(
        "/orders", order_payload(customer, product, customer_po="MER-OK", merchandiser="m2")
    )
    assert response.status_code == 201, response.content
    order = response.json()
    saved = Order.objects.get(pk=order["id"])
    assert saved.merchandiser == people["m2"] and saved.created_by == people["sup"]
    # and an edit by the new merchandiser cannot hand the order to a planner either
    body = {
        **order_payload(customer, product, customer_po="MER-OK", merchandiser="planner"),
        "version": saved.version,
    }
    response = api("m2").put(f"/orders/{order['id']}", body)
    assert response.status_code == 400
    assert Order.objects.get(pk=order["id"]).merchandiser == people["m2"]


def test_the_web_form_ignores_read_only_fields(people, customer, product):
    # when the order form is posted with fields it does not have (a crafted request)
    data = form_data(
        customer,
        product,
        status="approved",
        number="SO2026-999999",
        total_amount="0.01",
        created_by=str(people["admin"].pk),
        **{"lines-0-amount": "0.01"},
    )
    response = login("m1").post("/orders/new/", data)
    assert response.status_code == 302, response.content[:500]
    # then the order is a draft with its drawn number, computed totals and its real creator
    order = Order.objects.get()
    assert order.status == OrderStatus.DRAFT and order.number == "SO2026-000001"
    assert str(order.total_amount) == "1250.00" and order.created_by == people["m1"]
    assert order.version == 1
