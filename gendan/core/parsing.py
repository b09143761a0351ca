"""Lenient parsing of user input (forms, JSON, Excel cells) into strict values, collecting field errors."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from gendan.core.numbers import number_text


class FieldErrors:
    """Collects messages per field path (e.g. `lines.0.quantity`)."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = defaultdict(list)
        self.codes: dict[str, str] = {}

    def add(self, field: str, message: str, *, code: str = "") -> None:
        """`code` marks an error a client may act on (e.g. one that a confirmation flag overrides)."""
        self.fields[field].append(str(message))
        if code:
            self.codes[field] = code

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self) -> None:
        if self.fields:
            from gendan.core.errors import ValidationFailed

            raise ValidationFailed(dict(self.fields), codes=dict(self.codes))


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_text(
    value: Any, field: str, errors: FieldErrors, *, required: bool = False, max_length: int = 200
) -> str:
    if blank(value):
        if required:
            errors.add(field, _("This field is required."))
        return ""
    text = str(value).strip()
    if len(text) > max_length:
        errors.add(field, _("At most %(n)d characters.") % {"n": max_length})
    return text


def parse_decimal(
    value: Any,
    field: str,
    errors: FieldErrors,
    *,
    required: bool = True,
    places: int = 2,
    max_digits: int = 14,
    minimum: Decimal | None = None,
    exclusive_minimum: bool = False,
    maximum: Decimal | None = None,
    default: Decimal | None = None,
) -> Decimal | None:
    if blank(value):
        if required and default is None:
            errors.add(field, _("This field is required."))
        return default
    if isinstance(value, bool):
        errors.add(field, _("Enter a number."))
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        errors.add(field, _("Enter a number."))
        return None
    if not number.is_finite():
        errors.add(field, _("Enter a number."))
        return None
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        errors.add(field, _("At most %(n)d decimal places.") % {"n": places})
        return None
    if abs(number) >= Decimal(10) ** (max_digits - places):
        errors.add(field, _("This number is too large."))
        return None
    if minimum is not None:
        if exclusive_minimum and number <= minimum:
            errors.add(field, _("Must be greater than %(min)s.") % {"min": number_text(minimum)})
            return None
        if not exclusive_minimum and number < minimum:
            errors.add(field, _("Must not be less than %(min)s.") % {"min": number_text(minimum)})
            return None
    if maximum is not None and number > maximum:
        errors.add(field, _("Must not be more than %(max)s.") % {"max": number_text(maximum)})
        return None
    return number


def parse_date(value: Any, field: str, errors: FieldErrors, *, required: bool = True) -> dt.date | None:
    if blank(value):
        if required:
            errors.add(field, _("This field is required."))
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        parsed = dt.date.fromisoformat(text)
    except ValueError:
        errors.add(field, _("Enter a valid date (YYYY-MM-DD)."))
        return None
    if not 2000 <= parsed.year <= 2100:
        errors.add(field, _("Enter a date between 2000 and 2100."))
        return None
    return parsed


def parse_choice(
    value: Any, field: str, errors: FieldErrors, choices: Any, *, default: str | None = None
) -> str:
    """Accept a choice's value or its (translated) label."""
    if blank(value):
        if default is None:
            errors.add(field, _("This field is required."))
            return ""
        return default
    text = str(value).strip()
    for choice_value, label in choices.choices:
        if text in (choice_value, str(label)) or text.lower() == str(choice_value).lower():
            return choice_value
    errors.add(field, _("“%(value)s” is not a valid choice.") % {"value": text[:50]})
    return ""


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on", "是", "y"}


def parse_size_breakdown(value: Any, field: str, errors: FieldErrors) -> list[tuple[str, Decimal]]:
    """`S:100 M:200 L:100` (also `,` `;` `，` `：` separated) or a list of {size, quantity} → pairs."""
    if blank(value):
        return []
    pairs: list[tuple[str, Any]] = []
    if isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, dict):
                pairs.append((str(item.get("size", "")).strip(), item.get("quantity")))
            else:
                errors.add(field, _("Each size needs a size and a quantity."))
                return []
    else:
        text = str(value).replace("，", ",").replace("：", ":").replace(";", ",").replace("；", ",")
        for chunk in text.replace(",", " ").split():
            if ":" not in chunk:
                errors.add(field, _("Write the breakdown as size:quantity, e.g. S:100 M:200."))
                return []
            size, qty = chunk.split(":", 1)
            pairs.append((size.strip(), qty))
    result: list[tuple[str, Decimal]] = []
    seen: set[str] = set()
    for size, qty in pairs:
        if not size or len(size) > 20:
            errors.add(field, _("Each size needs a name of at most 20 characters."))
            return []
        if size in seen:
            errors.add(field, _("Size %(size)s appears twice.") % {"size": size})
            return []
        seen.add(size)
        number = parse_decimal(qty, field, errors, places=3, minimum=Decimal(0), exclusive_minimum=True)
        if number is None:
            return []
        result.append((size, number))
    return result


def parse_int(value: Any, field: str, errors: FieldErrors, *, required: bool = True) -> int | None:
    if blank(value):
        if required:
            errors.add(field, _("This field is required."))
        return None
    if isinstance(value, bool):
        errors.add(field, _("Enter a whole number."))
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        errors.add(field, _("Enter a whole number."))
        return None
    if not 0 <= number < 2**62:
        errors.add(field, _("This number is out of range."))
        return None
    return number
