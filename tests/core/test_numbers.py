"""Issue 18, "numbers that cannot be": one way numbers read in messages, on pages and on PDFs."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from gendan.core import pdf
from gendan.core.errors import ValidationFailed
from gendan.core.numbers import money_text, number_text, price_text
from gendan.core.parsing import FieldErrors, parse_decimal
from gendan.orders.services import order_create
from tests.factories import order_payload


@pytest.mark.parametrize(
    ("value", "quantity", "amount", "unit_price"),
    [
        (Decimal("309.000"), "309", "309.00", "309.00"),
        (Decimal("12.5000"), "12.5", "12.50", "12.50"),
        (Decimal("1309.500"), "1,309.5", "1,309.50", "1,309.50"),
        (Decimal("0.0125"), "0.0125", "0.01", "0.0125"),
        (Decimal("1234567.125"), "1,234,567.125", "1,234,567.13", "1,234,567.125"),
        (Decimal("2.00005"), "2.00005", "2.00", "2.0001"),
        (Decimal("1E+3"), "1,000", "1,000.00", "1,000.00"),
    ],
)
def test_one_rule_per_kind_of_number(value, quantity, amount, unit_price):
    assert (number_text(value), money_text(value), price_text(value)) == (quantity, amount, unit_price)
    # the PDFs print the same
    assert (pdf.qty(value), pdf.money(value), pdf.price(value)) == (quantity, amount, unit_price)


def test_a_bound_in_a_message_reads_as_people_write_it():
    errors = FieldErrors()
    parse_decimal("400", "quantity_done", errors, places=3, maximum=Decimal("309.000"))
    parse_decimal("-1", "other", errors, places=3, minimum=Decimal("1500.000"))
    with translation.override("zh-hans"):
        errors_zh = FieldErrors()
        parse_decimal("4000", "quantity_done", errors_zh, places=3, maximum=Decimal("1309.000"))
    assert errors.fields["quantity_done"] == ["Must not be more than 309."]
    assert errors.fields["other"] == ["Must not be less than 1,500."]
    assert errors_zh.fields["quantity_done"] == ["不能大于 1,309。"]


def test_the_progress_error_names_the_ceiling_without_trailing_zeros(people, customer, product):
    from gendan.followup.services import progress_record_create
    from tests.q2c import order_in_production

    order = order_in_production(people, customer, product)
    with pytest.raises(ValidationFailed) as caught:
        progress_record_create(order=order, actor=people["m1"], stage="production", quantity_done="99999")
    message = " ".join(caught.value.fields["quantity_done"])
    assert ".000" not in message and "Must not be more than" in message


def test_prices_and_amounts_on_the_order_page(people, customer, product):
    payload = order_payload(customer, product)
    payload["lines"][0].update({"quantity": "1000", "unit_price": "1234.5", "sizes": "S:300 M:400 L:300"})
    order = order_create(actor=people["m1"], data=payload)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(people["m1"])
    html = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "1,234.50" in html and "1234.5000" not in html
    assert "1,234,500.00" in html  # the total, grouped by thousands in zh-Hans too
