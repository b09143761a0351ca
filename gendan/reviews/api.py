"""Order reviews (订单评审): scoped list and detail, department signatures, the supervisor's conclusion."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from gendan.core.errors import NotFoundError
from gendan.core.schemas import ERRORS, MAX_ID, DateIn, Id, PageOut, PageParams, Ref, UserRef, page_of
from gendan.reviews.models import Review, ReviewItem
from gendan.reviews.selectors import department_may_sign, review_get, review_list
from gendan.reviews.services import (
    review_approve,
    review_approve_many,
    review_item_sign,
    review_item_sign_many,
    review_reject,
)

router = Router(tags=["reviews"])

ReviewId = Annotated[int, Path(..., ge=1, le=MAX_ID)]


class ReviewOrderOut(Schema):
    id: int
    number: str
    status: str
    customer: Ref
    order_date: dt.date
    requested_date: dt.date
    total_amount: Decimal
    currency: str


class CreditOut(Schema):
    limit: Decimal
    open_amount: Decimal = Field(..., description="The customer's other committed orders")
    order_amount: Decimal
    ok: bool


class ReviewItemOut(Schema):
    id: int
    department: str
    department_label: str
    result: str
    comment: str
    signer: UserRef | None
    signed_at: dt.datetime | None
    may_sign: bool = Field(False, description="Whether you may sign this item")

    @staticmethod
    def resolve_department_label(obj) -> str:
        return str(obj.get_department_display())

    @staticmethod
    def resolve_may_sign(obj, context) -> bool:
        return obj.review.status == Review.Status.OPEN and department_may_sign(
            user=context["request"].auth, department=obj.department
        )


class ReviewSummaryOut(Schema):
    id: int
    order: ReviewOrderOut
    round: int
    status: str
    feasible_date: dt.date
    promised_date: dt.date | None
    is_date_risk: bool
    credit_ok: bool
    created_at: dt.datetime
    concluded_at: dt.datetime | None


class ReviewOut(ReviewSummaryOut):
    opened_by: UserRef
    feasible_basis: dict = Field(
        ..., description="How the feasible date was found (cycle, lead time, calendar)"
    )
    credit: CreditOut
    promise_reason: str
    conclusion: str
    concluded_by: UserRef | None
    items: list[ReviewItemOut]

    @staticmethod
    def resolve_credit(obj) -> dict:
        return {
            "limit": obj.credit_limit,
            "open_amount": obj.credit_open_amount,
            "order_amount": obj.credit_order_amount,
            "ok": obj.credit_ok,
        }


class ReviewPage(PageOut):
    items: list[ReviewSummaryOut]


class ReviewFilters(PageParams):
    status: Review.Status | None = None
    order: Id | None = Field(None, description="Reviews of this order")


class SignIn(Schema):
    model_config = {"extra": "forbid"}

    result: ReviewItem.Result = Field(..., description="pass, conditional or fail")
    comment: str = Field("", max_length=2000, description="Required unless the result is pass")


class ApproveIn(Schema):
    model_config = {"extra": "forbid"}

    promised_date: DateIn
    reason: str = Field("", max_length=300, description="Required when earlier than the feasible date")
    conclusion: str = Field("", max_length=2000)


class RejectIn(Schema):
    model_config = {"extra": "forbid"}

    reason: str = Field(..., max_length=2000)


class SignBatchIn(Schema):
    model_config = {"extra": "forbid"}

    items: list[Id] = Field(..., description="Review item ids, up to 500, all of your department")
    result: ReviewItem.Result = Field(..., description="pass, conditional or fail, for every item")
    comment: str = Field("", max_length=2000, description="Required unless the result is pass")


class SignedItemOut(Schema):
    id: int
    review: int = Field(..., alias="review_id")
    order: str
    department: str
    result: str

    @staticmethod
    def resolve_order(obj) -> str:
        return obj.review.order.number


class ApproveBatchItemIn(Schema):
    model_config = {"extra": "forbid"}

    id: Id
    promised_date: DateIn | None = Field(None, description="Default: the review's feasible date")


class ApproveBatchIn(Schema):
    model_config = {"extra": "forbid"}

    reviews: list[ApproveBatchItemIn] = Field(..., description="Up to 500 open reviews")
    reason: str = Field(
        "", max_length=300, description="Required when a date is earlier than its feasible date"
    )
    conclusion: str = Field("", max_length=2000)


class ApprovedOut(Schema):
    id: int
    order: str
    status: str
    promised_date: dt.date | None
    is_date_risk: bool

    @staticmethod
    def resolve_order(obj) -> str:
        return obj.order.number


def _detail(request, review_id: int) -> Review:
    return review_get(user=request.auth, pk=review_id)


@router.get("", response={200: ReviewPage, **ERRORS}, summary="Reviews of orders I may see")
def review_list_view(request, filters: Query[ReviewFilters]):
    qs = review_list(
        user=request.auth, status=filters.status.value if filters.status else None, order_id=filters.order
    )
    return page_of(qs, limit=filters.limit, offset=filters.offset)


# The batch actions come before "/{review_id}": their paths would otherwise be taken for a review id.
@router.post("/sign-batch", response={200: list[SignedItemOut], **ERRORS}, summary="Sign many items at once")
def review_sign_batch_view(request, payload: SignBatchIn):
    """批量会签: one result (and comment) for up to 500 items of your department, all or none. Each item is
    checked like a single signature (403 `wrong_department`, 409 `review_closed` / `order_not_in_review`,
    finance cannot pass a customer over the credit limit); an error names the item (`items.N`, N from 0).
    Items you may not see answer 404; none or more than 500 answer 400."""
    return review_item_sign_many(
        items=payload.items, actor=request.auth, result=payload.result.value, comment=payload.comment
    )


@router.post(
    "/approve-batch", response={200: list[ApprovedOut], **ERRORS}, summary="Approve many reviews at once"
)
def review_approve_batch_view(request, payload: ApproveBatchIn):
    """批量批准: up to 500 open reviews, all or none, each checked like a single approval (every item
    signed, none failed). Each review is promised its `promised_date` or else its feasible date; an earlier
    date than feasible needs `reason` and marks the order as a date risk. Errors name the review
    (`reviews.N`)."""
    ids = [entry.id for entry in payload.reviews]
    dates = {entry.id: entry.promised_date for entry in payload.reviews if entry.promised_date is not None}
    return review_approve_many(
        reviews=ids,
        actor=request.auth,
        promised_dates=dates,
        reason=payload.reason,
        conclusion=payload.conclusion,
    )


@router.get("/{review_id}", response={200: ReviewOut, **ERRORS}, summary="One review with its items")
def review_detail(request, review_id: ReviewId):
    return _detail(request, review_id)


@router.post(
    "/{review_id}/items/{item_id}/sign",
    response={200: ReviewOut, **ERRORS},
    summary="Sign a department's item",
)
def review_item_sign_view(
    request, review_id: ReviewId, item_id: Annotated[int, Path(..., ge=1, le=MAX_ID)], payload: SignIn
):
    """Only the item's department signs it (403 otherwise). Conditional and fail need a comment; finance
    cannot pass a customer over the credit limit."""
    review = _detail(request, review_id)
    item = next((i for i in review.items.all() if i.pk == item_id), None)
    if item is None:
        raise NotFoundError(_("Review item not found."))
    review_item_sign(item=item, actor=request.auth, result=payload.result.value, comment=payload.comment)
    return _detail(request, review_id)


@router.post("/{review_id}/approve", response={200: ReviewOut, **ERRORS}, summary="Approve the order")
def review_approve_view(request, review_id: ReviewId, payload: ApproveIn):
    """Every item signed, none failed. A promised date earlier than the feasible date needs a reason and
    marks the order as a date risk."""
    review_approve(
        review=_detail(request, review_id),
        actor=request.auth,
        promised_date=payload.promised_date,
        reason=payload.reason,
        conclusion=payload.conclusion,
    )
    return _detail(request, review_id)


@router.post("/{review_id}/reject", response={200: ReviewOut, **ERRORS}, summary="Reject the order")
def review_reject_view(request, review_id: ReviewId, payload: RejectIn):
    review_reject(review=_detail(request, review_id), actor=request.auth, reason=payload.reason)
    return _detail(request, review_id)
