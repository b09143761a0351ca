"""Authentication: API tokens (Bearer or X-API-Key), revocation, the session with CSRF, and the OpenAPI
document."""

import hashlib
import json

from django.test import Client

from gendan.accounts.models import ApiToken
from gendan.accounts.services import api_token_create
from gendan.orders.models import Order
from tests.factories import order_payload

EVERY_PATH = {
    "/api/v1/accounts/me": {"get"},
    "/api/v1/accounts/tokens": {"get", "post"},
    "/api/v1/accounts/tokens/{token_id}": {"delete"},
    "/api/v1/customers": {"get", "post"},
    "/api/v1/customers/{customer_id}": {"get"},
    "/api/v1/products": {"get", "post"},
    "/api/v1/products/{product_id}": {"get"},
    "/api/v1/orders": {"get", "post"},
    "/api/v1/orders/planner-queue": {"get"},
    "/api/v1/orders/{order_id}": {"get", "put"},
    "/api/v1/orders/{order_id}/events": {"get"},
    "/api/v1/orders/{order_id}/actions/{action}": {"post"},
    "/api/v1/reviews": {"get"},
    "/api/v1/reviews/{review_id}": {"get"},
    "/api/v1/reviews/{review_id}/items/{item_id}/sign": {"post"},
    "/api/v1/reviews/{review_id}/approve": {"post"},
    "/api/v1/reviews/{review_id}/reject": {"post"},
}


def test_me_answers_who_the_token_belongs_to(api):
    response = api("m1").get("/accounts/me")
    assert response.status_code == 200
    me = response.json()
    assert (me["username"], me["roles"], me["department"]) == ("m1", ["merchandiser"], "merchandising")
    assert me["supervisor"]["username"] == "sup" and me["is_read_only"] is False
    assert api("auditor").get("/accounts/me").json()["is_read_only"] is True


def test_no_or_unknown_credentials_are_401(db):
    client = Client()
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer nope"}, {"HTTP_X_API_KEY": "nope"}):
        response = client.get("/api/v1/orders", **headers)
        assert response.status_code == 401, headers
        assert response.json()["code"] == "not_authenticated"
        # a write without credentials is 401 too (not a CSRF error)
        assert (
            client.post("/api/v1/orders", "{}", content_type="application/json", **headers).status_code == 401
        )


def test_token_lifecycle_create_list_use_revoke(api, people, customer, product):
    m1 = api("m1")
    # when the user creates a token
    response = m1.post("/accounts/tokens", {"name": "ERP 接口"})
    assert response.status_code == 201
    created = response.json()
    key = created["key"]
    assert created["prefix"] == key[:8] and len(key) >= 40
    # then only its hash is stored, and the list never shows the key again
    stored = ApiToken.objects.get(pk=created["id"])
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest() and stored.user == people["m1"]
    assert key not in {str(getattr(stored, f.attname)) for f in ApiToken._meta.concrete_fields}
    listed = m1.get("/accounts/tokens").json()
    assert {t["name"] for t in listed} == {"ERP 接口", "test m1"}
    assert all("key" not in t for t in listed)
    # and it works, in either header, and records its use
    fresh = Client()
    assert fresh.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {key}").json()["username"] == "m1"
    assert fresh.get("/api/v1/accounts/me", HTTP_X_API_KEY=key).json()["username"] == "m1"
    assert ApiToken.objects.get(pk=created["id"]).last_used_at is not None

    # when it is revoked
    assert m1.delete(f"/accounts/tokens/{created['id']}").status_code == 204
    # then it is refused everywhere with 401, and a write with it saves nothing
    for headers in ({"HTTP_AUTHORIZATION": f"Bearer {key}"}, {"HTTP_X_API_KEY": key}):
        response = fresh.get("/api/v1/orders", **headers)
        assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
        response = fresh.post(
            "/api/v1/orders",
            json.dumps(order_payload(customer, product)),
            content_type="application/json",
            **headers,
        )
        assert response.status_code == 401
    assert Order.objects.count() == 0
    # revoking again is 404; the list shows when it was revoked
    assert m1.delete(f"/accounts/tokens/{created['id']}").status_code == 404
    revoked = next(t for t in m1.get("/accounts/tokens").json() if t["id"] == created["id"])
    assert revoked["revoked_at"] is not None
    # the other token still works
    assert m1.get("/accounts/me").status_code == 200


def test_token_of_a_deactivated_user_is_refused(api, people):
    m1 = api("m1")
    assert m1.get("/accounts/me").status_code == 200
    people["m1"].is_active = False
    people["m1"].save()
    assert m1.get("/accounts/me").status_code == 401


def test_token_input_is_checked(api):
    m1 = api("m1")
    assert m1.post("/accounts/tokens", {"name": ""}).status_code == 422
    assert m1.post("/accounts/tokens", {"name": "x" * 51}).status_code == 422
    assert m1.delete(f"/accounts/tokens/{2**60}").status_code == 422
    assert m1.delete("/accounts/tokens/0").status_code == 422
    assert ApiToken.objects.count() == 1


def test_session_write_needs_the_csrf_token_and_token_write_does_not(people, customer, product):
    body = json.dumps(order_payload(customer, product))
    # given a browser logged in by session, with Django's CSRF checks on
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people["m1"])
    # a read works without the CSRF token
    assert browser.get("/api/v1/accounts/me").json()["username"] == "m1"

    # when it posts without the CSRF token, then it is refused and nothing is saved
    response = browser.post("/api/v1/orders", body, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    # a wrong token is refused as well
    browser.cookies["csrftoken"] = "a" * 32
    response = browser.post(
        "/api/v1/orders", body, content_type="application/json", HTTP_X_CSRFTOKEN="b" * 32
    )
    assert response.status_code == 403
    assert Order.objects.count() == 0

    # when it sends the cookie's token in the header, then the write goes through
    response = browser.post(
        "/api/v1/orders", body, content_type="application/json", HTTP_X_CSRFTOKEN="a" * 32
    )
    assert response.status_code == 201, response.content
    assert Order.objects.count() == 1

    # and a client with an API token needs no CSRF token
    _token, key = api_token_create(user=people["m1"], name="script")
    script = Client(enforce_csrf_checks=True)
    response = script.post(
        "/api/v1/orders",
        json.dumps(order_payload(customer, product, customer_po="PO-2")),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 201, response.content
    assert Order.objects.count() == 2


def test_openapi_document_lists_every_path_with_its_errors(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    paths = {path: set(ops) for path, ops in document["paths"].items() if path in EVERY_PATH}
    assert paths == EVERY_PATH
    for path in EVERY_PATH:
        for method, operation in document["paths"][path].items():
            codes = set(operation["responses"])
            assert {"400", "401", "403", "404", "409", "422"} <= codes, (path, method)
            assert codes & {"200", "201", "204"}, (path, method)
    security = document["components"]["securitySchemes"]
    assert {s["type"] for s in security.values()} >= {"http", "apiKey"}


def test_openapi_bounds_ids_and_types_bodies(db):
    document = Client().get("/api/v1/openapi.json").json()
    order_id = next(
        p
        for p in document["paths"]["/api/v1/orders/{order_id}"]["get"]["parameters"]
        if p["name"] == "order_id"
    )
    assert order_id["schema"]["minimum"] == 1 and order_id["schema"]["maximum"] == 2**53
    schemas = document["components"]["schemas"]
    # decimals as numbers or strings, quantity above zero
    quantity = schemas["LineIn"]["properties"]["quantity"]["anyOf"]
    assert {"type": "number", "exclusiveMinimum": 0} in quantity and {"type": "string"} in quantity
    assert schemas["OrderIn"]["additionalProperties"] is False
    assert schemas["OrderIn"]["properties"]["customer_po"]["maxLength"] == 50
    action = next(
        p
        for p in document["paths"]["/api/v1/orders/{order_id}/actions/{action}"]["post"]["parameters"]
        if p["name"] == "action"
    )
    assert set(action["schema"]["enum"]) >= {"submit_review", "release", "acknowledge", "cancel"}
    assert document["components"]["securitySchemes"]["HeaderToken"]["name"] == "X-API-Key"


def test_token_use_is_recorded_at_most_once_a_minute_and_an_inactive_user_is_refused(api, people):
    import datetime as dt

    from django.utils import timezone

    from gendan.core.api import TOKEN_TOUCH_SECONDS

    token, key = api_token_create(user=people["m2"], name="ERP")
    client = Client()

    def use() -> int:
        return client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code

    # given a token used just now
    assert use() == 200
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    # when it is used again within the minute, then the stamp stays (no write per request)
    assert use() == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    # when the last use is older than the minute, then the next use stamps it again
    old = timezone.now() - dt.timedelta(seconds=TOKEN_TOUCH_SECONDS + 5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)
    assert use() == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at > old + dt.timedelta(seconds=5)
    # when its user is deactivated, then the token is refused
    type(people["m2"]).objects.filter(pk=people["m2"].pk).update(is_active=False)
    assert use() == 401
