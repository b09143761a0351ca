from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def qty(value) -> str:
    """A quantity as people write it: 100.000 → 100, 12.500 → 12.5, 1000 → 1,000 (never 1E+3)."""
    if value is None or value == "":
        return ""
    normal = Decimal(value).normalize()
    if normal == normal.to_integral():
        return f"{normal:,.0f}"
    return f"{normal:,f}"
