"""The complaint form (客诉单) as PDF."""

from django.conf import settings
from django.utils import translation

from gendan.complaints.models import Complaint
from gendan.core import pdf


def complaint_pdf(*, complaint: Complaint, user) -> bytes:
    """Printed in Chinese; every choice prints through the record's own label, as on its page."""
    with translation.override(settings.LANGUAGE_CODE):
        return _complaint_pdf(complaint=complaint, user=user)


def _complaint_pdf(*, complaint: Complaint, user) -> bytes:
    st = pdf.styles()
    order = complaint.order
    story = pdf.heading_block("客诉单", st, subtitle=complaint.number)
    story.append(
        pdf.kv_table(
            [
                ("客诉单号", complaint.number),
                ("接诉日期", complaint.received_on),
                ("客户", complaint.customer.name),
                ("订单号", f"{order.number} / PO {order.customer_po}"),
                ("发货单", complaint.shipment.number if complaint.shipment_id else "—"),
                ("跟单员", order.merchandiser),
                ("投诉类型", complaint.get_type_display()),
                ("严重程度", complaint.get_severity_display()),
                ("涉及数量", pdf.qty(complaint.quantity_affected)),
                ("索赔金额", f"{complaint.currency} {pdf.money(complaint.claim_amount)}"),
                ("状态", complaint.get_status_display()),
                ("当前期限", complaint.deadline or "—"),
                ("责任部门", complaint.responsible_department or "—"),
                ("违规证据", "是" if complaint.is_violation_evidence else "否"),
            ],
            st,
        )
    )
    for title, value in (
        ("投诉内容", complaint.description),
        ("原因分析", complaint.root_cause),
        ("纠正措施", complaint.corrective_action),
        ("客户确认", complaint.customer_confirmation),
        ("结案意见", complaint.closing_note),
    ):
        story += pdf.section(title, st, pdf.para(value or "—", st.body))
    return pdf.pdf_bytes(
        title=f"客诉单 {complaint.number}",
        story=story,
        footer=pdf.printed_footer(user=user, document_number=complaint.number),
    )
