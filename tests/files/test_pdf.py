"""Printed forms: business notice (业务通知单) and review form (客户订单评审表), read back with pdftotext."""

from django.urls import reverse

from gendan.core import pdf as core_pdf
from gendan.orders.models import OrderEvent
from gendan.orders.services import order_create
from gendan.reviews.services import review_open
from tests.factories import order_payload
from tests.files.conftest import client_for, pdf_text, released_order, reviewed_order


def _printed(order) -> list[dict]:
    return list(order.events.filter(type=OrderEvent.Type.PRINTED).values_list("data", flat=True))


def test_business_notice_pdf(people, customer, product, settings):
    settings.COMPANY_NAME = "东莞测试制衣有限公司"
    order, _review = released_order(people, customer, product, requirements="面料按确认样 <b>&</b> 包装")
    response = client_for(people["m1"]).get(reverse("order_notice_pdf", args=[order.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in (
        "东莞测试制衣有限公司",
        "业务通知单",
        order.number,
        customer.name,
        "PO-1",
        "已下单",
        "评审通过",
        "同意接单",
        "面料按确认样 <b>&</b> 包装",  # markup in user text is printed, not interpreted
        "颜色尺码配比",
        "1,250.00",
    ):
        assert expected in text, expected
    assert _printed(order) == [{"document": "business_notice"}]


def test_the_planner_prints_the_notice_of_a_released_order(people, customer, product):
    order, _review = released_order(people, customer, product)
    response = client_for(people["planner"]).get(reverse("order_notice_pdf", args=[order.pk]))
    assert response.status_code == 200
    assert order.number in pdf_text(response.content)


def test_no_business_notice_before_release(people, customer, product):
    order = order_create(actor=people["m1"], data=order_payload(customer, product))
    response = client_for(people["m1"]).get(reverse("order_notice_pdf", args=[order.pk]))
    assert response.status_code == 409
    assert order.number in response.content.decode()
    assert _printed(order) == []


def test_review_form_pdf_with_the_date_risk(people, customer, product):
    order, review = reviewed_order(people, customer, product, promise_early=True)
    response = client_for(people["sup"]).get(reverse("review_form_pdf", args=[review.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    for expected in (
        "客户订单评审表",
        order.number,
        customer.name,
        "技术（工艺、规格）",
        "财务（信用）",
        "通过",
        "tech",
        "在信用额度内",
        "1,000,000.00",
        "生产周期 10 个工作日 + 物料周期 5 个工作日",
        "评审通过",
        "【交期风险】",
        "客户急单，加班赶货",
        review.feasible_date.isoformat(),
    ):
        assert expected in text, expected
    assert _printed(order) == [{"document": "review_form", "review": review.pk, "round": 1}]


def test_review_form_of_an_open_review_has_pending_items(people, customer, product):
    order = order_create(actor=people["m1"], data=order_payload(customer, product))
    review = review_open(order=order, actor=people["sup"])
    text = pdf_text(client_for(people["tech"]).get(reverse("review_form_pdf", args=[review.pk])).content)
    assert "客户订单评审表" in text and "待签" in text and "评审中" in text and "【交期风险】" not in text


def test_both_pdfs_are_404_outside_the_users_scope(people, customer, product):
    order, review = released_order(people, customer, product)
    outsider = client_for(people["m3"])  # another team's merchandiser
    assert outsider.get(reverse("order_notice_pdf", args=[order.pk])).status_code == 404
    assert outsider.get(reverse("review_form_pdf", args=[review.pk])).status_code == 404
    assert client_for(people["m3"]).get(reverse("order_notice_pdf", args=[999999])).status_code == 404
    assert _printed(order) == []


def test_without_the_truetype_font_the_cid_font_keeps_text_extractable(people, customer, product, settings):
    settings.PDF_FONT_PATH = "/nonexistent/font.ttc"
    assert core_pdf.font_name() == "STSong-Light"
    order, _review = released_order(people, customer, product)
    text = pdf_text(client_for(people["m1"]).get(reverse("order_notice_pdf", args=[order.pk])).content)
    assert "业务通知单" in text and order.number in text and customer.name in text


def test_a_long_order_runs_over_pages_and_wide_size_ranges_still_print(people, customer, product):
    import re

    from tests.factories import ProductFactory

    sizes = [f"{n}" for n in range(34, 60, 2)]  # 13 sizes: printed as text, not as a matrix
    lines = [
        {
            "product": (product if n % 2 else ProductFactory()).code,
            "quantity": str(len(sizes) * 10),
            "unit_price": "8.8",
            "color": f"色{n}",
            "sizes": " ".join(f"{size}:10" for size in sizes),
        }
        for n in range(80)
    ]
    order, _review = released_order(people, customer, product, lines=lines)
    text = pdf_text(client_for(people["m1"]).get(reverse("order_notice_pdf", args=[order.pk])).content)
    assert re.search(r"第\s*3\s*页", text)
    assert "色79" in text and "34:10 36:10" in text
    assert f"{order.total_amount:,.2f}" in text
