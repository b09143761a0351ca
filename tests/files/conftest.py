"""Fixtures for files in and out: real .xlsx built with openpyxl, real PDFs read back with pdftotext."""

import datetime as dt
import io
import subprocess
from collections.abc import Sequence
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from gendan.accounts.models import User
from gendan.orders.models import Order
from gendan.orders.services import order_create, order_release
from gendan.reviews.models import ReviewDepartment
from gendan.reviews.services import review_approve, review_item_sign, review_open
from tests.factories import order_payload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploads kept between preview and commit go to a per-test folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


def xlsx(rows: Sequence[Sequence[Any]], *, title: str = "Sheet1") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = XLSX) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # compare the English msgids
    client.force_login(user)
    return client


def sheet_rows(content: bytes) -> list[tuple]:
    """All rows of the first sheet of an .xlsx response (full mode, so data types are visible)."""
    workbook = load_workbook(io.BytesIO(content))
    return [tuple(cell.value for cell in row) for row in workbook.worksheets[0].iter_rows()]


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-"), content[:20]
    result = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


SIGNERS = {
    ReviewDepartment.BUSINESS: "sales",
    ReviewDepartment.TECHNICAL: "tech",
    ReviewDepartment.PLANNING: "planner",
    ReviewDepartment.PURCHASING: "purchasing",
    ReviewDepartment.QUALITY: "qc",
    ReviewDepartment.FINANCE: "finance",
}


def reviewed_order(people, customer, product, *, promise_early: bool = False, **payload) -> tuple[Order, Any]:
    """An order taken by m1, reviewed by every department and approved by the supervisor."""
    order = order_create(actor=people["m1"], data=order_payload(customer, product, **payload))
    review = review_open(order=order, actor=people["sup"])
    for item in review.items.all():
        review_item_sign(item=item, actor=people[SIGNERS[item.department]], result="pass", comment="")
    if promise_early:
        promised, reason = review.feasible_date - dt.timedelta(days=3), "客户急单，加班赶货"
    else:
        promised, reason = review.feasible_date + dt.timedelta(days=7), ""
    review = review_approve(
        review=review, actor=people["sup"], promised_date=promised, reason=reason, conclusion="同意接单"
    )
    order.refresh_from_db()
    return order, review


def released_order(people, customer, product, **kwargs) -> tuple[Order, Any]:
    order, review = reviewed_order(people, customer, product, **kwargs)
    order = order_release(order=order, actor=people["m1"])
    return order, review
