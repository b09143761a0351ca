"""Finite-capacity scheduling at factory scale: 10,000 scheduled orders × 50 work centres, one-year horizon.

`python -m bench.capacity` (settings config.django.bench; BENCH_DATABASE_URL for another database) generates
the data once with a fixed seed (bulk inserts: setting up is not what is measured), then times through the
real services:

- `full`: `schedule_run` — load every input set-based, schedule in memory, write 10,000 results and the
  weekly loads (median and p95 of 3 runs);
- `one_order_changed`: one order's quantity changed at an early, a middle and a late priority position, then
  `schedule_update` (the incremental path, warm in-process copy), each time including its writes;
- `nothing_changed`: `schedule_update` with no change noted;
- `preview`: what the review of a new order pays (`order_schedule_preview`);
- `cold_preview`: the same in a process without an in-memory copy (a web worker after a full run elsewhere).

Prints one JSON object.
"""

import datetime as dt
import json
import os
import random
import sys
import time
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.bench")
import django

django.setup()

from django.db.models import F  # noqa: E402

from bench.stats import peak_rss_mib, summary  # noqa: E402

SEED = 20261127
ORDERS = int(os.environ.get("BENCH_CAPACITY_ORDERS", "10000"))
LOAD = float(os.environ.get("BENCH_CAPACITY_LOAD", "0.85"))  # share of a year's capacity the orders need
CENTRES = 50
TODAY = dt.date(2026, 1, 5)  # a horizon inside the years the calendar knows (2026) and the next (fallback)


def generate() -> None:
    from gendan.accounts import roles as R
    from gendan.accounts.models import User
    from gendan.accounts.services import roles_sync, user_create
    from gendan.capacity.models import RouteStep, WorkCentre
    from gendan.catalog.models import Product
    from gendan.materials.models import BomLine, Material, MaterialRequirement, PurchaseRequest, Stock
    from gendan.orders.models import Order, OrderLine, OrderStatus
    from gendan.parties.models import Customer

    if WorkCentre.objects.filter(code="CB-WC00").exists():
        return
    rng = random.Random(SEED)
    roles_sync()
    merch = User.objects.filter(username="cb-m").first() or user_create(
        username="cb-m", password="bench-pass-1", roles=[R.MERCHANDISER], department="merchandising"
    )
    customer = Customer.objects.create(code="CB0001", name="产能基准客户", credit_limit=Decimal("1e12"))
    centres = WorkCentre.objects.bulk_create(
        WorkCentre(code=f"CB-WC{i:02d}", name=f"工位{i}", daily_minutes=4800) for i in range(CENTRES)
    )
    products = Product.objects.bulk_create(
        Product(code=f"CB-P{i:03d}", name=f"产品{i}", production_cycle_days=10) for i in range(300)
    )
    # five stages (cutting, sewing, …) of ten work centres; a product goes through 3–5 stages in order, at
    # one work centre of each (by product), so no work centre is a bottleneck by construction
    minutes_per_piece = {}
    steps = []
    for index, product in enumerate(products):
        total = 0.0
        stages = sorted(rng.sample(range(5), rng.randint(3, 5)))
        for sequence, stage in enumerate(stages, start=1):
            minutes = round(rng.uniform(0.5, 4.0), 2)
            total += minutes
            steps.append(
                RouteStep(
                    product=product,
                    sequence=sequence,
                    work_centre=centres[stage * 10 + index % 10],
                    minutes_per_piece=Decimal(str(minutes)),
                )
            )
        minutes_per_piece[product.pk] = total
    RouteStep.objects.bulk_create(steps)
    materials = Material.objects.bulk_create(
        Material(code=f"CB-M{i:03d}", name=f"物料{i}", unit="pcs", lead_time_days=rng.randint(3, 15))
        for i in range(200)
    )
    Stock.objects.bulk_create(Stock(material=m, on_hand=Decimal(rng.randint(0, 50000))) for m in materials)
    bom = {p.pk: rng.sample(materials, rng.randint(2, 3)) for p in products}
    BomLine.objects.bulk_create(
        BomLine(product_id=pk, material=m, usage_per_unit=Decimal("1"))
        for pk, items in bom.items()
        for m in items
    )
    # LOAD of a year's capacity: 50 centres × 4800 min × ~250 working days
    target = CENTRES * 4800 * 250 * LOAD / ORDERS
    statuses = [OrderStatus.IN_REVIEW] * 3 + [OrderStatus.APPROVED] * 2 + [OrderStatus.RELEASED] * 5
    orders, lines = [], []
    for i in range(ORDERS):
        due = TODAY + dt.timedelta(days=rng.randint(5, 365))
        orders.append(
            Order(
                number=f"CB2026-{i:06d}",
                customer=customer,
                customer_po=f"CB-{i}",
                order_date=TODAY - dt.timedelta(days=rng.randint(0, 60)),
                requested_date=due,
                promised_date=due,
                merchandiser=merch,
                created_by=merch,
                status=rng.choice(statuses),
            )
        )
    orders = Order.objects.bulk_create(orders, batch_size=2000)
    for order in orders:
        chosen = rng.sample(products, rng.choice([1, 1, 1, 2, 3]))
        for line_no, product in enumerate(chosen, start=1):
            quantity = max(
                1, int(target / len(chosen) / minutes_per_piece[product.pk] * rng.uniform(0.5, 1.5))
            )
            lines.append(
                OrderLine(
                    order=order,
                    line_no=line_no,
                    product=product,
                    quantity=Decimal(quantity),
                    unit="pcs",
                    unit_price=Decimal("10"),
                    amount=Decimal(quantity * 10),
                )
            )
    OrderLine.objects.bulk_create(lines, batch_size=5000)
    # size each work centre to its share of the work, as a planner would: every one loaded at LOAD
    needed: dict[int, float] = {}
    routes: dict[int, list[RouteStep]] = {}
    for step in steps:
        routes.setdefault(step.product_id, []).append(step)
    for line in lines:
        for step in routes[line.product_id]:
            needed[step.work_centre_id] = needed.get(step.work_centre_id, 0.0) + float(
                line.quantity * step.minutes_per_piece
            )
    for wc in centres:
        WorkCentre.objects.filter(pk=wc.pk).update(
            daily_minutes=max(480, round(needed.get(wc.pk, 0) / (250 * LOAD)))
        )
    requirements = []
    for line in lines:
        if line.order.status != OrderStatus.RELEASED or line.line_no != 1:
            continue
        for material in bom[line.product_id]:
            short = rng.random() < 0.2
            requirements.append(
                MaterialRequirement(
                    order=line.order,
                    material=material,
                    required=line.quantity,
                    reserved=Decimal("0") if short else line.quantity,
                    required_by=line.order.promised_date - dt.timedelta(days=14),
                )
            )
    requirements = MaterialRequirement.objects.bulk_create(requirements, batch_size=5000)
    PurchaseRequest.objects.bulk_create(
        (
            PurchaseRequest(
                number=f"PR-CB-{i:06d}",
                requirement=r,
                order=r.order,
                material=r.material,
                quantity=r.required,
                required_by=r.required_by,
            )
            for i, r in enumerate(requirements)
            if r.reserved < r.required
        ),
        batch_size=5000,
    )


CPU: dict[str, list[float]] = {}


def _timed(fn, repeat: int = 1, label: str = "") -> tuple[list[float], object]:
    """Wall-clock milliseconds of each call; the process CPU time goes to CPU[label] (on a shared, busy
    machine the CPU time is the steadier figure: waiting for a core is not work)."""
    times, result = [], None
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
        CPU.setdefault(label, []).append((time.process_time() - cpu) * 1000)
    return times, result


def main() -> int:
    from gendan.capacity import engine
    from gendan.capacity.models import ScheduleChange, ScheduleResult
    from gendan.capacity.selectors import order_schedule_preview
    from gendan.capacity.services import schedule_run, schedule_update
    from gendan.orders.models import Order, OrderLine, OrderStatus

    started = time.perf_counter()
    generate()
    generated_s = time.perf_counter() - started
    full_ms, snapshot = _timed(lambda: schedule_run(today=TODAY), repeat=3, label="full")
    results = {
        "load": LOAD,
        "orders": snapshot.orders,
        "work_centres": CENTRES,
        "horizon_days": (snapshot.horizon_end - snapshot.horizon_start).days + 1,
        "late": ScheduleResult.objects.filter(is_late=True).count(),
        "beyond_horizon": ScheduleResult.objects.filter(beyond_horizon=True).count(),
        "generate_s": round(generated_s, 1),
        "full_ms": summary(full_ms),
    }
    ranked = list(
        ScheduleResult.objects.order_by("due_date", "order_date", "order_id").values_list(
            "order_id", flat=True
        )
    )
    one = {}
    for label, position in (
        ("early", len(ranked) // 20),
        ("middle", len(ranked) // 2),
        ("late", len(ranked) * 19 // 20),
    ):
        times, written = [], []
        for factor in ("1.2", "0.8333333", "1.2", "0.8333333"):
            order_id = ranked[position]
            line = OrderLine.objects.filter(order_id=order_id).order_by("line_no").first()
            OrderLine.objects.filter(pk=line.pk).update(quantity=F("quantity") * Decimal(factor))
            ScheduleChange.objects.create(order_id=order_id)
            spent, snap = _timed(lambda: schedule_update(today=TODAY), label=f"one_order_changed_{label}")
            times += spent
            written.append(snap.changed)
        one[label] = {"ms": summary(times), "results_written": written}
    results["one_order_changed"] = one
    nothing_ms, _snap = _timed(lambda: schedule_update(today=TODAY), repeat=5, label="nothing_changed")
    results["nothing_changed_ms"] = summary(nothing_ms)
    # a new order entering review: the preview the review's feasible date uses
    sample = Order.objects.filter(status=OrderStatus.RELEASED).order_by("pk")[len(ranked) // 3]
    Order.objects.filter(pk=sample.pk).update(status=OrderStatus.DRAFT)  # as if it were new (no marker)
    from unittest import mock

    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        warm_ms, preview = _timed(
            lambda: order_schedule_preview(order=sample, today=TODAY), repeat=5, label="preview"
        )
        engine.state_forget()
        cold_ms, _preview = _timed(
            lambda: order_schedule_preview(order=sample, today=TODAY), label="cold_preview"
        )
    results["preview_ms"] = summary(warm_ms)
    results["cold_preview_ms"] = summary(cold_ms)
    results["preview_completion"] = str(preview["completion"])
    results["cpu_ms"] = {label: summary(values) for label, values in CPU.items()}
    results["peak_rss_mib"] = peak_rss_mib()
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
