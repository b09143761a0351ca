"""The validation rules of SPEC §2.2, shared by the web form, the API and the Excel import."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.catalog.models import Industry, Product
from gendan.core.errors import ValidationFailed
from gendan.core.parsing import (
    FieldErrors,
    blank,
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_size_breakdown,
    parse_text,
)
from gendan.orders.models import BusinessType, Incoterm, SourceDocument
from gendan.parties.models import Currency, Customer
from gendan.parties.selectors import customer_visible_list

CENT = Decimal("0.01")
MAX_LINES = 500


@dataclass
class LineData:
    product: Product
    quantity: Decimal
    unit_price: Decimal
    unit: str
    spec: str = ""
    color: str = ""
    tolerance_percent: Decimal = Decimal("3")
    sizes: list[tuple[str, Decimal]] = field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class OrderData:
    customer: Customer
    customer_po: str
    order_date: dt.date
    requested_date: dt.date
    business_type: str
    industry: str
    source_document: str
    currency: str
    payment_terms: str
    incoterm: str
    merchandiser: User
    salesperson: User | None
    requirements: str
    lines: list[LineData]
    confirm_repeat: bool = False
    repeat_reason: str = ""


ORDER_DATE_IMPLAUSIBLE = "order_date_implausible"
ORDER_DATE_MAX_AHEAD = dt.timedelta(days=365)
ORDER_DATE_MAX_BACK = dt.timedelta(days=2 * 365)


def order_date_plausible(order_date: dt.date, *, today: dt.date | None = None) -> bool:
    """An order date a person most likely meant: this year or the next or last, at most a year ahead and two
    years back. Anything else (2030-01-01 typed for 2026-01-01) is asked back before it numbers the order
    in that year; `confirm_order_date` accepts it."""
    today = today or timezone.localdate()
    return (
        abs(order_date.year - today.year) <= 1
        and today - ORDER_DATE_MAX_BACK <= order_date <= today + ORDER_DATE_MAX_AHEAD
    )


def default_payment_terms(customer: Customer) -> str:
    """The customer's terms as the order stores them: worded with the real days, in the site's language
    (the order's printed forms are Chinese whatever the language of the person who typed it)."""
    with translation.override(settings.LANGUAGE_CODE):
        return customer.payment_terms_text


def _one(queryset: QuerySet) -> Any:
    """The row of a lookup by a unique key, or None: like .first() without its ORDER BY (a fifth of the
    lookup's time goes into compiling that)."""
    return next(iter(queryset.order_by()[:1]), None)


def _user_with_role(value: Any, role: str, field_name: str, errors: FieldErrors) -> User | None:
    if blank(value):
        return None
    text = str(value).strip()
    user = _one(User.objects.filter(username=text, is_active=True))
    if user is None and text.isdigit() and len(text) < 18:
        user = _one(User.objects.filter(pk=int(text), is_active=True))
    if user is None or not user.has_role(role):
        errors.add(
            field_name, _("Unknown user or the user is not a %(role)s.") % {"role": R.ROLE_LABELS[role]}
        )
        return None
    return user


def _may_assign(actor: User, merchandiser: User) -> bool:
    """Leads and salespeople assign any merchandiser; a merchandiser only themselves (or whom they stand in
    for), so nobody hands an order out of their own sight by mistake."""
    if actor.has_role(R.SUPERVISOR, R.GENERAL_MANAGER, R.ADMIN, R.SALES):
        return True
    from gendan.accounts.scope import acting_for

    return merchandiser.pk in acting_for(actor)


def _keys(rows: Sequence[Any], name: str) -> tuple[set[str], list[int]]:
    """The non-blank values of `name` in the mappings among `rows`, and those that can be ids."""
    keys = {
        str(row.get(name)).strip() for row in rows if isinstance(row, Mapping) and not blank(row.get(name))
    }
    return keys, [int(k) for k in keys if k.isdigit() and len(k) < 18]


def _products_by_key(lines: Sequence[Any]) -> dict[str, Product]:
    """The lines' products by code and by id (a code wins), in one query."""
    codes, ids = _keys(lines, "product")
    # any order does; the id branch only when a key can be an id (an empty one still costs its compiling)
    found = list(
        Product.objects.filter(Q(code__in=codes) | Q(pk__in=ids) if ids else Q(code__in=codes)).order_by()
    )
    products = {p.code: p for p in found}
    products.update({str(p.pk): p for p in found if str(p.pk) not in products})
    return products


def order_data_validate(
    raw: Mapping[str, Any],
    *,
    actor: User,
    products: dict[str, Product] | None = None,
    customers: dict[str, Customer] | None = None,
    terms: dict[int, str] | None = None,
    known_order_date: dt.date | None = None,
) -> OrderData:
    """Parse and check an order; raises ValidationFailed naming every bad field. Saves nothing.

    `products`/`customers` (code → object) let a bulk import avoid one query per row; `terms` (customer id →
    its payment terms text) the label lookup per row.
    """
    errors = FieldErrors()

    customer = None
    customer_value = raw.get("customer")
    if blank(customer_value):
        errors.add("customer", _("This field is required."))
    else:
        key = str(customer_value).strip()
        customer = customers.get(key) if customers is not None else None
        if customer is None:
            visible = customer_visible_list(user=actor)
            customer = _one(visible.filter(code=key))
            if customer is None and key.isdigit() and len(key) < 18:
                customer = _one(visible.filter(pk=int(key)))
        if customer is None:
            errors.add("customer", _("Unknown customer."))
        elif not customer.is_active:
            errors.add("customer", _("This customer is inactive."))
            customer = None

    customer_po = parse_text(raw.get("customer_po"), "customer_po", errors, required=True, max_length=50)
    order_date = parse_date(raw.get("order_date"), "order_date", errors)
    requested_date = parse_date(raw.get("requested_date"), "requested_date", errors)
    if order_date and requested_date and requested_date < order_date:
        errors.add("requested_date", _("The delivery date cannot be before the order date."))
    if (
        order_date
        and order_date != known_order_date
        and not parse_bool(raw.get("confirm_order_date", False))
        and not order_date_plausible(order_date)
    ):
        errors.add(
            "order_date",
            _(
                "The order date %(date)s is far from today (it would number the order in %(year)s). "
                "Check the year, or confirm the date."
            )
            % {"date": order_date.isoformat(), "year": order_date.year},
            code=ORDER_DATE_IMPLAUSIBLE,
        )

    business_type = parse_choice(
        raw.get("business_type"), "business_type", errors, BusinessType, default=BusinessType.BULK
    )
    source_document = parse_choice(
        raw.get("source_document"), "source_document", errors, SourceDocument, default=SourceDocument.WRITTEN
    )
    incoterm = parse_choice(raw.get("incoterm"), "incoterm", errors, Incoterm, default="")
    currency_default = customer.currency if customer else Currency.CNY
    currency = parse_choice(raw.get("currency"), "currency", errors, Currency, default=currency_default)
    if customer and customer.is_foreign and not incoterm:
        errors.add("incoterm", _("A foreign-trade order needs an incoterm."))
    payment_terms = parse_text(raw.get("payment_terms"), "payment_terms", errors, max_length=100)
    if not payment_terms and customer:
        payment_terms = (
            terms[customer.pk] if terms and customer.pk in terms else default_payment_terms(customer)
        )
    requirements = parse_text(raw.get("requirements"), "requirements", errors, max_length=5000)

    merchandiser = _user_with_role(raw.get("merchandiser"), R.MERCHANDISER, "merchandiser", errors)
    if merchandiser is not None and not _may_assign(actor, merchandiser):
        errors.add(
            "merchandiser", _("You can assign orders only to yourself or to a colleague whose work you hold.")
        )
        merchandiser = None
    if merchandiser is None and "merchandiser" not in errors.fields:
        if customer and customer.merchandiser_id:
            merchandiser = customer.merchandiser
        elif actor.has_role(R.MERCHANDISER):
            merchandiser = actor
        else:
            errors.add("merchandiser", _("This field is required."))
    salesperson = _user_with_role(raw.get("salesperson"), R.SALES, "salesperson", errors)
    if salesperson is None and customer and customer.salesperson_id:
        salesperson = customer.salesperson

    confirm_repeat = parse_bool(raw.get("confirm_repeat", False))
    repeat_reason = parse_text(raw.get("repeat_reason"), "repeat_reason", errors, max_length=200)
    if confirm_repeat and not repeat_reason:
        errors.add("repeat_reason", _("Give the reason for the deliberate repeat."))

    raw_lines = raw.get("lines") or []
    if not isinstance(raw_lines, list) or not raw_lines:
        errors.add("lines", _("An order needs at least one line."))
        raw_lines = []
    elif len(raw_lines) > MAX_LINES:
        errors.add("lines", _("At most %(n)d lines.") % {"n": MAX_LINES})
        raw_lines = []

    if products is None:
        products = _products_by_key(raw_lines)
    industries: set[str] = set()
    lines: list[LineData] = []
    for index, raw_line in enumerate(raw_lines):
        prefix = f"lines.{index}."
        if not isinstance(raw_line, Mapping):
            errors.add(f"lines.{index}", _("Invalid line."))
            continue
        product_value = raw_line.get("product")
        product = None
        if blank(product_value):
            errors.add(prefix + "product", _("This field is required."))
        else:
            key = str(product_value).strip()
            product = products.get(key)
            if product is None:
                errors.add(prefix + "product", _("Unknown product."))
            elif not product.is_active:
                errors.add(prefix + "product", _("This product is inactive."))
                product = None
        quantity = parse_decimal(
            raw_line.get("quantity"),
            prefix + "quantity",
            errors,
            places=3,
            minimum=Decimal(0),
            exclusive_minimum=True,
        )
        unit_price = parse_decimal(
            raw_line.get("unit_price"), prefix + "unit_price", errors, places=4, minimum=Decimal(0)
        )
        tolerance = parse_decimal(
            raw_line.get("tolerance_percent"),
            prefix + "tolerance_percent",
            errors,
            places=2,
            minimum=Decimal(0),
            maximum=Decimal(100),
            default=Decimal("3"),
        )
        sizes = parse_size_breakdown(raw_line.get("sizes"), prefix + "sizes", errors)
        if sizes and quantity is not None and sum(q for _s, q in sizes) != quantity:
            errors.add(
                prefix + "sizes",
                _("The size breakdown adds up to %(sum)s, not the line quantity %(qty)s.")
                % {"sum": sum(q for _s, q in sizes), "qty": quantity},
            )
        spec = parse_text(raw_line.get("spec"), prefix + "spec", errors)
        color = parse_text(raw_line.get("color"), prefix + "color", errors, max_length=50)
        unit = parse_text(raw_line.get("unit"), prefix + "unit", errors, max_length=10)
        if product and quantity is not None and unit_price is not None and tolerance is not None:
            industries.add(product.industry)
            line = LineData(
                product=product,
                quantity=quantity,
                unit_price=unit_price,
                unit=unit or product.unit,
                spec=spec or product.spec,
                color=color,
                tolerance_percent=tolerance,
                sizes=sizes,
            )
            if line.amount >= Decimal(10) ** 14:
                errors.add(prefix + "quantity", _("The line amount is too large."))
            lines.append(line)

    industry_value = raw.get("industry")
    default_industry = industries.pop() if len(industries) == 1 else Industry.GENERIC
    industry = parse_choice(industry_value, "industry", errors, Industry, default=default_industry)

    errors.raise_if_any()
    assert customer and order_date and requested_date and merchandiser  # guaranteed by the checks above
    return OrderData(
        customer=customer,
        customer_po=customer_po,
        order_date=order_date,
        requested_date=requested_date,
        business_type=business_type,
        industry=industry,
        source_document=source_document,
        currency=currency,
        payment_terms=payment_terms,
        incoterm=incoterm,
        merchandiser=merchandiser,
        salesperson=salesperson,
        requirements=requirements,
        lines=lines,
        confirm_repeat=confirm_repeat,
        repeat_reason=repeat_reason,
    )


def order_data_validate_many(rows: Any, *, actor: User, limit: int) -> list[OrderData]:
    """Check a batch of orders with one query for all customers and one for all products; raises
    ValidationFailed naming every bad field as `orders.N.field`. Saves nothing."""
    if not isinstance(rows, list) or not rows:
        raise ValidationFailed({"orders": [_("Send at least one order.")]})
    if len(rows) > limit:
        raise ValidationFailed({"orders": [_("At most %(n)d orders per batch.") % {"n": limit}]})
    if not all(isinstance(row, Mapping) for row in rows):
        raise ValidationFailed({"orders": [_("Each order must be an object.")]})
    codes, ids = _keys(rows, "customer")
    visible = customer_visible_list(user=actor).filter(Q(code__in=codes) | Q(pk__in=ids))
    customers: dict[str, Customer] = {}
    for customer in visible:  # a code wins over an id, as in order_data_validate
        customers.setdefault(str(customer.pk), customer)
    customers.update({c.code: c for c in customers.copy().values()})
    # each customer's default payment terms once (a translated label: 20 µs a time), not once per order
    terms = {c.pk: default_payment_terms(c) for c in customers.values()}
    line_rows = [line for row in rows if isinstance(row.get("lines"), list) for line in row["lines"]]
    products = _products_by_key(line_rows)

    datas, fields = [], {}
    for index, row in enumerate(rows):
        try:
            datas.append(
                order_data_validate(row, actor=actor, products=products, customers=customers, terms=terms)
            )
        except ValidationFailed as exc:
            fields.update({f"orders.{index}.{name}": messages for name, messages in exc.fields.items()})
    if fields:
        raise ValidationFailed(fields)
    return datas
