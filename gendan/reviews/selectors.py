import datetime as dt
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.core.errors import NotFoundError
from gendan.orders.models import COMMITTED_STATUSES, Order
from gendan.orders.selectors import order_scope_q
from gendan.parties.models import PaymentTermsType
from gendan.planning.calendar import working_calendar
from gendan.reviews.models import Review, ReviewDepartment, ReviewItem


def feasible_date_propose(*, order: Order) -> tuple[dt.date, dict]:
    """Earliest feasible delivery: max(order date, today) + production cycle + longest material lead time,
    in working days (Chinese holidays and make-up days)."""
    start = max(order.order_date, timezone.localdate())
    lines = list(order.lines.select_related("product"))
    cycle = max((line.product.production_cycle_days for line in lines), default=0)
    lead = max((line.product.material_lead_days for line in lines), default=0)
    calendar = working_calendar(start, horizon_days=max(60, (cycle + lead) * 3))
    feasible = calendar.add_working_days(start, cycle + lead)
    basis = {
        "start": start.isoformat(),
        "production_cycle_days": cycle,
        "material_lead_days": lead,
        "working_days": cycle + lead,
        "warnings": calendar.warnings,
    }
    return feasible, basis


def credit_check(*, order: Order) -> dict:
    """Open (committed, not closed) orders of the customer + this order against the credit limit."""
    customer = order.customer
    open_amount = Order.objects.filter(customer=customer, status__in=COMMITTED_STATUSES).exclude(
        pk=order.pk
    ).aggregate(total=Sum("total_amount"))["total"] or Decimal("0")
    exempt = customer.payment_terms in (PaymentTermsType.PREPAYMENT, PaymentTermsType.CASH)
    ok = exempt or open_amount + order.total_amount <= customer.credit_limit
    return {
        "limit": customer.credit_limit,
        "open_amount": open_amount,
        "order_amount": order.total_amount,
        "ok": ok,
        "exempt": exempt,
    }


def department_may_sign(*, user: User, department: str) -> bool:
    if not user.is_active or user.is_read_only:
        return False
    if user.has_role(R.ADMIN):
        return True
    if department == ReviewDepartment.BUSINESS and user.has_role(R.SALES):
        return True
    return user.department_code == department and user.has_role(R.REVIEWER, R.PLANNER)


def review_visible_list(*, user: User) -> QuerySet[Review]:
    return Review.objects.filter(
        order__in=Order.objects.filter(order_scope_q(user)).values("pk")
    ).select_related("order", "order__customer")


def review_get(*, user: User, pk: int | str) -> Review:
    try:
        return review_visible_list(user=user).prefetch_related("items__signer").get(pk=int(pk))
    except (Review.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Review not found.")) from None


def review_current_for_order(*, order: Order) -> Review | None:
    return order.reviews.prefetch_related("items__signer").order_by("-round").first()


def review_items_awaiting(*, user: User) -> QuerySet[ReviewItem]:
    """Items this user's department still has to sign."""
    departments = [d for d in ReviewDepartment.values if department_may_sign(user=user, department=d)]
    if not departments:
        return ReviewItem.objects.none()
    return ReviewItem.objects.filter(
        Q(department__in=departments),
        review__status=Review.Status.OPEN,
        review__order__status="in_review",
        result=ReviewItem.Result.PENDING,
        review__order__in=Order.objects.filter(order_scope_q(user)).values("pk"),
    ).select_related("review__order__customer")
