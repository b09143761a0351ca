"""The two halves of the migration upgrade test, each run in its own process against DATABASE_URL.

`python -m tests.reliability.upgrade old`: migrate a fresh database to the previous schema only (core and
orders at 0001_initial, with what they depend on), insert data through the historical models of that state,
print the rows as JSON.

`python -m tests.reliability.upgrade new`: (after `gendan migrate` to the latest schema) read the same rows
and use the data through today's services; print what it found as JSON. The parent test asserts.
"""

import datetime as dt
import json
import os
import sys
from decimal import Decimal

PREVIOUS = [("core", "0001_initial"), ("orders", "0001_initial")]
ROWS = {
    "orders.Order": [
        "id",
        "number",
        "customer_id",
        "customer_po",
        "order_date",
        "requested_date",
        "status",
        "version",
        "total_quantity",
        "total_amount",
        "merchandiser_id",
        "created_by_id",
    ],
    "orders.OrderLine": [
        "id",
        "order_id",
        "line_no",
        "product_id",
        "quantity",
        "unit_price",
        "amount",
        "color",
    ],
    "orders.OrderLineSize": ["id", "line_id", "size", "quantity"],
    "orders.OrderEvent": ["id", "order_id", "type", "to_status", "actor_id"],
    "core.DocumentCounter": ["series", "year", "last"],
    "parties.Customer": ["id", "code", "name", "merchandiser_id", "credit_limit"],
    "catalog.Product": ["id", "code", "name", "unit"],
}


def _rows(apps) -> dict:
    out = {}
    for label, fields in ROWS.items():
        model = apps.get_model(label)
        out[label] = [
            [str(v) for v in row] for row in model.objects.order_by(*fields[:1]).values_list(*fields)
        ]
    return out


def old() -> dict:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.recorder import MigrationRecorder

    executor = MigrationExecutor(connection)
    executor.migrate(PREVIOUS)
    apps = executor.loader.project_state(PREVIOUS).apps
    applied = sorted(f"{a}.{n}" for a, n in MigrationRecorder(connection).applied_migrations())
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("accounts", "User")
    Customer = apps.get_model("parties", "Customer")
    Product = apps.get_model("catalog", "Product")
    Order = apps.get_model("orders", "Order")
    OrderLine = apps.get_model("orders", "OrderLine")
    OrderLineSize = apps.get_model("orders", "OrderLineSize")
    OrderEvent = apps.get_model("orders", "OrderEvent")
    DocumentCounter = apps.get_model("core", "DocumentCounter")

    merchandisers = Group.objects.create(name="merchandiser")
    m1 = User.objects.create(username="m1", password="!", display_name="老跟单", is_active=True)
    m1.groups.add(merchandisers)
    customer = Customer.objects.create(
        code="C-OLD", name="老客户", credit_limit=Decimal("500000"), merchandiser=m1
    )
    product = Product.objects.create(
        code="P-OLD", name="老款", unit="件", family="针织", production_cycle_days=10
    )
    order = Order.objects.create(
        number="SO2026-000001",
        customer=customer,
        customer_po="PO-OLD-1",
        order_date=dt.date(2026, 11, 2),
        requested_date=dt.date(2027, 1, 20),
        merchandiser=m1,
        created_by=m1,
        total_quantity=Decimal("100"),
        total_amount=Decimal("1250.00"),
    )
    line = OrderLine.objects.create(
        order=order,
        line_no=1,
        product=product,
        color="红",
        quantity=Decimal("100"),
        unit="件",
        unit_price=Decimal("12.5"),
        amount=Decimal("1250.00"),
    )
    for position, (size, qty) in enumerate([("S", 30), ("M", 40), ("L", 30)]):
        OrderLineSize.objects.create(line=line, size=size, quantity=Decimal(qty), position=position)
    OrderEvent.objects.create(order=order, type="created", actor=m1, to_status="draft", data={"lines": 1})
    DocumentCounter.objects.create(series="SO", year=2026, last=1)
    return {"applied": applied, "rows": _rows(apps), "order_id": order.pk}


def new() -> dict:
    from django.apps import apps
    from django.db import DatabaseError, connection, transaction
    from django.db.migrations.executor import MigrationExecutor

    from gendan.accounts.models import User
    from gendan.orders.models import Order, OrderEvent
    from gendan.orders.selectors import order_get, order_timeline
    from gendan.orders.services import order_create, order_update
    from gendan.reviews.services import review_open

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    rows = _rows(apps)
    m1 = User.objects.get(username="m1")
    order = order_get(user=m1, pk=Order.objects.get(number="SO2026-000001").pk)
    seen = {
        "pending": [str(m) for m, _backwards in pending],
        "rows": rows,
        "roles": sorted(m1.roles),
        "lines": [(str(line.quantity), [s.size for s in line.sizes.all()]) for line in order.lines.all()],
        "timeline": [e.type for e in order_timeline(order=order)],
    }
    payload = {
        "customer": "C-OLD",
        "customer_po": "PO-OLD-1",
        "order_date": "2026-11-02",
        "requested_date": "2027-01-20",
        "lines": [{"product": "P-OLD", "quantity": "120", "unit_price": "12.50", "sizes": "S:40 M:40 L:40"}],
    }
    updated = order_update(order=order, actor=m1, version=1, data=payload)
    seen["updated"] = [updated.version, str(updated.total_amount), updated.lines.count()]
    fresh = order_create(actor=m1, data={**payload, "customer_po": "PO-NEW-1"})
    seen["next_number"] = fresh.number
    review = review_open(order=updated, actor=m1)
    updated.refresh_from_db()
    seen["reviewed"] = [updated.status, updated.version, review.items.count(), str(updated.feasible_date)]
    try:  # the append-only trigger covers the old table too
        with transaction.atomic():
            OrderEvent.objects.filter(order=updated).update(note="tampered")
        seen["events_append_only"] = False
    except DatabaseError:
        seen["events_append_only"] = True
    return seen


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.production")
    import django

    django.setup()
    result = old() if sys.argv[1] == "old" else new()
    print(json.dumps(result, default=str))  # noqa: T201


if __name__ == "__main__":
    main()
