"""Reads of outsourcing, always scoped through the user's orders (`order_visible_list`): plans, outsourcing
orders, the monthly processing-fee statement of a subcontractor and the subcontractor scorecard.

A statement or scorecard of a merchandiser holds only their own orders' rows; what a subcontractor is
shown (the PDF, the statement) carries no customer name and no customer price.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from gendan.accounts.models import User
from gendan.core.errors import NotFoundError
from gendan.orders.models import Order
from gendan.orders.selectors import order_visible_list
from gendan.outsourcing.models import (
    OPEN_STATUSES,
    OutsourcingOrder,
    OutsourcingOrderEvent,
    OutsourcingPlanItem,
    OutsourcingReturn,
    OutsourcingStatus,
)
from gendan.parties.models import Supplier
from gendan.parties.selectors import supplier_visible_list

ZERO = Decimal(0)


def _visible_orders(user: User):
    return order_visible_list(user=user).values("pk")


def subcontractor_list(*, user: User, active_only: bool = True) -> QuerySet[Supplier]:
    qs = supplier_visible_list(user=user).filter(kind=Supplier.Kind.SUBCONTRACTOR)
    return qs.filter(is_active=True).order_by("code") if active_only else qs.order_by("code")


def subcontractor_get(*, user: User, pk: Any) -> Supplier:
    try:
        return subcontractor_list(user=user, active_only=False).get(pk=int(pk))
    except (Supplier.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Subcontractor not found.")) from None


# --- plans --------------------------------------------------------------------------------------------


def plan_items_for_order(*, order: Order, include_cancelled: bool = False) -> QuerySet[OutsourcingPlanItem]:
    qs = OutsourcingPlanItem.objects.filter(order=order).select_related(
        "subcontractor", "order_line__product"
    )
    if not include_cancelled:
        qs = qs.filter(cancelled_at__isnull=True)
    return qs.annotate(
        ordered_quantity=Sum(
            "outsourcing_orders__quantity",
            filter=~Q(outsourcing_orders__status=OutsourcingStatus.CANCELLED),
            default=ZERO,
        )
    ).order_by("planned_send_date", "id")


def plan_item_get(*, user: User, pk: Any) -> OutsourcingPlanItem:
    try:
        return (
            OutsourcingPlanItem.objects.filter(order__in=_visible_orders(user))
            .select_related("order", "subcontractor", "order_line")
            .get(pk=int(pk))
        )
    except (OutsourcingPlanItem.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Plan item not found.")) from None


# --- outsourcing orders -------------------------------------------------------------------------------


def outsourcing_order_visible_list(*, user: User) -> QuerySet[OutsourcingOrder]:
    return OutsourcingOrder.objects.filter(order__in=_visible_orders(user)).select_related(
        "order__customer", "order_line__product", "subcontractor", "created_by"
    )


def overdue_q(today: dt.date) -> Q:
    return Q(status__in=OPEN_STATUSES, due_date__lt=today, quantity_returned__lt=F("quantity"))


def outsourcing_order_list(
    *, user: User, filters: dict[str, Any] | None = None, today: dt.date | None = None
) -> QuerySet[OutsourcingOrder]:
    filters = filters or {}
    qs = outsourcing_order_visible_list(user=user)
    status = filters.get("status")
    if status == "open":
        qs = qs.filter(status__in=(OutsourcingStatus.DRAFT, *OPEN_STATUSES))
    elif status in OutsourcingStatus.values:
        qs = qs.filter(status=status)
    if (sub := str(filters.get("subcontractor") or "")).isdigit():
        qs = qs.filter(subcontractor_id=int(sub))
    if order := filters.get("order"):
        qs = qs.filter(order_id=order) if str(order).isdigit() else qs.filter(order__number=str(order)[:30])
    if filters.get("overdue") and today is not None:
        qs = qs.filter(overdue_q(today))
    if q := str(filters.get("q") or "").strip()[:50]:
        qs = qs.filter(
            Q(number__icontains=q) | Q(order__number__icontains=q) | Q(subcontractor__name__icontains=q)
        )
    return qs.order_by("-id")


def outsourcing_order_get(*, user: User, pk: Any) -> OutsourcingOrder:
    """One outsourcing order within the user's scope; 404 otherwise (outside scope looks missing)."""
    try:
        return (
            outsourcing_order_visible_list(user=user).select_related("plan_item", "issued_by").get(pk=int(pk))
        )
    except (OutsourcingOrder.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Outsourcing order not found.")) from None


def outsourcing_orders_for_order(*, order: Order) -> QuerySet[OutsourcingOrder]:
    return OutsourcingOrder.objects.filter(order=order).select_related("subcontractor").order_by("-id")


def outsourcing_order_events(*, outsourcing_order: OutsourcingOrder) -> QuerySet[OutsourcingOrderEvent]:
    return outsourcing_order.events.select_related("actor").order_by("created_at", "id")


def is_overdue(outsourcing_order: OutsourcingOrder, today: dt.date) -> bool:
    return (
        outsourcing_order.status in OPEN_STATUSES
        and outsourcing_order.due_date < today
        and outsourcing_order.quantity_returned < outsourcing_order.quantity
    )


# --- processing-fee statement (加工费对账单) ----------------------------------------------------------------


@dataclass
class StatementRow:
    returned_on: dt.date
    number: str
    order_number: str
    product: str
    process: str
    unit: str
    quantity_returned: Decimal
    quantity_defective: Decimal
    unit_price: Decimal
    fee: Decimal
    deduction: Decimal
    net: Decimal
    explicit_deduction: bool
    note: str


@dataclass
class FeeStatement:
    subcontractor: Supplier
    year: int
    month: int
    rows: list[StatementRow] = field(default_factory=list)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def label(self) -> str:
        return f"{self.year}-{self.month:02d}"

    def _sum(self, attribute: str) -> Decimal:
        return sum((getattr(row, attribute) for row in self.rows), ZERO)

    @property
    def total_returned(self) -> Decimal:
        return self._sum("quantity_returned")

    @property
    def total_defective(self) -> Decimal:
        return self._sum("quantity_defective")

    @property
    def total_fee(self) -> Decimal:
        return self._sum("fee")

    @property
    def total_deduction(self) -> Decimal:
        return self._sum("deduction")

    @property
    def total_net(self) -> Decimal:
        return self._sum("net")


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first, following


def _product_label(outsourcing_order: OutsourcingOrder) -> str:
    line = outsourcing_order.order_line
    if line is not None:
        return f"{line.product.code} {line.product.name}"
    return outsourcing_order.description


def fee_statement(*, user: User, subcontractor: Supplier, year: int, month: int) -> FeeStatement:
    """The month's returns of `subcontractor` on orders `user` may see: fee (returned × unit price), the
    rework deduction (defective × unit price, or the amount given) and the net amount payable."""
    first, following = month_bounds(year, month)
    returns = (
        OutsourcingReturn.objects.filter(
            outsourcing_order__subcontractor=subcontractor,
            outsourcing_order__order__in=_visible_orders(user),
            returned_on__gte=first,
            returned_on__lt=following,
        )
        .select_related("outsourcing_order__order", "outsourcing_order__order_line__product")
        .order_by("returned_on", "outsourcing_order__number", "id")
    )
    statement = FeeStatement(subcontractor=subcontractor, year=year, month=month)
    for row in returns:
        oo = row.outsourcing_order
        statement.rows.append(
            StatementRow(
                returned_on=row.returned_on,
                number=oo.number,
                order_number=oo.order.number,
                product=_product_label(oo),
                process=oo.process,
                unit=oo.unit,
                quantity_returned=row.quantity_returned,
                quantity_defective=row.quantity_defective,
                unit_price=oo.unit_price,
                fee=row.fee_amount,
                deduction=row.deduction_amount,
                net=row.net_amount,
                explicit_deduction=row.explicit_deduction,
                note=row.inspection_note,
            )
        )
    return statement


# --- subcontractor scorecard --------------------------------------------------------------------------


@dataclass
class Scorecard:
    subcontractor: Supplier
    orders_due: int = 0
    orders_on_time: int = 0
    quantity_returned: Decimal = ZERO
    quantity_defective: Decimal = ZERO
    fee: Decimal = ZERO
    deduction: Decimal = ZERO
    open_orders: int = 0
    overdue_orders: int = 0

    @property
    def on_time_rate(self) -> Decimal | None:
        """Share of the outsourcing orders due in the period that were fully back by their due date."""
        if not self.orders_due:
            return None
        return (Decimal(self.orders_on_time) / Decimal(self.orders_due) * 100).quantize(Decimal("0.1"))

    @property
    def defect_rate(self) -> Decimal | None:
        """Defective pieces per hundred returned in the period."""
        if not self.quantity_returned:
            return None
        return (self.quantity_defective / self.quantity_returned * 100).quantize(Decimal("0.01"))

    @property
    def cost(self) -> Decimal:
        """What the period's returns cost: fees less rework deductions."""
        return self.fee - self.deduction


def subcontractor_scorecard(
    *, user: User, date_from: dt.date, date_to: dt.date, today: dt.date
) -> list[Scorecard]:
    """Per subcontractor, over the outsourcing orders of the orders `user` may see:

    - on-time return rate: orders due between date_from and date_to (and not after today) whose whole
      quantity (what was sent, for an order closed short) was back by the due date;
    - defect rate and cost: returns recorded between date_from and date_to;
    - open and overdue outsourcing orders now.
    """
    visible = _visible_orders(user)
    cards: dict[int, Scorecard] = {}
    subs = {s.pk: s for s in Supplier.objects.filter(kind=Supplier.Kind.SUBCONTRACTOR)}

    def card(pk: int) -> Scorecard:
        if pk not in cards:
            cards[pk] = Scorecard(subcontractor=subs[pk])
        return cards[pk]

    due = (
        OutsourcingOrder.objects.filter(
            order__in=visible,
            due_date__gte=date_from,
            due_date__lte=min(date_to, today),
        )
        .exclude(status__in=(OutsourcingStatus.DRAFT, OutsourcingStatus.CANCELLED))
        .annotate(
            back_by_due=Sum(
                "returns__quantity_returned", filter=Q(returns__returned_on__lte=F("due_date")), default=ZERO
            )
        )
        .values("subcontractor_id", "status", "quantity", "quantity_dispatched", "back_by_due")
    )
    for row in due:
        c = card(row["subcontractor_id"])
        c.orders_due += 1
        target = row["quantity_dispatched"] if row["status"] == OutsourcingStatus.CLOSED else row["quantity"]
        if row["back_by_due"] >= target:
            c.orders_on_time += 1
    returns = (
        OutsourcingReturn.objects.filter(
            outsourcing_order__order__in=visible, returned_on__gte=date_from, returned_on__lte=date_to
        )
        .values("outsourcing_order__subcontractor_id")
        .annotate(
            returned=Sum("quantity_returned"),
            defective=Sum("quantity_defective"),
            fee=Sum("fee_amount"),
            deduction=Sum("deduction_amount"),
        )
    )
    for row in returns:
        c = card(row["outsourcing_order__subcontractor_id"])
        c.quantity_returned, c.quantity_defective = row["returned"], row["defective"]
        c.fee, c.deduction = row["fee"], row["deduction"]
    current = (
        OutsourcingOrder.objects.filter(order__in=visible, status__in=OPEN_STATUSES)
        .values("subcontractor_id")
        .annotate(open=Count("id"), overdue=Count("id", filter=overdue_q(today)))
    )
    for row in current:
        c = card(row["subcontractor_id"])
        c.open_orders, c.overdue_orders = row["open"], row["overdue"]
    return sorted(cards.values(), key=lambda c: c.subcontractor.code)


def outsourced_quantities(*, order_line_ids: list[int]) -> dict[int, Decimal]:
    """{order line id: quantity on issued outsourcing orders} (drafts and cancelled ones left out)."""
    rows = (
        OutsourcingOrder.objects.filter(order_line_id__in=order_line_ids)
        .exclude(status__in=(OutsourcingStatus.DRAFT, OutsourcingStatus.CANCELLED))
        .values("order_line_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    return {row["order_line_id"]: row["total"] for row in rows}


def outsourcing_orders_open_for_lines(
    *, order: Order, order_line_ids: list[int]
) -> QuerySet[OutsourcingOrder]:
    """The order's outsourcing orders not closed or cancelled that cover one of the lines (or the whole order)."""
    return OutsourcingOrder.objects.filter(
        Q(order_line_id__in=order_line_ids) | Q(order_line__isnull=True), order=order
    ).exclude(status__in=(OutsourcingStatus.CLOSED, OutsourcingStatus.CANCELLED))
