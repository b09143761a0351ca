"""Issue 18, "wrong on paper": what a printed form says equals what the record's page says (zh-Hans)."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from gendan.complaints.models import Complaint, ComplaintType, Severity
from gendan.complaints.services import complaint_register
from gendan.orders.exports import BUSINESS_TYPE_ZH
from gendan.orders.imports import order_import_plan
from gendan.orders.models import BusinessType
from gendan.orders.services import order_create
from gendan.reviews.services import review_approve, review_item_sign, review_open
from gendan.shipping.services import shipment_create
from tests.factories import CustomerFactory, order_payload
from tests.files.conftest import SIGNERS, pdf_text, released_order, xlsx
from tests.files.test_order_import import order_rows
from tests.q2c import order_in_production, shipment_payload, today


def zh_client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def page_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize(
    ("severity", "kind", "words", "not_words"),
    [
        (Severity.MINOR, ComplaintType.PACKING, ("轻微", "包装"), ()),
        (Severity.MAJOR, ComplaintType.QUALITY, ("严重", "品质"), ("一般", "质量")),
        (Severity.CRITICAL, ComplaintType.QUALITY, ("致命", "品质"), ("严重",)),
    ],
)
def test_complaint_pdf_prints_the_severity_and_type_of_the_page(
    people, customer, product, severity, kind, words, not_words
):
    order = order_in_production(people, customer, product)
    complaint = complaint_register(
        actor=people["m1"],
        data={"order": order.pk, "type": kind, "severity": severity, "description": "面料色差"},
    )
    client = zh_client(people["m1"])
    page = page_text(client.get(reverse("complaints:detail", args=[complaint.pk])))
    paper = flat(pdf_text(client.get(reverse("complaints:pdf", args=[complaint.pk])).content))
    with translation.override("zh-hans"):
        severity_label, type_label = complaint.get_severity_display(), complaint.get_type_display()
    assert (severity_label, type_label) == words
    for word in words:
        assert word in page and word in paper, word
    assert f"严重程度 {severity_label}" in paper and f"投诉类型 {type_label}" in paper
    for word in not_words:
        assert f"严重程度 {word}" not in paper and f"投诉类型 {word}" not in paper, word


def test_payment_terms_print_the_real_days_on_every_page_and_form(people, product):
    customer = CustomerFactory(
        merchandiser=people["m1"], salesperson=people["sales"], payment_terms="monthly", payment_days=45
    )
    order, review = released_order(people, customer, product)
    client = zh_client(people["m1"])
    pages = {
        "order page": page_text(client.get(reverse("orders:detail", args=[order.pk]))),
        "customer page": page_text(client.get(reverse("parties:detail", args=[customer.pk]))),
        "business notice": flat(pdf_text(client.get(reverse("order_notice_pdf", args=[order.pk])).content)),
        "review form": flat(pdf_text(client.get(reverse("review_form_pdf", args=[review.pk])).content)),
    }
    for name, text in pages.items():
        assert "月结 45 天" in text, name
        assert " N " not in text and "N 天" not in text, name


def test_invoice_page_and_pdf_word_the_terms_with_days(people, customer, product):
    from gendan.ledger.services import invoice_create

    order = order_in_production(people, customer, product)
    day = dt.date(2026, 12, 10)
    with today(day):
        shipment = shipment_create(
            order=order, actor=people["m1"], data=shipment_payload(order, {1: "60"}, ship_date=day)
        )
        invoice = invoice_create(
            actor=people["m1"], data={"invoice_date": day.isoformat(), "shipments": [shipment.pk]}
        )
    client = zh_client(people["m1"])
    page = page_text(client.get(reverse("ledger:invoice_detail", args=[invoice.pk])))
    paper = flat(pdf_text(client.get(reverse("ledger:invoice_pdf", args=[invoice.pk])).content))
    assert "月结 30 天" in page and "月结 30 天" in paper
    assert "N 天" not in page and "N 天" not in paper


def test_business_notice_prints_a_conditional_approval_remark(people, customer, product):
    order = order_create(actor=people["m1"], data=order_payload(customer, product))
    review = review_open(order=order, actor=people["sup"])
    for item in review.items.all():
        conditional = item.department == "purchasing"
        review_item_sign(
            item=item,
            actor=people[SIGNERS[item.department]],
            result="conditional" if conditional else "pass",
            comment="辅料须在 12 月 20 日前到齐" if conditional else "",
        )
    review_approve(
        review=review, actor=people["sup"], promised_date=review.feasible_date + dt.timedelta(days=7)
    )
    from gendan.orders.services import order_release

    order.refresh_from_db()
    order_release(order=order, actor=people["m1"])
    client = zh_client(people["m1"])
    paper = flat(pdf_text(client.get(reverse("order_notice_pdf", args=[order.pk])).content))
    assert "辅料须在 12 月 20 日前到齐" in paper
    assert "采购" in paper and "有条件通过" in paper
    # the review form prints each department's result as the review page shows it
    review.refresh_from_db()
    page = page_text(client.get(reverse("reviews:detail", args=[review.pk])))
    form = flat(pdf_text(client.get(reverse("review_form_pdf", args=[review.pk])).content))
    with translation.override("zh-hans"):
        for item in review.items.all():
            department, result = item.get_department_display(), item.get_result_display()
            assert department in page and department in form, department
            assert result in page and result in form, result
        assert review.get_status_display() in form


def test_one_vocabulary_for_business_types(people, customer, product):
    with translation.override("zh-hans"):
        labels = {value: str(label) for value, label in BusinessType.choices}
    assert labels == {str(k): v for k, v in BUSINESS_TYPE_ZH.items()}
    assert labels[BusinessType.BULK] == "订单跟单"
    order, _review = released_order(people, customer, product)
    client = zh_client(people["m1"])
    assert "订单跟单" in page_text(client.get(reverse("orders:create")))
    assert "订单跟单" in page_text(client.get(reverse("orders:detail", args=[order.pk])))
    assert "订单跟单" in flat(pdf_text(client.get(reverse("order_notice_pdf", args=[order.pk])).content))
    # the word the form used before still imports
    rows = order_rows(customer, [product], orders=1, lines=1)
    rows[1][4] = "大货订单"
    plan = order_import_plan(data=xlsx(rows), actor=people["m1"])
    assert not plan.preview.issues
    assert Complaint.objects.count() == 0


@pytest.mark.parametrize(
    ("stored", "worded"),
    [
        ("月结 N 天 (30)", "月结 30 天"),
        ("发票后 N 天付款 (45)", "票到 45 天付款"),
        ("Monthly statement, net N days (60)", "Monthly statement, net 60 days"),
        ("预付定金，发货前付清余款 (30.00%)", "订金 30%，余款发货前付清"),
        ("T/T 30 days (in advance)", None),  # typed by a person: left alone
    ],
)
def test_the_migration_words_stored_terms_with_their_days(stored, worded):
    from importlib import import_module

    migration = import_module("gendan.orders.migrations.0014_payment_terms_real_numbers")
    assert migration.reword(stored) == worded
