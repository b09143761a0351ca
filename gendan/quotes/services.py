"""Writes on inquiries and quotations. A quotation is costed line by line (materials — from the product's
BOM where there is one — processing, outsourcing, overhead %, margin %), revised as new revisions, sent,
and when accepted becomes an order through gendan.orders.services.order_create (lines copied, link kept)."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.catalog.models import Product
from gendan.core.errors import (
    ApplicationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from gendan.core.numbering import document_number_next
from gendan.core.parsing import (
    FieldErrors,
    blank,
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_text,
)
from gendan.core.workflow import transition_check
from gendan.orders.models import Order, OrderEvent
from gendan.orders.services import order_create, order_event_record
from gendan.parties.models import Currency, Customer
from gendan.parties.selectors import customer_visible_list
from gendan.quotes.models import (
    Inquiry,
    InquiryItem,
    InquiryStatus,
    Quotation,
    QuotationEvent,
    QuotationLine,
    QuotationMaterial,
)
from gendan.quotes.selectors import (
    bom_materials,
    cost_build_up,
    inquiry_visible_list,
    material_cost,
    quotation_is_expired,
    quotation_visible_list,
)
from gendan.quotes.workflows import INQUIRY_TRANSITIONS, QUOTATION_TRANSITIONS, SELLERS

QUOTATION_SERIES = "QT"
MAX_LINES = 200
MAX_MATERIALS = 100


class QuotationExpiredError(ApplicationError):
    code = "quotation_expired"
    status = 409


def _ensure_seller(actor: User) -> None:
    if not actor.is_active or actor.is_read_only or not actor.has_role(*SELLERS):
        raise PermissionDeniedError(_("Your role may not do this."), code="role_not_allowed")


def _customer(value: Any, errors: FieldErrors, actor: User) -> Customer | None:
    if blank(value):
        errors.add("customer", _("This field is required."))
        return None
    key = str(value).strip()
    visible = customer_visible_list(user=actor)
    customer = visible.filter(code=key).first()
    if customer is None and key.isdigit() and len(key) < 18:
        customer = visible.filter(pk=int(key)).first()
    if customer is None:
        errors.add("customer", _("Unknown customer."))
    return customer


def _product(value: Any, field_name: str, errors: FieldErrors, *, required: bool = True) -> Product | None:
    if blank(value):
        if required:
            errors.add(field_name, _("This field is required."))
        return None
    key = str(value).strip()
    product = Product.objects.filter(code=key).first()
    if product is None and key.isdigit() and len(key) < 18:
        product = Product.objects.filter(pk=int(key)).first()
    if product is None or not product.is_active:
        errors.add(field_name, _("Unknown product."))
        return None
    return product


# ---------------------------------------------------------------------------------------------------------
# Inquiries


@transaction.atomic
def inquiry_create(*, actor: User, data: Mapping[str, Any]) -> Inquiry:
    """Record a customer's inquiry (询盘); the clock for the reply starts at `received_at` (default now)."""
    _ensure_seller(actor)
    errors = FieldErrors()
    customer = _customer(data.get("customer"), errors, actor)
    subject = parse_text(data.get("subject"), "subject", errors, required=True, max_length=200)
    notes = parse_text(data.get("notes"), "notes", errors, max_length=5000)
    received_at = timezone.now()
    raw_received = data.get("received_at")
    if isinstance(raw_received, dt.datetime):
        received_at = raw_received if timezone.is_aware(raw_received) else timezone.make_aware(raw_received)
    elif not blank(raw_received):
        day = parse_date(raw_received, "received_at", errors)
        if day:
            received_at = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    if received_at > timezone.now():
        errors.add("received_at", _("The date cannot be in the future."))
    items = []
    raw_items = data.get("items") or []
    if not isinstance(raw_items, list) or not raw_items or len(raw_items) > MAX_LINES:
        errors.add("items", _("List at least one item."))
        raw_items = []
    for index, raw in enumerate(raw_items):
        prefix = f"items.{index}."
        if not isinstance(raw, Mapping):
            errors.add(f"items.{index}", _("Invalid line."))
            continue
        product = _product(raw.get("product"), prefix + "product", errors, required=False)
        description = parse_text(raw.get("description"), prefix + "description", errors, max_length=200)
        if product is None and not description and not errors.fields.get(prefix + "product"):
            errors.add(prefix + "description", _("Name the product or describe the item."))
        quantity = parse_decimal(
            raw.get("quantity"),
            prefix + "quantity",
            errors,
            places=3,
            minimum=Decimal(0),
            exclusive_minimum=True,
        )
        unit = parse_text(raw.get("unit"), prefix + "unit", errors, max_length=10)
        target = parse_decimal(
            raw.get("target_price"),
            prefix + "target_price",
            errors,
            required=False,
            places=4,
            minimum=Decimal(0),
        )
        items.append((product, description, quantity, unit, target))
    errors.raise_if_any()
    assert customer is not None
    salesperson = actor if actor.has_role(R.SALES) else (customer.salesperson or actor)
    inquiry = Inquiry.objects.create(
        customer=customer,
        subject=subject,
        received_at=received_at,
        salesperson=salesperson,
        notes=notes,
        created_by=actor,
    )
    InquiryItem.objects.bulk_create(
        InquiryItem(
            inquiry=inquiry,
            line_no=number,
            product=product,
            description=description,
            quantity=quantity,
            unit=unit or (product.unit if product else ""),
            target_price=target,
        )
        for number, (product, description, quantity, unit, target) in enumerate(items, start=1)
    )
    return inquiry


def _inquiry_locked(inquiry: Inquiry, actor: User) -> Inquiry:
    current = Inquiry.objects.select_for_update().filter(pk=inquiry.pk).first()
    if current is None or not inquiry_visible_list(user=actor).filter(pk=inquiry.pk).exists():
        raise NotFoundError(_("Inquiry not found."))
    return current


@transaction.atomic
def inquiry_lose(*, inquiry: Inquiry, actor: User, reason: str) -> Inquiry:
    _ensure_seller(actor)
    current = _inquiry_locked(inquiry, actor)
    transition_check(INQUIRY_TRANSITIONS, "lose", current.status, set(actor.roles))
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise ValidationFailed({"reason": [_("Give a reason (at most 300 characters).")]})
    current.status, current.lost_reason = InquiryStatus.LOST, reason
    current.version += 1
    current.save(update_fields=["status", "lost_reason", "version", "updated_at"])
    return current


# ---------------------------------------------------------------------------------------------------------
# Quotations


@dataclass
class _MaterialData:
    code: str
    name: str
    unit: str
    usage: Decimal
    loss_percent: Decimal
    unit_price: Decimal

    @property
    def cost(self) -> Decimal:
        return material_cost(usage=self.usage, loss_percent=self.loss_percent, unit_price=self.unit_price)


@dataclass
class _LineData:
    product: Product
    quantity: Decimal
    unit: str
    spec: str
    color: str
    processing: Decimal
    outsourcing: Decimal
    from_bom: bool
    materials: list[_MaterialData] = field(default_factory=list)


@dataclass
class _QuotationData:
    customer: Customer
    inquiry: Inquiry | None
    currency: str
    quote_date: dt.date
    valid_until: dt.date
    overhead_percent: Decimal
    margin_percent: Decimal
    notes: str
    lines: list[_LineData]


def _materials(
    raw_line: Mapping[str, Any], product: Product | None, prefix: str, errors: FieldErrors
) -> tuple[bool, list[_MaterialData]]:
    """Typed material rows, or — with `materials_from_bom` — the product's BOM with prices given per
    material code in `material_prices`."""
    from_bom = parse_bool(raw_line.get("materials_from_bom", False))
    result: list[_MaterialData] = []
    if from_bom:
        bom = bom_materials(product_id=product.pk) if product else []
        if bom is None or (product is not None and not bom):
            errors.add(
                prefix + "materials_from_bom", _("This product has no bill of materials: type the materials.")
            )
            return from_bom, []
        prices = raw_line.get("material_prices") or {}
        if not isinstance(prices, Mapping):
            errors.add(prefix + "material_prices", _("Give a price per material code."))
            return from_bom, []
        for row in bom:
            price = parse_decimal(
                prices.get(row["code"]),
                f"{prefix}material_prices.{row['code']}",
                errors,
                places=4,
                minimum=Decimal(0),
            )
            if price is not None:
                result.append(
                    _MaterialData(
                        row["code"], row["name"], row["unit"], row["usage"], row["loss_percent"], price
                    )
                )
        return from_bom, result
    raw_materials = raw_line.get("materials") or []
    if not isinstance(raw_materials, list) or len(raw_materials) > MAX_MATERIALS:
        errors.add(prefix + "materials", _("Invalid materials."))
        return from_bom, []
    for index, raw in enumerate(raw_materials):
        mprefix = f"{prefix}materials.{index}."
        if not isinstance(raw, Mapping):
            errors.add(f"{prefix}materials.{index}", _("Invalid line."))
            continue
        name = parse_text(raw.get("name"), mprefix + "name", errors, required=True, max_length=200)
        code = parse_text(raw.get("code"), mprefix + "code", errors, max_length=30)
        unit = parse_text(raw.get("unit"), mprefix + "unit", errors, max_length=10)
        usage = parse_decimal(
            raw.get("usage"), mprefix + "usage", errors, places=6, minimum=Decimal(0), exclusive_minimum=True
        )
        loss = parse_decimal(
            raw.get("loss_percent"),
            mprefix + "loss_percent",
            errors,
            required=False,
            maximum=Decimal("99.99"),
            minimum=Decimal(0),
            default=Decimal("0"),
        )
        price = parse_decimal(
            raw.get("unit_price"), mprefix + "unit_price", errors, places=4, minimum=Decimal(0)
        )
        if name and usage is not None and loss is not None and price is not None:
            result.append(_MaterialData(code, name, unit, usage, loss, price))
    return from_bom, result


def _quotation_validate(raw: Mapping[str, Any], *, actor: User) -> _QuotationData:
    errors = FieldErrors()
    customer = _customer(raw.get("customer"), errors, actor)
    inquiry = None
    if not blank(raw.get("inquiry")):
        text = str(raw.get("inquiry")).strip()
        inquiry = (
            inquiry_visible_list(user=actor).filter(pk=int(text)).first()
            if text.isdigit() and len(text) < 18
            else None
        )
        if inquiry is None:
            errors.add("inquiry", _("Unknown inquiry."))
        elif customer is not None and inquiry.customer_id != customer.pk:
            errors.add("inquiry", _("The inquiry is from another customer."))
    currency = parse_choice(
        raw.get("currency"),
        "currency",
        errors,
        Currency,
        default=customer.currency if customer else Currency.CNY,
    )
    quote_date = (
        parse_date(raw.get("quote_date"), "quote_date", errors, required=False) or timezone.localdate()
    )
    valid_until = parse_date(raw.get("valid_until"), "valid_until", errors)
    if valid_until and valid_until < quote_date:
        errors.add("valid_until", _("The validity cannot end before the quotation date."))
    overhead = parse_decimal(
        raw.get("overhead_percent"),
        "overhead_percent",
        errors,
        required=False,
        minimum=Decimal(0),
        maximum=Decimal(500),
        default=Decimal("0"),
    )
    margin = parse_decimal(
        raw.get("margin_percent"),
        "margin_percent",
        errors,
        required=False,
        minimum=Decimal(-100),
        maximum=Decimal(1000),
        default=Decimal("0"),
    )
    notes = parse_text(raw.get("notes"), "notes", errors, max_length=5000)
    raw_lines = raw.get("lines") or []
    if not isinstance(raw_lines, list) or not raw_lines or len(raw_lines) > MAX_LINES:
        errors.add("lines", _("A quotation needs at least one line."))
        raw_lines = []
    lines = []
    for index, raw_line in enumerate(raw_lines):
        prefix = f"lines.{index}."
        if not isinstance(raw_line, Mapping):
            errors.add(f"lines.{index}", _("Invalid line."))
            continue
        product = _product(raw_line.get("product"), prefix + "product", errors)
        quantity = parse_decimal(
            raw_line.get("quantity"),
            prefix + "quantity",
            errors,
            places=3,
            minimum=Decimal(0),
            exclusive_minimum=True,
        )
        processing = parse_decimal(
            raw_line.get("processing_cost"),
            prefix + "processing_cost",
            errors,
            required=False,
            places=4,
            minimum=Decimal(0),
            default=Decimal("0"),
        )
        outsourcing = parse_decimal(
            raw_line.get("outsourcing_cost"),
            prefix + "outsourcing_cost",
            errors,
            required=False,
            places=4,
            minimum=Decimal(0),
            default=Decimal("0"),
        )
        spec = parse_text(raw_line.get("spec"), prefix + "spec", errors)
        color = parse_text(raw_line.get("color"), prefix + "color", errors, max_length=50)
        unit = parse_text(raw_line.get("unit"), prefix + "unit", errors, max_length=10)
        from_bom, materials = _materials(raw_line, product, prefix, errors)
        if product and quantity is not None and processing is not None and outsourcing is not None:
            lines.append(
                _LineData(
                    product=product,
                    quantity=quantity,
                    unit=unit or product.unit,
                    spec=spec or product.spec,
                    color=color,
                    processing=processing,
                    outsourcing=outsourcing,
                    from_bom=from_bom,
                    materials=materials,
                )
            )
    errors.raise_if_any()
    assert customer is not None and valid_until is not None and overhead is not None and margin is not None
    return _QuotationData(
        customer, inquiry, currency, quote_date, valid_until, overhead, margin, notes, lines
    )


def _quotation_write(
    *, data: _QuotationData, actor: User, number: str, revision: int, previous: Quotation | None
) -> Quotation:
    salesperson = actor if actor.has_role(R.SALES) else (data.customer.salesperson or actor)
    if previous is not None:
        salesperson = previous.salesperson
    quotation = Quotation.objects.create(
        number=number,
        revision=revision,
        previous=previous,
        inquiry=data.inquiry,
        customer=data.customer,
        salesperson=salesperson,
        currency=data.currency,
        quote_date=data.quote_date,
        valid_until=data.valid_until,
        overhead_percent=data.overhead_percent,
        margin_percent=data.margin_percent,
        notes=data.notes,
        created_by=actor,
    )
    total = Decimal("0.00")
    for number_, line in enumerate(data.lines, start=1):
        materials = sum((m.cost for m in line.materials), Decimal("0"))
        costs = cost_build_up(
            materials=materials,
            processing=line.processing,
            outsourcing=line.outsourcing,
            overhead_percent=data.overhead_percent,
            margin_percent=data.margin_percent,
        )
        amount = costs.amount(line.quantity)
        if amount >= Decimal(10) ** 14:
            raise ValidationFailed({f"lines.{number_ - 1}.quantity": [_("The line amount is too large.")]})
        saved = QuotationLine.objects.create(
            quotation=quotation,
            line_no=number_,
            product=line.product,
            spec=line.spec,
            color=line.color,
            quantity=line.quantity,
            unit=line.unit,
            material_cost=costs.material_cost,
            processing_cost=costs.processing_cost,
            outsourcing_cost=costs.outsourcing_cost,
            overhead_cost=costs.overhead_cost,
            unit_cost=costs.unit_cost,
            unit_price=costs.unit_price,
            amount=amount,
            materials_from_bom=line.from_bom,
        )
        QuotationMaterial.objects.bulk_create(
            QuotationMaterial(
                line=saved,
                position=position,
                code=m.code,
                name=m.name,
                unit=m.unit,
                usage=m.usage,
                loss_percent=m.loss_percent,
                unit_price=m.unit_price,
                cost=m.cost,
            )
            for position, m in enumerate(line.materials)
        )
        total += amount
    quotation.total_amount = total
    quotation.save(update_fields=["total_amount"])
    return quotation


@transaction.atomic
def quotation_create(*, actor: User, data: Mapping[str, Any]) -> Quotation:
    _ensure_seller(actor)
    clean = _quotation_validate(data, actor=actor)
    number = document_number_next(series=QUOTATION_SERIES, year=clean.quote_date.year)
    quotation = _quotation_write(data=clean, actor=actor, number=number, revision=1, previous=None)
    QuotationEvent.objects.create(
        quotation=quotation,
        type=QuotationEvent.Type.CREATED,
        actor=actor,
        to_status=quotation.status,
        data={"total_amount": str(quotation.total_amount)},
    )
    return quotation


def _quotation_locked(quotation: Quotation, actor: User, version: int | None = None) -> Quotation:
    current = Quotation.objects.select_for_update().filter(pk=quotation.pk).first()
    if current is None or not quotation_visible_list(user=actor).filter(pk=quotation.pk).exists():
        raise NotFoundError(_("Quotation not found."))
    if version is not None and version != current.version:
        raise ConflictError(_("Someone else changed this quotation. Reload and try again."))
    return current


def _transition(
    current: Quotation, *, actor: User, action: str, note: str = "", data: dict | None = None
) -> Quotation:
    transition = transition_check(QUOTATION_TRANSITIONS, action, current.status, set(actor.roles))
    source = current.status
    current.status = transition.target
    current.version += 1
    current.save()
    QuotationEvent.objects.create(
        quotation=current,
        type=QuotationEvent.Type.TRANSITION,
        actor=actor,
        from_status=source,
        to_status=current.status,
        note=note,
        data={"action": action, **(data or {})},
    )
    return current


@transaction.atomic
def quotation_revise(
    *, quotation: Quotation, actor: User, data: Mapping[str, Any], version: int | None = None
) -> Quotation:
    """A new revision (same number, revision + 1) replaces a draft or sent quotation, which is superseded."""
    _ensure_seller(actor)
    current = _quotation_locked(quotation, actor, version)
    clean = _quotation_validate({**data, "customer": current.customer_id}, actor=actor)
    _transition(current, actor=actor, action="supersede")
    revision = _quotation_write(
        data=clean, actor=actor, number=current.number, revision=current.revision + 1, previous=current
    )
    QuotationEvent.objects.create(
        quotation=revision,
        type=QuotationEvent.Type.REVISED,
        actor=actor,
        to_status=revision.status,
        data={"previous": current.pk, "total_amount": str(revision.total_amount)},
    )
    return revision


@transaction.atomic
def quotation_send(*, quotation: Quotation, actor: User) -> Quotation:
    """Sent to the customer: the inquiry's waiting time stops at the first quotation sent."""
    _ensure_seller(actor)
    current = _quotation_locked(quotation, actor)
    if quotation_is_expired(current):
        raise QuotationExpiredError(_("The validity date has passed: revise the quotation first."))
    current.sent_at = timezone.now()
    current = _transition(current, actor=actor, action="send")
    if current.inquiry_id:
        inquiry = Inquiry.objects.select_for_update().get(pk=current.inquiry_id)
        if inquiry.replied_at is None:
            inquiry.replied_at = current.sent_at
        if inquiry.status == InquiryStatus.OPEN:
            inquiry.status = INQUIRY_TRANSITIONS["quote"].target
        inquiry.version += 1
        inquiry.save(update_fields=["replied_at", "status", "version", "updated_at"])
    return current


@transaction.atomic
def quotation_reject(*, quotation: Quotation, actor: User, reason: str) -> Quotation:
    _ensure_seller(actor)
    current = _quotation_locked(quotation, actor)
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise ValidationFailed({"reason": [_("Give a reason (at most 300 characters).")]})
    current.reject_reason, current.decided_at = reason, timezone.now()
    return _transition(current, actor=actor, action="reject", note=reason)


@transaction.atomic
def quotation_accept(*, quotation: Quotation, actor: User, data: Mapping[str, Any]) -> Order:
    """The customer accepted: a draft order with the quotation's lines (product, quantity, price, colour,
    spec), linked both ways. `data` gives the order's header: customer_po, requested_date, and optionally
    order_date, merchandiser, incoterm, payment_terms, requirements."""
    _ensure_seller(actor)
    current = _quotation_locked(quotation, actor)
    if quotation_is_expired(current):
        raise QuotationExpiredError(
            _("Quotation %(n)s expired on %(d)s: revise it before the customer accepts.")
            % {"n": current.label, "d": current.valid_until.isoformat()}
        )
    transition_check(QUOTATION_TRANSITIONS, "accept", current.status, set(actor.roles))
    payload = {
        "customer": current.customer.code,
        "customer_po": data.get("customer_po"),
        "order_date": data.get("order_date") or timezone.localdate().isoformat(),
        "requested_date": data.get("requested_date"),
        "currency": current.currency,
        "merchandiser": data.get("merchandiser"),
        "salesperson": current.salesperson.username if current.salesperson.has_role(R.SALES) else None,
        "incoterm": data.get("incoterm"),
        "payment_terms": data.get("payment_terms"),
        "requirements": data.get("requirements") or current.notes,
        "lines": [
            {
                "product": line.product.code,
                "quantity": str(line.quantity),
                "unit_price": str(line.unit_price),
                "unit": line.unit,
                "spec": line.spec,
                "color": line.color,
            }
            for line in current.lines.select_related("product").order_by("line_no")
        ],
    }
    order = order_create(actor=actor, data=payload)
    current.order, current.decided_at = order, timezone.now()
    _transition(current, actor=actor, action="accept", data={"order": order.number})
    order_event_record(
        order=order,
        type=OrderEvent.Type.FROM_QUOTATION,
        actor=actor,
        data={
            "quotation": current.label,
            "quotation_id": current.pk,
            "total_amount": str(current.total_amount),
        },
    )
    if current.inquiry_id:
        inquiry = Inquiry.objects.select_for_update().get(pk=current.inquiry_id)
        if inquiry.status in INQUIRY_TRANSITIONS["win"].sources:
            inquiry.status = INQUIRY_TRANSITIONS["win"].target
            inquiry.version += 1
            inquiry.save(update_fields=["status", "version", "updated_at"])
    return order


def quotation_printed(*, quotation: Quotation, actor: User) -> None:
    QuotationEvent.objects.create(quotation=quotation, type=QuotationEvent.Type.PRINTED, actor=actor)
