"""How numbers read, on pages, in messages and on printed forms: one set of rules.

- a quantity (or any count): no trailing zeros, thousands separators — 309.000 → "309", 1309.5 → "1,309.5";
- an amount: two decimals with separators — "1,250.00";
- a unit price: two decimals, up to four when it has them — 12.5000 → "12.50", 0.0125 → "0.0125".

Never an exponent ("1E+3"). Separators are commas whatever the language (the Chinese convention too).
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
PRICE_PLACES = 4


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def number_text(value: Any) -> str:
    """A quantity as people write it: 100.000 → 100, 12.500 → 12.5, 1000 → 1,000."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    normal = number.normalize()
    if normal == normal.to_integral():
        return f"{normal:,.0f}"
    return f"{normal:,f}"


def money_text(value: Any, places: int = 2) -> str:
    """An amount: 1250 → 1,250.00."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    return f"{number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,f}"


def price_text(value: Any) -> str:
    """A unit price: 12.5000 → 12.50, 1234.5 → 1,234.50, 0.0125 → 0.0125 (at most four decimals)."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    if number == number.quantize(CENT):
        return money_text(number)
    places = min(max(-number.normalize().as_tuple().exponent, 2), PRICE_PLACES)  # type: ignore[operator]
    return money_text(number, places)
