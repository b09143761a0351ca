"""The batch endpoints: POST /reviews/sign-batch, /reviews/approve-batch, /orders/release-batch."""

import datetime as dt

import pytest

from gendan.orders.models import Order, OrderStatus
from gendan.reviews.models import Review, ReviewDepartment, ReviewItem
from tests.api.conftest import api, build_order, order_at, sign_all, table_counts  # noqa: F401 (fixtures)


@pytest.fixture
def in_review(order_at):  # noqa: F811
    return [order_at(OrderStatus.IN_REVIEW) for _n in range(2)]


def _items(orders, department: str) -> list[int]:
    return [ReviewItem.objects.get(review__order=o, department=department).pk for o in orders]


def test_sign_batch_signs_every_item(api, in_review):  # noqa: F811
    ids = _items(in_review, ReviewDepartment.TECHNICAL)
    response = api("tech").post("/reviews/sign-batch", {"items": ids, "result": "pass"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [row["id"] for row in body] == ids
    assert [row["order"] for row in body] == [o.number for o in in_review]
    assert set(ReviewItem.objects.filter(pk__in=ids).values_list("result", flat=True)) == {"pass"}


def test_sign_batch_refusals_change_nothing(api, people, in_review, customer, product):  # noqa: F811
    technical = _items(in_review, ReviewDepartment.TECHNICAL)
    quality = _items(in_review, ReviewDepartment.QUALITY)
    before = table_counts()
    # another department's item: 403 naming it
    wrong = api("tech").post("/reviews/sign-batch", {"items": [technical[0], quality[1]], "result": "pass"})
    assert wrong.status_code == 403 and wrong.json()["code"] == "wrong_department"
    assert list(wrong.json()["extra"]["fields"]) == ["items.1"]
    # an unknown item, or one of an order the caller does not see: 404
    unknown = api("tech").post("/reviews/sign-batch", {"items": [technical[0], 2**40], "result": "pass"})
    assert unknown.status_code == 404 and list(unknown.json()["extra"]["fields"]) == ["items.1"]
    business = _items(in_review, ReviewDepartment.BUSINESS)
    assert api("m3").post("/reviews/sign-batch", {"items": business, "result": "pass"}).status_code == 404
    # none, too many, twice, a comment missing: 400
    for body in (
        {"items": [], "result": "pass"},
        {"items": list(range(1, 502)), "result": "pass"},
        {"items": [technical[0], technical[0]], "result": "pass"},
        {"items": technical, "result": "fail"},
    ):
        assert api("tech").post("/reviews/sign-batch", body).status_code == 400, body
    # a malformed body: 422
    assert api("tech").post("/reviews/sign-batch", {"items": ["x"], "result": "pass"}).status_code == 422
    assert api("tech").post("/reviews/sign-batch", {"items": technical, "result": "ok"}).status_code == 422
    assert table_counts() == before
    assert set(ReviewItem.objects.filter(review__order__in=in_review).values_list("result", flat=True)) == {
        "pending"
    }


def test_approve_batch_and_release_batch(api, people, in_review):  # noqa: F811
    reviews = [o.reviews.get() for o in in_review]
    for review in reviews:
        sign_all(review, people)
    early = reviews[1].feasible_date - dt.timedelta(days=1)
    body = {"reviews": [{"id": reviews[0].pk}, {"id": reviews[1].pk, "promised_date": early.isoformat()}]}
    # a merchandiser does not conclude a review; another team's supervisor does not see these
    assert api("m1").post("/reviews/approve-batch", body).status_code == 403
    assert api("sup2").post("/reviews/approve-batch", body).status_code == 404
    # the early date needs a reason, named per review
    refused = api("sup").post("/reviews/approve-batch", body)
    assert refused.status_code == 400 and list(refused.json()["extra"]["fields"]) == ["reviews.1.reason"]
    assert not Review.objects.filter(pk__in=[r.pk for r in reviews], status="approved").exists()
    approved = api("sup").post("/reviews/approve-batch", {**body, "reason": "客户急单"})
    assert approved.status_code == 200, approved.content
    assert [(row["status"], row["is_date_risk"]) for row in approved.json()] == [
        ("approved", False),
        ("approved", True),
    ]
    assert approved.json()[0]["promised_date"] == reviews[0].feasible_date.isoformat()
    # release: only the owners; others' orders are not found; empty is refused
    ids = [o.pk for o in in_review]
    assert api("sales").post("/orders/release-batch", {"orders": ids}).status_code == 403
    assert api("m3").post("/orders/release-batch", {"orders": ids}).status_code == 404
    assert api("m1").post("/orders/release-batch", {"orders": []}).status_code == 400
    released = api("m1").post("/orders/release-batch", {"orders": ids})
    assert released.status_code == 200, released.content
    assert [row["status"] for row in released.json()] == ["released", "released"]
    # released twice: the table refuses, naming the order
    again = api("m1").post("/orders/release-batch", {"orders": ids[::-1]})
    assert again.status_code == 409 and list(again.json()["extra"]["fields"]) == ["orders.0"]
    assert set(Order.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"released"}
