"""Many orders fast (bulk INSERTs: the data, not the path under test), private export storage per test,
and the task queue replaced by a list the test runs itself, as the consumer would."""

import datetime as dt
from decimal import Decimal

import pytest

from gendan.orders.models import Order, OrderLine, OrderLineSize, OrderStatus


@pytest.fixture(autouse=True)
def _export_root(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """Job ids handed to the task queue (not run): the test calls export_job_run itself."""
    ids: list[int] = []
    monkeypatch.setattr("gendan.exports.services.export_job_enqueue", lambda *, job_id: ids.append(job_id))
    return ids


def bulk_orders(*, customer, product, creator, count: int, prefix: str, sizes: bool = True) -> None:
    """`count` draft orders of `customer` (its merchandiser), one line each (three sizes)."""
    day = dt.date(2026, 11, 27)
    orders = [
        Order(
            number=f"{prefix}{k:07d}",
            customer_id=customer.pk,
            customer_po=f"{prefix}-PO-{k}",
            order_date=day,
            requested_date=day + dt.timedelta(days=45),
            merchandiser_id=customer.merchandiser_id,
            salesperson_id=customer.salesperson_id,
            created_by=creator,
            status=OrderStatus.DRAFT,
            total_quantity=Decimal("100"),
            total_amount=Decimal("1250.00"),
            requirements='=HYPERLINK("http://x")' if k == 0 else "",
        )
        for k in range(count)
    ]
    created = Order.objects.bulk_create(orders, batch_size=2000)
    lines = OrderLine.objects.bulk_create(
        (
            OrderLine(
                order_id=o.pk,
                line_no=1,
                product_id=product.pk,
                color="红",
                quantity=Decimal("100"),
                unit="件",
                unit_price=Decimal("12.50"),
                amount=Decimal("1250.00"),
            )
            for o in created
        ),
        batch_size=2000,
    )
    if sizes:
        OrderLineSize.objects.bulk_create(
            (
                OrderLineSize(line_id=line.pk, size=size, quantity=Decimal(q), position=i)
                for line in lines
                for i, (size, q) in enumerate((("S", "30"), ("M", "40"), ("L", "30")))
            ),
            batch_size=3000,
        )
