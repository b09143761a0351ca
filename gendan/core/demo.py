"""Demo data: users of every role, customers, products and orders in every status. Idempotent."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.accounts.services import roles_sync, user_create
from gendan.catalog.models import Industry, Product
from gendan.orders.models import Order, OrderStatus
from gendan.parties.models import Contact, Customer, PaymentTermsType, Supplier

DEMO_PASSWORD = "gendan-demo-2026"

# username, display name, roles, department, supervisor username
DEMO_USERS = [
    ("admin", "系统管理员", [R.ADMIN], "management", None),
    ("gm", "梁总", [R.GENERAL_MANAGER], "management", None),
    ("supervisor", "王主任", [R.SUPERVISOR], "merchandising", None),
    ("merch1", "李跟单", [R.MERCHANDISER], "merchandising", "supervisor"),
    ("merch2", "张跟单", [R.MERCHANDISER], "merchandising", "supervisor"),
    ("sales1", "陈业务", [R.SALES], "business", "supervisor"),
    ("planner", "刘雅庆", [R.PLANNER], "planning", None),
    ("tech", "赵技术", [R.REVIEWER], "technical", None),
    ("purchasing", "孙采购", [R.REVIEWER], "purchasing", None),
    ("qc", "周品质", [R.REVIEWER], "quality", None),
    ("finance", "吴财务", [R.REVIEWER], "finance", None),
    ("auditor", "郑审计", [R.AUDITOR], "management", None),
]


def _users() -> dict[str, User]:
    users: dict[str, User] = {}
    for username, name, roles, dept, boss in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username,
                password=DEMO_PASSWORD,
                roles=roles,
                display_name=name,
                department=dept,
                supervisor=users.get(boss) if boss else None,
            )
        users[username] = user
    return users


def _master_data(users: dict[str, User]) -> tuple[list[Customer], list[Product]]:
    customers_spec = [
        ("C001", "深圳华美服饰有限公司", False, "CNY", Decimal("500000"), PaymentTermsType.MONTHLY, "merch1"),
        (
            "C002",
            "Northwind Apparel Ltd.",
            True,
            "USD",
            Decimal("200000"),
            PaymentTermsType.DEPOSIT,
            "merch1",
        ),
        ("C003", "广州博文印务有限公司", False, "CNY", Decimal("300000"), PaymentTermsType.MONTHLY, "merch2"),
        ("C004", "东莞嘉禾纸品有限公司", False, "CNY", Decimal("0"), PaymentTermsType.PREPAYMENT, "merch2"),
    ]
    customers = []
    for code, name, foreign, currency, limit, terms, merch in customers_spec:
        customer, created = Customer.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "is_foreign": foreign,
                "currency": currency,
                "credit_limit": limit,
                "payment_terms": terms,
                "payment_days": 30,
                "deposit_percent": Decimal("30") if terms == PaymentTermsType.DEPOSIT else 0,
                "merchandiser": users[merch],
                "salesperson": users["sales1"],
            },
        )
        if created:
            Contact.objects.create(
                customer=customer, name="采购部 " + code, phone="0755-8888" + code[-3:], is_primary=True
            )
        customers.append(customer)
    products_spec = [
        ("AP-TS01", "圆领短袖T恤", Industry.APPAREL, "针织上衣", "缝制一线", "件", 15, 5, "28.50"),
        ("AP-JK02", "防风夹克", Industry.APPAREL, "梭织外套", "缝制二线", "件", 25, 10, "168.00"),
        ("PR-BK01", "精装画册", Industry.PRINTING, "画册", "印刷车间", "本", 12, 3, "35.00"),
        ("PR-BX02", "彩盒包装", Industry.PRINTING, "包装盒", "印刷车间", "个", 10, 4, "4.20"),
        ("GN-BG01", "无纺布购物袋", Industry.GENERIC, "袋类", "后道车间", "个", 8, 2, "3.60"),
    ]
    products = []
    for code, name, industry, family, centre, unit, cycle, lead, price in products_spec:
        product, _created = Product.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "industry": industry,
                "family": family,
                "work_centre": centre,
                "unit": unit,
                "production_cycle_days": cycle,
                "material_lead_days": lead,
                "standard_price": Decimal(price),
            },
        )
        products.append(product)
    Supplier.objects.get_or_create(
        code="S001", defaults={"name": "佛山丰华面料厂", "kind": Supplier.Kind.SUPPLIER, "lead_time_days": 7}
    )
    Supplier.objects.get_or_create(
        code="W001",
        defaults={"name": "中山绣花加工厂", "kind": Supplier.Kind.SUBCONTRACTOR, "processes": "绣花, 印花"},
    )
    return customers, products


def _order(users, customer, product, po, qty, status_path, *, source="written", sizes=None, days=40):
    from gendan.orders.services import (
        order_cancel,
        order_create,
        order_hold,
        order_planner_acknowledge,
        order_release,
        order_request_approval,
        order_start_production,
    )
    from gendan.reviews.models import ReviewDepartment
    from gendan.reviews.services import review_approve, review_item_sign, review_open, review_reject

    if Order.objects.filter(customer=customer, customer_po=po).exists():
        return
    merch = customer.merchandiser
    today = timezone.localdate()
    line = {
        "product": product.code,
        "quantity": str(qty),
        "unit_price": str(product.standard_price),
        "color": "藏青" if sizes else "",
        "sizes": sizes or "",
    }
    order = order_create(
        actor=merch,
        data={
            "customer": customer.code,
            "customer_po": po,
            "order_date": today.isoformat(),
            "requested_date": (today + dt.timedelta(days=days)).isoformat(),
            "source_document": source,
            "incoterm": "FOB" if customer.is_foreign else "",
            "lines": [line],
            "requirements": "按客户确认样生产，包装按客户唛头要求。",
        },
    )
    signer_for = {
        ReviewDepartment.BUSINESS: "sales1",
        ReviewDepartment.TECHNICAL: "tech",
        ReviewDepartment.PLANNING: "planner",
        ReviewDepartment.PURCHASING: "purchasing",
        ReviewDepartment.QUALITY: "qc",
        ReviewDepartment.FINANCE: "finance",
    }
    for step in status_path:
        if step == "request_approval":
            order = order_request_approval(order=order, actor=merch)
        elif step == "review":
            review = review_open(order=order, actor=merch)
        elif step == "sign":
            for item in review.items.all():
                result = "pass" if review.credit_ok or item.department != "finance" else "conditional"
                review_item_sign(
                    item=item,
                    actor=users[signer_for[item.department]],
                    result=result,
                    comment="" if result == "pass" else "款到发货",
                )
        elif step == "approve":
            review_approve(review=review, actor=users["supervisor"], promised_date=review.feasible_date)
        elif step == "reject":
            review_reject(review=review, actor=users["supervisor"], reason="价格低于成本，需重新议价")
        elif step == "release":
            order = order_release(order=Order.objects.get(pk=order.pk), actor=merch)
        elif step == "ack":
            order = order_planner_acknowledge(order=order, actor=users["planner"])
        elif step == "produce":
            order = order_start_production(order=Order.objects.get(pk=order.pk), actor=users["planner"])
        elif step == "hold":
            order_hold(order=order, actor=users["supervisor"], reason="客户要求暂停，等待新唛头")
        elif step == "cancel":
            order_cancel(order=order, actor=users["supervisor"], reason="客户取消订单")


def _commerce(users, apparel_customer, printing_customer) -> None:
    """The commercial end: a partial shipment, a delivered and invoiced order part-paid, a complaint and a
    return visit, so every screen of the life-cycle has something to show."""
    from gendan.complaints.models import Complaint
    from gendan.ledger.services import invoice_create, payment_record
    from gendan.shipping.models import Shipment
    from gendan.shipping.services import shipment_create, shipment_receive
    from gendan.visits.models import ReturnVisit
    from gendan.visits.services import visit_record

    if Shipment.objects.exists():
        return
    today = timezone.localdate()

    def ship(order, quantities):
        lines = [
            {
                "order_line": line.pk,
                "quantity": str(quantities[line.line_no]),
                "cartons": 10,
                "quantity_per_carton": str(quantities[line.line_no] / 10),
                "gross_weight_kg": "120.000",
                "net_weight_kg": "110.000",
                "volume_m3": "1.200",
            }
            for line in order.lines.order_by("line_no")
            if line.line_no in quantities
        ]
        return shipment_create(
            order=order,
            actor=order.merchandiser,
            data={
                "ship_date": today.isoformat(),
                "expected_arrival": (today + dt.timedelta(days=2)).isoformat(),
                "carrier": "德邦物流",
                "tracking_number": f"DB{today:%Y%m%d}{order.pk:04d}",
                "lines": lines,
            },
        )

    partial = Order.objects.get(customer=apparel_customer, customer_po="HM-2026-004")
    ship(partial, {1: 400})
    whole = Order.objects.get(customer=printing_customer, customer_po="BW-1105")
    shipment = ship(whole, {1: 3000})
    shipment_receive(
        shipment=shipment, actor=whole.merchandiser, received_on=today, received_by="仓库 王先生"
    )
    invoice = invoice_create(
        actor=users["finance"], data={"invoice_date": today.isoformat(), "shipments": [shipment.pk]}
    )
    payment_record(
        actor=users["finance"],
        data={
            "received_on": today.isoformat(),
            "amount": "50000.00",
            "reference": "工行回单 0042",
            "allocations": [{"invoice": invoice.pk, "amount": "50000.00"}],
        },
    )
    from gendan.complaints.services import complaint_register

    if not Complaint.objects.exists():
        complaint_register(
            actor=whole.merchandiser,
            data={
                "order": whole.pk,
                "shipment": shipment.pk,
                "type": "packing",
                "severity": "minor",
                "description": "部分画册外箱破损，内页有折痕。",
                "quantity_affected": "40",
                "claim_amount": "1400.00",
            },
        )
    visit = ReturnVisit.objects.filter(order=whole).first()
    if visit is not None:
        visit_record(
            visit=visit,
            actor=whole.merchandiser,
            data={
                "visited_on": today.isoformat(),
                "method": "phone",
                "contact_person": "采购部 李小姐",
                "score_quality": 4,
                "score_delivery": 5,
                "score_service": 5,
                "score_communication": 4,
                "comments": "交期准时，包装需加强。",
            },
        )


@transaction.atomic
def demo_load() -> dict[str, int]:
    roles_sync()
    users = _users()
    customers, products = _master_data(users)
    c1, c2, c3, c4 = customers
    tee, jacket, book, box, bag = products
    _order(users, c1, tee, "HM-2026-001", 1200, [], sizes="S:300 M:500 L:400")
    _order(users, c1, jacket, "HM-2026-002", 600, ["request_approval"], source="verbal", sizes="M:300 L:300")
    _order(users, c2, tee, "NW-PO-7781", 3000, ["review"], source="email", sizes="S:1000 M:1000 L:1000")
    _order(users, c3, book, "BW-1102", 5000, ["review", "sign", "approve"])
    _order(users, c3, box, "BW-1103", 20000, ["review", "sign", "reject"], source="fax")
    _order(users, c4, bag, "JH-0901", 10000, ["review", "sign", "approve", "release"])
    _order(
        users,
        c1,
        tee,
        "HM-2026-003",
        2400,
        ["review", "sign", "approve", "release", "ack", "produce"],
        sizes="S:600 M:1000 L:800",
    )
    _order(
        users,
        c2,
        jacket,
        "NW-PO-7790",
        800,
        ["review", "sign", "approve", "release", "ack", "produce", "hold"],
        sizes="M:400 L:400",
    )
    _order(users, c3, box, "BW-1104", 8000, ["cancel"])
    _order(users, c3, book, "BW-1105", 3000, ["review", "sign", "approve", "release", "ack", "produce"])
    _order(
        users,
        c1,
        jacket,
        "HM-2026-004",
        900,
        ["review", "sign", "approve", "release", "ack", "produce"],
        sizes="M:300 L:300 XL:300",
    )
    _commerce(users, c1, c3)
    from gendan.followup.demo import followup_demo_load

    followup_demo_load(users)
    return {
        "users": User.objects.count(),
        "customers": Customer.objects.count(),
        "products": Product.objects.count(),
        "orders": Order.objects.count(),
        "statuses": Order.objects.values("status").distinct().count(),
        "in_production": Order.objects.filter(status=OrderStatus.IN_PRODUCTION).count(),
    }
