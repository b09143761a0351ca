"""Each case runs in its own process (`python -m bench.cases NAME`) and prints one JSON object.

The cases call the same services and endpoints as the app: validation, scope, numbering and events included.
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

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.stats import peak_rss_mib, summary  # noqa: E402

SEED = 20261127
CHUNKS = 5
SCALE = float(os.environ.get("BENCH_SCALE", "1"))  # e.g. 0.01 for a quick smoke run of the harness


def scaled(size: int) -> int:
    return max(CHUNKS * 10, int(size * SCALE))


def _people():
    from gendan.accounts.models import User

    return {u.username: u for u in User.objects.all()}


def base_data() -> dict:
    """Users of every role, 50 merchandisers, 200 customers, 20 products (idempotent)."""
    from gendan.accounts import roles as R
    from gendan.accounts.models import User
    from gendan.accounts.services import roles_sync, user_create
    from gendan.catalog.models import Product
    from gendan.parties.models import Customer

    roles_sync()
    if not User.objects.filter(username="b-sup").exists():
        sup = user_create(
            username="b-sup", password="bench-pass-1", roles=[R.SUPERVISOR], department="merchandising"
        )
        user_create(
            username="b-gm", password="bench-pass-1", roles=[R.GENERAL_MANAGER], department="management"
        )
        user_create(username="b-sales", password="bench-pass-1", roles=[R.SALES], department="business")
        user_create(username="b-planner", password="bench-pass-1", roles=[R.PLANNER], department="planning")
        for dept in ("technical", "purchasing", "quality", "finance"):
            user_create(username=f"b-{dept}", password="bench-pass-1", roles=[R.REVIEWER], department=dept)
        for i in range(50):
            user_create(
                username=f"b-m{i:02d}",
                password="bench-pass-1",
                roles=[R.MERCHANDISER],
                department="merchandising",
                supervisor=sup,
            )
    people = _people()
    if not Customer.objects.filter(code="B0000").exists():
        Customer.objects.bulk_create(
            Customer(
                code=f"B{i:04d}",
                name=f"基准客户{i}",
                credit_limit=Decimal("1000000000"),
                merchandiser=people[f"b-m{i % 50:02d}"],
                salesperson=people["b-sales"],
            )
            for i in range(200)
        )
        Product.objects.bulk_create(
            Product(
                code=f"BP{i:03d}",
                name=f"基准产品{i}",
                industry="apparel",
                family=f"F{i % 4}",
                unit="件",
                production_cycle_days=10,
                material_lead_days=3,
                standard_price=Decimal("12.50"),
            )
            for i in range(20)
        )
    return people


def _payload(rng: random.Random, customer_code: str, po: str, today: dt.date) -> dict:
    return {
        "customer": customer_code,
        "customer_po": po,
        "order_date": today.isoformat(),
        "requested_date": (today + dt.timedelta(days=60)).isoformat(),
        "lines": [
            {
                "product": f"BP{rng.randrange(20):03d}",
                "quantity": "300",
                "unit_price": "12.50",
                "color": "红",
                "sizes": "S:100 M:100 L:100",
            }
            for _ in range(3)
        ],
    }


def case_raw_limit(n: int = scaled(20000)) -> dict:
    """The database alone: one order + 3 lines + 1 event per transaction, plain driver, no ORM."""
    if connection.vendor == "sqlite":
        import sqlite3

        path = str(connection.settings_dict["NAME"]) + ".raw"
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.unlink(path + suffix)
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        param = "?"
    else:
        import psycopg

        settings = connection.settings_dict
        db = psycopg.connect(
            host=settings["HOST"],
            port=settings["PORT"],
            user=settings["USER"],
            password=settings["PASSWORD"] or None,
            dbname=settings["NAME"],
            autocommit=True,
        )
        param = "%s"
    cur = db.cursor()
    for ddl in (
        "DROP TABLE IF EXISTS raw_event",
        "DROP TABLE IF EXISTS raw_line",
        "DROP TABLE IF EXISTS raw_order",
    ):
        cur.execute(ddl)
    serial = "INTEGER PRIMARY KEY" if connection.vendor == "sqlite" else "BIGSERIAL PRIMARY KEY"
    cur.execute(
        f"CREATE TABLE raw_order (id {serial}, number VARCHAR(20) UNIQUE, customer_id INT, "
        "status VARCHAR(20), order_date DATE, requested_date DATE, total NUMERIC(16,2))"
    )
    cur.execute(
        f"CREATE TABLE raw_line (id {serial}, order_id INT REFERENCES raw_order(id), line_no INT, "
        "product_id INT, quantity NUMERIC(14,3), unit_price NUMERIC(14,4), amount NUMERIC(16,2))"
    )
    cur.execute(
        f"CREATE TABLE raw_event (id {serial}, order_id INT REFERENCES raw_order(id), type VARCHAR(40), "
        "created_at TIMESTAMP, data TEXT)"
    )
    p = param
    rates = []
    per_chunk = n // CHUNKS
    for chunk in range(CHUNKS):
        start = time.perf_counter()
        for i in range(per_chunk):
            k = chunk * per_chunk + i
            cur.execute("BEGIN")
            cur.execute(
                f"INSERT INTO raw_order (number, customer_id, status, order_date, requested_date, total) "
                f"VALUES ({p},{p},{p},{p},{p},{p})"
                + (" RETURNING id" if connection.vendor != "sqlite" else ""),
                (f"R{k:08d}", k % 200, "draft", "2026-11-27", "2027-01-27", "11250.00"),
            )
            order_id = cur.fetchone()[0] if connection.vendor != "sqlite" else cur.lastrowid
            for line in range(3):
                cur.execute(
                    f"INSERT INTO raw_line (order_id, line_no, product_id, quantity, unit_price, amount) "
                    f"VALUES ({p},{p},{p},{p},{p},{p})",
                    (order_id, line, line, "300", "12.50", "3750.00"),
                )
            cur.execute(
                f"INSERT INTO raw_event (order_id, type, created_at, data) VALUES ({p},{p},{p},{p})",
                (order_id, "created", "2026-11-27 08:00:00", "{}"),
            )
            cur.execute("COMMIT")
        rates.append(per_chunk / (time.perf_counter() - start))
    db.close()
    return {"orders_per_s": summary(rates, digits=0)}


def case_intake_service(n: int = scaled(20000)) -> dict:
    from gendan.orders.services import order_create

    people = base_data()
    from gendan.parties.models import Customer

    customers = list(
        Customer.objects.filter(code__startswith="B").values_list("code", "merchandiser__username")
    )
    rng = random.Random(SEED)
    today = timezone.localdate()
    rates = []
    per_chunk = n // CHUNKS
    for chunk in range(CHUNKS):
        start = time.perf_counter()
        for i in range(per_chunk):
            code, merch = customers[(chunk * per_chunk + i) % len(customers)]
            order_create(actor=people[merch], data=_payload(rng, code, f"SVC-{chunk}-{i}", today))
        rates.append(per_chunk / (time.perf_counter() - start))
    return {"orders_per_s": summary(rates, digits=0), "orders": n}


BATCH = 100  # orders per call in the batch cases (an EDI file, an import)


def case_intake_batch(n: int = scaled(20000)) -> dict:
    """The same orders through order_create_many, 100 per call (one transaction each): every order
    validated, scoped, numbered, with lines, sizes and its event — the import and batch-API path."""
    from gendan.orders.services import order_create_many
    from gendan.parties.models import Customer

    people = base_data()
    by_merch: dict[str, list[str]] = {}
    for code, merch in Customer.objects.filter(code__startswith="B").values_list(
        "code", "merchandiser__username"
    ):
        by_merch.setdefault(merch, []).append(code)
    merchs = sorted(by_merch)
    rng = random.Random(SEED)
    today = timezone.localdate()
    rates = []
    per_chunk = n // CHUNKS
    for chunk in range(CHUNKS):
        start = time.perf_counter()
        for first in range(0, per_chunk, BATCH):
            merch = merchs[(chunk * per_chunk + first) // BATCH % len(merchs)]
            codes = by_merch[merch]
            rows = [
                _payload(rng, codes[k % len(codes)], f"BAT-{chunk}-{first + k}", today)
                for k in range(min(BATCH, per_chunk - first))
            ]
            order_create_many(actor=people[merch], rows=rows)
        rates.append(per_chunk / (time.perf_counter() - start))
    return {"orders_per_s": summary(rates, digits=0), "orders": n, "batch": BATCH}


def _signers(people: dict) -> dict:
    """Who signs each department's review item in the review cases."""
    from gendan.reviews.models import ReviewDepartment

    return {
        ReviewDepartment.BUSINESS: people["b-sales"],
        ReviewDepartment.TECHNICAL: people["b-technical"],
        ReviewDepartment.PLANNING: people["b-planner"],
        ReviewDepartment.PURCHASING: people["b-purchasing"],
        ReviewDepartment.QUALITY: people["b-quality"],
        ReviewDepartment.FINANCE: people["b-finance"],
    }


def case_review_release(n: int = scaled(10000)) -> dict:
    """Submit → 6 department signatures → approve → release, per order, through the services."""
    from gendan.orders.models import Order
    from gendan.orders.services import order_release
    from gendan.reviews.services import review_approve, review_item_sign, review_open

    people = base_data()
    signer = _signers(people)
    drafts = list(
        Order.objects.filter(status="draft", customer_po__startswith="SVC-")
        .select_related("merchandiser")
        .order_by("id")[:n]
    )
    if len(drafts) < n:
        raise SystemExit(f"need {n} draft orders from intake_service, found {len(drafts)}")
    rates = []
    per_chunk = n // CHUNKS
    for chunk in range(CHUNKS):
        start = time.perf_counter()
        for order in drafts[chunk * per_chunk : (chunk + 1) * per_chunk]:
            review = review_open(order=order, actor=order.merchandiser)
            for item in review.items.all():
                review_item_sign(item=item, actor=signer[item.department], result="pass")
            review_approve(review=review, actor=people["b-sup"], promised_date=review.feasible_date)
            order_release(order=order, actor=order.merchandiser)
        rates.append(per_chunk / (time.perf_counter() - start))
    return {"orders_per_s": summary(rates, digits=0), "orders": n}


def case_review_release_batch(n: int = scaled(10000), batch: int = BATCH) -> dict:
    """The same path through the batch services, 100 orders per call (one transaction each): the team's
    supervisor submits 100 drafts (review_open_many), each department signs its 100 items at once, the
    supervisor approves the 100 reviews and releases the 100 orders (a supervisor may do all of these for
    the team; a merchandiser has ~200 orders at full scale, 20 at BENCH_SCALE=0.1). Takes the next drafts
    of intake_service (those review_release left)."""
    from gendan.orders.bulk import order_release_many
    from gendan.orders.models import Order
    from gendan.reviews.models import ReviewItem
    from gendan.reviews.services import review_approve_many, review_item_sign_many, review_open_many

    people = base_data()
    lead = people["b-sup"]
    signer = _signers(people)
    drafts = list(
        Order.objects.filter(status="draft", customer_po__startswith="SVC-")
        .order_by("id")
        .values_list("pk", flat=True)[:n]
    )
    if len(drafts) < n:
        raise SystemExit(f"need {n} draft orders from intake_service, found {len(drafts)}")
    rates = []
    per_chunk = n // CHUNKS
    for chunk in range(CHUNKS):
        orders = drafts[chunk * per_chunk : (chunk + 1) * per_chunk]
        start = time.perf_counter()
        for first in range(0, len(orders), batch):
            group = orders[first : first + batch]
            reviews = review_open_many(orders=group, actor=lead)
            items: dict[str, list[int]] = {}
            for pk, department in ReviewItem.objects.filter(review__in=[r.pk for r in reviews]).values_list(
                "pk", "department"
            ):
                items.setdefault(department, []).append(pk)
            for department, pks in items.items():
                review_item_sign_many(items=pks, actor=signer[department], result="pass")
            review_approve_many(reviews=reviews, actor=lead)
            order_release_many(orders=group, actor=lead)
        rates.append(per_chunk / (time.perf_counter() - start))
    return {"orders_per_s": summary(rates, digits=0), "orders": n, "batch": batch}


def generate_big(n: int = scaled(1_000_000)) -> dict:
    """1,000,000 orders across 50 merchandisers (bulk inserted: the data, not a measured path)."""
    from gendan.orders.models import Order, OrderEvent, OrderStatus

    people = base_data()
    existing = Order.objects.filter(customer_po__startswith="BIG-").count()
    if existing >= n:
        return {"generated": 0, "orders": existing}
    rng = random.Random(SEED)
    from gendan.parties.models import Customer

    customers = list(Customer.objects.filter(code__startswith="B").values_list("id", "merchandiser_id"))
    statuses = [s for s, _l in OrderStatus.choices]
    weights = [3 if s in ("closed",) else 1 for s in statuses]
    creator = people["b-sup"]
    today = timezone.localdate()
    start = time.perf_counter()
    batch = 20000
    for offset in range(existing, n, batch):
        rows = []
        for k in range(offset, min(n, offset + batch)):
            customer_id, merch_id = customers[k % len(customers)]
            order_day = today - dt.timedelta(days=rng.randrange(3650))
            rows.append(
                Order(
                    number=f"BG{k:09d}",
                    customer_id=customer_id,
                    customer_po=f"BIG-{k}",
                    order_date=order_day,
                    requested_date=order_day + dt.timedelta(days=rng.randrange(20, 90)),
                    merchandiser_id=merch_id,
                    created_by=creator,
                    status=rng.choices(statuses, weights)[0],
                    total_quantity=Decimal("900"),
                    total_amount=Decimal("11250.00"),
                )
            )
        with transaction.atomic():
            created = Order.objects.bulk_create(rows, batch_size=2000)
            OrderEvent.objects.bulk_create(
                (
                    OrderEvent(order_id=o.pk, type=OrderEvent.Type.CREATED, actor=creator, to_status="draft")
                    for o in created
                ),
                batch_size=5000,
            )
    from gendan.core.dbstats import database_analyze

    # As after any bulk load (and nightly in production): the planner's statistics for the new rows.
    analyzed = database_analyze()
    return {
        "generated": n - existing,
        "seconds": round(time.perf_counter() - start, 1),
        "analyze_s": analyzed["seconds"],
    }


def _timed_gets(client: Client, urls: list[str], repeat: int = 3) -> list[float]:
    for url in dict.fromkeys(
        urls
    ):  # warm-up, not timed: the process's first URLconf, template and query loads
        client.get(url)
    times = []
    for _round in range(repeat):
        for url in urls:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
    return times


def case_list_page() -> dict:
    from gendan.accounts.services import api_token_create

    people = base_data()
    client = Client()
    client.force_login(people["b-m07"])
    urls = [
        "/orders/",
        "/orders/?status=in_production",
        "/orders/?status=draft&ordering=requested_date",
        "/orders/?q=B0007",
        "/orders/?page=3",
    ]
    html = _timed_gets(client, urls * 4)
    _token, key = api_token_create(user=people["b-m07"], name="bench")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    api_urls = ["/api/v1/orders", "/api/v1/orders?status=in_production", "/api/v1/orders?offset=100&limit=50"]
    api_times = _timed_gets(api, api_urls * 6)
    sup = Client()
    sup.force_login(people["b-sup"])
    team = _timed_gets(sup, ["/orders/", "/orders/?status=released"] * 5)
    return {"html_ms": summary(html), "api_ms": summary(api_times), "supervisor_html_ms": summary(team)}


def case_dashboard() -> dict:
    people = base_data()
    client = Client()
    client.force_login(people["b-m11"])
    mine = _timed_gets(client, ["/"] * 20)
    sup = Client()
    sup.force_login(people["b-sup"])
    team = _timed_gets(sup, ["/"] * 10)
    return {"merchandiser_ms": summary(mine), "supervisor_ms": summary(team)}


def case_monthly_kpis() -> dict:
    from gendan.accounts.models import User
    from gendan.orders.models import OrderEvent
    from gendan.performance.services import monthly_scores_compute

    base_data()
    events = OrderEvent.objects.count()
    ids = list(User.objects.filter(username__startswith="b-m").values_list("pk", flat=True))
    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    times = []
    for _round in range(3):
        start = time.perf_counter()
        monthly_scores_compute(merchandiser_ids=ids, month=month)
        times.append(time.perf_counter() - start)
    return {"seconds": summary(times, digits=3), "merchandisers": len(ids), "event_rows": events}


def case_import_preview(lines: int = scaled(10000)) -> dict:
    """An order file of 10,000 lines (2,000 orders × 5 lines) through the import preview."""
    import io

    from openpyxl import Workbook

    from gendan.orders.imports import order_import_preview

    people = base_data()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("订单")
    sheet.append(
        ["客户编码", "客户订单号", "下单日期", "要求交期", "产品编码", "颜色", "数量", "单价", "尺码配比"]
    )
    today = timezone.localdate()
    for k in range(lines):
        order = k // 5
        sheet.append(
            [
                f"B{order % 50:04d}",
                f"IMP-{order}",
                today,
                today + dt.timedelta(days=60),
                f"BP{k % 20:03d}",
                "黑",
                300,
                12.5,
                "S:100 M:100 L:100",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    actor = people["b-sup"]
    times = []
    for _round in range(3):
        start = time.perf_counter()
        preview = order_import_preview(data=data, actor=actor)
        times.append(time.perf_counter() - start)
    errors = sum(len(row.issues) for row in preview.rows) if hasattr(preview, "rows") else None
    return {"seconds": summary(times, digits=2), "lines": lines, "row_errors": errors}


def case_scheduling() -> dict:
    """Delegates to bench/capacity.py (10,000 orders × 50 work centres, one-year horizon). On SQLite in a
    database of its own: the orders the review cases released are scheduled too and would make it 30,000
    (on PostgreSQL it shares the bench database, so its figures include them)."""
    import subprocess

    from bench.run import fresh_database

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.django.bench"}
    if connection.vendor == "sqlite":
        env["BENCH_SQLITE"] = str(connection.settings_dict["NAME"]) + ".capacity"
        fresh_database(env)
    done = subprocess.run(
        [sys.executable, "-m", "bench.capacity"], capture_output=True, text=True, check=True, env=env
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def case_scan(orders: int = scaled(100000), days: int = 30) -> dict:
    """Orders in production with 2 progress records per working day for 30 days; the scan twice."""
    from gendan.followup.models import ProgressRecord
    from gendan.followup.scan import followup_scan
    from gendan.orders.models import Order, OrderStatus
    from gendan.parties.models import Customer

    people = base_data()
    rng = random.Random(SEED)
    now = timezone.now()
    today = timezone.localdate()
    customers = list(Customer.objects.filter(code__startswith="B").values_list("id", "merchandiser_id"))
    existing = Order.objects.filter(customer_po__startswith="SCAN-").count()
    start_gen = time.perf_counter()
    creator = people["b-sup"]
    for offset in range(existing, orders, 5000):
        rows = []
        for k in range(offset, min(orders, offset + 5000)):
            customer_id, merch_id = customers[k % len(customers)]
            rows.append(
                Order(
                    number=f"SC{k:09d}",
                    customer_id=customer_id,
                    customer_po=f"SCAN-{k}",
                    order_date=today - dt.timedelta(days=45),
                    requested_date=today + dt.timedelta(days=20),
                    promised_date=today + dt.timedelta(days=rng.randrange(5, 40)),
                    merchandiser_id=merch_id,
                    created_by=creator,
                    status=OrderStatus.IN_PRODUCTION,
                    total_quantity=Decimal("3000"),
                    total_amount=Decimal("37500.00"),
                )
            )
        with transaction.atomic():
            created = Order.objects.bulk_create(rows, batch_size=2500)
            records = []
            for order in created:
                for day in range(days, 0, -1):
                    work_date = today - dt.timedelta(days=day)
                    if work_date.weekday() >= 5:
                        continue
                    for slot in (0, 1):
                        at = timezone.make_aware(dt.datetime.combine(work_date, dt.time(9 + 5 * slot)))
                        records.append(
                            ProgressRecord(
                                order_id=order.pk,
                                recorded_by_id=order.merchandiser_id,
                                recorded_at=at,
                                work_date=work_date,
                                slot=slot,
                                stage="production",
                                quantity_done=Decimal(100 * (days - day)),
                                state="normal",
                            )
                        )
            ProgressRecord.objects.bulk_create(records, batch_size=5000)
    generated_s = round(time.perf_counter() - start_gen, 1)
    first_start = time.perf_counter()
    followup_scan(now=now)
    first = time.perf_counter() - first_start
    second_start = time.perf_counter()
    followup_scan(now=now)
    second = time.perf_counter() - second_start
    return {
        "orders": orders,
        "records": ProgressRecord.objects.count(),
        "generate_s": generated_s,
        "first_run_s": round(first, 2),
        "second_run_s": round(second, 2),
    }


def case_api_intake(n: int = scaled(10000), clients: int = 4, batch: int = 0) -> dict:
    """POST /api/v1/orders against gunicorn (2 threaded workers) with keep-alive clients (`batch`: POST
    /api/v1/orders/batch with that many orders per request instead)."""
    import http.client
    import signal
    import socket
    import subprocess
    import threading

    from gendan.accounts.services import api_token_create

    people = base_data()
    keys = [api_token_create(user=people[f"b-m{i:02d}"], name="bench-api")[1] for i in range(clients)]
    from gendan.parties.models import Customer

    own = {
        i: list(Customer.objects.filter(merchandiser=people[f"b-m{i:02d}"]).values_list("code", flat=True))
        for i in range(clients)
    }
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.django.bench"}
    server = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            "config.wsgi:application",
            "-w",
            "2",
            # threaded workers, as docs/deploy.md runs them: the sync worker closes every connection,
            # so a keep-alive client would reconnect per request
            "--worker-class",
            "gthread",
            "--threads",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--keep-alive",
            "30",
            "--env",
            "DJANGO_SETTINGS_MODULE=config.django.bench",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _attempt in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        today = timezone.localdate()
        latencies: list[float] = []
        failures = [0]
        per_client = n // clients

        def work(index: int) -> None:
            rng = random.Random(SEED + index)
            connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            headers = {"Authorization": f"Bearer {keys[index]}", "Content-Type": "application/json"}
            # Warm-up, not timed: each worker process imports the URLconf and the API on its first request.
            for _warm in range(3):
                connection_.request("GET", "/api/v1/orders?limit=1", headers=headers)
                connection_.getresponse().read()
            ready.wait()
            step = batch or 1
            for first in range(0, per_client, step):
                orders = [
                    _payload(rng, own[index][k % len(own[index])], f"API{batch}-{index}-{k}", today)
                    for k in range(first, min(per_client, first + step))
                ]
                body = json.dumps({"orders": orders} if batch else orders[0])
                start = time.perf_counter()
                connection_.request(
                    "POST", "/api/v1/orders/batch" if batch else "/api/v1/orders", body=body, headers=headers
                )
                response = connection_.getresponse()
                response.read()
                latencies.append((time.perf_counter() - start) * 1000)
                if response.status != 201:
                    failures[0] += 1

        threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
        ready = threading.Barrier(clients + 1)
        for thread in threads:
            thread.start()
        ready.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return {
        "orders_per_s": round(per_client * clients / elapsed, 0),
        "latency_ms": summary(latencies),
        "orders_per_request": batch or 1,
        "failures": failures[0],
        "orders": per_client * clients,
    }


def case_export(rows: int = scaled(10000)) -> dict:
    """An order export as the background job runs it (gendan.exports): the orders the general manager sees,
    cut at `rows` rows, streamed into a write-only workbook. rows/s and the memory the job added."""
    from django.conf import settings
    from django.urls import reverse

    from bench.stats import peak_rss_mib
    from gendan.exports.models import ExportJob
    from gendan.exports.services import export_job_run
    from gendan.orders.models import Order

    if Order.objects.count() < rows:  # run alone: orders without lines (one row each), as generate_big makes
        generate_big(n=rows)
    people = _people()
    settings.EXPORT_JOB_MAX_ROWS = rows
    settings.EXPORT_JOB_SECONDS = 3600
    job = ExportJob.objects.create(
        user=people["b-gm"], kind="orders", params={"filters": {}, "ordering": "-id"}
    )
    reverse("exports:list")  # the URLconf (and the API's schemas) load once per consumer process: not timed
    before = peak_rss_mib()
    start = time.perf_counter()
    export_job_run(job_id=job.pk)
    seconds = time.perf_counter() - start
    job.refresh_from_db()
    return {
        "status": job.status,
        "rows": job.rows_done,
        "rows_per_s": round(job.rows_done / seconds) if seconds else None,
        "seconds": round(seconds, 1),
        "file_mib": round(job.file_size / 2**20, 2),
        "peak_rss_before_mib": before,
    }


CASES = {
    "raw_limit": case_raw_limit,
    "intake_service": case_intake_service,
    "review_release": case_review_release,
    "review_release_batch": case_review_release_batch,
    "generate_big": generate_big,
    "list_page": case_list_page,
    "dashboard": case_dashboard,
    "monthly_kpis": case_monthly_kpis,
    "import_preview": case_import_preview,
    "scheduling": case_scheduling,
    "scan": case_scan,
    "api_intake": case_api_intake,
    "intake_batch": case_intake_batch,
    "api_intake_batch": lambda: case_api_intake(batch=BATCH),
    "export": case_export,
}


if __name__ == "__main__":
    name = sys.argv[1]
    started = time.perf_counter()
    result = CASES[name]()
    result.update(
        {"case": name, "wall_s": round(time.perf_counter() - started, 1), "peak_rss_mib": peak_rss_mib()}
    )
    print(json.dumps(result, default=str))
