"""Order review (订单评审): open, department signatures, the supervisor's conclusion."""

import datetime as dt
from collections.abc import Mapping, Sequence

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts.models import User
from gendan.core.errors import ApplicationError, PermissionDeniedError, TransitionError, ValidationFailed
from gendan.orders.bulk import (
    MAX_BATCH,
    EventRow,
    batch_ids,
    events_write,
    item_error,
    not_found,
    order_transitions_apply,
    orders_locked,
    table_writer,
)
from gendan.orders.models import Order, OrderEvent, OrderPromise, OrderStatus, PromiseCause, SourceDocument
from gendan.orders.promises import SOURCE_REVIEW, initial_promises_build, order_promise_record
from gendan.orders.selectors import order_visible_exists
from gendan.orders.services import order_transition
from gendan.reviews.models import Review, ReviewDepartment, ReviewItem
from gendan.reviews.selectors import (
    credit_check,
    credit_checks,
    department_may_sign,
    feasible_date_propose,
    feasible_dates_propose,
)


@transaction.atomic
def review_open(*, order: Order, actor: User) -> Review:
    """Submit a draft order for review: the order goes to in_review and one item per department opens."""
    # Only a draft is waiting for the verbal approval; from other statuses the table's refusal is the reason.
    if (
        order.status == OrderStatus.DRAFT
        and order.source_document == SourceDocument.VERBAL
        and order.verbal_approved_at is None
    ):
        raise ApplicationError(
            _("A verbal order needs the supervisor's approval before review. Request approval first."),
            code="verbal_needs_approval",
        )
    order = order_transition(order=order, actor=actor, action="submit_review")
    feasible, basis = feasible_date_propose(order=order)
    credit = credit_check(order=order)
    last_round = order.reviews.aggregate(last=Max("round"))["last"] or 0
    review = Review.objects.create(
        order=order,
        round=last_round + 1,
        opened_by=actor,
        feasible_date=feasible,
        feasible_basis=basis,
        credit_limit=credit["limit"],
        credit_open_amount=credit["open_amount"],
        credit_order_amount=credit["order_amount"],
        credit_ok=credit["ok"],
    )
    ReviewItem.objects.bulk_create(ReviewItem(review=review, department=d) for d in ReviewDepartment.values)
    Order.objects.filter(pk=order.pk).update(feasible_date=feasible)
    order.feasible_date = feasible
    return review


@transaction.atomic
def review_open_many(*, orders: Sequence[Order | int], actor: User) -> list[Review]:
    """Submit many draft orders for review at once, all or none: review_open's checks, rows and events per
    order (the feasible date and the credit check are still read per order). An error names the order
    (`orders.N`)."""
    locked = orders_locked(orders=orders, actor=actor, related=("customer",))  # the credit check reads it
    for index, order in enumerate(locked):
        if (
            order.status == OrderStatus.DRAFT
            and order.source_document == SourceDocument.VERBAL
            and order.verbal_approved_at is None
        ):
            exc = ApplicationError(
                _("A verbal order needs the supervisor's approval before review. Request approval first."),
                code="verbal_needs_approval",
            )
            raise item_error(exc, key="orders", index=index, label=order.number)
    order_transitions_apply(orders=locked, actor=actor, action="submit_review")
    rounds = dict(
        Review.objects.filter(order__in=[order.pk for order in locked])
        .values("order_id")
        .annotate(last=Max("round"))
        .values_list("order_id", "last")
        .order_by()
    )
    reviews = []
    for order, credit, (feasible, basis) in zip(
        locked, credit_checks(orders=locked), feasible_dates_propose(orders=locked), strict=True
    ):
        reviews.append(
            Review(
                order=order,
                round=(rounds.get(order.pk) or 0) + 1,
                opened_by=actor,
                feasible_date=feasible,
                feasible_basis=basis,
                credit_limit=credit["limit"],
                credit_open_amount=credit["open_amount"],
                credit_order_amount=credit["order_amount"],
                credit_ok=credit["ok"],
            )
        )
    reviews = Review.objects.bulk_create(reviews, batch_size=MAX_BATCH)
    table_writer(ReviewItem, ("review_id", "department")).insert(
        [(review.pk, d) for review in reviews for d in ReviewDepartment.values], now=None
    )
    by_date: dict[dt.date, list[int]] = {}
    for review in reviews:
        by_date.setdefault(review.feasible_date, []).append(review.order.pk)
        review.order.feasible_date = review.feasible_date
    for feasible, pks in by_date.items():
        Order.objects.filter(pk__in=pks).update(feasible_date=feasible)
    return reviews


def _sign_state_check(*, item: ReviewItem, actor: User) -> None:
    """The item may be signed now, by `actor` (review open, order in review, the item's department)."""
    review = item.review
    if review.status != Review.Status.OPEN:
        raise TransitionError(_("This review is already concluded."), code="review_closed")
    if review.order.status != OrderStatus.IN_REVIEW:
        raise TransitionError(
            _("The order is not in review (on hold or cancelled): nothing can be signed."),
            code="order_not_in_review",
        )
    if not department_may_sign(user=actor, department=item.department):
        raise PermissionDeniedError(
            _("Only the %(dept)s department can sign this item.") % {"dept": item.get_department_display()},
            code="wrong_department",
        )


def _sign_result_check(*, result: str, comment: str) -> str:
    """The result is one of pass / conditional / fail, with a comment unless pass; the comment stripped."""
    if result not in (ReviewItem.Result.PASS, ReviewItem.Result.CONDITIONAL, ReviewItem.Result.FAIL):
        raise ValidationFailed({"result": [_("Choose pass, conditional or fail.")]})
    comment = (comment or "").strip()
    if result != ReviewItem.Result.PASS and not comment:
        raise ValidationFailed({"comment": [_("Explain the condition or the failure.")]})
    return comment


def _sign_credit_check(*, item: ReviewItem, result: str) -> None:
    if (
        item.department == ReviewDepartment.FINANCE
        and result == ReviewItem.Result.PASS
        and not item.review.credit_ok
    ):
        raise ValidationFailed(
            {
                "result": [
                    _(
                        "The customer is over the credit limit: sign as conditional "
                        "(with the condition) or fail."
                    )
                ]
            }
        )


def _signed_event(*, item: ReviewItem, actor: User, result: str, comment: str, previous: str) -> EventRow:
    data = {"department": item.department, "result": result, "previous": previous, "review": item.review_id}
    return (item.review.order_id, OrderEvent.Type.REVIEW_SIGNED, actor.pk, "", "", comment, data)


@transaction.atomic
def review_item_sign(*, item: ReviewItem, actor: User, result: str, comment: str = "") -> ReviewItem:
    item = ReviewItem.objects.select_for_update().select_related("review__order").get(pk=item.pk)
    _sign_state_check(item=item, actor=actor)
    comment = _sign_result_check(result=result, comment=comment)
    _sign_credit_check(item=item, result=result)
    previous = item.result
    item.result, item.comment, item.signer, item.signed_at = result, comment, actor, timezone.now()
    item.save(update_fields=["result", "comment", "signer", "signed_at"])
    events_write([_signed_event(item=item, actor=actor, result=result, comment=comment, previous=previous)])
    return item


# What a batch signature reads of an item, its review and its order (an order row has some forty columns).
_SIGN_FIELDS = (
    "review",
    "department",
    "result",
    "comment",
    "signer",
    "signed_at",
    "review__status",
    "review__credit_ok",
    "review__order",
    "review__order__number",
    "review__order__status",
)


@transaction.atomic
def review_item_sign_many(
    *, items: Sequence[ReviewItem | int], actor: User, result: str, comment: str = ""
) -> list[ReviewItem]:
    """A department's signer signs many items at once (批量会签), all or none: review_item_sign's checks,
    rows and events per item. Items are ReviewItem objects or ids (up to MAX_BATCH) of orders `actor`
    sees; an error names the item (`items.N`)."""
    wanted = batch_ids(items, key="items")
    comment = _sign_result_check(result=result, comment=comment)
    found = {
        item.pk: item
        for item in ReviewItem.objects.select_for_update(of=("self", "review", "review__order"))
        .select_related("review__order")
        .only(*_SIGN_FIELDS)
        .filter(order_visible_exists(user=actor, ref="review__order_id"), pk__in=wanted)
        .order_by("pk")
    }
    missing = [index for index, pk in enumerate(wanted) if pk not in found]
    if missing:
        raise not_found(key="items", indexes=missing, message=_("Review item not found."))
    locked = [found[pk] for pk in wanted]
    for index, item in enumerate(locked):
        try:
            _sign_state_check(item=item, actor=actor)
            _sign_credit_check(item=item, result=result)
        except ApplicationError as exc:
            label = f"{item.review.order.number} {item.get_department_display()}"
            raise item_error(exc, key="items", index=index, label=label) from None
    now = timezone.now()
    previous = [item.result for item in locked]
    ReviewItem.objects.filter(pk__in=wanted).update(
        result=result, comment=comment, signer=actor, signed_at=now
    )
    for item in locked:
        item.result, item.comment, item.signer, item.signed_at = result, comment, actor, now
    events_write(
        [
            _signed_event(item=item, actor=actor, result=result, comment=comment, previous=before)
            for item, before in zip(locked, previous, strict=True)
        ],
        now=now,
    )
    return locked


def _ensure_may_conclude(actor: User, action: str) -> None:
    """Approve / reject are the leads' (ORDER_TRANSITIONS): refused before the review's state is read."""
    from gendan.orders.workflows import ORDER_TRANSITIONS

    if actor.is_read_only or not set(actor.roles) & ORDER_TRANSITIONS[action].roles:
        raise PermissionDeniedError(_("Your role may not do this."), code="role_not_allowed")


def _open_review_locked(review: Review) -> Review:
    review = Review.objects.select_for_update().select_related("order").get(pk=review.pk)
    if review.status != Review.Status.OPEN:
        raise TransitionError(_("This review is already concluded."), code="review_closed")
    return review


def _approve_check(
    *, review: Review, items: Sequence[ReviewItem], promised_date: dt.date | None, reason: str
) -> bool:
    """Every item signed, none failed, a promised date not before the order date, a reason when it is
    earlier than the feasible date. Returns whether the promise is a date risk."""
    pending = [i.get_department_display() for i in items if i.result == ReviewItem.Result.PENDING]
    failed = [i.get_department_display() for i in items if i.result == ReviewItem.Result.FAIL]
    if pending:
        raise ApplicationError(
            _("Not every department has signed: %(d)s.") % {"d": ", ".join(map(str, pending))},
            code="review_incomplete",
        )
    if failed:
        raise ApplicationError(
            _("Failed items (%(d)s): reject or renegotiate.") % {"d": ", ".join(map(str, failed))},
            code="review_failed_items",
        )
    if promised_date is None:
        raise ValidationFailed({"promised_date": [_("This field is required.")]})
    if promised_date < review.order.order_date:
        raise ValidationFailed({"promised_date": [_("The promised date cannot be before the order date.")]})
    is_risk = promised_date < review.feasible_date
    if is_risk and not reason:
        raise ValidationFailed(
            {
                "reason": [
                    _("%(date)s is earlier than the feasible date %(feasible)s: give a written reason.")
                    % {"date": promised_date, "feasible": review.feasible_date}
                ]
            }
        )
    return is_risk


def _date_risk_event(*, review: Review, actor: User, promised_date: dt.date, reason: str) -> EventRow:
    data = {"promised_date": promised_date.isoformat(), "feasible_date": review.feasible_date.isoformat()}
    return (review.order_id, OrderEvent.Type.DATE_RISK, actor.pk, "", "", reason, data)


@transaction.atomic
def review_approve(
    *, review: Review, actor: User, promised_date: dt.date | None, reason: str = "", conclusion: str = ""
) -> Review:
    """The supervisor approves with a promised date; an earlier date than feasible needs a reason (risk)."""
    _ensure_may_conclude(actor, "approve")
    review = _open_review_locked(review)
    reason = (reason or "").strip()
    is_risk = _approve_check(
        review=review, items=list(review.items.all()), promised_date=promised_date, reason=reason
    )
    assert promised_date is not None
    order = order_transition(
        order=review.order,
        actor=actor,
        action="approve",
        promised_date=promised_date,
        promise_reason=reason if is_risk else "",
        is_date_risk=is_risk,
        data={"promised_date": promised_date.isoformat(), "review": review.pk},
    )
    order_promise_record(
        order=order,
        new_date=promised_date,
        cause=PromiseCause.INITIAL,
        reason=reason if is_risk else "",
        actor=actor,
        source=SOURCE_REVIEW,
    )
    if is_risk:
        events_write(
            [_date_risk_event(review=review, actor=actor, promised_date=promised_date, reason=reason)]
        )
    review.status, review.promised_date, review.promise_reason, review.is_date_risk = (
        Review.Status.APPROVED,
        promised_date,
        reason if is_risk else "",
        is_risk,
    )
    review.conclusion, review.concluded_by, review.concluded_at = conclusion.strip(), actor, timezone.now()
    review.save()
    return review


@transaction.atomic
def review_approve_many(
    *,
    reviews: Sequence[Review | int],
    actor: User,
    promised_dates: Mapping[int, dt.date | None] | None = None,
    reason: str = "",
    conclusion: str = "",
) -> list[Review]:
    """The supervisor approves many reviews at once (批量批准), all or none: review_approve's checks, rows
    and events per review. `promised_dates`: {review id: date}; a review not in it is promised its
    feasible date. `reason` covers every promise earlier than its feasible date (each needs one);
    `conclusion` is written on every review. An error names the review (`reviews.N`)."""
    _ensure_may_conclude(actor, "approve")
    wanted = batch_ids(reviews, key="reviews")
    found = {
        review.pk: review
        for review in Review.objects.select_for_update(of=("self", "order"))
        .select_related("order")
        .filter(order_visible_exists(user=actor), pk__in=wanted)
        .order_by("pk")
    }
    missing = [index for index, pk in enumerate(wanted) if pk not in found]
    if missing:
        raise not_found(key="reviews", indexes=missing, message=_("Review not found."))
    locked = [found[pk] for pk in wanted]
    # _approve_check looks only at pending and failed items: passed and conditional ones are not read
    items: dict[int, list[ReviewItem]] = {}
    for item in (
        ReviewItem.objects.filter(review_id__in=wanted)
        .exclude(result__in=(ReviewItem.Result.PASS, ReviewItem.Result.CONDITIONAL))
        .order_by("review_id", "id")
    ):
        items.setdefault(item.review_id, []).append(item)
    reason, conclusion = (reason or "").strip(), (conclusion or "").strip()
    dates = promised_dates or {}
    promised: list[dt.date] = []
    risks: list[bool] = []
    for index, review in enumerate(locked):
        date = dates.get(review.pk, review.feasible_date)
        try:
            if review.status != Review.Status.OPEN:
                raise TransitionError(_("This review is already concluded."), code="review_closed")
            risks.append(
                _approve_check(
                    review=review, items=items.get(review.pk, []), promised_date=date, reason=reason
                )
            )
        except ApplicationError as exc:
            raise item_error(exc, key="reviews", index=index, label=review.order.number) from None
        assert date is not None
        promised.append(date)
    order_transitions_apply(
        orders=[review.order for review in locked],
        actor=actor,
        action="approve",
        fields=[
            {"promised_date": date, "promise_reason": reason if risk else "", "is_date_risk": risk}
            for date, risk in zip(promised, risks, strict=True)
        ],
        data=[
            {"promised_date": date.isoformat(), "review": review.pk}
            for review, date in zip(locked, promised, strict=True)
        ],
        key="reviews",
    )
    OrderPromise.objects.bulk_create(
        initial_promises_build(
            orders=[review.order for review in locked],
            actor=actor,
            agreed_at=timezone.now(),
            reasons=[reason if risk else "" for risk in risks],
        ),
        batch_size=MAX_BATCH,
    )
    risky = [
        _date_risk_event(review=review, actor=actor, promised_date=date, reason=reason)
        for review, date, risk in zip(locked, promised, risks, strict=True)
        if risk
    ]
    events_write(risky)
    now = timezone.now()
    groups: dict[tuple[dt.date, bool], list[Review]] = {}
    for review, date, risk in zip(locked, promised, risks, strict=True):
        review.status, review.promised_date, review.is_date_risk = Review.Status.APPROVED, date, risk
        review.promise_reason = reason if risk else ""
        review.conclusion, review.concluded_by, review.concluded_at, review.updated_at = (
            conclusion,
            actor,
            now,
            now,
        )
        groups.setdefault((date, risk), []).append(review)
    for (date, risk), members in groups.items():
        Review.objects.filter(pk__in=[review.pk for review in members]).update(
            status=Review.Status.APPROVED,
            promised_date=date,
            promise_reason=reason if risk else "",
            is_date_risk=risk,
            conclusion=conclusion,
            concluded_by=actor,
            concluded_at=now,
            updated_at=now,
        )
    return locked


@transaction.atomic
def review_reject(*, review: Review, actor: User, reason: str) -> Review:
    _ensure_may_conclude(actor, "reject")
    review = _open_review_locked(review)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("This field is required.")]})
    order_transition(
        order=review.order, actor=actor, action="reject", reason=reason, data={"review": review.pk}
    )
    review.status, review.conclusion = Review.Status.REJECTED, reason
    review.concluded_by, review.concluded_at = actor, timezone.now()
    review.save()
    return review


def review_on_order_transition(*, order: Order, action: str, actor: User, from_status: str) -> None:
    """A cancelled order's open review is cancelled with it (hooked into every order transition)."""
    if action == "cancel":
        Review.objects.filter(order=order, status=Review.Status.OPEN).update(
            status=Review.Status.CANCELLED, concluded_by=actor, concluded_at=timezone.now()
        )
