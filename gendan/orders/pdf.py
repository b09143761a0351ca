"""The business notice (业务通知单, SPEC §2.4) as PDF: what the planner receives when an order is released.

Printed in Chinese whatever the UI language. The review's conclusion is read through the reverse relation
`order.reviews` (reviews depend on orders, not the other way round, so nothing is imported from there).
"""

from collections import OrderedDict
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from gendan.catalog.imports import INDUSTRY_ZH
from gendan.core.pdf import (
    Styles,
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
from gendan.orders.exports import BUSINESS_TYPE_ZH, SOURCE_DOCUMENT_ZH, STATUS_ZH, zh
from gendan.orders.models import Order, OrderStatus
from gendan.orders.revisions import revision_print_lines
from gendan.parties.exports import CURRENCY_ZH

NOTICE_DOCUMENT = "business_notice"
NOTICE_TITLE = "业务通知单"
# The notice exists once the order is released; an order on hold keeps it if it was released before.
NOTICE_STATUSES = (
    OrderStatus.RELEASED,
    OrderStatus.IN_PRODUCTION,
    OrderStatus.PARTIALLY_SHIPPED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.CLOSED,
)
MAX_MATRIX_SIZES = 12


def notice_available(order: Order) -> bool:
    if order.status in NOTICE_STATUSES:
        return True
    return order.status == OrderStatus.ON_HOLD and order.status_before_hold in NOTICE_STATUSES


def _person(user: Any) -> str:
    return str(user) if user else ""


def _lines_table(order: Order, lines: list, st: Styles) -> Flowable:
    rows = [
        [
            line.line_no,
            line.product.code,
            line.product.name,
            line.spec,
            line.color,
            line.unit,
            qty(line.quantity),
            price(line.unit_price),
            money(line.amount),
            f"±{qty(line.tolerance_percent)}%",
        ]
        for line in lines
    ]
    footer = ["合计", "", "", "", "", "", qty(order.total_quantity), "", money(order.total_amount), ""]
    return grid_table(
        [
            "行",
            "产品编码",
            "产品名称",
            "规格",
            "颜色",
            "单位",
            "数量",
            "单价",
            f"金额({order.currency})",
            "溢短装",
        ],
        rows,
        st,
        widths=[4, 11, 16, 13, 8, 6, 9, 9, 12, 7],
        right=(6, 7, 8),
        footer=footer,
        footer_span=6,
    )


def _size_matrices(lines: list, st: Styles) -> list[Flowable]:
    """Per product: one row per colour (line), one column per size, totals right and below."""
    by_product: OrderedDict[int, list] = OrderedDict()
    for line in lines:
        if list(line.sizes.all()):
            by_product.setdefault(line.product_id, []).append(line)
    story: list[Flowable] = []
    for product_lines in by_product.values():
        product = product_lines[0].product
        sizes: list[str] = []
        for line in product_lines:
            for cell in line.sizes.all():
                if cell.size not in sizes:
                    sizes.append(cell.size)
        title = f"{product.code} {product.name}"
        if len(sizes) > MAX_MATRIX_SIZES:
            rows = [
                [
                    line.line_no,
                    line.color,
                    " ".join(f"{c.size}:{qty(c.quantity)}" for c in line.sizes.all()),
                    qty(line.quantity),
                ]
                for line in product_lines
            ]
            table = grid_table(
                ["行", "颜色", "尺码配比", "合计"], rows, st, widths=[4, 10, 60, 10], right=(3,)
            )
            story += [KeepTogether([para(title, st.label), table]), Spacer(1, 2 * mm)]
            continue
        rows = []
        column_totals = [Decimal(0)] * len(sizes)
        for line in product_lines:
            cells = {c.size: c.quantity for c in line.sizes.all()}
            for index, size in enumerate(sizes):
                column_totals[index] += cells.get(size, Decimal(0))
            rows.append(
                [
                    line.line_no,
                    line.color or "—",
                    *[qty(cells.get(s)) for s in sizes],
                    qty(sum(cells.values(), Decimal(0))),
                ]
            )
        footer = ["合计", "", *[qty(t) for t in column_totals], qty(sum(column_totals, Decimal(0)))]
        table = grid_table(
            ["行", "颜色", *sizes, "合计"],
            rows,
            st,
            widths=[4, 10, *[6] * len(sizes), 8],
            right=tuple(range(2, len(sizes) + 3)),
            footer=footer,
            footer_span=2,
        )
        story += [KeepTogether([para(title, st.label), table]), Spacer(1, 2 * mm)]
    return story


def _conditional_items(review: Any) -> list[list[str]]:
    """The departments that approved on a condition, with their remark: the planner must see the condition."""
    if review is None:
        return []
    with translation.override(settings.LANGUAGE_CODE):
        return [
            [
                item.get_department_display(),
                item.get_result_display(),
                item.comment or "—",
                _person(item.signer),
            ]
            for item in review.items.filter(result="conditional").select_related("signer").order_by("pk")
        ]


def _review_block(order: Order, st: Styles) -> list[Flowable]:
    review = order.reviews.filter(status="approved").select_related("concluded_by").order_by("-round").first()
    pairs: list[tuple[str, Any]] = [
        ("评审结论", f"评审通过（第 {review.round} 轮）" if review else "—"),
        ("批准人", _person(review.concluded_by) if review else ""),
        ("可行交期", text(order.feasible_date)),
        ("承诺交期", text(order.promised_date)),
        ("批准时间", text(review.concluded_at) if review else ""),
        ("评审意见", review.conclusion if review else ""),
    ]
    story: list[Flowable] = [kv_table(pairs, st, columns=2)]
    conditions = _conditional_items(review)
    if conditions:
        story += [
            Spacer(1, 2 * mm),
            para("附条件通过的部门意见", st.label),
            grid_table(["部门", "结果", "条件 / 意见", "签署人"], conditions, st, widths=[22, 12, 50, 16]),
        ]
    if order.is_date_risk:
        story.append(
            para(
                f"【交期风险】承诺交期 {text(order.promised_date)} 早于可行交期 {text(order.feasible_date)}。"
                f"理由：{order.promise_reason}",
                st.risk,
            )
        )
    return story


def business_notice_pdf(*, order: Order, printed_by: Any) -> bytes:
    """The notice of a released order (the caller checks scope and `notice_available`)."""
    st = styles()
    lines = list(order.lines.all())
    customer = order.customer
    source = zh(SOURCE_DOCUMENT_ZH, order.source_document)
    if order.original_pending:
        source += "（原件待收）"
    header: list[tuple[str, Any]] = [
        ("订单号", order.number),
        ("状态", zh(STATUS_ZH, order.status)),
        ("客户", f"{customer.code} {customer.name}"),
        ("客户订单号", order.customer_po + ("（确认重复下单）" if order.is_repeat else "")),
        ("下单日期", text(order.order_date)),
        ("要求交期", text(order.requested_date)),
        ("承诺交期", text(order.promised_date)),
        ("下单时间", text(order.released_at)),
        ("业务类型", zh(BUSINESS_TYPE_ZH, order.business_type)),
        ("行业", zh(INDUSTRY_ZH, order.industry)),
        ("来源单据", source),
        ("币种", zh(CURRENCY_ZH, order.currency)),
        ("付款条件", order.payment_terms),
        ("贸易术语", order.incoterm or "—"),
        ("跟单员", _person(order.merchandiser)),
        ("业务员", _person(order.salesperson)),
        ("计划签收", f"{_person(order.planner_ack_by)} {text(order.planner_ack_at)}".strip() or "未签收"),
        ("总金额", f"{money(order.total_amount)} {order.currency}"),
    ]
    revised, changes = revision_print_lines(order=order)
    subtitle = f"No. {order.number}" + (f" · 第 {order.revision} 次修订" if revised else "")
    story: list[Flowable] = [
        *heading_block(NOTICE_TITLE, st, subtitle=subtitle),
        kv_table(header, st, columns=2),
    ]
    if revised:  # the change the planner must act on, before anything else (gendan.changes)
        story += section(revised, st, *[para(f"• {line}", st.body) for line in changes or ["—"]], long=True)
    story += [
        *section("客户要求", st, para(order.requirements or "—", st.body), long=True),
        *section("订单明细", st, _lines_table(order, lines, st), long=True),
    ]
    matrices = _size_matrices(lines, st)
    if matrices:
        story += section("颜色尺码配比", st, *matrices, long=True)
    story += section("评审结论", st, *_review_block(order, st))
    story += [
        Spacer(1, 8 * mm),
        para("跟单员签字：____________　　计划员签收：____________　　日期：____________", st.body),
    ]
    return pdf_bytes(
        title=f"{NOTICE_TITLE} {order.number}",
        story=story,
        footer=printed_footer(user=printed_by, document_number=order.number),
    )
