"""Issue 18: an order dated 2030-01-01 is not silently numbered SO2030-…: the date is asked back (a field
error with a code), and a confirmation flag keeps it — in the service, the API and the form."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse

from gendan.accounts.services import api_token_create
from gendan.core.errors import ValidationFailed
from gendan.orders.models import Order
from gendan.orders.services import order_create, order_update
from gendan.orders.validation import order_date_plausible
from tests.factories import order_payload
from tests.q2c import today

TODAY = dt.date(2026, 12, 8)


@pytest.mark.parametrize(
    ("day", "plausible"),
    [
        (dt.date(2026, 12, 8), True),
        (dt.date(2027, 12, 8), True),  # a year ahead
        (dt.date(2027, 12, 9), False),
        (dt.date(2025, 1, 1), True),  # last year
        (dt.date(2024, 12, 31), False),  # two years back, but not this year ± 1
        (dt.date(2030, 1, 1), False),
    ],
)
def test_plausible_order_dates(day, plausible):
    assert order_date_plausible(day, today=TODAY) is plausible


def _payload(customer, product, day: dt.date, **extra):
    return order_payload(
        customer,
        product,
        order_date=day.isoformat(),
        requested_date=(day + dt.timedelta(days=40)).isoformat(),
        **extra,
    )


def test_the_service_asks_back_and_a_confirmation_keeps_the_date(people, customer, product):
    with today(TODAY), pytest.raises(ValidationFailed) as caught:
        order_create(actor=people["m1"], data=_payload(customer, product, dt.date(2030, 1, 1)))
    assert caught.value.extra["codes"] == {"order_date": "order_date_implausible"}
    assert "2030" in caught.value.fields["order_date"][0]
    assert not Order.objects.exists()
    with today(TODAY):
        order = order_create(
            actor=people["m1"], data=_payload(customer, product, dt.date(2030, 1, 1), confirm_order_date=True)
        )
    assert order.number.startswith("SO2030-")
    # editing the order without changing its (confirmed) date does not ask again
    with today(TODAY):
        data = _payload(customer, product, dt.date(2030, 1, 1), customer_po="PO-2")
        order_update(order=order, actor=people["m1"], version=order.version, data=data)


def test_the_api_answers_400_with_the_code(people, customer, product):
    _token, key = api_token_create(user=people["m1"], name="t")
    client = Client()
    body = _payload(customer, product, dt.date(2030, 1, 1))
    with today(TODAY):
        response = client.post(
            "/api/v1/orders",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
    assert response.status_code == 400
    assert response.json()["extra"]["codes"] == {"order_date": "order_date_implausible"}
    body["confirm_order_date"] = True
    with today(TODAY):
        response = client.post(
            "/api/v1/orders",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
    assert response.status_code == 201, response.content


def test_the_form_shows_the_confirmation_box(people, customer, product):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(people["m1"])
    form = {
        "customer": customer.code,
        "customer_po": "PO-9",
        "order_date": "2030-01-01",
        "requested_date": "2030-02-15",
        "business_type": "bulk",
        "source_document": "written",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": product.code,
        "lines-0-quantity": "100",
        "lines-0-unit_price": "12.5",
        "lines-0-tolerance_percent": "3",
    }
    with today(TODAY):
        response = client.post(reverse("orders:create"), form)
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="order-date-confirm"' in html
    assert "请检查年份" in html and not Order.objects.exists()
    with today(TODAY):
        response = client.post(reverse("orders:create"), {**form, "confirm_order_date": "on"})
    assert response.status_code == 302
    assert Order.objects.get().number.startswith("SO2030-")
