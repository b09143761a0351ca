"""The quotation (报价单 / Quotation) as PDF: prices and validity for the customer; the cost build-up stays
internal (it is on the screen, not on the customer's copy)."""

from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from gendan.core import pdf
from gendan.quotes.models import Quotation


def quotation_pdf(*, quotation: Quotation, user) -> bytes:
    st = pdf.styles()
    customer = quotation.customer
    lines = list(quotation.lines.select_related("product").order_by("line_no"))
    story = pdf.heading_block("报价单 Quotation", st, subtitle=quotation.label)
    story.append(
        pdf.kv_table(
            [
                ("报价单号\nNo.", quotation.label),
                ("日期\nDate", quotation.quote_date),
                ("客户\nCustomer", customer.name),
                ("有效期至\nValid until", quotation.valid_until),
                ("币种\nCurrency", quotation.currency),
                ("业务员\nSales", quotation.salesperson),
            ],
            st,
        )
    )
    rows = [
        [
            line.line_no,
            f"{line.product.code} {line.product.name} {line.color}".strip(),
            line.spec,
            pdf.qty(line.quantity),
            line.unit,
            pdf.price(line.unit_price),
            pdf.money(line.amount),
        ]
        for line in lines
    ]
    total_qty = sum((line.quantity for line in lines), Decimal("0"))
    story += pdf.section(
        "报价明细 Items",
        st,
        pdf.grid_table(
            [
                "序号\nNo.",
                "品名\nItem",
                "规格\nSpec",
                "数量\nQty",
                "单位\nUnit",
                "单价\nUnit price",
                "金额\nAmount",
            ],
            rows,
            st,
            widths=[6, 30, 18, 11, 7, 13, 15],
            right=(3, 5, 6),
            footer=[
                "合计 Total",
                "",
                "",
                pdf.qty(total_qty),
                "",
                quotation.currency,
                pdf.money(quotation.total_amount),
            ],
            footer_span=3,
        ),
        long=True,
    )
    if quotation.notes:
        story += pdf.section("条款与备注 Terms", st, pdf.para(quotation.notes, st.body))
    story += [
        Spacer(1, 4 * mm),
        pdf.para(
            f"本报价有效期至 {pdf.text(quotation.valid_until)} · Valid until {pdf.text(quotation.valid_until)}",
            st.small,
        ),
    ]
    return pdf.pdf_bytes(
        title=f"报价单 Quotation {quotation.label}",
        story=story,
        footer=pdf.printed_footer(user=user, document_number=quotation.label),
    )
