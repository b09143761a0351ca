"""The review screens: list in scope, department signatures, the supervisor's conclusion."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from gendan.orders.models import Order, OrderStatus
from gendan.orders.services import order_create
from gendan.reviews.models import Review, ReviewDepartment, ReviewItem
from gendan.reviews.services import review_approve, review_item_sign, review_open
from tests.factories import order_payload

SIGNERS = {
    ReviewDepartment.BUSINESS: "sales",
    ReviewDepartment.TECHNICAL: "tech",
    ReviewDepartment.PLANNING: "planner",
    ReviewDepartment.PURCHASING: "purchasing",
    ReviewDepartment.QUALITY: "qc",
    ReviewDepartment.FINANCE: "finance",
}


@pytest.fixture
def login(people):
    def _login(name: str) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(people[name])
        return client

    return _login


@pytest.fixture
def review(people, customer, product) -> Review:
    order = order_create(actor=people["m1"], data=order_payload(customer, product))
    return review_open(order=order, actor=people["m1"])


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def item(review: Review, department: str) -> ReviewItem:
    return review.items.get(department=department)


def sign_all(review: Review, people) -> None:
    for row in review.items.all():
        review_item_sign(item=row, actor=people[SIGNERS[row.department]], result="pass")


def sign_url(review: Review, department: str) -> str:
    return f"/reviews/{review.pk}/items/{item(review, department).pk}/sign/"


def sign_data(review: Review, department: str, result: str, comment: str = "") -> dict:
    prefix = f"item-{item(review, department).pk}"
    return {f"{prefix}-result": result, f"{prefix}-comment": comment}


# ------------------------------------------------------------------------------------------------ list


def test_list_shows_reviews_in_scope_open_first(people, customer, other_customer, product, review, login):
    # given an approved review of an earlier order, the open one, and one of m3's customer
    done = review_open(
        order=order_create(actor=people["m1"], data=order_payload(customer, product, customer_po="OLD")),
        actor=people["m1"],
    )
    sign_all(done, people)
    review_approve(review=done, actor=people["sup"], promised_date=done.feasible_date)
    theirs = review_open(
        order=order_create(actor=people["m3"], data=order_payload(other_customer, product)),
        actor=people["m3"],
    )
    # when m1 opens the list
    rows = login("m1").get("/reviews/").context["page"].object_list
    # then the open review comes first, the approved one after, m3's is not there
    assert [r.pk for r in rows] == [review.pk, done.pk]
    assert rows[1].signed == 6 and rows[0].signed == 0
    assert theirs.pk not in [r.pk for r in rows]
    # and the status filter works
    rows = login("m1").get("/reviews/", {"status": "approved"}).context["page"].object_list
    assert [r.pk for r in rows] == [done.pk]


def test_merchandiser_gets_404_on_a_review_outside_scope(people, other_customer, product, login):
    theirs = review_open(
        order=order_create(actor=people["m3"], data=order_payload(other_customer, product)),
        actor=people["m3"],
    )
    client = login("m1")
    assert client.get(f"/reviews/{theirs.pk}/").status_code == 404
    assert client.post(f"/reviews/{theirs.pk}/approve/", {"promised_date": "2027-06-01"}).status_code == 404
    assert Review.objects.get(pk=theirs.pk).status == Review.Status.OPEN


# ---------------------------------------------------------------------------------------------- detail


def test_detail_shows_feasible_date_basis_credit_and_the_right_forms(people, review, login):
    # when the technical reviewer opens the review
    response = login("tech").get(f"/reviews/{review.pk}/")
    body = response.content.decode()
    # then the feasible date, its basis and the credit check are shown
    assert response.status_code == 200
    assert f'datetime="{review.feasible_date.isoformat()}"' in body
    assert "production cycle 10 + material lead time 5 = 15 working days" in body
    assert 'data-testid="credit-ok"' in body
    # and only the technical item has a sign form; no conclusion form for a reviewer
    forms = [row["item"].department for row in response.context["rows"] if row["form"]]
    assert forms == [ReviewDepartment.TECHNICAL]
    assert 'data-testid="sign-technical"' in body and 'data-testid="conclude"' not in body
    # the supervisor sees the conclusion forms, the merchandiser no forms at all
    assert 'data-testid="approve-form"' in login("sup").get(f"/reviews/{review.pk}/").content.decode()
    m1 = login("m1").get(f"/reviews/{review.pk}/")
    assert not any(row["form"] for row in m1.context["rows"]) and not m1.context["can_conclude"]


def test_calendar_warnings_are_shown(people, customer, product, login):
    # given a review whose basis carries a warning (a year with no holiday schedule)
    order = order_create(actor=people["m1"], data=order_payload(customer, product))
    opened = review_open(order=order, actor=people["m1"])
    Review.objects.filter(pk=opened.pk).update(
        feasible_basis={**opened.feasible_basis, "warnings": ["No holiday schedule for 2031"]}
    )
    body = login("m1").get(f"/reviews/{opened.pk}/").content.decode()
    assert 'data-testid="feasible-warning"' in body and "No holiday schedule for 2031" in body


def test_department_signs_its_item(people, review, login):
    client = login("tech")
    response = client.post(sign_url(review, "technical"), sign_data(review, "technical", "pass", "工艺可行"))
    assert response.status_code == 302 and response["Location"] == f"/reviews/{review.pk}/"
    signed = item(review, "technical")
    assert (signed.result, signed.signer, signed.comment) == ("pass", people["tech"], "工艺可行")
    body = client.get(f"/reviews/{review.pk}/").content.decode()
    assert 'data-department="technical" data-result="pass"' in body


def test_conditional_without_comment_is_a_field_error(people, review, login):
    response = login("finance").post(sign_url(review, "finance"), sign_data(review, "finance", "conditional"))
    assert response.status_code == 200
    prefix = f"item-{item(review, 'finance').pk}"
    assert f'data-testid="error-{prefix}-comment"' in response.content.decode()
    assert item(review, "finance").result == ReviewItem.Result.PENDING


def test_other_department_cannot_sign(people, review, login):
    response = login("tech").post(sign_url(review, "finance"), sign_data(review, "finance", "pass"))
    assert response.status_code == 200
    assert any("Only the" in m for m in messages_of(response))
    assert item(review, "finance").result == ReviewItem.Result.PENDING


def test_item_of_another_review_is_404(people, customer, product, review, login):
    other = review_open(
        order=order_create(actor=people["m1"], data=order_payload(customer, product, customer_po="X2")),
        actor=people["m1"],
    )
    foreign_item = other.items.get(department="technical")
    response = login("tech").post(
        f"/reviews/{review.pk}/items/{foreign_item.pk}/sign/", {f"item-{foreign_item.pk}-result": "pass"}
    )
    assert response.status_code == 404
    assert ReviewItem.objects.get(pk=foreign_item.pk).result == ReviewItem.Result.PENDING


def test_approve_needs_every_signature(people, review, login):
    response = login("sup").post(f"/reviews/{review.pk}/approve/", {"promised_date": review.feasible_date})
    assert response.status_code == 200
    assert any("Not every department has signed" in m for m in messages_of(response))
    assert Review.objects.get(pk=review.pk).status == Review.Status.OPEN
    assert Order.objects.get(pk=review.order_id).status == OrderStatus.IN_REVIEW


def test_approve_with_promised_date(people, review, login):
    sign_all(review, people)
    promised = review.feasible_date + dt.timedelta(days=3)
    response = login("sup").post(
        f"/reviews/{review.pk}/approve/", {"promised_date": promised.isoformat(), "conclusion": "同意"}
    )
    assert response.status_code == 302
    order = Order.objects.get(pk=review.order_id)
    assert order.status == OrderStatus.APPROVED and order.promised_date == promised and not order.is_date_risk
    assert Review.objects.get(pk=review.pk).status == Review.Status.APPROVED


def test_early_promise_needs_a_reason_and_is_a_risk(people, review, login):
    sign_all(review, people)
    early = review.feasible_date - dt.timedelta(days=2)
    client = login("sup")
    # without a reason: the error is next to the reason field, nothing changes
    response = client.post(f"/reviews/{review.pk}/approve/", {"promised_date": early.isoformat()})
    assert response.status_code == 200
    assert 'data-testid="error-reason"' in response.content.decode()
    assert Order.objects.get(pk=review.order_id).status == OrderStatus.IN_REVIEW
    # with a reason: approved and flagged as a date risk on the order page
    client.post(
        f"/reviews/{review.pk}/approve/", {"promised_date": early.isoformat(), "reason": "客户急单，加班"}
    )
    order = Order.objects.get(pk=review.order_id)
    assert order.status == OrderStatus.APPROVED and order.is_date_risk
    assert 'data-testid="date-risk"' in login("m1").get(f"/orders/{order.pk}/").content.decode()


def test_bad_date_is_a_field_error(people, review, login):
    sign_all(review, people)
    response = login("sup").post(f"/reviews/{review.pk}/approve/", {"promised_date": "2027-02-30"})
    assert response.status_code == 200
    assert 'data-testid="error-promised_date"' in response.content.decode()
    assert Review.objects.get(pk=review.pk).status == Review.Status.OPEN


def test_reject_needs_a_reason(people, review, login):
    client = login("sup")
    response = client.post(f"/reviews/{review.pk}/reject/", {"reason": ""})
    assert response.status_code == 200
    assert 'data-testid="error-reason"' in response.content.decode()
    client.post(f"/reviews/{review.pk}/reject/", {"reason": "价格低于成本"})
    assert Review.objects.get(pk=review.pk).status == Review.Status.REJECTED
    assert Order.objects.get(pk=review.order_id).status == OrderStatus.REJECTED


def test_merchandiser_cannot_conclude(people, review, login):
    sign_all(review, people)
    response = login("m1").post(f"/reviews/{review.pk}/approve/", {"promised_date": review.feasible_date})
    assert any("role may not" in m for m in messages_of(response))
    assert Review.objects.get(pk=review.pk).status == Review.Status.OPEN


def test_auditor_posts_change_nothing(people, review, login):
    auditor = login("auditor")
    assert auditor.get(f"/reviews/{review.pk}/").status_code == 200
    response = auditor.post(sign_url(review, "technical"), sign_data(review, "technical", "pass"))
    assert messages_of(response)
    sign_all(review, people)
    auditor.post(f"/reviews/{review.pk}/approve/", {"promised_date": review.feasible_date})
    auditor.post(f"/reviews/{review.pk}/reject/", {"reason": "audit"})
    assert Review.objects.get(pk=review.pk).status == Review.Status.OPEN
    assert item(review, "technical").signer == people["tech"]
    assert Order.objects.get(pk=review.order_id).status == OrderStatus.IN_REVIEW
