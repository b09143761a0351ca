"""The outsourcing order (外协加工单) as PDF: what the subcontractor receives.

Printed in Chinese whatever the UI language, with the font of gendan.core.pdf (real, extractable text).
Confidentiality (SPEC §1, 不得泄露客户信息): the subcontractor sees our order number and the product, the
process, quantities and *their* price; never the customer's name, the customer's PO number or the
customer's prices.
"""

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from gendan.core.pdf import (
    grid_table,
    heading_block,
    kv_table,
    money,
    para,
    pdf_bytes,
    price,
    printed_footer,
    qty,
    section,
    styles,
    text,
)
from gendan.outsourcing.models import OUTSOURCING_STATUS_ZH, PROCESS_ZH, OutsourcingOrder

TITLE = "外协加工单"
DOCUMENT = "outsourcing_order"


def _product(oo: OutsourcingOrder) -> str:
    if oo.order_line_id:
        line = oo.order_line
        parts = [line.product.code, line.product.name, line.spec, line.color]
        return " ".join(p for p in parts if p)
    products = {(ln.product.code, ln.product.name) for ln in oo.order.lines.select_related("product")}
    return "、".join(f"{code} {name}" for code, name in sorted(products))


def outsourcing_order_pdf(*, outsourcing_order: OutsourcingOrder, printed_by: Any) -> bytes:
    """The caller checks scope. Nothing of the customer is printed beyond the product to process."""
    oo = outsourcing_order
    st = styles()
    sub = oo.subcontractor
    process = PROCESS_ZH.get(oo.process, oo.process) + (f"（{oo.description}）" if oo.description else "")
    header: list[tuple[str, Any]] = [
        ("外协单号", oo.number),
        ("状态", OUTSOURCING_STATUS_ZH.get(oo.status, oo.status)),
        ("加工厂", f"{sub.code} {sub.name}"),
        ("联系人", " ".join(p for p in (sub.contact_name, sub.phone) if p)),
        ("地址", sub.address),
        ("下单日期", text(oo.issued_at.date() if oo.issued_at else oo.created_at.date())),
        ("本厂订单号", oo.order.number),
        ("交货日期", text(oo.due_date)),
        ("产品/款号", _product(oo)),
        ("加工工序", process),
    ]
    amounts = grid_table(
        ["加工工序", "数量", "单位", "加工单价", "金额（元）"],
        [[process, qty(oo.quantity), oo.unit, price(oo.unit_price), money(oo.amount)]],
        st,
        widths=[40, 14, 8, 14, 16],
        right=(1, 3, 4),
    )
    story: list[Flowable] = [
        *heading_block(TITLE, st, subtitle=f"No. {oo.number}"),
        kv_table(header, st, columns=2),
        *section("加工内容", st, amounts),
        *section("发料明细", st, para(oo.materials_issued or "—", st.body)),
        *section("品质要求", st, para(oo.quality_requirements or "—", st.body)),
    ]
    dispatches = list(oo.dispatches.all())
    returns = list(oo.returns.all())
    if dispatches or returns:
        rows = [["发出", text(d.dispatched_on), qty(d.quantity), "", d.note] for d in dispatches]
        rows += [
            [
                "回厂",
                text(r.returned_on),
                qty(r.quantity_returned),
                qty(r.quantity_defective),
                r.inspection_note,
            ]
            for r in returns
        ]
        footer = [
            "结余",
            "",
            f"已发 {qty(oo.quantity_dispatched)} / 已回 {qty(oo.quantity_returned)}",
            qty(oo.quantity_defective),
            f"未回 {qty(oo.quantity_outstanding)}",
        ]
        story += section(
            "收发记录",
            st,
            grid_table(
                ["类别", "日期", "数量", "不良数", "检验/备注"],
                rows,
                st,
                widths=[8, 12, 22, 10, 40],
                right=(3,),
                footer=footer,
            ),
            long=True,
        )
    story += [
        Spacer(1, 8 * mm),
        kv_table(
            [("下单人", str(oo.issued_by or oo.created_by)), ("加工厂确认（签字/盖章）", "")],
            st,
            columns=2,
        ),
        para(
            "请按本单要求的工艺、数量、品质和交期加工；不良品按加工单价扣款或返工。本单内容仅限贵厂加工使用，请勿外传。",
            st.small,
        ),
    ]
    return pdf_bytes(
        title=f"{TITLE} {oo.number}",
        story=story,
        footer=printed_footer(user=printed_by, document_number=oo.number),
    )
