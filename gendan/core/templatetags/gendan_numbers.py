"""Number filters for every page (a template builtin, see config/django/base.py): `number`, `money`,
`price` — the same rules as the PDFs and messages (gendan.core.numbers)."""

from django import template

from gendan.core.numbers import money_text, number_text, price_text

register = template.Library()
register.filter("number", number_text)
register.filter("money", money_text)
register.filter("price", price_text)
