"""Customers and products through the API: scoped lists with filters and capped counts, details, creation
through the validated services (who may, what is refused)."""

from decimal import Decimal

import pytest

from gendan.catalog.models import Product
from gendan.parties.models import Customer
from tests.factories import CustomerFactory, ProductFactory


def test_customer_list_filters_and_pages(api, people, customer):
    CustomerFactory(merchandiser=people["m1"], name="华南贸易", is_active=False)
    CustomerFactory.create_batch(3, merchandiser=people["m1"])
    m1 = api("m1")
    page = m1.get("/customers", limit=2).json()
    assert (page["count"], page["count_capped"], page["limit"], page["offset"]) == (5, False, 2, 0)
    assert len(page["items"]) == 2
    assert [c["name"] for c in m1.get("/customers", q="华南").json()["items"]] == ["华南贸易"]
    assert m1.get("/customers", active="false").json()["count"] == 1
    assert m1.get("/customers", active="true").json()["count"] == 4
    assert m1.get("/customers", limit=0).status_code == 422
    assert m1.get("/customers", limit=201).status_code == 422
    assert m1.get("/customers", q="x" * 101).status_code == 422


def test_customer_detail(api, customer):
    detail = api("m1").get(f"/customers/{customer.pk}").json()
    assert detail["code"] == customer.code
    assert detail["credit_limit"] == "1000000.00"
    assert detail["merchandiser"]["username"] == "m1" and detail["salesperson"]["username"] == "sales"
    assert api("m1").get(f"/customers/{2**53}").status_code == 404
    assert api("m1").get(f"/customers/{2**53 + 1}").status_code == 422


def test_salesperson_creates_a_customer_that_is_theirs(api, people):
    response = api("sales").post(
        "/customers",
        {
            "code": "C-NEW",
            "name": "新客户",
            "credit_limit": "50000",
            "payment_terms": "deposit",
            "deposit_percent": 30,
            "merchandiser": "m1",
            "is_foreign": True,
            "currency": "USD",
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["salesperson"]["username"] == "sales" and created["merchandiser"]["username"] == "m1"
    assert created["credit_limit"] == "50000.00" and created["currency"] == "USD" and created["is_foreign"]
    # both the salesperson and the merchandiser now see it, the other merchandiser does not
    assert api("sales").get(f"/customers/{created['id']}").status_code == 200
    assert api("m1").get(f"/customers/{created['id']}").status_code == 200
    assert api("m3").get(f"/customers/{created['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"code": "EXISTING", "name": "重复"}, 400, "code"),  # the fixture customer's code
        ({"code": "has space", "name": "x"}, 400, "code"),
        ({"code": "C1", "name": ""}, 422, "name"),
        ({"code": "C1", "name": "x", "credit_limit": "-1"}, 422, "credit_limit"),
        ({"code": "C1", "name": "x", "credit_limit": "1e20"}, 422, "credit_limit"),
        ({"code": "C1", "name": "x", "payment_days": 366}, 422, "payment_days"),
        ({"code": "C1", "name": "x", "payment_days": True}, 422, "payment_days"),
        ({"code": "C1", "name": "x", "is_foreign": 1}, 422, "is_foreign"),
        ({"code": "C1", "name": "x", "merchandiser": "planner"}, 400, "merchandiser"),
        ({"code": "C1", "name": "x", "payment_terms": "deposit"}, 400, "deposit_percent"),
        ({"code": "C1", "name": "x", "currency": "XYZ"}, 422, "currency"),
    ],
)
def test_bad_customer_is_refused_and_not_saved(body, status, field, api, customer):
    if body["code"] == "EXISTING":
        body = {**body, "code": customer.code.lower()}  # codes are unique whatever the case
    before = Customer.objects.count()
    response = api("sup").post("/customers", body)
    assert response.status_code == status, response.content
    assert field in response.json()["extra"]["fields"]
    assert Customer.objects.count() == before


@pytest.mark.parametrize("user", ["m1", "planner", "tech", "auditor"])
def test_roles_without_the_right_cannot_create_customers(user, api):
    response = api(user).post("/customers", {"code": "C-X", "name": "x"})
    assert response.status_code == 403
    assert not Customer.objects.filter(code="C-X").exists()


def test_products_are_shared_master_data(api, product):
    ProductFactory(name="牛仔裤", family="梭织")
    for user in ("m1", "m3", "planner", "auditor"):
        assert api(user).get("/products").json()["count"] == 2, user
    assert [p["family"] for p in api("m1").get("/products", q="牛仔").json()["items"]] == ["梭织"]
    detail = api("m3").get(f"/products/{product.pk}").json()
    assert (detail["code"], detail["standard_price"], detail["production_cycle_days"]) == (
        product.code,
        "12.5000",
        10,
    )


def test_merchandiser_creates_a_product(api):
    response = api("m1").post(
        "/products",
        {
            "code": "ST-01",
            "name": "T恤",
            "industry": "apparel",
            "family": "针织",
            "work_centre": "缝制一线",
            "production_cycle_days": 12,
            "material_lead_days": 3,
            "standard_price": 18.8,
        },
    )
    assert response.status_code == 201, response.content
    assert Product.objects.get(code="ST-01").standard_price == Decimal("18.8")


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"code": "EXISTING", "name": "重复"}, 400, "code"),  # the fixture product's code
        ({"code": "P1", "name": "x", "production_cycle_days": 0}, 422, "production_cycle_days"),
        ({"code": "P1", "name": "x", "material_lead_days": 400}, 422, "material_lead_days"),
        ({"code": "P1", "name": "x", "standard_price": "-1"}, 422, "standard_price"),
        ({"code": "P1", "name": "x", "industry": "mining"}, 422, "industry"),
        ({"code": "P1", "name": "x", "unit": "x" * 11}, 422, "unit"),
    ],
)
def test_bad_product_is_refused_and_not_saved(body, status, field, api, product):
    if body["code"] == "EXISTING":
        body = {**body, "code": product.code}
    before = Product.objects.count()
    response = api("m1").post("/products", body)
    assert response.status_code == status, response.content
    assert field in response.json()["extra"]["fields"]
    assert Product.objects.count() == before


@pytest.mark.parametrize("user", ["sales", "planner", "auditor"])
def test_roles_without_the_right_cannot_create_products(user, api):
    assert api(user).post("/products", {"code": "P-X", "name": "x"}).status_code == 403
    assert not Product.objects.filter(code="P-X").exists()
