"""Reads on materials. Order-linked rows (requirements, purchase requests, alerts) are scoped through
`order_visible_list`; materials, stock and BOM are shared master data; purchase orders are seen by those who
buy and by the roles that see everything.

The readiness selector is set-based (a handful of queries for any number of orders): the scheduler asks it
for all scheduled orders at once.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from decimal import ROUND_CEILING, Decimal

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import Department, User
from gendan.core.errors import NotFoundError
from gendan.orders.models import Order, OrderLine
from gendan.orders.selectors import order_visible_list
from gendan.planning.calendar import WorkingCalendar

from .models import (
    OPEN_PO_STATUSES,
    BomLine,
    Material,
    MaterialAlert,
    MaterialRequirement,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseRequest,
    PurchaseRequestStatus,
    Stock,
    StockMovement,
)

ZERO = Decimal("0")
QTY_PLACES = Decimal("0.0001")

OrderSet = QuerySet[Order] | Collection[int]


def qty_text(quantity: Decimal) -> str:
    """A quantity without trailing zeros and never in exponent form: 60.0000 → "60", 1.2500 → "1.25"."""
    return format(quantity.normalize(), "f")


# --- who may do what -----------------------------------------------------------------------------------


def may_purchase(user: User) -> bool:
    """Purchase orders, arrivals, stock counts: purchasing/warehouse, planners, supervisors, admin."""
    if not user.is_active or user.is_read_only or not user.roles:
        return False
    if user.has_role(R.ADMIN, R.SUPERVISOR, R.PLANNER):
        return True
    return user.has_role(R.REVIEWER) and user.department_code == Department.Code.PURCHASING


def may_edit_bom(user: User) -> bool:
    """Materials and BOM are master data kept by purchasing, technical, planners, supervisors and admin."""
    if may_purchase(user):
        return True
    return (
        user.is_active
        and not user.is_read_only
        and user.has_role(R.REVIEWER)
        and user.department_code == Department.Code.TECHNICAL
    )


def sees_purchasing(user: User) -> bool:
    return may_purchase(user) or (user.is_active and user.sees_all)


# --- master data -------------------------------------------------------------------------------------


def material_visible_list(*, user: User) -> QuerySet[Material]:
    """Shared master data: every user with a role sees every material."""
    if not user.is_active or not user.roles:
        return Material.objects.none()
    return Material.objects.select_related("supplier", "stock")


def material_list(*, user: User, q: str = "") -> QuerySet[Material]:
    qs = material_visible_list(user=user)
    if q := (q or "").strip():
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(spec__icontains=q))
    return qs.order_by("code")


def material_get(*, user: User, pk: int | str) -> Material:
    try:
        return material_visible_list(user=user).get(pk=int(pk))
    except (Material.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Material not found.")) from None


def stock_of(*, material: Material) -> Stock:
    """The material's stock row (an unsaved zero row if nothing was ever counted or received)."""
    try:
        return material.stock
    except Stock.DoesNotExist:
        return Stock(material=material)


def stock_movements(*, material: Material, limit: int = 50) -> list[StockMovement]:
    return list(material.movements.select_related("order", "actor", "po_line__purchase_order")[:limit])


def bom_for_product(*, product_id: int) -> QuerySet[BomLine]:
    return BomLine.objects.filter(product_id=product_id).select_related("material").order_by("material__code")


# --- requirements and readiness ----------------------------------------------------------------------


def _orders_qs(orders: OrderSet) -> QuerySet[Order]:
    if isinstance(orders, QuerySet):
        return orders
    return Order.objects.filter(pk__in=list(orders))


def requirement_quantity(quantity: Decimal, usage: Decimal, loss_percent: Decimal) -> Decimal:
    """qty × usage × (1 + loss %), rounded up to 0.0001 so a shortage is never under-bought."""
    return (quantity * usage * (1 + loss_percent / 100)).quantize(QTY_PLACES, rounding=ROUND_CEILING)


def order_material_needs(*, orders: OrderSet) -> dict[int, dict[int, tuple[Decimal, int]]]:
    """{order id: {material id: (required quantity, longest production cycle of the products using it)}}.

    Three queries whatever the number of orders: order lines summed per product, the BOM of those products,
    and the products' production cycles.
    """
    from gendan.catalog.models import Product

    lines = (
        OrderLine.objects.filter(order__in=_orders_qs(orders).values("pk"))
        .values_list("order_id", "product_id")
        .annotate(quantity=Sum("quantity"))
        .order_by()
    )
    by_order: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    products: set[int] = set()
    for order_id, product_id, quantity in lines:
        by_order[order_id].append((product_id, quantity))
        products.add(product_id)
    if not products:
        return {}
    bom: dict[int, list[tuple[int, Decimal, Decimal]]] = defaultdict(list)
    for product_id, material_id, usage, loss in BomLine.objects.filter(product_id__in=products).values_list(
        "product_id", "material_id", "usage_per_unit", "loss_rate_percent"
    ):
        bom[product_id].append((material_id, usage, loss))
    cycles = dict(Product.objects.filter(pk__in=products).values_list("pk", "production_cycle_days"))
    needs: dict[int, dict[int, tuple[Decimal, int]]] = {}
    for order_id, items in by_order.items():
        per_material: dict[int, tuple[Decimal, int]] = {}
        for product_id, quantity in items:
            for material_id, usage, loss in bom.get(product_id, ()):
                required = requirement_quantity(quantity, usage, loss)
                before, cycle = per_material.get(material_id, (ZERO, 0))
                per_material[material_id] = (before + required, max(cycle, cycles.get(product_id, 0)))
        if per_material:
            needs[order_id] = per_material
    return needs


def material_lead_days(*, material_ids: Collection[int]) -> dict[int, int]:
    """The material's own lead time, else its usual supplier's."""
    return {
        pk: own or (supplier or 0)
        for pk, own, supplier in Material.objects.filter(pk__in=list(material_ids)).values_list(
            "pk", "lead_time_days", "supplier__lead_time_days"
        )
    }


def material_ready_dates(
    *, orders: OrderSet, today: dt.date, calendar: WorkingCalendar
) -> dict[int, dt.date]:
    """The date each order's materials should all be in (only orders that wait for something are listed).

    - Released orders (they have requirement rows): every shortage waits for its purchase order's expected
      arrival (today if that date has passed: the scan reports it late), or, not yet ordered, for today +
      the material's lead time in working days.
    - Orders not released yet (in review, approved): a projection. Free stock (on hand − reserved) is
      handed out in due-date order; what is missing waits today + the lead time.
    """
    order_qs = _orders_qs(orders)
    keys = {
        pk: (promised or requested, order_date, pk)
        for pk, promised, requested, order_date in order_qs.values_list(
            "pk", "promised_date", "requested_date", "order_date"
        )
    }
    if not keys:
        return {}
    pks = order_qs.values("pk")
    ready: dict[int, dt.date] = {}
    lead_dates: dict[int, dt.date] = {}

    def lead_date(days: int) -> dt.date:
        if days not in lead_dates:
            lead_dates[days] = calendar.add_working_days(today, days) if days else today
        return lead_dates[days]

    # released: requirement rows exist
    released: set[int] = set()
    short: dict[int, list[tuple[int, int]]] = defaultdict(list)  # requirement id → [(order, material)]
    for req_id, order_id, material_id, required, reserved in MaterialRequirement.objects.filter(
        order__in=pks
    ).values_list("pk", "order_id", "material_id", "required", "reserved"):
        released.add(order_id)
        if reserved < required:
            short[req_id].append((order_id, material_id))
    if short:
        expected: dict[int, dt.date] = {}
        for req_id, when in PurchaseOrderLine.objects.filter(
            request__requirement_id__in=list(short),
            purchase_order__status__in=OPEN_PO_STATUSES,
            received__lt=F("quantity"),
        ).values_list("request__requirement_id", "purchase_order__expected_date"):
            expected[req_id] = max(expected.get(req_id, when), when)
        leads = material_lead_days(material_ids={m for pairs in short.values() for _order, m in pairs})
        for req_id, pairs in short.items():
            for order_id, material_id in pairs:
                when = (
                    max(expected[req_id], today)
                    if req_id in expected
                    else lead_date(leads.get(material_id, 0))
                )
                ready[order_id] = max(ready.get(order_id, when), when)
    # not released: project from the BOM against free stock, in priority order
    pending = [pk for pk in keys if pk not in released]
    if pending:
        unreleased = order_qs.exclude(Exists(MaterialRequirement.objects.filter(order=OuterRef("pk"))))
        needs = order_material_needs(orders=pending if len(pending) < 500 else unreleased)
        materials = {m for per in needs.values() for m in per}
        free = {
            pk: on_hand - reserved
            for pk, on_hand, reserved in Stock.objects.filter(material_id__in=list(materials)).values_list(
                "material_id", "on_hand", "reserved"
            )
        }
        leads = material_lead_days(material_ids=materials)
        for order_id in sorted(pending, key=keys.__getitem__):
            for material_id, (required, _cycle) in needs.get(order_id, {}).items():
                available = max(free.get(material_id, ZERO), ZERO)
                free[material_id] = available - min(available, required)
                if required > available:
                    when = lead_date(leads.get(material_id, 0))
                    ready[order_id] = max(ready.get(order_id, when), when)
    return {pk: when for pk, when in ready.items() if when > today}


# --- order-linked documents (scoped) ------------------------------------------------------------------


def requirement_list_for_order(*, user: User, order_id: int) -> QuerySet[MaterialRequirement]:
    return (
        MaterialRequirement.objects.filter(
            order__in=order_visible_list(user=user).filter(pk=order_id).values("pk")
        )
        .select_related("material")
        .prefetch_related("purchase_requests__po_lines__purchase_order")
        .order_by("material__code")
    )


def purchase_request_visible_list(*, user: User) -> QuerySet[PurchaseRequest]:
    return PurchaseRequest.objects.filter(
        order__in=order_visible_list(user=user).values("pk")
    ).select_related("order", "material", "material__supplier")


def purchase_request_list(*, user: User, status: str | None = None, q: str = "") -> QuerySet[PurchaseRequest]:
    qs = purchase_request_visible_list(user=user)
    if status:
        qs = qs.filter(status=status)
    if q := (q or "").strip():
        qs = qs.filter(
            Q(number__icontains=q) | Q(order__number__icontains=q) | Q(material__code__icontains=q)
        )
    return qs.order_by("required_by", "id")


def purchase_requests_open_for(*, user: User, ids: Collection[int]) -> list[PurchaseRequest]:
    return list(
        purchase_request_visible_list(user=user)
        .filter(pk__in=list(ids), status=PurchaseRequestStatus.OPEN)
        .order_by("pk")
    )


def orders_visible_among(*, user: User, order_ids: Collection[int | None]) -> set[int]:
    """Which of these orders `user` may see: pages shared across customers (a material's movements, a
    purchase order's lines) name only those orders."""
    wanted = {pk for pk in order_ids if pk}
    if not wanted:
        return set()
    return set(order_visible_list(user=user).filter(pk__in=wanted).values_list("pk", flat=True))


def purchase_order_visible_list(*, user: User) -> QuerySet[PurchaseOrder]:
    """Purchase orders carry supplier prices and several customers' orders: buyers and see-all roles only."""
    if not sees_purchasing(user):
        return PurchaseOrder.objects.none()
    return PurchaseOrder.objects.select_related("supplier", "created_by")


def purchase_order_list(*, user: User, status: str | None = None, q: str = "") -> QuerySet[PurchaseOrder]:
    qs = purchase_order_visible_list(user=user)
    if status:
        qs = qs.filter(status=status)
    if q := (q or "").strip():
        qs = qs.filter(Q(number__icontains=q) | Q(supplier__name__icontains=q) | Q(supplier__code__iexact=q))
    return qs.order_by("-id")


def purchase_order_get(*, user: User, pk: int | str) -> PurchaseOrder:
    try:
        return (
            purchase_order_visible_list(user=user)
            .prefetch_related("lines__material", "lines__request__order", "lines__receipts")
            .get(pk=int(pk))
        )
    except (PurchaseOrder.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Purchase order not found.")) from None


def purchase_order_line_get(*, user: User, pk: int | str) -> PurchaseOrderLine:
    try:
        return PurchaseOrderLine.objects.select_related("purchase_order", "material").get(
            pk=int(pk), purchase_order__in=purchase_order_visible_list(user=user).values("pk")
        )
    except (PurchaseOrderLine.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Purchase order line not found.")) from None


def alert_list_for_order(*, user: User, order_id: int) -> QuerySet[MaterialAlert]:
    return MaterialAlert.objects.filter(
        order__in=order_visible_list(user=user).filter(pk=order_id).values("pk")
    ).select_related("line__purchase_order", "line__material")


def order_materials_summary(*, user: User, order_id: int) -> dict:
    """The order's materials page: requirements with their purchase requests and alerts, scoped."""
    order = order_visible_list(user=user).filter(pk=order_id).first()
    if order is None:
        raise NotFoundError(_("Order not found."))
    requirements = list(requirement_list_for_order(user=user, order_id=order_id))
    return {
        "order": order,
        "requirements": requirements,
        "alerts": list(alert_list_for_order(user=user, order_id=order_id)),
        "fully_reserved": bool(requirements) and all(r.reserved >= r.required for r in requirements),
    }
