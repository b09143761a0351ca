import datetime as dt
import re
import subprocess
from decimal import Decimal

import pytest

from gendan.core.pdf import money, qty
from gendan.shipping.documents import commercial_invoice_pdf, delivery_note_pdf, packing_list_pdf
from gendan.shipping.services import shipment_create
from tests.factories import CustomerFactory
from tests.q2c import order_in_production, today

DAY = dt.date(2026, 12, 10)


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return result.stdout.decode("utf-8")


@pytest.fixture
def shipment(people, product):
    customer = CustomerFactory(
        merchandiser=people["m1"],
        salesperson=people["sales"],
        is_foreign=True,
        currency="USD",
        address="Hamburg",
    )
    order = order_in_production(
        people,
        customer,
        product,
        incoterm="FOB",
        lines=[
            {"product": product.code, "quantity": "1200", "unit_price": "3.2750", "color": "Navy"},
            {"product": product.code, "quantity": "480", "unit_price": "5.10", "color": "红"},
        ],
    )
    lines = list(order.lines.order_by("line_no"))
    data = {
        "ship_date": DAY.isoformat(),
        "expected_arrival": (DAY + dt.timedelta(days=30)).isoformat(),
        "transport_mode": "sea",
        "carrier": "COSCO",
        "tracking_number": "COSU6281734",
        "lines": [
            {
                "order_line": lines[0].pk,
                "quantity": "1200",
                "cartons": 24,
                "quantity_per_carton": "50",
                "gross_weight_kg": "312.480",
                "net_weight_kg": "288.000",
                "volume_m3": "2.616",
            },
            {
                "order_line": lines[1].pk,
                "quantity": "475",
                "cartons": 10,
                "quantity_per_carton": "48",
                "gross_weight_kg": "131.250",
                "net_weight_kg": "118.755",
                "volume_m3": "1.090",
            },
        ],
    }
    with today(DAY):
        return shipment_create(order=order, actor=people["m1"], data=data)


def test_packing_list_totals_equal_the_sums_of_the_lines(people, shipment):
    text = pdf_text(packing_list_pdf(shipment=shipment, user=people["m1"]))
    lines = list(shipment.lines.all())
    cartons = sum(line.cartons for line in lines)
    gross = sum((line.gross_weight_kg for line in lines), Decimal("0"))
    net = sum((line.net_weight_kg for line in lines), Decimal("0"))
    volume = sum((line.volume_m3 for line in lines), Decimal("0"))
    quantity = sum((line.quantity for line in lines), Decimal("0"))
    assert (cartons, gross, net, volume, quantity) == (
        34,
        Decimal("443.730"),
        Decimal("406.755"),
        Decimal("3.706"),
        Decimal("1675"),
    )
    total_line = next(line for line in text.splitlines() if line.strip().startswith("合计"))
    numbers = re.findall(r"[\d,]+(?:\.\d+)?", total_line)
    assert numbers == [str(cartons), qty(quantity), money(gross, 3), money(net, 3), money(volume, 3)]
    # both languages are real, extractable text
    for label in (
        "装箱单",
        "Packing List",
        "箱号",
        "Carton No.",
        "毛重",
        "G.W. (kg)",
        "净重",
        "N.W. (kg)",
        "体积",
    ):
        assert label in text
    assert "1-24" in text and "25-34" in text  # carton numbers run on
    assert "共 34 箱" in text and "Total 34 cartons" in text


def test_commercial_invoice_total_equals_the_sum_of_the_lines(people, shipment):
    text = pdf_text(commercial_invoice_pdf(shipment=shipment, user=people["m1"]))
    lines = list(shipment.lines.order_by("line_no"))
    assert [line.amount for line in lines] == [Decimal("3930.00"), Decimal("2422.50")]
    total = sum((line.amount for line in lines), Decimal("0"))
    total_line = next(line for line in text.splitlines() if line.strip().startswith("合计"))
    assert money(total) in total_line and qty(Decimal("1675")) in total_line
    assert f"USD {money(total)}" in text
    for label in (
        "商业发票",
        "Commercial Invoice",
        "买方",
        "Buyer",
        "FOB",
        "单价",
        "Unit price",
        "金额",
        "Amount",
        "红",
        "Navy",
    ):
        assert label in text
    assert "CI-" + shipment.number in text


def test_delivery_note_has_the_goods_and_a_signature_box(people, shipment):
    text = pdf_text(delivery_note_pdf(shipment=shipment, user=people["m1"]))
    for label in ("送货单", "Delivery Note", shipment.number, "COSU6281734", "收货人签收", "合计"):
        assert label in text
    total_line = next(line for line in text.splitlines() if line.strip().startswith("合计"))
    assert qty(Decimal("1675")) in total_line and "34" in total_line
