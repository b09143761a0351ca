"""API test helpers: a client per user authenticated by a real API token, and orders at any status."""

import json

import pytest
from django.test import Client

from gendan.accounts.services import api_token_create
from gendan.core.models import DocumentCounter
from gendan.orders.models import Order, OrderEvent, OrderLine, OrderLineSize, OrderStatus
from gendan.orders.services import (
    order_approve_verbal,
    order_cancel,
    order_create,
    order_hold,
    order_planner_acknowledge,
    order_release,
    order_request_approval,
    order_start_production,
    order_transition,
)
from gendan.reviews.models import Review, ReviewDepartment
from gendan.reviews.services import review_approve, review_item_sign, review_open, review_reject
from tests.factories import order_payload

SIGNERS = {
    ReviewDepartment.BUSINESS: "sales",
    ReviewDepartment.TECHNICAL: "tech",
    ReviewDepartment.PLANNING: "planner",
    ReviewDepartment.PURCHASING: "purchasing",
    ReviewDepartment.QUALITY: "qc",
    ReviewDepartment.FINANCE: "finance",
}


class ApiClient:
    """django.test.Client speaking JSON to /api/v1/ with `Authorization: Bearer <key>`."""

    def __init__(self, key: str | None) -> None:
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}

    def _call(self, method: str, path: str, body=None, **params):
        url = "/api/v1" + path
        call = getattr(self.client, method)
        if method in ("get", "delete") and body is None:
            return call(url, params or None, **self.headers)
        return call(
            url, json.dumps(body if body is not None else {}), content_type="application/json", **self.headers
        )

    def get(self, path: str, **params):
        return self._call("get", path, **params)

    def post(self, path: str, body=None):
        return self._call("post", path, body)

    def put(self, path: str, body=None):
        return self._call("put", path, body)

    def delete(self, path: str):
        return self._call("delete", path)


@pytest.fixture
def api(people):
    """api("m1") → a client authenticated with a fresh token of that user."""
    clients: dict[str, ApiClient] = {}

    def make(name: str) -> ApiClient:
        if name not in clients:
            _token, key = api_token_create(user=people[name], name=f"test {name}")
            clients[name] = ApiClient(key)
        return clients[name]

    return make


def table_counts() -> dict[str, int]:
    return {
        "orders": Order.objects.count(),
        "lines": OrderLine.objects.count(),
        "sizes": OrderLineSize.objects.count(),
        "events": OrderEvent.objects.count(),
        "reviews": Review.objects.count(),
        "counter": sum(DocumentCounter.objects.values_list("last", flat=True)),
    }


def order_state(order_id: int) -> tuple:
    order = Order.objects.get(pk=order_id)
    return (
        order.status,
        order.version,
        order.planner_ack_at,
        order.original_received_at,
        order.events.count(),
        order.reviews.count(),
    )


def sign_all(review: Review, people, result: str = "pass") -> None:
    for item in review.items.all():
        review_item_sign(item=item, actor=people[SIGNERS[item.department]], result=result, comment="条件")


def build_order(people, customer, product, status: str, **payload) -> Order:
    """An order of m1 walked to `status` through the real services (so its timeline is genuine)."""
    m1, sup, planner = people["m1"], people["sup"], people["planner"]
    if status == OrderStatus.AWAITING_APPROVAL:
        payload.setdefault("source_document", "verbal")
    payload.setdefault("customer_po", f"PO-{status}-{Order.objects.count()}")
    order = order_create(actor=m1, data=order_payload(customer, product, **payload))
    if status == OrderStatus.DRAFT:
        return order
    if order.source_document == "verbal":
        order = order_request_approval(order=order, actor=m1)
        if status == OrderStatus.AWAITING_APPROVAL:
            return order
        order = order_approve_verbal(order=order, actor=sup)
    if status == OrderStatus.CANCELLED:
        return order_cancel(order=order, actor=sup, reason="客户取消")
    if status == OrderStatus.ON_HOLD:
        return order_hold(order=order, actor=sup, reason="客户暂停")
    review = review_open(order=order, actor=m1)
    if status == OrderStatus.IN_REVIEW:
        return Order.objects.get(pk=order.pk)
    if status == OrderStatus.REJECTED:
        review_reject(review=review, actor=sup, reason="价格不可接受")
        return Order.objects.get(pk=order.pk)
    sign_all(review, people)
    review_approve(review=review, actor=sup, promised_date=review.feasible_date)
    order = Order.objects.get(pk=order.pk)
    if status == OrderStatus.APPROVED:
        return order
    order = order_release(order=order, actor=m1)
    if status == OrderStatus.RELEASED:
        return order
    order = order_planner_acknowledge(order=order, actor=planner)
    order = order_start_production(order=order, actor=planner)
    if status == OrderStatus.IN_PRODUCTION:
        return order
    if status == OrderStatus.PARTIALLY_SHIPPED:
        return order_transition(order=order, actor=m1, action="ship_partially")
    order = order_transition(order=order, actor=m1, action="ship")
    if status == OrderStatus.SHIPPED:
        return order
    order = order_transition(order=order, actor=m1, action="deliver")
    if status == OrderStatus.DELIVERED:
        return order
    order = order_transition(order=order, actor=sup, action="close")
    assert order.status == status == OrderStatus.CLOSED
    return order


@pytest.fixture
def order_at(people, customer, product):
    """order_at("released") → an order of m1 at that status, reached through the services."""

    def make(status: str, **payload) -> Order:
        order = build_order(people, customer, product, status, **payload)
        assert order.status == status
        return order

    return make
