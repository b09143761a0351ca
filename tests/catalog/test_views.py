"""The product screens: list, detail, creation through catalog.services.product_create."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from gendan.catalog.models import Product


@pytest.fixture
def login(people):
    def _login(name: str) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(people[name])
        return client

    return _login


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def product_form(**overrides) -> dict:
    data = {
        "code": "AP-NEW1",
        "name": "连帽卫衣",
        "industry": "apparel",
        "family": "针织上衣",
        "work_centre": "缝制一线",
        "spec": "360g 毛圈",
        "unit": "件",
        "production_cycle_days": "18",
        "material_lead_days": "7",
        "standard_price": "58.5",
    }
    data.update(overrides)
    return data


def test_list_search_and_detail(people, product, login):
    client = login("m1")
    rows = client.get("/products/").context["page"].object_list
    assert [p.pk for p in rows] == [product.pk]
    assert client.get("/products/", {"q": "no-such"}).context["page"].object_list == []
    detail = client.get(f"/products/{product.pk}/")
    assert detail.status_code == 200 and product.name in detail.content.decode()
    assert client.get("/products/999999/").status_code == 404


def test_merchandiser_creates_a_product(people, login):
    response = login("m1").post("/products/new/", product_form())
    created = Product.objects.get(code="AP-NEW1")
    assert response.status_code == 302 and response["Location"] == f"/products/{created.pk}/"
    assert (created.production_cycle_days, created.material_lead_days, str(created.standard_price)) == (
        18,
        7,
        "58.5000",
    )


def test_bad_product_input_rerenders_with_field_errors_and_saves_nothing(people, product, login):
    response = login("sup").post(
        "/products/new/",
        product_form(
            code=product.code, name="", production_cycle_days="0", standard_price="-1", industry="x"
        ),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="error-industry"' in body  # an unknown choice is refused by the form itself
    response = login("sup").post(
        "/products/new/",
        product_form(code=product.code, name="", production_cycle_days="0", standard_price="-1"),
    )
    body = response.content.decode()
    for field in ("code", "name", "production_cycle_days", "standard_price"):
        assert f'data-testid="error-{field}"' in body, field
    assert Product.objects.count() == 1
    assert any("correct the errors" in m for m in messages_of(response))


def test_roles_without_the_right_get_403_and_nothing_is_saved(people, login):
    for name in ("sales", "planner", "auditor"):
        client = login(name)
        assert client.get("/products/new/").status_code == 403
        assert client.post("/products/new/", product_form()).status_code == 403
    assert not Product.objects.filter(code="AP-NEW1").exists()
    assert 'href="/products/import/"' in login("admin").get("/products/").content.decode()
