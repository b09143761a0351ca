"""Reads on shipments and samples; every list starts from the order scope."""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from gendan.accounts.models import User
from gendan.core.errors import NotFoundError
from gendan.orders.models import Order, OrderLine, OrderStatus
from gendan.orders.selectors import order_visible_list
from gendan.parties.selectors import customer_visible_list
from gendan.shipping.models import SampleDispatch, Shipment, ShipmentLine, ShipmentStatus

LIVE_STATUSES = (ShipmentStatus.SHIPPED, ShipmentStatus.RECEIVED)
QTY = Decimal("0.001")
HUNDRED = Decimal("100")


def shipment_visible_list(*, user: User) -> QuerySet[Shipment]:
    # EXISTS per shipment, not IN (every visible order id): a supervisor sees hundreds of thousands of
    # orders, and SQLite would list them all before looking at today's few shipments.
    visible = order_visible_list(user=user).filter(pk=OuterRef("order_id"))
    return Shipment.objects.filter(Exists(visible)).select_related("order", "customer", "order__merchandiser")


def shipment_list(*, user: User, filters: dict | None = None) -> QuerySet[Shipment]:
    filters = filters or {}
    qs = shipment_visible_list(user=user)
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if order := filters.get("order"):
        qs = qs.filter(order_id=order)
    if customer := filters.get("customer"):
        qs = qs.filter(customer_id=customer)
    if date_from := filters.get("date_from"):
        qs = qs.filter(ship_date__gte=date_from)
    if date_to := filters.get("date_to"):
        qs = qs.filter(ship_date__lte=date_to)
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(order__number__icontains=q)
            | Q(tracking_number__icontains=q)
            | Q(customer__name__icontains=q)
        )
    return qs.order_by("-ship_date", "-id")


def shipment_get(*, user: User, pk: int | str) -> Shipment:
    qs = shipment_visible_list(user=user).prefetch_related("lines__order_line__product")
    try:
        return qs.get(pk=int(pk))
    except (Shipment.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Shipment not found.")) from None


def shipment_lines(*, shipment: Shipment) -> QuerySet[ShipmentLine]:
    return shipment.lines.select_related("order_line__product").order_by("line_no")


def shipments_on(*, user: User, day: dt.date) -> QuerySet[Shipment]:
    """Shipments leaving on `day` (the dashboard's "today's shipments")."""
    return shipment_visible_list(user=user).filter(ship_date=day).exclude(status=ShipmentStatus.CANCELLED)


@dataclass(frozen=True)
class LineProgress:
    line: OrderLine
    ordered: Decimal
    shipped: Decimal
    minimum: Decimal  # the line counts as complete from here (ordered − tolerance)
    maximum: Decimal  # never more than this in all (ordered + tolerance)

    @property
    def remaining(self) -> Decimal:
        return max(self.ordered - self.shipped, Decimal("0"))

    @property
    def allowed(self) -> Decimal:
        return max(self.maximum - self.shipped, Decimal("0"))

    @property
    def complete(self) -> bool:
        return self.shipped >= self.minimum


def line_limits(line: OrderLine) -> tuple[Decimal, Decimal]:
    """(minimum that completes the line, maximum that may be shipped), from its over/short tolerance, on
    what is still ordered (a cancelled rest no longer counts)."""
    ordered = line.quantity - line.cancelled_quantity
    tolerance = ordered * line.tolerance_percent / HUNDRED
    return (
        (ordered - tolerance).quantize(QTY, rounding=ROUND_HALF_UP),
        (ordered + tolerance).quantize(QTY, rounding=ROUND_HALF_UP),
    )


def shipped_quantities(*, order_line_ids: list[int]) -> dict[int, Decimal]:
    rows = (
        ShipmentLine.objects.filter(order_line_id__in=order_line_ids, shipment__status__in=LIVE_STATUSES)
        .values("order_line_id")
        .annotate(total=Sum("quantity"))
    )
    return {row["order_line_id"]: row["total"] for row in rows}


def order_shipping_progress(*, order: Order, lines: list[OrderLine] | None = None) -> list[LineProgress]:
    lines = lines if lines is not None else list(order.lines.select_related("product").order_by("line_no"))
    shipped = shipped_quantities(order_line_ids=[line.pk for line in lines])
    result = []
    for line in lines:
        minimum, maximum = line_limits(line)
        result.append(
            LineProgress(
                line=line,
                ordered=line.quantity - line.cancelled_quantity,
                shipped=shipped.get(line.pk, Decimal("0")),
                minimum=minimum,
                maximum=maximum,
            )
        )
    return result


def order_shipping_target(*, progress: list[LineProgress]) -> str:
    """The order status its shipped quantities give: shipped, partially shipped or still in production."""
    if progress and all(p.complete for p in progress):
        return OrderStatus.SHIPPED
    if any(p.shipped > 0 for p in progress):
        return OrderStatus.PARTIALLY_SHIPPED
    return OrderStatus.IN_PRODUCTION


@dataclass(frozen=True)
class PackingTotals:
    quantity: Decimal
    amount: Decimal
    cartons: int
    gross_weight_kg: Decimal
    net_weight_kg: Decimal
    volume_m3: Decimal


def packing_totals(*, lines: list[ShipmentLine]) -> PackingTotals:
    return PackingTotals(
        quantity=sum((line.quantity for line in lines), Decimal("0")),
        amount=sum((line.amount for line in lines), Decimal("0")),
        cartons=sum(line.cartons for line in lines),
        gross_weight_kg=sum((line.gross_weight_kg for line in lines), Decimal("0")),
        net_weight_kg=sum((line.net_weight_kg for line in lines), Decimal("0")),
        volume_m3=sum((line.volume_m3 for line in lines), Decimal("0")),
    )


# Samples (寄样): linked to an order → the order's scope; otherwise the customer's.


def sample_visible_list(*, user: User) -> QuerySet[SampleDispatch]:
    return SampleDispatch.objects.filter(
        Q(order__in=order_visible_list(user=user).values("pk"))
        | Q(order__isnull=True, customer__in=customer_visible_list(user=user).values("pk"))
    ).select_related("customer", "order", "product", "sent_by")


def sample_list(*, user: User, filters: dict | None = None) -> QuerySet[SampleDispatch]:
    filters = filters or {}
    qs = sample_visible_list(user=user)
    if feedback := filters.get("feedback"):
        qs = qs.filter(feedback=feedback)
    if customer := filters.get("customer"):
        qs = qs.filter(customer_id=customer)
    return qs.order_by("-sent_on", "-id")


def sample_get(*, user: User, pk: int | str) -> SampleDispatch:
    try:
        return sample_visible_list(user=user).get(pk=int(pk))
    except (SampleDispatch.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Sample dispatch not found.")) from None


def shipments_in_transit(*, order_ids: list[int]) -> QuerySet[Shipment]:
    """Shipments of these orders that left and are not yet signed for (the caller scoped the orders)."""
    return (
        Shipment.objects.filter(order__in=order_ids, status=ShipmentStatus.SHIPPED)
        .select_related("order")
        .order_by("expected_arrival", "pk")
    )


def samples_awaiting_feedback(*, order_ids: list[int], customer_ids: list[int]) -> QuerySet[SampleDispatch]:
    """Samples sent for these orders or customers whose feedback is still pending."""
    from gendan.shipping.models import SampleFeedback

    return (
        SampleDispatch.objects.filter(Q(order__in=order_ids) | Q(customer__in=customer_ids))
        .filter(feedback=SampleFeedback.PENDING)
        .select_related("customer", "order")
        .order_by("sent_on", "pk")
    )
