"""The invoice (发票 / 对账单, Invoice / Statement) of gendan.ledger as PDF: the shipped quantities billed,
their total, what is paid and open, and the due date from the payment terms."""

from decimal import Decimal

from django.conf import settings
from django.utils import translation
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from gendan.core import pdf
from gendan.ledger.models import Invoice
from gendan.ledger.selectors import invoice_lines


def invoice_pdf(*, invoice: Invoice, user) -> bytes:
    st = pdf.styles()
    lines = list(invoice_lines(invoice=invoice))
    # bilingual like the rest of the invoice, both worded by the one helper behind the invoice page
    with translation.override(settings.LANGUAGE_CODE):
        terms_zh = invoice.payment_terms_text
    with translation.override("en"):
        terms_en = invoice.payment_terms_text
    terms = f"{terms_zh} · {terms_en}"
    story = pdf.heading_block("发票 / 对账单 Invoice / Statement", st, subtitle=invoice.number)
    story.append(
        pdf.kv_table(
            [
                ("发票号\nInvoice No.", invoice.number),
                ("日期\nDate", invoice.invoice_date),
                ("客户\nCustomer", f"{invoice.customer.name}\n{invoice.customer.address}".strip()),
                ("币种\nCurrency", invoice.currency),
                ("付款条件\nTerms", terms),
                ("到期日\nDue date", invoice.due_date),
            ],
            st,
        )
    )
    rows = [
        [
            line.line_no,
            line.shipment_line.shipment.number,
            line.order.number,
            f"{line.shipment_line.order_line.product.code} {line.shipment_line.order_line.product.name}",
            pdf.qty(line.quantity),
            pdf.price(line.unit_price),
            pdf.money(line.amount),
        ]
        for line in lines
    ]
    total_qty = sum((line.quantity for line in lines), Decimal("0"))
    story += pdf.section(
        "明细 Lines",
        st,
        pdf.grid_table(
            [
                "序号\nNo.",
                "发货单\nShipment",
                "订单\nOrder",
                "品名\nItem",
                "数量\nQty",
                "单价\nUnit price",
                "金额\nAmount",
            ],
            rows,
            st,
            widths=[6, 17, 17, 26, 10, 11, 13],
            right=(4, 5, 6),
            footer=[
                "合计 Total",
                "",
                "",
                "",
                pdf.qty(total_qty),
                invoice.currency,
                pdf.money(invoice.total_amount),
            ],
            footer_span=4,
        ),
        long=True,
    )
    story += [
        Spacer(1, 3 * mm),
        pdf.kv_table(
            [
                ("已收\nPaid", f"{invoice.currency} {pdf.money(invoice.paid_amount)}"),
                ("未收\nOpen", f"{invoice.currency} {pdf.money(invoice.open_amount)}"),
            ],
            st,
        ),
    ]
    return pdf.pdf_bytes(
        title=f"Invoice {invoice.number}",
        story=story,
        footer=pdf.printed_footer(user=user, document_number=invoice.number),
    )
