import datetime as dt
import subprocess
from decimal import Decimal

import pytest

from gendan.core.errors import PermissionDeniedError, TransitionError, ValidationFailed
from gendan.orders.models import OrderStatus
from gendan.quotes.documents import quotation_pdf
from gendan.quotes.models import InquiryStatus, Quotation, QuotationStatus
from gendan.quotes.selectors import cost_build_up, inquiries_waiting, quotation_list, quotation_revisions
from gendan.quotes.services import (
    QuotationExpiredError,
    inquiry_create,
    inquiry_lose,
    quotation_accept,
    quotation_create,
    quotation_reject,
    quotation_revise,
    quotation_send,
)
from tests.q2c import today

DAY = dt.date(2026, 11, 20)


def payload(customer, product, **extra):
    data = {
        "customer": customer.code,
        "quote_date": DAY.isoformat(),
        "valid_until": (DAY + dt.timedelta(days=30)).isoformat(),
        "overhead_percent": "8",
        "margin_percent": "25",
        "lines": [
            {
                "product": product.code,
                "quantity": "300",
                "processing_cost": "3.3333",
                "materials": [{"name": "面料", "usage": "1.25", "loss_percent": "3", "unit_price": "18.60"}],
            }
        ],
    }
    data.update(extra)
    return data


def test_cost_build_up_is_quantized_at_each_step():
    costs = cost_build_up(
        materials=Decimal("23.9475"),
        processing=Decimal("3.3333"),
        outsourcing=Decimal("0"),
        overhead_percent=Decimal("8"),
        margin_percent=Decimal("25"),
    )
    # direct 27.2808; overhead 2.182464 → 2.1825; full 29.4633; × 1.25 = 36.829125 → 36.8291
    assert (costs.overhead_cost, costs.unit_cost, costs.unit_price) == (
        Decimal("2.1825"),
        Decimal("29.4633"),
        Decimal("36.8291"),
    )
    assert costs.amount(Decimal("300")) == Decimal("11048.73")


def test_quotation_revise_send_accept_creates_the_order(people, customer, product):
    with today(DAY):
        first = quotation_create(actor=people["sales"], data=payload(customer, product))
        line = first.lines.get()
        # 1.25 × 1.03 × 18.60 = 23.9475
        assert line.material_cost == Decimal("23.9475") and line.unit_price == Decimal("36.8291")
        assert first.total_amount == Decimal("11048.73") and first.number == "QT2026-000001"
        second = quotation_revise(
            quotation=first,
            actor=people["sales"],
            data={**payload(customer, product), "margin_percent": "20"},
        )
        assert (second.number, second.revision, second.label) == (first.number, 2, "QT2026-000001-R2")
        first.refresh_from_db()
        assert first.status == QuotationStatus.SUPERSEDED and second.previous == first
        assert list(quotation_revisions(quotation=second)) == [first, second]
        assert list(quotation_list(user=people["sales"])) == [second]
        with pytest.raises(TransitionError):
            quotation_send(quotation=first, actor=people["sales"])
        quotation_send(quotation=second, actor=people["sales"])
        order = quotation_accept(
            quotation=second,
            actor=people["sales"],
            data={"customer_po": "P-77", "requested_date": "2027-01-15"},
        )
    second.refresh_from_db()
    assert second.status == QuotationStatus.ACCEPTED and second.order == order
    assert (
        order.status == OrderStatus.DRAFT
        and order.customer == customer
        and order.merchandiser == people["m1"]
    )
    (order_line,) = order.lines.all()
    assert (order_line.product, order_line.quantity, order_line.unit_price) == (
        product,
        Decimal("300"),
        second.lines.get().unit_price,
    )
    assert order.total_amount == second.total_amount
    with today(DAY), pytest.raises(TransitionError):
        quotation_accept(
            quotation=second,
            actor=people["sales"],
            data={"customer_po": "P-78", "requested_date": "2027-01-15"},
        )


def test_an_expired_quotation_cannot_be_accepted(people, customer, product):
    with today(DAY):
        quotation = quotation_create(actor=people["sales"], data=payload(customer, product))
        quotation_send(quotation=quotation, actor=people["sales"])
    with today(DAY + dt.timedelta(days=31)), pytest.raises(QuotationExpiredError):
        quotation_accept(
            quotation=quotation,
            actor=people["sales"],
            data={"customer_po": "X", "requested_date": "2027-02-01"},
        )
    quotation.refresh_from_db()
    assert quotation.status == QuotationStatus.SENT and quotation.order is None


def test_rejection_and_validation(people, customer, product):
    with today(DAY):
        with pytest.raises(ValidationFailed) as exc:
            quotation_create(
                actor=people["sales"],
                data=payload(
                    customer, product, valid_until="2026-11-01", lines=[{"product": "NOPE", "quantity": "0"}]
                ),
            )
        assert {"valid_until", "lines.0.product", "lines.0.quantity"} <= set(exc.value.fields)
        with pytest.raises(PermissionDeniedError):
            quotation_create(actor=people["planner"], data=payload(customer, product))
        quotation = quotation_create(actor=people["sales"], data=payload(customer, product))
        with pytest.raises(TransitionError):  # a draft was never sent
            quotation_reject(quotation=quotation, actor=people["sales"], reason="太贵")
        quotation_send(quotation=quotation, actor=people["sales"])
        quotation_reject(quotation=quotation, actor=people["sales"], reason="太贵")
    quotation.refresh_from_db()
    assert quotation.status == QuotationStatus.REJECTED and quotation.reject_reason == "太贵"
    assert Quotation.objects.count() == 1


def test_materials_from_the_bom(people, customer, product):
    from gendan.materials.models import BomLine, Material

    cloth = Material.objects.create(code="M-1", name="汗布", unit="kg")
    label = Material.objects.create(code="M-2", name="织唛", unit="pcs")
    BomLine.objects.create(
        product=product, material=cloth, usage_per_unit=Decimal("0.2"), loss_rate_percent=Decimal("5")
    )
    BomLine.objects.create(product=product, material=label, usage_per_unit=Decimal("1"))
    line = {
        "product": product.code,
        "quantity": "100",
        "materials_from_bom": True,
        "material_prices": {"M-1": "40"},
    }
    with today(DAY), pytest.raises(ValidationFailed) as exc:
        quotation_create(actor=people["sales"], data=payload(customer, product, lines=[line]))
    assert "lines.0.material_prices.M-2" in exc.value.fields
    line["material_prices"]["M-2"] = "0.15"
    with today(DAY):
        quotation = quotation_create(actor=people["sales"], data=payload(customer, product, lines=[line]))
    saved = quotation.lines.get()
    # 0.2 × 1.05 × 40 = 8.4; 1 × 0.15 = 0.15
    assert saved.materials_from_bom and saved.material_cost == Decimal("8.5500")
    assert [m.code for m in saved.materials.all()] == ["M-1", "M-2"]


def test_inquiry_waiting_time_and_scope(people, customer, other_customer, product):
    with today(DAY):
        inquiry = inquiry_create(
            actor=people["sales"],
            data={
                "customer": customer.code,
                "subject": "询价",
                "received_at": "2026-11-18",
                "items": [{"description": "帆布袋", "quantity": "5000"}],
            },
        )
    (waiting,) = inquiries_waiting(user=people["sales"])
    assert waiting.waiting_hours >= 48
    assert inquiries_waiting(user=people["m1"]) == [inquiry]  # the customer's merchandiser sees it
    assert inquiries_waiting(user=people["m3"]) == [] and inquiries_waiting(user=people["planner"]) == []
    with today(DAY):
        quotation = quotation_create(
            actor=people["sales"], data=payload(customer, product, inquiry=inquiry.pk)
        )
        quotation_send(quotation=quotation, actor=people["sales"])
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.QUOTED and inquiry.replied_at is not None
    assert inquiries_waiting(user=people["sales"]) == []
    inquiry_lose(inquiry=inquiry, actor=people["sales"], reason="客户选了别家")
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.LOST
    assert not quotation_list(user=people["m3"]).exists()
    with today(DAY), pytest.raises(ValidationFailed):
        quotation_create(actor=people["m3"], data=payload(customer, product))  # not m3's customer


def test_quotation_pdf(people, customer, product):
    with today(DAY):
        quotation = quotation_create(actor=people["sales"], data=payload(customer, product))
    data = quotation_pdf(quotation=quotation, user=people["sales"])
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    total_line = next(line for line in text.splitlines() if line.strip().startswith("合计"))
    assert "11,048.73" in total_line and "300" in total_line
    for expected in ("报价单", "Quotation", quotation.number, "36.8291", "有效期至"):
        assert expected in text
