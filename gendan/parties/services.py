"""Writes on customers (master data)."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.core.errors import PermissionDeniedError, ValidationFailed, validation_from_django
from gendan.core.parsing import (
    FieldErrors,
    blank,
    parse_bool,
    parse_choice,
    parse_decimal,
    parse_int,
    parse_text,
)
from gendan.parties.models import Currency, Customer, PaymentTermsType

CUSTOMER_CREATE_ROLES = (R.SUPERVISOR, R.SALES, R.ADMIN)


def _user_with_role(value: Any, role: str, field: str, errors: FieldErrors) -> User | None:
    """An active user with `role`, given by username or id."""
    if blank(value):
        return None
    text = str(value).strip()
    user = User.objects.filter(username=text, is_active=True).first()
    if user is None and text.isdigit() and len(text) < 18:
        user = User.objects.filter(pk=int(text), is_active=True).first()
    if user is None or not user.has_role(role):
        errors.add(field, _("Unknown user or the user is not a %(role)s.") % {"role": R.ROLE_LABELS[role]})
        return None
    return user


def _code_parse(value: Any, field: str, errors: FieldErrors, *, max_length: int) -> str:
    code = parse_text(value, field, errors, required=True, max_length=max_length)
    if code and any(ch.isspace() for ch in code):
        errors.add(field, _("A code cannot contain spaces."))
    return code


@transaction.atomic
def customer_create(*, actor: User, data: Mapping[str, Any]) -> Customer:
    """Validate and create a customer; raises ValidationFailed naming every bad field, saves nothing then."""
    if not actor.is_active or actor.is_read_only or not actor.has_role(*CUSTOMER_CREATE_ROLES):
        raise PermissionDeniedError(_("Your role may not create customers."), code="role_not_allowed")
    errors = FieldErrors()
    code = _code_parse(data.get("code"), "code", errors, max_length=20)
    if code and Customer.objects.filter(code__iexact=code).exists():
        errors.add("code", _("A customer with this code already exists."))
    name = parse_text(data.get("name"), "name", errors, required=True, max_length=200)
    address = parse_text(data.get("address"), "address", errors, max_length=300)
    currency = parse_choice(data.get("currency"), "currency", errors, Currency, default=Currency.CNY)
    credit_limit = parse_decimal(
        data.get("credit_limit"), "credit_limit", errors, places=2, minimum=Decimal(0), default=Decimal(0)
    )
    payment_terms = parse_choice(
        data.get("payment_terms"), "payment_terms", errors, PaymentTermsType, default=PaymentTermsType.MONTHLY
    )
    payment_days = parse_int(data.get("payment_days"), "payment_days", errors, required=False)
    if payment_days is None and "payment_days" not in errors.fields:
        payment_days = 30
    elif payment_days is not None and payment_days > 365:
        errors.add("payment_days", _("Must not be more than %(max)s.") % {"max": 365})
    deposit_percent = parse_decimal(
        data.get("deposit_percent"),
        "deposit_percent",
        errors,
        places=2,
        minimum=Decimal(0),
        maximum=Decimal(100),
        default=Decimal(0),
    )
    if payment_terms == PaymentTermsType.DEPOSIT and deposit_percent is not None and deposit_percent <= 0:
        errors.add("deposit_percent", _("Give the deposit percentage."))
    merchandiser = _user_with_role(data.get("merchandiser"), R.MERCHANDISER, "merchandiser", errors)
    salesperson = _user_with_role(data.get("salesperson"), R.SALES, "salesperson", errors)
    if salesperson is None and "salesperson" not in errors.fields and actor.has_role(R.SALES):
        salesperson = actor  # a salesperson's new customer is their own, or they could not see it
    notes = parse_text(data.get("notes"), "notes", errors, max_length=5000)
    errors.raise_if_any()

    customer = Customer(
        code=code,
        name=name,
        is_foreign=parse_bool(data.get("is_foreign", False)),
        address=address,
        currency=currency,
        credit_limit=credit_limit,
        payment_terms=payment_terms,
        payment_days=payment_days,
        deposit_percent=deposit_percent,
        merchandiser=merchandiser,
        salesperson=salesperson,
        notes=notes,
    )
    try:
        customer.full_clean()
    except DjangoValidationError as exc:
        raise validation_from_django(exc) from None
    try:
        with transaction.atomic():
            customer.save(force_insert=True)
    except IntegrityError:  # a concurrent creation took the code between the check and the insert
        raise ValidationFailed({"code": [_("A customer with this code already exists.")]}) from None
    return customer


@transaction.atomic
def customers_merchandiser_set(*, actor: User, customer_ids: list[int], merchandiser: User) -> int:
    """Make `merchandiser` the default merchandiser of these customers (a permanent reassignment, decided and
    checked by gendan.reassignments). Returns how many changed."""
    if not actor.is_active or actor.is_read_only:
        raise PermissionDeniedError(_("Your account is read-only."), code="read_only")
    return (
        Customer.objects.filter(pk__in=list(customer_ids))
        .exclude(merchandiser=merchandiser)
        .update(merchandiser=merchandiser, updated_at=timezone.now(), version=F("version") + 1)
    )
