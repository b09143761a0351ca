"""No input makes the API answer 5xx: every operation of the OpenAPI document is called with odd path values
and odd bodies; each answer is a 2xx/4xx in the documented {message, code, extra} shape when it is an error."""

import json

import pytest
from django.test import Client

from gendan.accounts.services import api_token_create
from gendan.orders.models import OrderStatus

ODD_IDS = ["0", "-1", "1.5", "abc", str(2**63), str(2**53 + 1), "1e309", "%00", "NaN"]
ODD_BODIES = [
    b"",
    b"null",
    b"[]",
    b'"text"',
    b"12",
    b"{",
    b'{"lines": [{"quantity": 1e999}]}',
    json.dumps({"customer": True, "lines": [None, 1, "x", {"quantity": [], "product": {}}]}).encode(),
    json.dumps({"version": 2**70, "promised_date": "0000-00-00", "result": None, "reason": ["x"]}).encode(),
    json.dumps({"name": "\x00" * 10, "code": "\u202e" * 20, "sizes": "S:" + "9" * 400}).encode(),
    json.dumps(
        {"lines": [{"product": 1, "quantity": "1", "unit_price": "1", "sizes": [{"size": "S"}]}]}
    ).encode(),
]


@pytest.fixture
def operations(db):
    document = Client().get("/api/v1/openapi.json").json()
    return [
        (path, method)
        for path, ops in document["paths"].items()
        for method in ops
        if path.startswith(
            ("/api/v1/accounts", "/api/v1/customers", "/api/v1/products", "/api/v1/orders", "/api/v1/reviews")
        )
    ]


def _fill(path: str, value: str, action: str = "hold") -> str:
    return (
        path.replace("{action}", action)
        .replace("{order_id}", value)
        .replace("{review_id}", value)
        .replace("{item_id}", value)
        .replace("{customer_id}", value)
        .replace("{product_id}", value)
        .replace("{token_id}", value)
    )


def test_no_input_gives_a_server_error(operations, people, order_at):
    order = order_at(OrderStatus.IN_REVIEW)
    real_id = str(order.pk)
    _token, key = api_token_create(user=people["admin"], name="fuzz")
    client = Client(raise_request_exception=False)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    calls = 0
    for path, method in operations:
        for value in [real_id, *ODD_IDS]:
            for body in ODD_BODIES if method in ("post", "put") else [None]:
                url = _fill(path, value)
                if body is None:
                    response = client.generic(method.upper(), url, **headers)
                else:
                    response = client.generic(
                        method.upper(), url, body, content_type="application/json", **headers
                    )
                calls += 1
                assert response.status_code < 500, (method, url, body, response.content[:300])
                if response.status_code >= 400:
                    assert set(response.json()) == {"message", "code", "extra"}, (
                        method,
                        url,
                        response.content,
                    )
    assert calls > 300


def test_odd_query_values_are_422_not_500(api):
    client = api("m1")
    for params in (
        {"limit": "1e3"},
        {"limit": "-5"},
        {"offset": str(2**70)},
        {"customer": "abc"},
        {"due_from": "2026-13-40"},
        {"original_pending": "perhaps"},
        {"q": "x" * 1000},
    ):
        response = client.get("/orders", **params)
        assert response.status_code == 422, params
        assert response.json()["code"] == "validation_error"
