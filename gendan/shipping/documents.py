"""Printed shipping documents (PDF, gendan.core.pdf): delivery note (送货单), packing list (装箱单 / Packing
List) and commercial invoice (商业发票 / Commercial Invoice) for foreign trade. Labels are Chinese and
English; totals are printed in a footer row and equal the sums of the printed lines."""

from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from gendan.core import pdf
from gendan.shipping.models import Shipment, ShipmentLine
from gendan.shipping.selectors import packing_totals, shipment_lines

TRANSPORT_ZH = {
    "road": "公路物流",
    "express": "快递",
    "sea": "海运",
    "air": "空运",
    "rail": "铁路",
    "pickup": "客户自提",
}


def _item(line: ShipmentLine) -> str:
    order_line = line.order_line
    parts = [order_line.product.code, order_line.product.name]
    if order_line.color:
        parts.append(order_line.color)
    return " ".join(parts)


def _signatures(st: pdf.Styles, left: str, right: str) -> Table:
    table = Table(
        [[pdf.para(left, st.cell), pdf.para(right, st.cell)], ["", ""]],
        colWidths=[pdf.CONTENT_WIDTH / 2] * 2,
        rowHeights=[None, 14 * mm],
    )
    table.setStyle(
        TableStyle([("GRID", (0, 0), (-1, -1), 0.5, pdf.GRID), ("BACKGROUND", (0, 0), (-1, 0), pdf.SHADE)])
    )
    return table


def delivery_note_pdf(*, shipment: Shipment, user) -> bytes:
    st = pdf.styles()
    order = shipment.order
    lines = list(shipment_lines(shipment=shipment))
    totals = packing_totals(lines=lines)
    story = pdf.heading_block("送货单 Delivery Note", st, subtitle=shipment.number)
    story.append(
        pdf.kv_table(
            [
                ("送货单号\nNo.", shipment.number),
                ("发货日期\nShip date", shipment.ship_date),
                ("客户\nCustomer", shipment.customer.name),
                ("订单号\nOrder", f"{order.number} / PO {order.customer_po}"),
                ("送货地址\nShip to", shipment.ship_to or shipment.customer.address),
                ("运输\nTransport", TRANSPORT_ZH.get(shipment.transport_mode, shipment.transport_mode)),
                ("承运商\nCarrier", shipment.carrier),
                ("运单号\nTracking", shipment.tracking_number),
                ("预计到达\nETA", shipment.expected_arrival),
                ("跟单员\nMerchandiser", order.merchandiser),
            ],
            st,
        )
    )
    rows = [
        [
            line.line_no,
            _item(line),
            line.order_line.spec,
            line.order_line.unit,
            pdf.qty(line.quantity),
            line.cartons,
        ]
        for line in lines
    ]
    story += pdf.section(
        "货物明细 Goods",
        st,
        pdf.grid_table(
            ["序号\nNo.", "品名\nItem", "规格\nSpec", "单位\nUnit", "数量\nQty", "箱数\nCartons"],
            rows,
            st,
            widths=[6, 34, 18, 8, 12, 10],
            right=(4, 5),
            footer=["合计 Total", "", "", "", pdf.qty(totals.quantity), totals.cartons],
            footer_span=4,
        ),
        long=True,
    )
    if shipment.notes:
        story += pdf.section("备注 Notes", st, pdf.para(shipment.notes, st.body))
    story += [Spacer(1, 6 * mm), _signatures(st, "发货人\nShipper", "收货人签收 / 日期 Received by / date")]
    return pdf.pdf_bytes(
        title=f"送货单 {shipment.number}",
        story=story,
        footer=pdf.printed_footer(user=user, document_number=shipment.number),
    )


def packing_list_rows(lines: list[ShipmentLine]) -> list[list]:
    """One row per line with its carton number range (1-2, 3-5 …)."""
    rows = []
    next_carton = 1
    for line in lines:
        if line.cartons:
            cartons = (
                f"{next_carton}-{next_carton + line.cartons - 1}" if line.cartons > 1 else str(next_carton)
            )
            next_carton += line.cartons
        else:
            cartons = ""
        rows.append(
            [
                cartons,
                _item(line),
                line.cartons,
                pdf.qty(line.quantity_per_carton),
                pdf.qty(line.quantity),
                pdf.money(line.gross_weight_kg, 3),
                pdf.money(line.net_weight_kg, 3),
                pdf.money(line.volume_m3, 3),
            ]
        )
    return rows


def packing_list_pdf(*, shipment: Shipment, user) -> bytes:
    st = pdf.styles()
    order = shipment.order
    lines = list(shipment_lines(shipment=shipment))
    totals = packing_totals(lines=lines)
    story = pdf.heading_block("装箱单 Packing List", st, subtitle=shipment.number)
    story.append(
        pdf.kv_table(
            [
                ("装箱单号\nNo.", shipment.number),
                ("日期\nDate", shipment.ship_date),
                ("客户\nBuyer", shipment.customer.name),
                ("订单号\nOrder / PO", f"{order.number} / {order.customer_po}"),
                ("目的地\nDestination", shipment.ship_to or shipment.customer.address),
                ("运输\nShipped by", f"{TRANSPORT_ZH.get(shipment.transport_mode, '')} {shipment.carrier}"),
            ],
            st,
        )
    )
    story += pdf.section(
        "装箱明细 Packing details",
        st,
        pdf.grid_table(
            [
                "箱号\nCarton No.",
                "品名\nDescription",
                "箱数\nCartons",
                "每箱数量\nQty/Ctn",
                "数量\nQuantity",
                "毛重\nG.W. (kg)",
                "净重\nN.W. (kg)",
                "体积\nMeas. (m³)",
            ],
            packing_list_rows(lines),
            st,
            widths=[12, 24, 10, 11, 11, 11, 11, 11],
            right=(2, 3, 4, 5, 6, 7),
            footer=[
                "合计 Total",
                "",
                totals.cartons,
                "",
                pdf.qty(totals.quantity),
                pdf.money(totals.gross_weight_kg, 3),
                pdf.money(totals.net_weight_kg, 3),
                pdf.money(totals.volume_m3, 3),
            ],
            footer_span=2,
        ),
        long=True,
    )
    story.append(Spacer(1, 3 * mm))
    story.append(
        pdf.para(
            f"共 {totals.cartons} 箱 · Total {totals.cartons} cartons, {pdf.qty(totals.quantity)} pieces, "
            f"G.W. {pdf.money(totals.gross_weight_kg, 3)} kg, N.W. {pdf.money(totals.net_weight_kg, 3)} kg, "
            f"{pdf.money(totals.volume_m3, 3)} m³",
            st.body,
        )
    )
    return pdf.pdf_bytes(
        title=f"装箱单 Packing List {shipment.number}",
        story=story,
        footer=pdf.printed_footer(user=user, document_number=shipment.number),
    )


def commercial_invoice_pdf(*, shipment: Shipment, user) -> bytes:
    """商业发票 for foreign trade: the shipment's lines at the order's prices, in the order's currency."""
    st = pdf.styles()
    order = shipment.order
    customer = shipment.customer
    lines = list(shipment_lines(shipment=shipment))
    total_qty = sum((line.quantity for line in lines), Decimal("0"))
    total_amount = sum((line.amount for line in lines), Decimal("0"))
    number = f"CI-{shipment.number}"
    story = pdf.heading_block("商业发票 Commercial Invoice", st, subtitle=number)
    story.append(
        pdf.kv_table(
            [
                ("发票号\nInvoice No.", number),
                ("日期\nDate", shipment.ship_date),
                ("买方\nBuyer", f"{customer.name}\n{customer.address}".strip()),
                ("合同号\nContract / PO", f"{order.number} / {order.customer_po}"),
                ("贸易条款\nIncoterm", order.incoterm or "—"),
                ("币种\nCurrency", shipment.currency),
                ("付款条件\nPayment", order.payment_terms or customer.payment_terms_text),
                ("运输\nShipped by", f"{shipment.carrier} {shipment.tracking_number}".strip()),
            ],
            st,
        )
    )
    rows = [
        [
            line.line_no,
            _item(line),
            pdf.qty(line.quantity),
            line.order_line.unit,
            pdf.price(line.unit_price),
            pdf.money(line.amount),
        ]
        for line in lines
    ]
    story += pdf.section(
        "货物 Goods",
        st,
        pdf.grid_table(
            [
                "序号\nNo.",
                "品名\nDescription of goods",
                "数量\nQuantity",
                "单位\nUnit",
                "单价\nUnit price",
                "金额\nAmount",
            ],
            rows,
            st,
            widths=[6, 38, 12, 8, 14, 16],
            right=(2, 4, 5),
            footer=["合计 Total", "", pdf.qty(total_qty), "", shipment.currency, pdf.money(total_amount)],
            footer_span=2,
        ),
        long=True,
    )
    story.append(Spacer(1, 3 * mm))
    story.append(pdf.para(f"总金额 Total amount: {shipment.currency} {pdf.money(total_amount)}", st.body))
    story += [Spacer(1, 8 * mm), _signatures(st, "卖方 Seller (签章 signature)", "买方\nBuyer")]
    return pdf.pdf_bytes(
        title=f"Commercial Invoice {number}",
        story=story,
        footer=pdf.printed_footer(user=user, document_number=number),
    )
