"""Order review (订单评审): open, department signatures, the supervisor's conclusion."""

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts.models import User
from gendan.core.errors import ApplicationError, PermissionDeniedError, TransitionError, ValidationFailed
from gendan.orders.models import Order, OrderEvent, OrderStatus, SourceDocument
from gendan.orders.services import order_event_record, order_transition
from gendan.reviews.models import Review, ReviewDepartment, ReviewItem
from gendan.reviews.selectors import credit_check, department_may_sign, feasible_date_propose


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
def review_item_sign(*, item: ReviewItem, actor: User, result: str, comment: str = "") -> ReviewItem:
    item = ReviewItem.objects.select_for_update().select_related("review__order").get(pk=item.pk)
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
    if result not in (ReviewItem.Result.PASS, ReviewItem.Result.CONDITIONAL, ReviewItem.Result.FAIL):
        raise ValidationFailed({"result": [_("Choose pass, conditional or fail.")]})
    comment = (comment or "").strip()
    if result != ReviewItem.Result.PASS and not comment:
        raise ValidationFailed({"comment": [_("Explain the condition or the failure.")]})
    if (
        item.department == ReviewDepartment.FINANCE
        and result == ReviewItem.Result.PASS
        and not review.credit_ok
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
    previous = item.result
    item.result, item.comment, item.signer, item.signed_at = result, comment, actor, timezone.now()
    item.save(update_fields=["result", "comment", "signer", "signed_at"])
    order_event_record(
        order=review.order,
        type=OrderEvent.Type.REVIEW_SIGNED,
        actor=actor,
        note=comment,
        data={"department": item.department, "result": result, "previous": previous, "review": review.pk},
    )
    return item


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


@transaction.atomic
def review_approve(
    *, review: Review, actor: User, promised_date: dt.date | None, reason: str = "", conclusion: str = ""
) -> Review:
    """The supervisor approves with a promised date; an earlier date than feasible needs a reason (risk)."""
    _ensure_may_conclude(actor, "approve")
    review = _open_review_locked(review)
    items = list(review.items.all())
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
    order = review.order
    if promised_date < order.order_date:
        raise ValidationFailed({"promised_date": [_("The promised date cannot be before the order date.")]})
    reason = (reason or "").strip()
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
    order_transition(
        order=order,
        actor=actor,
        action="approve",
        promised_date=promised_date,
        promise_reason=reason if is_risk else "",
        is_date_risk=is_risk,
        data={"promised_date": promised_date.isoformat(), "review": review.pk},
    )
    if is_risk:
        order_event_record(
            order=order,
            type=OrderEvent.Type.DATE_RISK,
            actor=actor,
            note=reason,
            data={
                "promised_date": promised_date.isoformat(),
                "feasible_date": review.feasible_date.isoformat(),
            },
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
