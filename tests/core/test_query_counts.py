"""Pinned SQL query counts of the busiest pages: a count that grows with the rows shown is an N+1."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gendan.accounts.services import api_token_create
from gendan.orders.services import order_create
from tests.factories import CustomerFactory, order_payload


def _orders(people, product, count: int, start: int = 0) -> list:
    made = []
    for index in range(start, start + count):
        customer = CustomerFactory(merchandiser=people["m1"], salesperson=people["sales"])
        made.append(
            order_create(actor=people["m1"], data=order_payload(customer, product, customer_po=f"Q{index}"))
        )
    return made


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


@pytest.fixture
def m1_client(client, people):
    client.force_login(people["m1"])
    return client


@pytest.mark.parametrize("url", ["/orders/", "/orders/?status=draft&ordering=requested_date", "/"])
def test_list_and_dashboard_queries_do_not_grow_with_rows(m1_client, people, product, url):
    _orders(people, product, 3)
    few = _queries(m1_client, url)
    _orders(people, product, 20, start=3)
    many = _queries(m1_client, url)
    assert many == few, f"{url}: {few} queries with 3 orders, {many} with 23"


def test_pinned_counts(m1_client, people, product):
    orders = _orders(people, product, 12)
    # The numbers are today's; a change must be deliberate (raise or lower them in the same commit).
    urls = ("/orders/", f"/orders/{orders[0].pk}/", "/")
    for url in urls:  # steady state: process-wide caches (content types) warm, as on a serving worker
        _queries(m1_client, url)
    counts = {url: _queries(m1_client, url) for url in urls}
    # the order page: 15 with the comment thread (its scope check and the comments), the attachments panel
    # and the change requests section; the promise history reads nothing before the review's approval
    assert counts == {"/orders/": 9, f"/orders/{orders[0].pk}/": 15, "/": 24}


def test_api_list_and_detail_queries_do_not_grow_with_rows(client, people, product):
    _token, key = api_token_create(user=people["m1"], name="q")
    api = client.__class__(HTTP_AUTHORIZATION=f"Bearer {key}")
    orders = _orders(people, product, 3)
    _queries(api, "/api/v1/orders")  # the token's last-used stamp is written once a minute, not measured
    few = _queries(api, "/api/v1/orders")
    detail_few = _queries(api, f"/api/v1/orders/{orders[0].pk}")
    more = _orders(people, product, 20, start=3)
    assert _queries(api, "/api/v1/orders") == few
    assert _queries(api, f"/api/v1/orders/{more[-1].pk}") == detail_few
    assert (few, detail_few) == (4, 8)


def test_api_create_writes_and_answers_without_reading_back(client, people, product):
    import json

    customer = CustomerFactory(merchandiser=people["m1"], salesperson=people["sales"])
    _token, key = api_token_create(user=people["m1"], name="q")
    api = client.__class__(HTTP_AUTHORIZATION=f"Bearer {key}")
    body = order_payload(customer, product, customer_po="C0")
    api.post("/api/v1/orders", json.dumps(body), content_type="application/json")  # token stamp, counter row
    body["lines"] = body["lines"] * 3
    body["customer_po"] = "C1"
    with CaptureQueriesContext(connection) as captured:
        created = api.post("/api/v1/orders", json.dumps(body), content_type="application/json")
    assert created.status_code == 201
    # token, roles, delegations, customer, products, BEGIN, duplicate check, number, order, lines, sizes,
    # event, COMMIT — and no read-back however many lines
    assert len(captured.captured_queries) == 13, "\n".join(q["sql"][:150] for q in captured.captured_queries)
    # the answer from memory is exactly what a read gives
    answer = created.json()
    assert answer == api.get(f"/api/v1/orders/{answer['id']}").json()
