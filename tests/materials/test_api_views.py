"""Materials through the API and the screens: scope, roles, bounded input, the pages a buyer uses."""

from decimal import Decimal

import pytest
from django.test import Client

from gendan.materials.models import PurchaseOrder, PurchaseRequest
from tests.api.conftest import ApiClient
from tests.factories import PASSWORD
from tests.materials.helpers import D, bom, material, released, stock, supplier, today


@pytest.fixture
def api(people):
    from gendan.accounts.services import api_token_create

    def make(name: str) -> ApiClient:
        _token, key = api_token_create(user=people[name], name=f"test {name}")
        return ApiClient(key)

    return make


@pytest.fixture
def short_order(people, customer, product):
    """Order A of m1: 150 pieces against 100 buttons → request for 50."""
    buttons = material("BTN", on_hand="100", supplier_=supplier("S1", lead=5))
    bom(product, buttons, "1")
    order = released(people, customer, product, qty="150", po="A", promised=D(2026, 10, 30), on=D(2026, 9, 1))
    return order, PurchaseRequest.objects.get(order=order), buttons


def browser(people, name: str) -> Client:
    client = Client()
    assert client.login(username=people[name].username, password=PASSWORD)
    return client


def test_requests_are_scoped_to_the_orders_a_user_sees(api, short_order):
    order, request, _buttons = short_order
    mine = api("m1").get("/materials/requests")
    assert mine.status_code == 200 and [r["number"] for r in mine.json()["items"]] == [request.number]
    other = api("m3").get("/materials/requests")  # another team's merchandiser
    assert other.status_code == 200 and other.json()["items"] == []
    assert api("m3").get(f"/materials/orders/{order.pk}").status_code == 404
    assert api("m1").get(f"/materials/orders/{order.pk}").json()["requirements"][0]["shortage"] == "50.0000"


def test_buyer_orders_and_receives_through_the_api(api, short_order):
    order, request, buttons = short_order
    with today(D(2026, 9, 2)):
        created = api("purchasing").post(
            "/materials/purchase-orders",
            {"supplier": "S1", "requests": [request.pk], "expected_date": "2026-09-20"},
        )
    assert created.status_code == 201, created.json()
    line_id = created.json()["lines"][0]["id"]
    with today(D(2026, 9, 21)):
        too_much = api("purchasing").post(
            f"/materials/purchase-order-lines/{line_id}/receipts", {"quantity": "51"}
        )
        assert too_much.status_code == 409 and too_much.json()["code"] == "over_receipt"
        done = api("purchasing").post(
            f"/materials/purchase-order-lines/{line_id}/receipts", {"quantity": "50"}
        )
    assert done.status_code == 201
    assert stock(buttons).reserved == Decimal("150")
    assert PurchaseOrder.objects.get().status == PurchaseOrder.Status.RECEIVED


def test_api_refuses_the_wrong_role_and_unbounded_input(api, short_order):
    _order, request, buttons = short_order
    body = {"supplier": "S1", "requests": [request.pk], "expected_date": "2026-12-20"}
    assert api("m1").post("/materials/purchase-orders", body).status_code == 403
    assert api("m1").get("/materials/purchase-orders").status_code == 403
    assert (
        api("purchasing").post("/materials/purchase-orders", {**body, "requests": [True]}).status_code == 422
    )
    assert (
        api("purchasing").post("/materials/purchase-orders", {**body, "requests": [2**60]}).status_code == 422
    )
    assert api("purchasing").get(f"/materials/materials/{2**60}").status_code == 422
    assert (
        api("purchasing")
        .post(f"/materials/materials/{buttons.pk}/adjust", {"quantity": "1e30", "note": "x"})
        .status_code
        == 422
    )
    assert ApiClient(None).get("/materials/materials").status_code == 401


def test_material_and_bom_through_the_api(api, product):
    created = api("tech").post("/materials/materials", {"code": "ZIP-1", "name": "拉链", "unit": "条"})
    assert created.status_code == 201 and created.json()["stock"]["on_hand"] == "0.0000"
    dup = api("tech").post("/materials/materials", {"code": "zip-1", "name": "拉链", "unit": "条"})
    assert dup.status_code == 400 and "code" in dup.json()["extra"]["fields"]
    bom_answer = api("tech").put(
        f"/materials/products/{product.pk}/bom", {"material": "ZIP-1", "usage_per_unit": "1"}
    )
    assert bom_answer.status_code == 200 and bom_answer.json()[0]["material_code"] == "ZIP-1"
    assert (
        api("m1")
        .put(f"/materials/products/{product.pk}/bom", {"material": "ZIP-1", "usage_per_unit": "2"})
        .status_code
        == 403
    )


def test_buyer_screens(people, short_order):
    order, request, buttons = short_order
    client = browser(people, "purchasing")
    for url in (
        "/materials/",
        f"/materials/{buttons.pk}/",
        "/materials/requests/",
        "/materials/purchase-orders/",
        f"/materials/orders/{order.pk}/",
        f"/materials/bom/{order.lines.get().product_id}/",
    ):
        assert client.get(url).status_code == 200, url
    page = client.get("/materials/requests/").content.decode()
    assert request.number in page and 'name="requests"' in page
    with today(D(2026, 9, 2)):
        answer = client.post(
            "/materials/purchase-orders/new/",
            {"requests": [request.pk], "supplier": "S1", "expected_date": "2026-09-20"},
        )
    po = PurchaseOrder.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/materials/purchase-orders/{po.pk}/"
    assert "PO2026-000001" in client.get(answer["Location"]).content.decode()


def test_a_merchandiser_sees_own_order_materials_not_others(people, short_order):
    order, _request, _buttons = short_order
    assert browser(people, "m1").get(f"/materials/orders/{order.pk}/").status_code == 200
    assert browser(people, "m3").get(f"/materials/orders/{order.pk}/").status_code == 404
    assert browser(people, "m1").get("/materials/purchase-orders/").status_code == 403
    assert browser(people, "m1").post("/materials/scan/").status_code == 403
