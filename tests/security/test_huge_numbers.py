"""Issue 21 item 9, as the probe did it: a 5,000-digit integer in an API body, a query parameter, a path and
a form gives a clean field error — never Python's "sys.set_int_max_str_digits" message (which ninja showed
with DEBUG on, as under `make run`)."""

import json

import pytest
from django.test import Client

from tests.factories import order_payload
from tests.orders.test_views import form_data
from tests.security.world import api_client_for

pytestmark = pytest.mark.django_db
BIG = "9" * 5000
INTERNALS = ("set_int_max_str_digits", "Exceeds the limit", "Traceback")


@pytest.fixture(autouse=True, params=[False, True], ids=["production", "debug"])
def _debug(request, settings):
    settings.DEBUG = request.param


def _clean_field_error(response, field: str) -> None:
    text = response.content.decode()
    assert not any(word in text for word in INTERNALS), text[:300]
    assert 400 <= response.status_code < 500, (response.status_code, text[:300])
    data = json.loads(text)
    assert set(data) == {"message", "code", "extra"}
    assert field in data["extra"]["fields"], data


def test_a_5000_digit_integer_in_an_api_body_is_a_field_error(people, customer, product):
    api = api_client_for(people["m1"])
    payload = order_payload(customer, product)
    # a JSON number literal, not a string: the JSON decoder itself is where Python's limit was hit
    quantity = json.dumps(payload["lines"][0]["quantity"])
    raw = json.dumps(payload).replace(f'"quantity": {quantity}', f'"quantity": {BIG}', 1)
    assert BIG in raw
    response = api.post("/api/v1/orders", raw, content_type="application/json")
    _clean_field_error(response, "lines.0.quantity")
    assert "过大" in json.loads(response.content)["extra"]["fields"]["lines.0.quantity"][0]
    raw = json.dumps({"orders": [payload]}).replace(f'"quantity": {quantity}', f'"quantity": -{BIG}', 1)
    _clean_field_error(
        api.post("/api/v1/orders/batch", raw, content_type="application/json"), "orders.0.lines.0.quantity"
    )


def test_a_5000_digit_integer_in_a_query_or_path_is_a_field_error(people):
    api = api_client_for(people["m1"])
    _clean_field_error(api.get(f"/api/v1/orders?limit={BIG}"), "limit")
    _clean_field_error(api.get(f"/api/v1/orders/{BIG}"), "order_id")


def test_a_5000_digit_integer_in_a_form_is_a_field_error(people, customer, product):
    client = Client()
    client.force_login(people["m1"])
    response = client.post("/orders/new/", form_data(customer, product, **{"lines-0-quantity": BIG}))
    page = response.content.decode()
    assert response.status_code == 200 and not any(word in page for word in INTERNALS)
    response = client.get(f"/orders/?page={BIG}")
    assert response.status_code == 200
