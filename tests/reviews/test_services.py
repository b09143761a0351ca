import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest

from gendan.core.errors import ApplicationError, PermissionDeniedError, ValidationFailed
from gendan.orders.models import OrderEvent, OrderStatus
from gendan.orders.services import order_approve_verbal, order_create, order_request_approval, order_revise
from gendan.reviews.models import Review, ReviewDepartment, ReviewItem
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


def sign_all(review, people, result="pass"):
    for item in review.items.all():
        review_item_sign(
            item=item,
            actor=people[SIGNERS[item.department]],
            result=result,
            comment="" if result == "pass" else "条件",
        )


@pytest.fixture
def draft(people, customer, product):
    return order_create(actor=people["m1"], data=order_payload(customer, product))


def test_feasible_date_counts_working_days_across_spring_festival(people, customer, product):
    # given today is 2026-02-06 (Fri) and a product with 10 cycle + 5 lead working days
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 2, 6)):
        order = order_create(
            actor=people["m1"],
            data=order_payload(customer, product, order_date="2026-02-06", requested_date="2026-03-31"),
        )
        # when the order goes to review
        review = review_open(order=order, actor=people["m1"])
    # then 15 working days are counted: 02-09…02-13 (5), 02-14 make-up (6), holiday 02-15…02-23,
    # 02-24…02-27 (10), 02-28 make-up (11), 03-02…03-05 (15)
    assert review.feasible_date == dt.date(2026, 3, 5)
    assert review.feasible_basis["working_days"] == 15
    assert review.feasible_basis["warnings"] == []
    assert review.items.count() == 6


def test_full_review_approve_with_risk_needs_reason(people, draft):
    review = review_open(order=draft, actor=people["m1"])
    draft.refresh_from_db()
    assert draft.status == OrderStatus.IN_REVIEW and draft.feasible_date == review.feasible_date
    with pytest.raises(ApplicationError) as exc:
        review_approve(review=review, actor=people["sup"], promised_date=review.feasible_date)
    assert exc.value.code == "review_incomplete"
    sign_all(review, people)
    early = review.feasible_date - dt.timedelta(days=3)
    with pytest.raises(ValidationFailed) as exc:
        review_approve(review=review, actor=people["sup"], promised_date=early)
    assert "reason" in exc.value.fields
    review = review_approve(
        review=review, actor=people["sup"], promised_date=early, reason="客户急单，已安排加班"
    )
    draft.refresh_from_db()
    assert draft.status == OrderStatus.APPROVED and draft.promised_date == early and draft.is_date_risk
    assert review.is_date_risk and review.status == Review.Status.APPROVED
    assert draft.events.filter(type=OrderEvent.Type.DATE_RISK).exists()
    assert draft.events.filter(type=OrderEvent.Type.REVIEW_SIGNED).count() == 6


def test_only_the_department_signs_its_item(people, draft):
    review = review_open(order=draft, actor=people["m1"])
    finance_item = review.items.get(department=ReviewDepartment.FINANCE)
    with pytest.raises(PermissionDeniedError):
        review_item_sign(item=finance_item, actor=people["qc"], result="pass")
    with pytest.raises(PermissionDeniedError):
        review_item_sign(item=finance_item, actor=people["auditor"], result="pass")
    with pytest.raises(ValidationFailed):
        review_item_sign(item=finance_item, actor=people["finance"], result="fail")  # needs a comment
    review_item_sign(item=finance_item, actor=people["finance"], result="pass")
    finance_item.refresh_from_db()
    assert finance_item.result == ReviewItem.Result.PASS and finance_item.signer == people["finance"]


def test_credit_over_limit_finance_cannot_pass(people, customer, product):
    customer.credit_limit = Decimal("1000")
    customer.save()
    order = order_create(actor=people["m1"], data=order_payload(customer, product))  # 1,250.00
    review = review_open(order=order, actor=people["m1"])
    assert not review.credit_ok and review.credit_order_amount == Decimal("1250.00")
    item = review.items.get(department=ReviewDepartment.FINANCE)
    with pytest.raises(ValidationFailed):
        review_item_sign(item=item, actor=people["finance"], result="pass")
    review_item_sign(item=item, actor=people["finance"], result="conditional", comment="款到发货")


def test_failed_item_blocks_approval_then_reject_and_revise_opens_round_two(people, draft):
    review = review_open(order=draft, actor=people["m1"])
    sign_all(review, people)
    tech = review.items.get(department=ReviewDepartment.TECHNICAL)
    with pytest.raises(PermissionDeniedError):  # a merchandiser cannot conclude a review
        review_approve(review=review, actor=people["m1"], promised_date=review.feasible_date)
    review_item_sign(item=tech, actor=people["tech"], result="fail", comment="工艺无法实现")
    with pytest.raises(ApplicationError) as exc:
        review_approve(review=review, actor=people["sup"], promised_date=review.feasible_date)
    assert exc.value.code == "review_failed_items"
    review_reject(review=review, actor=people["sup"], reason="工艺不可行，需与客户重新确认")
    draft.refresh_from_db()
    assert draft.status == OrderStatus.REJECTED
    order_revise(order=draft, actor=people["m1"])
    second = review_open(order=draft, actor=people["m1"])
    assert second.round == 2


def test_verbal_order_needs_supervisor_approval_before_review(people, customer, product):
    order = order_create(actor=people["m1"], data=order_payload(customer, product, source_document="verbal"))
    with pytest.raises(ApplicationError) as exc:
        review_open(order=order, actor=people["m1"])
    assert exc.value.code == "verbal_needs_approval"
    order = order_request_approval(order=order, actor=people["m1"])
    assert order.status == OrderStatus.AWAITING_APPROVAL
    with pytest.raises(PermissionDeniedError):
        order_approve_verbal(order=order, actor=people["m1"])
    order = order_approve_verbal(order=order, actor=people["sup"])
    assert order.status == OrderStatus.DRAFT and order.verbal_approved_by == people["sup"]
    assert review_open(order=order, actor=people["m1"]).round == 1


def test_cancelling_the_order_cancels_its_open_review_and_hold_stops_signing(
    people, draft, customer, product
):
    review = review_open(order=draft, actor=people["m1"])
    from gendan.orders.services import order_cancel, order_hold

    order_hold(order=draft, actor=people["sup"], reason="客户要求暂停")
    with pytest.raises(ApplicationError) as exc:
        review_item_sign(item=review.items.first(), actor=people["tech"], result="pass")
    assert exc.value.code in ("order_not_in_review", "wrong_department")
    tech = review.items.get(department=ReviewDepartment.TECHNICAL)
    with pytest.raises(ApplicationError) as exc:
        review_item_sign(item=tech, actor=people["tech"], result="pass")
    assert exc.value.code == "order_not_in_review"
    draft.refresh_from_db()
    order_cancel(order=draft, actor=people["sup"], reason="客户取消")
    review.refresh_from_db()
    assert review.status == Review.Status.CANCELLED
