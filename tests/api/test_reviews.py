"""Reviews through the API: who signs what, what a conclusion needs, and that refusals change nothing."""

import datetime as dt
from decimal import Decimal

import pytest

from gendan.orders.models import Order, OrderEvent, OrderStatus
from gendan.reviews.models import Review, ReviewDepartment, ReviewItem
from tests.api.conftest import order_state, sign_all, table_counts


@pytest.fixture
def review(order_at) -> Review:
    return order_at(OrderStatus.IN_REVIEW).reviews.get()


def items_state(review: Review) -> list:
    return list(review.items.order_by("id").values_list("result", "comment", "signer_id"))


def item_of(review: Review, department: str) -> ReviewItem:
    return review.items.get(department=department)


def test_detail_shows_items_feasible_date_basis_and_credit(api, review):
    detail = api("sup").get(f"/reviews/{review.pk}").json()
    assert detail["order"]["number"] == review.order.number
    assert detail["feasible_date"] == review.feasible_date.isoformat()
    assert detail["feasible_basis"]["production_cycle_days"] == 10
    assert detail["feasible_basis"]["material_lead_days"] == 5
    assert detail["credit"] == {
        "limit": "1000000.00",
        "open_amount": "0.00",
        "order_amount": "1250.00",
        "ok": True,
    }
    assert [i["result"] for i in detail["items"]] == ["pending"] * 6
    assert not any(i["may_sign"] for i in detail["items"])  # a supervisor signs no department's item
    finance = api("finance").get(f"/reviews/{review.pk}").json()
    assert [i["department"] for i in finance["items"] if i["may_sign"]] == [ReviewDepartment.FINANCE]


def test_list_filters(api, review, order_at):
    other = order_at(OrderStatus.APPROVED).reviews.get()
    sup = api("sup")
    assert {r["id"] for r in sup.get("/reviews").json()["items"]} == {review.pk, other.pk}
    assert [r["id"] for r in sup.get("/reviews", status="open").json()["items"]] == [review.pk]
    assert [r["id"] for r in sup.get("/reviews", order=other.order_id).json()["items"]] == [other.pk]
    assert sup.get("/reviews", status="maybe").status_code == 422


def test_only_the_department_signs_its_item(api, review):
    finance = item_of(review, ReviewDepartment.FINANCE)
    before = items_state(review)
    for user in ("qc", "m1", "sup", "planner"):
        response = api(user).post(f"/reviews/{review.pk}/items/{finance.pk}/sign", {"result": "pass"})
        assert response.status_code == 403, user
        assert response.json()["code"] == "wrong_department"
    assert items_state(review) == before
    response = api("finance").post(f"/reviews/{review.pk}/items/{finance.pk}/sign", {"result": "pass"})
    assert response.status_code == 200
    signed = next(i for i in response.json()["items"] if i["id"] == finance.pk)
    assert (signed["result"], signed["signer"]["username"]) == ("pass", "finance")
    assert signed["signed_at"] is not None


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"result": "conditional"}, 400, "comment"),
        ({"result": "fail", "comment": "  "}, 400, "comment"),
        ({"result": "pending"}, 400, "result"),
        ({"result": "ok"}, 422, "result"),
        ({"result": "pass", "comment": "x" * 2001}, 422, "comment"),
        ({}, 422, "result"),
    ],
)
def test_bad_signature_is_refused(body, status, field, api, review):
    item = item_of(review, ReviewDepartment.TECHNICAL)
    before = items_state(review)
    response = api("tech").post(f"/reviews/{review.pk}/items/{item.pk}/sign", body)
    assert response.status_code == status, response.content
    assert field in response.json()["extra"]["fields"]
    assert items_state(review) == before


def test_item_must_belong_to_the_review(api, review, order_at):
    other = order_at(OrderStatus.IN_REVIEW).reviews.get()
    item = item_of(other, ReviewDepartment.TECHNICAL)
    response = api("tech").post(f"/reviews/{review.pk}/items/{item.pk}/sign", {"result": "pass"})
    assert response.status_code == 404
    assert item_of(other, ReviewDepartment.TECHNICAL).result == ReviewItem.Result.PENDING


def test_finance_cannot_pass_a_customer_over_the_credit_limit(api, customer, order_at):
    customer.credit_limit = Decimal("1000")
    customer.save()
    review = order_at(OrderStatus.IN_REVIEW).reviews.get()
    assert api("finance").get(f"/reviews/{review.pk}").json()["credit"]["ok"] is False
    item = item_of(review, ReviewDepartment.FINANCE)
    response = api("finance").post(f"/reviews/{review.pk}/items/{item.pk}/sign", {"result": "pass"})
    assert response.status_code == 400 and "result" in response.json()["extra"]["fields"]
    response = api("finance").post(
        f"/reviews/{review.pk}/items/{item.pk}/sign", {"result": "conditional", "comment": "款到发货"}
    )
    assert response.status_code == 200


def test_approval_needs_every_signature_and_no_failure(api, people, review):
    sup = api("sup")
    body = {"promised_date": review.feasible_date.isoformat()}
    before, counts = order_state(review.order_id), table_counts()
    response = sup.post(f"/reviews/{review.pk}/approve", body)
    assert response.status_code == 400 and response.json()["code"] == "review_incomplete"
    sign_all(review, people)
    tech = item_of(review, ReviewDepartment.TECHNICAL)
    api("tech").post(
        f"/reviews/{review.pk}/items/{tech.pk}/sign", {"result": "fail", "comment": "工艺不可行"}
    )
    before, counts = order_state(review.order_id), table_counts()
    response = sup.post(f"/reviews/{review.pk}/approve", body)
    assert response.status_code == 400 and response.json()["code"] == "review_failed_items"
    assert order_state(review.order_id) == before and table_counts() == counts
    assert Review.objects.get(pk=review.pk).status == Review.Status.OPEN


def test_early_promise_needs_a_reason_and_is_a_risk(api, people, review):
    sign_all(review, people)
    sup = api("sup")
    early = (review.feasible_date - dt.timedelta(days=3)).isoformat()
    before = order_state(review.order_id)
    response = sup.post(f"/reviews/{review.pk}/approve", {"promised_date": early})
    assert response.status_code == 400 and "reason" in response.json()["extra"]["fields"]
    assert order_state(review.order_id) == before
    response = sup.post(
        f"/reviews/{review.pk}/approve", {"promised_date": early, "reason": "客户急单，已安排加班"}
    )
    assert response.status_code == 200, response.content
    assert (
        response.json()["is_date_risk"] is True
        and response.json()["promise_reason"] == "客户急单，已安排加班"
    )
    order = api("m1").get(f"/orders/{review.order_id}").json()
    assert (order["status"], order["promised_date"], order["is_date_risk"]) == ("approved", early, True)
    assert OrderEvent.objects.filter(order_id=review.order_id, type=OrderEvent.Type.DATE_RISK).count() == 1
    # a concluded review cannot be concluded again
    again = sup.post(f"/reviews/{review.pk}/reject", {"reason": "改主意"})
    assert again.status_code == 409 and again.json()["code"] == "review_closed"
    assert Order.objects.get(pk=review.order_id).status == OrderStatus.APPROVED


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 422, "promised_date"),
        ({"promised_date": "2026/12/31"}, 422, "promised_date"),
        ({"promised_date": 20261231}, 422, "promised_date"),
        ({"promised_date": "2026-01-01", "reason": "早于下单日"}, 400, "promised_date"),
        ({"promised_date": "2027-06-30", "reason": "x" * 301}, 422, "reason"),
    ],
)
def test_bad_approval_is_refused(body, status, field, api, people, review):
    sign_all(review, people)
    before, counts = order_state(review.order_id), table_counts()
    response = api("sup").post(f"/reviews/{review.pk}/approve", body)
    assert response.status_code == status, response.content
    assert field in response.json()["extra"]["fields"]
    assert order_state(review.order_id) == before and table_counts() == counts


def test_merchandiser_cannot_conclude_a_review(api, people, review):
    sign_all(review, people)
    before = order_state(review.order_id)
    for step, body in (
        ("approve", {"promised_date": review.feasible_date.isoformat()}),
        ("reject", {"reason": "x"}),
    ):
        response = api("m1").post(f"/reviews/{review.pk}/{step}", body)
        assert response.status_code == 403, step
    assert order_state(review.order_id) == before


def test_reject_then_revise_opens_a_second_round(api, review):
    sup, m1 = api("sup"), api("m1")
    assert sup.post(f"/reviews/{review.pk}/reject", {"reason": " "}).status_code == 400
    response = sup.post(f"/reviews/{review.pk}/reject", {"reason": "交期不可行，需与客户重新商定"})
    assert response.status_code == 200 and response.json()["status"] == Review.Status.REJECTED
    order_id = review.order_id
    assert m1.get(f"/orders/{order_id}").json()["status"] == OrderStatus.REJECTED
    assert m1.post(f"/orders/{order_id}/actions/revise").json()["status"] == OrderStatus.DRAFT
    order = m1.post(f"/orders/{order_id}/actions/submit_review").json()
    assert order["status"] == OrderStatus.IN_REVIEW and order["review_id"] != review.pk
    assert api("sup").get(f"/reviews/{order['review_id']}").json()["round"] == 2
