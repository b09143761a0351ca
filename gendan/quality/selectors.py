"""Reads of quality: inspections within the user's order scope, and the shipment gate.

`shipment_block_reason(order=…)` is the contract the shipping module calls before a shipment is recorded.
"""

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from gendan.accounts.models import User
from gendan.core.errors import NotFoundError
from gendan.orders.models import Order
from gendan.orders.selectors import order_visible_list
from gendan.quality.models import (
    Inspection,
    InspectionClassResult,
    InspectionStage,
    InspectionStatus,
)


def inspection_visible_list(*, user: User) -> QuerySet[Inspection]:
    """Inspections of the orders `user` may see (a merchandiser: their own orders only)."""
    return Inspection.objects.filter(order__in=order_visible_list(user=user).values("pk")).select_related(
        "order__customer", "order_line__product", "inspector", "conceded_by", "cancelled_by"
    )


def inspection_list(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Inspection]:
    filters = filters or {}
    qs = inspection_visible_list(user=user)
    if (stage := filters.get("stage")) in InspectionStage.values:
        qs = qs.filter(stage=stage)
    if (status := filters.get("status")) in InspectionStatus.values:
        qs = qs.filter(status=status)
    if order := filters.get("order"):
        qs = qs.filter(order_id=order) if str(order).isdigit() else qs.filter(order__number=str(order)[:30])
    if q := str(filters.get("q") or "").strip()[:50]:
        qs = qs.filter(
            Q(number__icontains=q) | Q(order__number__icontains=q) | Q(order__customer__name__icontains=q)
        )
    return qs.order_by("-inspected_on", "-id")


def inspection_get(*, user: User, pk: int | str) -> Inspection:
    """One inspection within the user's scope; 404 otherwise (outside scope looks missing)."""
    qs = inspection_visible_list(user=user).prefetch_related(
        Prefetch("classes", queryset=InspectionClassResult.objects.order_by("id"))
    )
    try:
        return qs.get(pk=int(pk))
    except (Inspection.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Inspection not found.")) from None


def order_inspections(*, order: Order) -> QuerySet[Inspection]:
    """All inspections of an order the caller already holds (scope checked by the caller)."""
    return (
        Inspection.objects.filter(order=order)
        .select_related("order_line__product", "inspector", "conceded_by")
        .order_by("-inspected_on", "-id")
    )


def final_inspection_state(*, order: Order) -> list[Inspection]:
    """The final inspections that decide shipment: for each scope (the whole order, or one order line) the
    latest one that is not cancelled. A later whole-order final inspection covers every line inspected
    before it."""
    finals = (
        Inspection.objects.filter(order=order, stage=InspectionStage.FINAL)
        .exclude(status=InspectionStatus.CANCELLED)
        .select_related("order_line")
        .order_by("inspected_on", "id")
    )
    current: dict[int | None, Inspection] = {}
    for inspection in finals:
        if inspection.order_line_id is None:
            current = {}
        current[inspection.order_line_id] = inspection
    return list(current.values())


def shipment_block_reason(*, order: Order) -> str | None:
    """Why `order` may not ship now, or None (may ship).

    A failed final inspection blocks shipment until a supervisor records a concession (让步接收) or a later
    final inspection of the same scope passes. No final inspection at all does not block.
    """
    blocking = [i for i in final_inspection_state(order=order) if i.status == InspectionStatus.FAILED]
    if not blocking:
        return None
    parts = []
    for inspection in blocking:
        scope = (
            _("line %(no)d") % {"no": inspection.order_line.line_no}
            if inspection.order_line_id
            else _("the whole order")
        )
        parts.append(
            _("final inspection %(number)s of %(scope)s failed on %(date)s")
            % {
                "number": inspection.number,
                "scope": scope,
                "date": inspection.inspected_on.isoformat(),
            }
        )
    return _("%(failures)s; a supervisor's concession or a passing re-inspection is needed.") % {
        "failures": "; ".join(parts)
    }


def inspected_quantities(*, order_line_ids: list[int]) -> dict[int, int]:
    """{order line id: the largest quantity inspected at one stage} (cancelled inspections left out; lots of
    one stage add up, stages do not: a final inspection re-inspects what in-line inspection saw)."""
    from django.db.models import Sum

    best: dict[int, int] = {}
    rows = (
        Inspection.objects.filter(order_line_id__in=order_line_ids)
        .exclude(status=InspectionStatus.CANCELLED)
        .values("order_line_id", "stage")
        .annotate(total=Sum("lot_size"))
        .order_by()
    )
    for row in rows:
        best[row["order_line_id"]] = max(best.get(row["order_line_id"], 0), row["total"] or 0)
    return best
