import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.core.errors import NotFoundError
from gendan.orders.models import COMMITTED_STATUSES, Order, OrderLine, OrderStatus
from gendan.orders.selectors import order_visible_exists
from gendan.parties.models import Customer, PaymentTermsType
from gendan.planning.calendar import working_calendar
from gendan.reviews.models import Review, ReviewDepartment, ReviewItem


def feasible_date_propose(*, order: Order) -> tuple[dt.date, dict]:
    """Earliest feasible delivery, the latest of: max(order date, today) + production cycle + longest material
    lead time in working days (Chinese holidays and make-up days); the order's completion in the finite-capacity
    schedule (gendan.capacity); and the date its materials are in (gendan.materials).

    `basis["capacity_late"]`: the schedule cannot finish the order by its promised (or requested) date."""
    from gendan.capacity.selectors import order_schedule_preview

    today = timezone.localdate()
    lines = [
        (line.product.production_cycle_days, line.product.material_lead_days)
        for line in order.lines.select_related("product")
    ]
    return _feasible(order, lines, order_schedule_preview(order=order, today=today), today)


def feasible_dates_propose(*, orders: Sequence[Order]) -> list[tuple[dt.date, dict]]:
    """feasible_date_propose for each of `orders` (review_open_many), with the lines read in one query.

    Without work centres the schedule preview is only the materials' projection; an order that was never
    released (draft, in review: no requirement rows) and whose products have no bill of materials waits
    for nothing there, so it is answered without asking (one read of every order's needs instead of one
    projection per order). Any other order gets its own preview, as on a single submission."""
    from gendan.capacity.selectors import capacity_configured, order_schedule_preview
    from gendan.materials.selectors import order_material_needs

    today = timezone.localdate()
    pks = [order.pk for order in orders]
    lines: dict[int, list[tuple[int, int]]] = {pk: [] for pk in pks}
    for order_id, cycle, lead in OrderLine.objects.filter(order_id__in=pks).values_list(
        "order_id", "product__production_cycle_days", "product__material_lead_days"
    ):
        lines[order_id].append((cycle, lead))
    quiet: set[int] = set()
    if not capacity_configured():
        needs = order_material_needs(orders=pks)
        never_released = (OrderStatus.DRAFT, OrderStatus.IN_REVIEW)
        quiet = {o.pk for o in orders if o.status in never_released and not needs.get(o.pk)}
    nothing = {
        "completion": None,
        "start": None,
        "material_ready": None,
        "has_route": False,
        "beyond_horizon": False,
        "horizon_end": today,
        "warnings": [],
    }
    return [
        _feasible(
            order,
            lines[order.pk],
            dict(nothing) if order.pk in quiet else order_schedule_preview(order=order, today=today),
            today,
        )
        for order in orders
    ]


def _feasible(
    order: Order, lines: list[tuple[int, int]], schedule: dict, today: dt.date
) -> tuple[dt.date, dict]:
    """The feasible date and its basis from the order's (production cycle, material lead days) per line and
    its schedule preview."""
    start = max(order.order_date, today)
    cycle = max((line[0] for line in lines), default=0)
    lead = max((line[1] for line in lines), default=0)
    calendar = working_calendar(start, horizon_days=max(60, (cycle + lead) * 3))
    cycle_date = calendar.add_working_days(start, cycle + lead)
    completion, ready = schedule["completion"], schedule["material_ready"]
    due = order.promised_date or order.requested_date
    beyond = schedule["has_route"] and schedule["beyond_horizon"]
    feasible = max(
        d for d in (cycle_date, completion, ready, schedule["horizon_end"] if beyond else None) if d
    )
    basis = {
        "start": start.isoformat(),
        "production_cycle_days": cycle,
        "material_lead_days": lead,
        "working_days": cycle + lead,
        "warnings": calendar.warnings + [w for w in schedule["warnings"] if w not in calendar.warnings],
        "cycle_date": cycle_date.isoformat(),
        "scheduled_completion": completion.isoformat() if completion else None,
        "scheduled_start": schedule["start"].isoformat() if schedule["start"] else None,
        "material_ready": ready.isoformat() if ready else None,
        "has_route": schedule["has_route"],
        "beyond_horizon": beyond,
        "due_date": due.isoformat(),
        "capacity_late": beyond or bool(completion and completion > due),
    }
    return feasible, basis


def credit_check(*, order: Order) -> dict:
    """The customer's exposure + this order against the credit limit.

    Exposure (`open_amount`) = the part of its open (committed, not closed) orders not yet invoiced +
    its open receivables (invoiced, not paid: `receivables`, from gendan.ledger). An invoiced amount
    counts once, as a receivable, until it is paid.
    """
    return _credit_of(order, _exposure(order.customer, exclude_pk=order.pk))


def credit_checks(*, orders: Sequence[Order]) -> list[dict]:
    """credit_check for each of `orders`, with set-based reads: an order that is not committed itself is not
    in its customer's exposure, so the exposure is one per customer, read for all customers with three
    queries (a committed order is checked on its own, without itself)."""
    from gendan.ledger.selectors import ZERO_MONEY, customers_orders_invoiced_amount, customers_receivables

    customer_ids = sorted({order.customer_id for order in orders if order.status not in COMMITTED_STATUSES})
    shared: dict[int, tuple[Decimal, Decimal, Decimal]] = {}
    if customer_ids:
        committed = Order.objects.filter(customer_id__in=customer_ids, status__in=COMMITTED_STATUSES)
        totals = dict(
            committed.values("customer_id")
            .annotate(total=Sum("total_amount"))
            .values_list("customer_id", "total")
            .order_by()
        )
        invoiced = customers_orders_invoiced_amount(orders=committed)
        receivables = customers_receivables(customer_ids=customer_ids)
        for pk in customer_ids:
            uninvoiced = max((totals.get(pk) or Decimal("0")) - invoiced.get(pk, ZERO_MONEY), Decimal("0"))
            shared[pk] = (uninvoiced + receivables[pk], uninvoiced, receivables[pk])
    return [
        _credit_of(order, _exposure(order.customer, exclude_pk=order.pk))
        if order.status in COMMITTED_STATUSES
        else _credit_of(order, shared[order.customer_id])
        for order in orders
    ]


def _exposure(customer: Customer, *, exclude_pk: int) -> tuple[Decimal, Decimal, Decimal]:
    """(open amount, uninvoiced, receivables) of the customer, without order `exclude_pk`."""
    from gendan.ledger.selectors import customer_receivables, orders_invoiced_amount

    committed = Order.objects.filter(customer=customer, status__in=COMMITTED_STATUSES).exclude(pk=exclude_pk)
    committed_total = committed.aggregate(total=Sum("total_amount"))["total"] or Decimal("0")
    uninvoiced = max(
        committed_total - orders_invoiced_amount(order_ids=committed.values_list("pk", flat=True)),
        Decimal("0"),
    )
    receivables = customer_receivables(customer=customer)
    return uninvoiced + receivables, uninvoiced, receivables


def _credit_of(order: Order, exposure: tuple[Decimal, Decimal, Decimal]) -> dict:
    customer = order.customer
    open_amount, uninvoiced, receivables = exposure
    exempt = customer.payment_terms in (PaymentTermsType.PREPAYMENT, PaymentTermsType.CASH)
    ok = exempt or open_amount + order.total_amount <= customer.credit_limit
    return {
        "limit": customer.credit_limit,
        "open_amount": open_amount,
        "order_amount": order.total_amount,
        "ok": ok,
        "exempt": exempt,
        "uninvoiced": uninvoiced,
        "receivables": receivables,
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
    return Review.objects.filter(order_visible_exists(user=user)).select_related("order", "order__customer")


def review_list(*, user: User, status: str | None = None, order_id: int | None = None) -> QuerySet[Review]:
    qs = review_visible_list(user=user)
    if status:
        qs = qs.filter(status=status)
    if order_id:
        qs = qs.filter(order_id=order_id)
    return qs.order_by("-id")


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
        order_visible_exists(user=user, ref="review__order_id"),
        Q(department__in=departments),
        review__status=Review.Status.OPEN,
        review__order__status="in_review",
        result=ReviewItem.Result.PENDING,
    ).select_related("review__order__customer")


def feasible_date_for_products(*, order: Order, products: Sequence) -> tuple[dt.date, dict]:
    """feasible_date_propose for a proposed version of `order` (a change request, gendan.changes): the
    production cycle and material lead days of `products`, today's capacity schedule and materials."""
    from gendan.capacity.selectors import order_schedule_preview

    today = timezone.localdate()
    lines = [(p.production_cycle_days, p.material_lead_days) for p in products]
    return _feasible(order, lines, order_schedule_preview(order=order, today=today), today)
