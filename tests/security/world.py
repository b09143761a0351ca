"""One fully populated "world" for the security tests, built once per module through the real services.

Two sides of the house: side "own" belongs to m1 (customer ALPHA, salesperson `sales`, supervisor `sup`);
side "other" belongs to m3 (customer BRAVO, another team under `sup2`). Each side has an order in production
with everything hanging off it (review, T&A plan, progress record with a photo, exception, inspection,
outsourcing plan and order, shipment, invoice, payment, complaint with a photo, sample, purchase request and
purchase order), a delivered order with its return visit due, an order in review, a draft, an inquiry and a
quotation, a violation, a handover, a monthly score and a notification. The identifying texts of each side
(order numbers, customer name and code) are distinctive so a response can be searched for them.
"""

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from gendan.accounts import roles as R
from gendan.accounts.services import api_token_create
from gendan.capacity.models import WorkCentre
from gendan.capacity.services import route_set, schedule_run, work_centre_create
from gendan.catalog.models import Industry, Product
from gendan.complaints.services import complaint_photo_add, complaint_register
from gendan.discussion.services import comment_post
from gendan.files.services import attachment_add
from gendan.followup.models import ProgressRecord, TaPlan
from gendan.followup.services import exception_raise, progress_record_create, ta_plan_generate
from gendan.ledger.services import invoice_create, payment_record
from gendan.materials.models import Material, PurchaseRequest
from gendan.materials.services import bom_line_set, material_create, purchase_order_create
from gendan.notify.services import notify
from gendan.orders.models import Order
from gendan.orders.services import order_create
from gendan.outsourcing.services import (
    outsourcing_dispatch_record,
    outsourcing_order_create,
    outsourcing_order_issue,
    outsourcing_return_record,
    plan_item_create,
)
from gendan.parties.models import Customer, Supplier
from gendan.performance.services import handover_request, monthly_scores_refresh, violation_record
from gendan.quality.services import inspection_record
from gendan.quotes.services import inquiry_create, quotation_create
from gendan.reviews.models import Review
from gendan.reviews.services import review_open
from gendan.shipping.services import sample_dispatch_create, shipment_create, shipment_receive
from gendan.visits.models import ReturnVisit
from tests.factories import make_user
from tests.q2c import order_in_production, shipment_payload, today

DAY = dt.date(2026, 11, 27)  # the orders' date (tests/q2c.ORDER_DATE)
SHIP_DAY = dt.date(2026, 11, 27)

USERNAMES = (
    "admin",
    "gm",
    "sup",
    "sup2",
    "m1",
    "m2",
    "m3",
    "sales",
    "planner",
    "tech",
    "purchasing",
    "qc",
    "finance",
    "auditor",
)
SIDES = ("own", "other")


def png_bytes(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def api_client_for(user) -> Client:
    """A test client speaking to the API with a fresh token of `user` (no session)."""
    _token, key = api_token_create(user=user, name="security test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def make_people() -> dict[str, Any]:
    sup = make_user("sup", R.SUPERVISOR, department="merchandising")
    sup2 = make_user("sup2", R.SUPERVISOR, department="merchandising")
    return {
        "admin": make_user("admin", R.ADMIN, department="management"),
        "gm": make_user("gm", R.GENERAL_MANAGER, department="management"),
        "sup": sup,
        "sup2": sup2,
        "m1": make_user("m1", R.MERCHANDISER, department="merchandising", supervisor=sup),
        "m2": make_user("m2", R.MERCHANDISER, department="merchandising", supervisor=sup),
        "m3": make_user("m3", R.MERCHANDISER, department="merchandising", supervisor=sup2),
        "sales": make_user("sales", R.SALES, department="business", supervisor=sup),
        "planner": make_user("planner", R.PLANNER, department="planning"),
        "tech": make_user("tech", R.REVIEWER, department="technical"),
        "purchasing": make_user("purchasing", R.REVIEWER, department="purchasing"),
        "qc": make_user("qc", R.REVIEWER, department="quality"),
        "finance": make_user("finance", R.REVIEWER, department="finance"),
        "auditor": make_user("auditor", R.AUDITOR, department="management"),
    }


@dataclass
class Side:
    """What one merchandiser's side of the world holds (primary keys and identifying texts)."""

    name: str
    owner: str  # username of the merchandiser
    customer: Customer
    order: Order  # in production (partially shipped) with everything attached
    delivered: Order
    in_review: Order
    draft: Order
    quotation_number: str = ""
    ids: dict[str, int] = field(default_factory=dict)

    @property
    def order_numbers(self) -> list[str]:
        return [self.order.number, self.delivered.number, self.in_review.number, self.draft.number]


@dataclass
class World:
    people: dict[str, Any]
    tokens: dict[str, str]
    sides: dict[str, Side]
    shared: dict[str, int]

    def side(self, which: str) -> Side:
        return self.sides[which]


def _subcontractor() -> Supplier:
    return Supplier.objects.create(
        code="WX01", name="东莞精彩印花厂", kind=Supplier.Kind.SUBCONTRACTOR, processes="印花"
    )


def _supplier() -> Supplier:
    return Supplier.objects.create(code="S001", name="佛山丰华面料厂", kind=Supplier.Kind.SUPPLIER)


def _product(people, supplier: Supplier) -> tuple[Product, Material]:
    product = Product.objects.create(
        code="SEC-TEE",
        name="安全测试T恤",
        industry=Industry.APPAREL,
        family="针织",
        work_centre="缝制一线",
        unit="件",
        production_cycle_days=10,
        material_lead_days=5,
        standard_price=Decimal("12.50"),
    )
    material = material_create(
        actor=people["admin"],
        data={"code": "FAB-01", "name": "32支精梳棉布", "unit": "kg", "supplier": supplier.code},
    )
    bom_line_set(actor=people["admin"], product=product, material=material, usage_per_unit="0.2")
    centre = work_centre_create(
        actor=people["admin"], data={"code": "SEW1", "name": "缝制一线", "daily_minutes": "4800"}
    )
    route_set(
        actor=people["admin"], product=product, steps=[{"work_centre": centre.code, "minutes_per_piece": "5"}]
    )
    return product, material


def _customer(people, side: str) -> Customer:
    if side == "own":
        return Customer.objects.create(
            code="ALPHA",
            name="甲方阿尔法服饰有限公司",
            credit_limit=Decimal("10000000"),
            payment_terms="monthly",
            payment_days=30,
            merchandiser=people["m1"],
            salesperson=people["sales"],
        )
    return Customer.objects.create(
        code="BRAVO",
        name="乙方布拉沃贸易有限公司",
        credit_limit=Decimal("10000000"),
        payment_terms="monthly",
        payment_days=30,
        merchandiser=people["m3"],
    )


def _order(people, customer, product, *, by: str, po: str) -> Order:
    with today(DAY):
        return order_create(
            actor=people[by],
            data={
                "customer": customer.code,
                "customer_po": po,
                "order_date": DAY.isoformat(),
                "requested_date": (DAY + dt.timedelta(days=60)).isoformat(),
                "lines": [{"product": product.code, "quantity": "100", "unit_price": "12.50", "color": "红"}],
            },
        )


def _build_side(people, which: str, product: Product, subcontractor: Supplier) -> Side:
    by = "m1" if which == "own" else "m3"
    lead = "sup" if which == "own" else "sup2"
    tag = "A" if which == "own" else "B"
    customer = _customer(people, which)
    ids: dict[str, int] = {}

    # the order in production, and everything that hangs off it
    order = order_in_production(people, customer, product, by=by, customer_po=f"SEC-{tag}-PROD")
    if not TaPlan.objects.filter(order=order).exists():
        ta_plan_generate(order=order, actor=people[by])
    plan = TaPlan.objects.get(order=order)
    ids["milestone"] = plan.milestones.order_by("id").first().pk
    ids["review"] = Review.objects.filter(order=order).order_by("-round").first().pk
    record = progress_record_create(
        order=order,
        actor=people[by],
        stage=ProgressRecord._meta.get_field("stage").choices[0][0],
        quantity_done="10",
        note=f"进度 {tag}",
        photos=[SimpleUploadedFile(f"floor-{tag}.png", png_bytes(), content_type="image/png")],
    )
    ids["record"] = record.pk
    ids["photo"] = record.photos.get().pk
    exception = exception_raise(order=order, actor=people[by], type="schedule", title=f"面料延期 {tag}")
    ids["exception"] = exception.pk
    ids["comment"] = comment_post(owner=exception, actor=people[by], body=f"讨论 {tag}").pk
    line1, line2 = order.lines.order_by("line_no")
    with today(DAY):
        inspection = inspection_record(
            order=order,
            actor=people["qc"],
            data={
                "stage": "final",
                "lot_size": 300,
                "level": "II",
                "aql_critical": "0",
                "aql_major": "2.5",
                "aql_minor": "4.0",
                "critical_found": 0,
                "major_found": 0,
                "minor_found": 0,
            },
        )
        ids["inspection"] = inspection.pk
        item = plan_item_create(
            order=order,
            actor=people[by],
            data={
                "process": "printing",
                "subcontractor": subcontractor.code,
                "order_line": line2.pk,
                "quantity": "200",
                "planned_send_date": "2026-12-01",
                "planned_return_date": "2026-12-04",
            },
        )
        ids["plan_item"] = item.pk
        oo = outsourcing_order_create(
            order=order,
            actor=people[by],
            data={
                "subcontractor": subcontractor.pk,
                "process": "embroidery",
                "order_line": line1.pk,
                "quantity": "100",
                "unit_price": "0.80",
                "due_date": "2026-12-10",
            },
        )
        outsourcing_order_issue(outsourcing_order=oo, actor=people[by])
        outsourcing_dispatch_record(outsourcing_order=oo, actor=people[by], data={"quantity": "60"})
        outsourcing_return_record(
            outsourcing_order=oo,
            actor=people[by],
            data={"quantity_returned": "40", "quantity_defective": "2", "inspection_note": f"回厂 {tag}"},
        )
        ids["outsourcing_order"] = oo.pk
        draft_oo = outsourcing_order_create(
            order=order,
            actor=people[by],
            data={
                "subcontractor": subcontractor.pk,
                "process": "washing",
                "quantity": "50",
                "unit_price": "0.50",
                "due_date": "2026-12-12",
            },
        )
        ids["outsourcing_draft"] = draft_oo.pk
        shipment = shipment_create(
            order=order,
            actor=people[by],
            data=shipment_payload(order, {1: "60"}, ship_date=SHIP_DAY, tracking_number=f"TRK-{tag}-1"),
        )
        ids["shipment"] = shipment.pk
        ids["shipment_line"] = shipment.lines.get().pk
        invoice = invoice_create(
            actor=people["finance"], data={"invoice_date": DAY.isoformat(), "shipments": [shipment.pk]}
        )
        ids["invoice"] = invoice.pk
        payment = payment_record(
            actor=people["finance"],
            data={
                "received_on": DAY.isoformat(),
                "allocations": [{"invoice": invoice.pk, "amount": "100.00"}],
            },
        )
        ids["payment"] = payment.pk
        complaint = complaint_register(
            actor=people[by],
            data={
                "order": order.pk,
                "shipment": shipment.pk,
                "type": "quality",
                "severity": "major",
                "description": f"领口开线 {tag}",
                "quantity_affected": "3",
                "claim_amount": "30.00",
            },
        )
        ids["complaint"] = complaint.pk
        photo = complaint_photo_add(
            complaint=complaint,
            actor=people[by],
            file=SimpleUploadedFile(f"claim-{tag}.png", png_bytes("blue"), content_type="image/png"),
        )
        ids["complaint_photo"] = photo.pk
        # files on the record (gendan.files): a tech pack on the shipment's order, a scan on the complaint
        ids["attachment"] = attachment_add(
            owner=order,
            actor=people[by],
            file=SimpleUploadedFile(f"techpack-{tag}.png", png_bytes("red"), content_type="image/png"),
            kind="tech_pack",
        ).pk
        ids["complaint_attachment"] = attachment_add(
            owner=complaint,
            actor=people[by],
            file=SimpleUploadedFile(f"scan-{tag}.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
            kind="approval",
        ).pk
        sample = sample_dispatch_create(
            actor=people[by],
            data={
                "customer": customer.code,
                "order": order.pk,
                "sample_type": "approval",
                "quantity": "2",
                "sent_on": DAY.isoformat(),
                "courier": "顺丰",
                "tracking_number": f"SF-{tag}-001",
            },
        )
        ids["sample"] = sample.pk
    order.refresh_from_db()

    # purchasing: the order's purchase request, bought on a purchase order of its own
    request = PurchaseRequest.objects.filter(order=order).order_by("id").first()
    if request is not None:
        ids["purchase_request"] = request.pk
        po = purchase_order_create(
            actor=people["purchasing"],
            supplier=Supplier.objects.get(code="S001"),
            request_ids=[request.pk],
            expected_date=(DAY + dt.timedelta(days=7)).isoformat(),
            order_date=DAY,
        )
        ids["purchase_order"] = po.pk
        ids["po_line"] = po.lines.order_by("id").first().pk

    # a delivered order with its return visit due
    delivered = order_in_production(people, customer, product, by=by, customer_po=f"SEC-{tag}-DLVR")
    with today(DAY):
        full = shipment_create(
            order=delivered,
            actor=people[by],
            data=shipment_payload(
                delivered, {1: "100", 2: "200"}, ship_date=SHIP_DAY, tracking_number=f"TRK-{tag}-2"
            ),
        )
        shipment_receive(shipment=full, actor=people[by], received_on=DAY.isoformat(), received_by="仓库")
    delivered.refresh_from_db()
    ids["delivered_shipment"] = full.pk
    ids["uninvoiced_line"] = full.lines.order_by("line_no").first().pk  # shipped, not invoiced yet
    ids["visit"] = ReturnVisit.objects.get(order=delivered).pk

    # an order in review (open review) and a draft
    in_review = _order(people, customer, product, by=by, po=f"SEC-{tag}-REVW")
    with today(DAY):
        open_review = review_open(order=in_review, actor=people[by])
    in_review.refresh_from_db()
    ids["open_review"] = open_review.pk
    ids["open_review_item"] = open_review.items.get(department="technical").pk  # signed by `tech` (or admin)
    draft = _order(people, customer, product, by=by, po=f"SEC-{tag}-DRFT")

    # quotes: an inquiry and a quotation for the customer
    seller = "sales" if which == "own" else "m3"
    with today(DAY):
        inquiry = inquiry_create(
            actor=people[seller],
            data={
                "customer": customer.code,
                "subject": f"询价 {tag}",
                "received_at": DAY.isoformat(),
                "items": [{"product": product.code, "quantity": "500"}],
            },
        )
        quotation = quotation_create(
            actor=people[seller],
            data={
                "customer": customer.code,
                "inquiry": inquiry.pk,
                "quote_date": DAY.isoformat(),
                "valid_until": (DAY + dt.timedelta(days=30)).isoformat(),
                "lines": [{"product": product.code, "quantity": "500", "processing_cost": "4.50"}],
            },
        )
    ids["inquiry"] = inquiry.pk
    ids["quotation"] = quotation.pk

    # performance: a violation, a handover request, a monthly score; an inbox notification
    violation = violation_record(
        actor=people[lead],
        merchandiser=people[by],
        code="no_followup",
        occurred_on=DAY,
        description=f"未按时跟进 {tag}",
        order=order,
    )
    ids["violation"] = violation.pk
    handover = handover_request(
        actor=people[by],
        owner=people[by],
        starts_on=DAY + dt.timedelta(days=20),
        ends_on=DAY + dt.timedelta(days=25),
        reason="年假",
    )
    ids["handover"] = handover.pk
    # a permanent reassignment on record (a row only: the side's orders stay with their owner)
    from gendan.reassignments.models import Reassignment

    ids["reassignment"] = Reassignment.objects.create(
        from_merchandiser=people[by],
        to_merchandiser=people["m2"],
        reason="离职",
        decided_by=people[lead],
        checklist={"counts": {}},
    ).pk
    (score,) = monthly_scores_refresh(merchandiser_ids=[people[by].pk], month=DAY)
    ids["score"] = score.pk
    # a change request (改单) on the order in production: a colour, re-signed by technical and quality
    from gendan.changes.services import change_request_raise, proposal_initial

    proposal = proposal_initial(order=order)
    proposal["lines"][0]["color"] = f"黑{tag}"
    change = change_request_raise(
        order=order, actor=people[by], data=proposal, reason=f"客户改色 {tag}", cause="customer"
    )
    ids["change_request"] = change.pk
    ids["change_item"] = change.items.get(department="technical").pk

    (note,) = notify(
        recipients=[people[by]],
        kind="order_overdue",
        title=f"订单 {order.number} 逾期",
        link=f"/orders/{order.pk}/",
        channels=("inbox",),
    )
    ids["notification"] = note.pk
    ids["export_job"], ids["export_queued"] = _export_jobs(people[by], order.number)
    ids["token"] = api_token_create(user=people[by], name="spare")[0].pk

    side = Side(
        name=which,
        owner=by,
        customer=customer,
        order=order,
        delivered=delivered,
        in_review=in_review,
        draft=draft,
        quotation_number=quotation.number,
        ids=ids,
    )
    return side


def world_build() -> World:
    people = make_people()
    subcontractor = _subcontractor()
    supplier = _supplier()
    product, material = _product(people, supplier)
    # A third customer's order draws SO2026-000001, the number templates show as a placeholder.
    filler = Customer.objects.create(code="FILLER", name="占位客户", merchandiser=people["m2"])
    _order(people, filler, product, by="m2", po="FILLER-1")
    sides = {which: _build_side(people, which, product, subcontractor) for which in SIDES}
    schedule_run()  # stored schedule results for every order
    tokens = {name: api_token_create(user=user, name="security")[1] for name, user in people.items()}
    shared = {
        "product": product.pk,
        "material": material.pk,
        "subcontractor": subcontractor.pk,
        "supplier": supplier.pk,
        "work_centre": WorkCentre.objects.get().pk,
        "bom_line": material.bom_lines.get().pk,
    }
    return World(people=people, tokens=tokens, sides=sides, shared=shared)


def _export_jobs(user, order_number: str) -> tuple[int, int]:
    """A finished export job of `user` (its file stored) and a queued one."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from gendan.core.excel import XColumn, XSheet, xlsx_bytes
    from gendan.exports.models import ExportJob, ExportJobEvent, ExportStatus
    from gendan.exports.services import export_storage

    done = ExportJob.objects.create(
        user=user,
        kind="orders",
        status=ExportStatus.DONE,
        rows_done=1,
        rows_total=1,
        file_name="orders.xlsx",
        finished_at=timezone.now(),
        expires_at=timezone.now() + timezone.timedelta(days=7),
    )
    content = xlsx_bytes([XSheet("订单", [XColumn("订单号")], [[order_number]])])
    done.file_path = export_storage().save(f"{done.token}.xlsx", ContentFile(content))
    done.file_size = len(content)
    done.save(update_fields=["file_path", "file_size"])
    ExportJobEvent.objects.create(
        job=done, actor=user, type="transition", from_status=ExportStatus.RUNNING, to_status=ExportStatus.DONE
    )
    queued = ExportJob.objects.create(user=user, kind="orders", status=ExportStatus.QUEUED)
    return done.pk, queued.pk
