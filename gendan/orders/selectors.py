from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.accounts.scope import owned_q
from gendan.core.errors import NotFoundError
from gendan.orders.models import Order, OrderEvent, OrderStatus

# Planners work on released orders onward; reviewers on everything submitted for review.
PLANNER_STATUSES = (
    OrderStatus.RELEASED,
    OrderStatus.IN_PRODUCTION,
    OrderStatus.PARTIALLY_SHIPPED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.CLOSED,
    OrderStatus.ON_HOLD,
)
REVIEWER_STATUSES = (OrderStatus.IN_REVIEW, OrderStatus.APPROVED, OrderStatus.REJECTED, *PLANNER_STATUSES)


def order_scope_q(user: User) -> Q:
    q = owned_q(user, merchandiser="merchandiser", salesperson="salesperson")
    if user.is_active and user.has_role(R.PLANNER):
        q |= Q(status__in=PLANNER_STATUSES)
    if user.is_active and user.has_role(R.REVIEWER):
        q |= Q(status__in=REVIEWER_STATUSES)
    return q


def order_visible_list(*, user: User) -> QuerySet[Order]:
    return Order.objects.filter(order_scope_q(user)).select_related("customer", "merchandiser", "salesperson")


def order_list(*, user: User, filters: dict | None = None, ordering: str = "-id") -> QuerySet[Order]:
    filters = filters or {}
    qs = order_visible_list(user=user)
    if status := filters.get("status"):
        qs = qs.filter(status__in=status if isinstance(status, list | tuple) else [status])
    if customer := filters.get("customer"):
        qs = qs.filter(customer_id=customer)
    if merchandiser := filters.get("merchandiser"):
        qs = qs.filter(merchandiser_id=merchandiser)
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(customer_po__icontains=q)
            | Q(customer__name__icontains=q)
            | Q(customer__code__iexact=q)
        )
    if due_from := filters.get("due_from"):
        qs = qs.filter(requested_date__gte=due_from)
    if due_to := filters.get("due_to"):
        qs = qs.filter(requested_date__lte=due_to)
    if filters.get("original_pending"):
        qs = qs.filter(original_pending_q())
    allowed = {
        "id",
        "-id",
        "requested_date",
        "-requested_date",
        "order_date",
        "-order_date",
        "number",
        "-number",
        "total_amount",
        "-total_amount",
        "status",
        "-status",
    }
    return qs.order_by(ordering if ordering in allowed else "-id", "-id")


def original_pending_q() -> Q:
    from gendan.orders.models import COPY_SOURCES

    return Q(source_document__in=COPY_SOURCES, original_received_at__isnull=True) & ~Q(
        status=OrderStatus.CANCELLED
    )


def order_get(*, user: User, pk: int | str) -> Order:
    """One order within the user's scope; 404 otherwise (an existing order outside scope looks missing)."""
    qs = order_visible_list(user=user).prefetch_related("lines__product", "lines__sizes")
    try:
        return qs.get(pk=int(pk))
    except (Order.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Order not found.")) from None


def order_get_by_number(*, user: User, number: str) -> Order:
    order = order_visible_list(user=user).filter(number=number).first()
    if order is None:
        raise NotFoundError(_("Order not found."))
    return order


def order_timeline(*, order: Order) -> QuerySet[OrderEvent]:
    return order.events.select_related("actor").order_by("created_at", "id")


def order_duplicates(*, customer_id: int, customer_po: str, exclude_pk: int | None = None) -> QuerySet[Order]:
    qs = Order.objects.filter(customer_id=customer_id, customer_po__iexact=customer_po.strip()).exclude(
        status=OrderStatus.CANCELLED
    )
    return qs.exclude(pk=exclude_pk) if exclude_pk else qs
