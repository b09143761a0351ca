import functools
import string

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Lower
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
    # A planner also signs the review's planning (capacity) item, so sees orders from review onward.
    if user.is_active and user.has_role(R.PLANNER, R.REVIEWER):
        q |= Q(status__in=REVIEWER_STATUSES)
    return q


def order_visible_list(*, user: User) -> QuerySet[Order]:
    return Order.objects.filter(order_scope_q(user)).select_related("customer", "merchandiser", "salesperson")


def order_visible_exists(*, user: User, ref: str = "order_id", **filters) -> Exists:
    """EXISTS (the order at `ref` is one `user` sees, and matches `filters`): scope for rows of other tables.

    Checked per row by primary key, not as IN (every visible order id): a supervisor sees hundreds of
    thousands of orders, and SQLite would list them all before looking at the few rows asked for.
    """
    return Exists(Order.objects.filter(order_scope_q(user), pk=OuterRef(ref), **filters))


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


# What a row of the HTML order list shows (orders/list.html): a page reads these, not every column of 50
# orders, their customers and two users each.
ORDER_ROW_FIELDS = (
    "number",
    "customer__name",
    "customer_po",
    "status",
    "is_date_risk",
    "source_document",
    "original_received_at",
    "order_date",
    "promised_date",
    "requested_date",
    "total_quantity",
    "currency",
    "total_amount",
    "merchandiser__username",
    "merchandiser__first_name",
    "merchandiser__last_name",
    "merchandiser__display_name",
)


def order_list_rows(*, user: User, filters: dict | None = None, ordering: str = "-id") -> QuerySet[Order]:
    """order_list (same scope, filters and order) with only the columns of the HTML list's rows."""
    qs = order_list(user=user, filters=filters, ordering=ordering)
    return qs.select_related(None).select_related("customer", "merchandiser").only(*ORDER_ROW_FIELDS)


def original_pending_q() -> Q:
    from gendan.orders.models import COPY_SOURCES

    # As a subquery on the orders_original_pending index: the planner's statistics cannot tell that copy
    # sources are rare (one average per column), so a plain filter let SQLite scan a whole scope instead.
    pending = Order.objects.filter(source_document__in=COPY_SOURCES, original_received_at__isnull=True)
    return Q(pk__in=pending.values("pk")) & ~Q(status=OrderStatus.CANCELLED)


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


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _lowered(po: str) -> set[str]:
    return {po.translate(_ASCII_LOWER), po.lower(), po.casefold()}


def order_duplicates_by_po(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], list[str]]:
    """Orders on file (not cancelled) for many (customer id, customer PO) pairs in one query, keyed by
    (customer id, PO casefolded)."""
    keys = {(customer_id, po.strip().casefold()) for customer_id, po in pairs}
    if not keys:
        return {}
    found: dict[tuple[int, str], list[str]] = {}
    # Candidates on the orders_customer_po_lower index: lower(customer_po) among each PO as the database may
    # lower it (SQLite folds ASCII letters only, PostgreSQL all, as Python's lower()); the casefold
    # comparison below decides. Plain values: an expression per PO cost 60 µs an order to compile.
    lowered = {variant for _customer_id, po in pairs for variant in _lowered(po.strip())}
    rows = (
        Order.objects.exclude(status=OrderStatus.CANCELLED)
        .annotate(po_lower=Lower("customer_po"))
        .filter(customer_id__in={k[0] for k in keys}, po_lower__in=sorted(lowered))
        .order_by("id")
        .values_list("customer_id", "customer_po", "number")
    )
    for customer_id, po, number in rows:
        key = (customer_id, po.casefold())
        if key in keys:
            found.setdefault(key, []).append(number)
    return found


def order_duplicates(*, customer_id: int, customer_po: str, exclude_pk: int | None = None) -> QuerySet[Order]:
    """Orders on file (not cancelled) of the customer with this PO in any case: lower() of both sides by the
    database (ASCII only on SQLite, as its LIKE), on the orders_customer_po_lower index."""
    qs = (
        Order.objects.annotate(po_lower=Lower("customer_po"))
        .filter(customer_id=customer_id, po_lower=Lower(Value(customer_po.strip())))
        .exclude(status=OrderStatus.CANCELLED)
    )
    return qs.exclude(pk=exclude_pk) if exclude_pk else qs


@functools.cache
def _duplicate_numbers_sql() -> tuple[str, str]:
    """order_duplicates' numbers, newest first, as one statement (with and without an order left out):
    built once from _meta, as the ORM would compile it; every value is bound."""
    quote = connection.ops.quote_name
    meta = Order._meta
    column = {
        name: quote(meta.get_field(name).column)
        for name in ("id", "number", "customer", "customer_po", "status")
    }
    select = (
        f"SELECT {column['number']} FROM {quote(meta.db_table)} "  # noqa: S608 - names from _meta
        f"WHERE {column['customer']} = %s AND LOWER({column['customer_po']}) = LOWER(%s) "
        f"AND NOT ({column['status']} = %s)"
    )
    order = f" ORDER BY {column['id']} DESC LIMIT %s"
    return select + order, select + f" AND NOT ({column['id']} = %s)" + order


def order_duplicate_numbers(
    *, customer_id: int, customer_po: str, exclude_pk: int | None = None, limit: int = 5
) -> list[str]:
    """The numbers of order_duplicates(…), newest first, at most `limit`: the single intake's check, without
    compiling a query each time (a quarter of a millisecond)."""
    plain, excluding = _duplicate_numbers_sql()
    params: list = [customer_id, customer_po.strip(), OrderStatus.CANCELLED.value]
    if exclude_pk:
        params.append(exclude_pk)
    with connection.cursor() as cursor:
        cursor.execute(excluding if exclude_pk else plain, [*params, limit])
        return [row[0] for row in cursor.fetchall()]


# Actions offered on the order page; approve/reject are concluded on the review page, shipping actions
# belong to the shipment screens.
ORDER_PAGE_ACTIONS = (
    "request_approval",
    "approve_verbal",
    "reject_verbal",
    "submit_review",
    "revise",
    "release",
    "start_production",
    "hold",
    "resume",
    "cancel",
    "close",
    "close_short",
)


def order_available_actions(*, order: Order, user: User) -> list[str]:
    """The actions `user` may take on `order` now, in the order of ORDER_PAGE_ACTIONS.

    Besides the transitions of the table: `acknowledge` (planner, released, not yet acknowledged) and
    `receive_original` (a copy was accepted and the original is still pending).
    """
    from gendan.core.workflow import allowed_actions
    from gendan.orders.models import SourceDocument
    from gendan.orders.workflows import ORDER_TRANSITIONS

    if not user.is_active or user.is_read_only or not user.roles:
        return []
    allowed = set(allowed_actions(ORDER_TRANSITIONS, order.status, set(user.roles)))
    verbal_unapproved = order.source_document == SourceDocument.VERBAL and order.verbal_approved_at is None
    if not verbal_unapproved:
        allowed.discard("request_approval")
    else:
        allowed.discard("submit_review")
    if order.status == OrderStatus.RELEASED and order.planner_ack_at is None:
        allowed.discard("start_production")
    actions = [action for action in ORDER_PAGE_ACTIONS if action in allowed]
    if (
        order.status == OrderStatus.RELEASED
        and order.planner_ack_at is None
        and user.has_role(R.PLANNER, R.ADMIN)
    ):
        actions.append("acknowledge")
    if order.status in (OrderStatus.IN_PRODUCTION, OrderStatus.PARTIALLY_SHIPPED) and user.has_role(
        R.SUPERVISOR, R.GENERAL_MANAGER, R.ADMIN
    ):
        actions.append("cancel_rest")  # gendan.shipping's line_rest_cancel (orders.services' roles)
    if order.original_pending:
        actions.append("receive_original")
    return actions


def planner_queue(*, user: User) -> list[dict]:
    """Released orders grouped by product family and work centre (归类汇总), unacknowledged first.

    An order whose lines belong to two groups appears in both, with the quantity of its lines in that group.
    """
    from gendan.orders.models import OrderLine

    lines = (
        OrderLine.objects.filter(
            order__in=order_visible_list(user=user).filter(status=OrderStatus.RELEASED).values("pk")
        )
        .select_related("order__customer", "product")
        .order_by("order__requested_date", "order_id", "line_no")
    )
    groups: dict[tuple[str, str], dict] = {}
    for line in lines:
        key = (line.product.family, line.product.work_centre)
        group = groups.setdefault(key, {"family": key[0], "work_centre": key[1], "orders": {}})
        entry = group["orders"].setdefault(
            line.order_id, {"order": line.order, "quantity": 0, "products": []}
        )
        entry["quantity"] += line.quantity
        if line.product not in entry["products"]:
            entry["products"].append(line.product)
    result = []
    for key in sorted(groups):
        group = groups[key]
        orders = sorted(
            group["orders"].values(),
            key=lambda e: (e["order"].planner_ack_at is not None, e["order"].due_date, e["order"].pk),
        )
        result.append(
            {
                "family": group["family"],
                "work_centre": group["work_centre"],
                "orders": orders,
                "unacknowledged": sum(1 for e in orders if e["order"].planner_ack_at is None),
            }
        )
    return result
