"""A NUL character in text (found by schemathesis on PostgreSQL, which can neither store nor compare it): a
query parameter, a form field or a JSON string carrying one is refused with 400 before any view runs — on
every database, the same answer."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from gendan.catalog.models import Product
from gendan.parties.models import Customer
from tests.security.world import api_client_for

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/complaints/?q=a%00b",
        "/orders/?q=%00",
        "/customers/?q=x%00",
        "/ledger/invoices/?q=%00",
        "/shipping/?q=%00",
    ],
)
def test_a_nul_in_a_query_parameter_is_a_400_on_the_site(people, url):
    response = browser(people["sup"]).get(url)
    assert response.status_code == 400


def test_a_nul_in_a_form_field_is_a_400_and_nothing_is_saved(people):
    response = browser(people["sup"]).post(
        reverse("parties:create"), {"code": "NUL1", "name": "坏\x00客户", "payment_terms": "monthly"}
    )
    assert response.status_code == 400
    assert not Customer.objects.filter(code="NUL1").exists()


def test_a_nul_in_a_multipart_field_is_a_400(people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = browser(people["m1"]).post(
        reverse("product_import"), {"file": SimpleUploadedFile("p.xlsx", b"PK"), "note": "x\x00"}
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "url", ["/api/v1/complaints?q=%C3%A0%00", "/api/v1/orders?q=%00", "/api/v1/customers?q=%00"]
)
def test_a_nul_in_an_api_query_parameter_is_a_400_with_the_error_shape(people, url):
    response = api_client_for(people["admin"]).get(url)
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"


def test_a_nul_in_a_json_body_is_a_400_and_nothing_is_saved(people):
    api = api_client_for(people["admin"])
    for body in (
        {"code": "NUL-P", "name": "坏\x00款"},
        {"code": "NUL-P", "name": "款", "spec": ["x\x00"]},
        {"code": "NUL-P", "name": "款", "family\x00": "x"},
    ):
        response = api.post("/api/v1/products", json.dumps(body), content_type="application/json")
        assert response.status_code == 400, body
        assert set(response.json()) == {"message", "code", "extra"}
    assert not Product.objects.filter(code="NUL-P").exists()
    # the same text without the NUL is taken
    response = api.post(
        "/api/v1/products", json.dumps({"code": "NUL-P", "name": "好款"}), content_type="application/json"
    )
    assert response.status_code == 201
