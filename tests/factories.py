"""Shared builders for tests: users of each role, customers, products, and orders at any status."""

import datetime as dt
from decimal import Decimal

import factory

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.accounts.services import user_create
from gendan.catalog.models import Industry, Product
from gendan.parties.models import Customer

PASSWORD = "test-pass-12345"


def make_user(
    username: str, role: str, *, department: str | None = None, supervisor: User | None = None
) -> User:
    return user_create(
        username=username,
        password=PASSWORD,
        roles=[role],
        display_name=username,
        department=department,
        supervisor=supervisor,
    )


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.Sequence(lambda n: f"测试客户{n}")
    credit_limit = Decimal("1000000")
    payment_terms = "monthly"
    payment_days = 30


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"P{n:04d}")
    name = factory.Sequence(lambda n: f"产品{n}")
    industry = Industry.APPAREL
    family = "针织"
    unit = "件"
    production_cycle_days = 10
    material_lead_days = 5
    standard_price = Decimal("12.50")


def order_payload(customer: Customer, product: Product, **overrides) -> dict:
    today = dt.date(2026, 11, 27)
    data = {
        "customer": customer.code,
        "customer_po": overrides.pop("customer_po", "PO-1"),
        "order_date": today.isoformat(),
        "requested_date": (today + dt.timedelta(days=45)).isoformat(),
        "lines": [
            {
                "product": product.code,
                "quantity": "100",
                "unit_price": "12.50",
                "color": "红",
                "sizes": "S:30 M:40 L:30",
            }
        ],
    }
    data.update(overrides)
    return data


ROLES = R
