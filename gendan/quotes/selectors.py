"""Reads on inquiries and quotations; scope: the customer's merchandiser/salesperson, or the quotation's own
salesperson (planners and reviewers do not see prices being negotiated)."""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts.models import User
from gendan.accounts.scope import NOTHING, acting_for, owned_q
from gendan.core.errors import NotFoundError
from gendan.quotes.models import Inquiry, InquiryStatus, Quotation, QuotationStatus

PRICE = Decimal("0.0001")
CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def _scope_q(user: User) -> Q:
    q = owned_q(user, merchandiser="customer__merchandiser", salesperson="customer__salesperson")
    if user.is_active and user.roles and not user.sees_all:
        q |= Q(salesperson__in=acting_for(user))
    return q if user.is_active and user.roles else NOTHING


def inquiry_visible_list(*, user: User) -> QuerySet[Inquiry]:
    return Inquiry.objects.filter(_scope_q(user)).select_related("customer", "salesperson")


def inquiry_list(*, user: User, status: str | None = None) -> QuerySet[Inquiry]:
    qs = inquiry_visible_list(user=user)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-received_at", "-id")


def inquiry_get(*, user: User, pk: int | str) -> Inquiry:
    try:
        return inquiry_visible_list(user=user).prefetch_related("items__product").get(pk=int(pk))
    except (Inquiry.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Inquiry not found.")) from None


def inquiry_waiting(inquiry: Inquiry, *, now: dt.datetime | None = None) -> dt.timedelta:
    """How long the customer has waited for (or waited until) the first quotation."""
    end = inquiry.replied_at or now or timezone.now()
    return max(end - inquiry.received_at, dt.timedelta(0))


def inquiries_waiting(*, user: User) -> list[Inquiry]:
    """Open inquiries, longest waiting first, each with `waiting` (a timedelta) and `waiting_hours`."""
    now = timezone.now()
    rows = list(
        inquiry_visible_list(user=user).filter(status=InquiryStatus.OPEN).order_by("received_at", "id")
    )
    for inquiry in rows:
        inquiry.waiting = inquiry_waiting(inquiry, now=now)
        inquiry.waiting_hours = int(inquiry.waiting.total_seconds() // 3600)
    return rows


def quotation_visible_list(*, user: User) -> QuerySet[Quotation]:
    return Quotation.objects.filter(_scope_q(user)).select_related(
        "customer", "salesperson", "order", "inquiry"
    )


def quotation_list(
    *, user: User, status: str | None = None, current_only: bool = True
) -> QuerySet[Quotation]:
    qs = quotation_visible_list(user=user)
    if status:
        qs = qs.filter(status=status)
    elif current_only:
        qs = qs.exclude(status=QuotationStatus.SUPERSEDED)
    return qs.order_by("-quote_date", "-id")


def quotation_get(*, user: User, pk: int | str) -> Quotation:
    try:
        return (
            quotation_visible_list(user=user)
            .prefetch_related("lines__product", "lines__materials")
            .get(pk=int(pk))
        )
    except (Quotation.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Quotation not found.")) from None


def quotation_revisions(*, quotation: Quotation) -> QuerySet[Quotation]:
    return Quotation.objects.filter(number=quotation.number).order_by("revision")


def quotation_is_expired(quotation: Quotation, *, today: dt.date | None = None) -> bool:
    return quotation.valid_until < (today or timezone.localdate())


@dataclass(frozen=True)
class CostBuildUp:
    material_cost: Decimal
    processing_cost: Decimal
    outsourcing_cost: Decimal
    overhead_cost: Decimal
    unit_cost: Decimal
    unit_price: Decimal

    def amount(self, quantity: Decimal) -> Decimal:
        return (quantity * self.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


def material_cost(*, usage: Decimal, loss_percent: Decimal, unit_price: Decimal) -> Decimal:
    """Per unit of product: usage × (1 + loss %) × material price, to 0.0001."""
    return (usage * (1 + loss_percent / HUNDRED) * unit_price).quantize(PRICE, rounding=ROUND_HALF_UP)


def cost_build_up(
    *,
    materials: Decimal,
    processing: Decimal,
    outsourcing: Decimal,
    overhead_percent: Decimal,
    margin_percent: Decimal,
) -> CostBuildUp:
    """direct = materials + processing + outsourcing; full cost = direct × (1 + overhead %);
    unit price = full cost × (1 + margin %). Each step to 0.0001 (the order line's price precision)."""
    direct = materials + processing + outsourcing
    overhead = (direct * overhead_percent / HUNDRED).quantize(PRICE, rounding=ROUND_HALF_UP)
    unit_cost = direct + overhead
    unit_price = (unit_cost * (1 + margin_percent / HUNDRED)).quantize(PRICE, rounding=ROUND_HALF_UP)
    return CostBuildUp(
        material_cost=materials,
        processing_cost=processing,
        outsourcing_cost=outsourcing,
        overhead_cost=overhead,
        unit_cost=unit_cost,
        unit_price=max(unit_price, Decimal("0")),
    )


def bom_materials(*, product_id: int) -> list[dict] | None:
    """The product's bill of materials from gendan.materials (code, name, unit, usage, loss %), or None
    when that app offers no BOM."""
    import importlib.util

    if importlib.util.find_spec("gendan.materials.selectors") is None:
        return None
    from gendan.materials import selectors as materials_selectors

    bom_for_product = getattr(materials_selectors, "bom_for_product", None)
    if bom_for_product is None:
        return None
    return [
        {
            "code": line.material.code,
            "name": line.material.name,
            "unit": line.material.unit,
            "usage": line.usage_per_unit,
            "loss_percent": line.loss_rate_percent,
        }
        for line in bom_for_product(product_id=product_id)
    ]
