"""The customer order review form (客户订单评审表, SPEC §2.3) as PDF, in Chinese whatever the UI language."""

from typing import Any

from django.conf import settings
from django.utils import translation
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
from gendan.orders.exports import BUSINESS_TYPE_ZH, SOURCE_DOCUMENT_ZH, STATUS_ZH, zh
from gendan.orders.revisions import revision_print_lines
from gendan.parties.exports import CURRENCY_ZH, payment_terms_zh
from gendan.parties.models import PaymentTermsType
from gendan.reviews.models import Review, ReviewDepartment

REVIEW_FORM_DOCUMENT = "review_form"
REVIEW_FORM_TITLE = "客户订单评审表"


def _person(user: Any) -> str:
    return str(user) if user else ""


def _basis(review: Review) -> str:
    basis = review.feasible_basis or {}
    if not isinstance(basis, dict) or not basis:
        return "—"
    parts = []
    if basis.get("start"):
        parts.append(f"起算日 {basis['start']}")
    cycle, lead = basis.get("production_cycle_days"), basis.get("material_lead_days")
    if cycle is not None or lead is not None:
        parts.append(
            f"生产周期 {cycle or 0} 个工作日 + 物料周期 {lead or 0} 个工作日 = "
            f"{basis.get('working_days', (cycle or 0) + (lead or 0))} 个工作日（按工作日历，含法定节假日与调休）"
        )
    for warning in basis.get("warnings") or []:
        parts.append(f"注意：{warning}")
    return "；".join(parts) or "—"


def review_form_pdf(*, review: Review, printed_by: Any) -> bytes:
    """The review form of one review round (the caller checks scope). Printed in Chinese; departments,
    results and the conclusion print through the records' own labels, as on the review page."""
    with translation.override(settings.LANGUAGE_CODE):
        return _review_form_pdf(review=review, printed_by=printed_by)


def _review_form_pdf(*, review: Review, printed_by: Any) -> bytes:
    st = styles()
    order = review.order
    customer = order.customer
    lines = list(order.lines.select_related("product").prefetch_related("sizes").order_by("line_no"))
    items = sorted(review.items.all(), key=lambda i: list(ReviewDepartment.values).index(i.department))

    order_pairs: list[tuple[str, Any]] = [
        ("订单号", order.number),
        ("订单状态", zh(STATUS_ZH, order.status)),
        ("客户", f"{customer.code} {customer.name}"),
        ("客户订单号", order.customer_po),
        ("下单日期", text(order.order_date)),
        ("要求交期", text(order.requested_date)),
        ("业务类型", zh(BUSINESS_TYPE_ZH, order.business_type)),
        ("来源单据", zh(SOURCE_DOCUMENT_ZH, order.source_document)),
        ("币种", zh(CURRENCY_ZH, order.currency)),
        ("付款条件", order.payment_terms),
        ("跟单员", _person(order.merchandiser)),
        ("业务员", _person(order.salesperson)),
        ("总数量", qty(order.total_quantity)),
        ("总金额", f"{money(order.total_amount)} {order.currency}"),
    ]
    line_rows = [
        [
            line.line_no,
            f"{line.product.code} {line.product.name}",
            line.spec,
            line.color,
            " ".join(f"{s.size}:{qty(s.quantity)}" for s in line.sizes.all()),
            f"{qty(line.quantity)} {line.unit}",
            price(line.unit_price),
            money(line.amount),
        ]
        for line in lines
    ]

    exempt = customer.payment_terms in (PaymentTermsType.PREPAYMENT, PaymentTermsType.CASH)
    total_exposure = review.credit_open_amount + review.credit_order_amount
    if exempt:
        credit_result = f"{payment_terms_zh(customer)}，免信用检查"
    else:
        credit_result = "在信用额度内" if review.credit_ok else "超出信用额度"
    credit_pairs: list[tuple[str, Any]] = [
        ("信用额度", money(review.credit_limit)),
        ("未结订单", money(review.credit_open_amount)),
        ("本单金额", money(review.credit_order_amount)),
        ("合计占用", money(total_exposure)),
        ("检查结果", credit_result),
        ("付款方式", payment_terms_zh(customer)),
    ]

    item_rows = [
        [
            item.get_department_display(),
            item.get_result_display(),
            item.comment,
            _person(item.signer),
            text(item.signed_at),
        ]
        for item in items
    ]

    conclusion_pairs: list[tuple[str, Any]] = [
        ("评审结论", review.get_status_display()),
        ("承诺交期", text(review.promised_date) or "—"),
        ("结论人", _person(review.concluded_by)),
        ("结论时间", text(review.concluded_at)),
        ("结论说明", review.conclusion or "—"),
        ("可行交期", text(review.feasible_date)),
    ]

    # after review the order may have been changed (gendan.changes): the form prints the current revision
    revised, changes = revision_print_lines(order=order)
    story: list[Flowable] = [
        *heading_block(
            REVIEW_FORM_TITLE,
            st,
            subtitle=f"No. {order.number} · 第 {review.round} 轮 · 发起：{_person(review.opened_by)} "
            f"{text(review.created_at)}" + (f" · 第 {order.revision} 次修订" if revised else ""),
        ),
        *(
            section(revised, st, *[para(f"• {line}", st.body) for line in changes or ["—"]])
            if revised
            else []
        ),
        *section("订单资料", st, kv_table(order_pairs, st, columns=2)),
        *section(
            "订单明细",
            st,
            grid_table(
                ["行", "产品", "规格", "颜色", "尺码配比", "数量", "单价", "金额"],
                line_rows,
                st,
                widths=[4, 20, 13, 8, 20, 11, 9, 11],
                right=(5, 6, 7),
            ),
            long=True,
        ),
        *section(
            "可行交期",
            st,
            kv_table([("可行交期", text(review.feasible_date)), ("依据", _basis(review))], st, columns=1),
        ),
        *section("信用检查（财务）", st, kv_table(credit_pairs, st, columns=2)),
        *section(
            "各部门评审",
            st,
            grid_table(
                ["部门", "结果", "意见", "签署人", "签署时间"], item_rows, st, widths=[18, 11, 36, 12, 17]
            ),
        ),
        *section("评审结论", st, kv_table(conclusion_pairs, st, columns=2)),
    ]
    if review.is_date_risk:
        story.append(
            para(
                f"【交期风险】承诺交期 {text(review.promised_date)} 早于可行交期 {text(review.feasible_date)}。"
                f"书面理由：{review.promise_reason}",
                st.risk,
            )
        )
    story += [
        Spacer(1, 8 * mm),
        para("跟单主任签字：____________　　总经理签字：____________　　日期：____________", st.body),
    ]
    return pdf_bytes(
        title=f"{REVIEW_FORM_TITLE} {order.number}",
        story=story,
        footer=printed_footer(user=printed_by, document_number=f"{order.number} #{review.round}"),
    )
