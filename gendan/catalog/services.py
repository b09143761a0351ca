"""Writes on products / styles (master data)."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.catalog.models import Industry, Product
from gendan.core.errors import PermissionDeniedError, ValidationFailed, validation_from_django
from gendan.core.parsing import FieldErrors, parse_choice, parse_decimal, parse_int, parse_text

PRODUCT_CREATE_ROLES = (R.ADMIN, R.SUPERVISOR, R.MERCHANDISER)


def _days(value: Any, field: str, errors: FieldErrors, *, default: int, minimum: int) -> int | None:
    days = parse_int(value, field, errors, required=False)
    if days is None:
        return None if field in errors.fields else default
    if days < minimum:
        errors.add(field, _("Must not be less than %(min)s.") % {"min": minimum})
        return None
    if days > 365:
        errors.add(field, _("Must not be more than %(max)s.") % {"max": 365})
        return None
    return days


@transaction.atomic
def product_create(*, actor: User, data: Mapping[str, Any]) -> Product:
    """Validate and create a product / style; raises ValidationFailed naming every bad field, saves nothing."""
    if not actor.is_active or actor.is_read_only or not actor.has_role(*PRODUCT_CREATE_ROLES):
        raise PermissionDeniedError(_("Your role may not create products."), code="role_not_allowed")
    errors = FieldErrors()
    code = parse_text(data.get("code"), "code", errors, required=True, max_length=30)
    if code and any(ch.isspace() for ch in code):
        errors.add("code", _("A code cannot contain spaces."))
    elif code and Product.objects.filter(code__iexact=code).exists():
        errors.add("code", _("A product with this code already exists."))
    name = parse_text(data.get("name"), "name", errors, required=True, max_length=200)
    industry = parse_choice(data.get("industry"), "industry", errors, Industry, default=Industry.GENERIC)
    family = parse_text(data.get("family"), "family", errors, max_length=50)
    work_centre = parse_text(data.get("work_centre"), "work_centre", errors, max_length=50)
    spec = parse_text(data.get("spec"), "spec", errors, max_length=200)
    unit = parse_text(data.get("unit"), "unit", errors, max_length=10) or "pcs"
    cycle = _days(data.get("production_cycle_days"), "production_cycle_days", errors, default=10, minimum=1)
    lead = _days(data.get("material_lead_days"), "material_lead_days", errors, default=0, minimum=0)
    price = parse_decimal(
        data.get("standard_price"),
        "standard_price",
        errors,
        places=4,
        max_digits=12,
        minimum=Decimal(0),
        default=Decimal(0),
    )
    errors.raise_if_any()

    product = Product(
        code=code,
        name=name,
        industry=industry,
        family=family,
        work_centre=work_centre,
        spec=spec,
        unit=unit,
        production_cycle_days=cycle,
        material_lead_days=lead,
        standard_price=price,
    )
    try:
        product.full_clean()
    except DjangoValidationError as exc:
        raise validation_from_django(exc) from None
    try:
        with transaction.atomic():
            product.save(force_insert=True)
    except IntegrityError:  # a concurrent creation took the code between the check and the insert
        raise ValidationFailed({"code": [_("A product with this code already exists.")]}) from None
    return product
