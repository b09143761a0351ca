"""What the browser tests share: logging in through the Chinese login page, the phone and desktop viewports,
and an order brought to production through the real services."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from gendan.orders.models import Order
from gendan.orders.services import order_create
from tests.factories import PASSWORD, order_payload
from tests.q2c import to_production

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def log_in(browser: Browser, base: str, username: str, *, viewport: dict | None = None) -> Page:
    """A fresh browser (own cookies) in which `username` logs in through the Chinese login page."""
    context = browser.new_context(locale="zh-CN", viewport=viewport or DESKTOP)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base}/")
    return page


def order_in_production(people: dict, customer, product, *, by: str = "m1", **overrides) -> Order:
    """An order taken today by `by` (two lines, 100 + 200 pieces), reviewed, approved, released,
    acknowledged by the planner and started: every step through the real services."""
    today = timezone.localdate()
    overrides.setdefault("order_date", today.isoformat())
    overrides.setdefault("requested_date", (today + dt.timedelta(days=60)).isoformat())
    overrides.setdefault(
        "lines",
        [
            {"product": product.code, "quantity": "100", "unit_price": "12.50", "color": "红"},
            {"product": product.code, "quantity": "200", "unit_price": "8.00", "color": "蓝"},
        ],
    )
    order = order_create(actor=people[by], data=order_payload(customer, product, **overrides))
    return to_production(order, people, by=by)
