import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gendan.complaints.models import ComplaintEvent, ComplaintStatus
from gendan.complaints.selectors import complaint_get, complaint_list, complaints_overdue
from gendan.complaints.services import (
    PhotoRejected,
    complaint_close,
    complaint_corrective_action,
    complaint_customer_confirm,
    complaint_investigate,
    complaint_mark_violation,
    complaint_photo_add,
    complaint_register,
    complaint_root_cause,
    complaint_transition,
)
from gendan.core.errors import NotFoundError, PermissionDeniedError, TransitionError, ValidationFailed
from gendan.orders.models import OrderEvent
from gendan.shipping.services import shipment_create
from tests.q2c import order_in_production, shipment_payload, today

DAY = dt.date(2026, 12, 10)


def _png() -> bytes:
    """A real 4×4 PNG (photos are decoded, not just recognised by their first bytes)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _png()


@pytest.fixture
def complaint(people, customer, product):
    order = order_in_production(people, customer, product)
    with today(DAY):
        shipment = shipment_create(
            order=order, actor=people["m1"], data=shipment_payload(order, {1: "100"}, ship_date=DAY)
        )
        return complaint_register(
            actor=people["m1"],
            data={
                "order": order.pk,
                "shipment": shipment.pk,
                "type": "quality",
                "severity": "major",
                "description": "领口开线 12 件",
                "quantity_affected": "12",
                "claim_amount": "150.00",
            },
        )


def test_a_complaint_goes_through_every_state_with_deadlines(people, complaint):
    assert complaint.number == "KS2026-000001" and complaint.status == ComplaintStatus.REGISTERED
    assert complaint.deadline == DAY + dt.timedelta(days=1) and complaint.claim_amount == Decimal("150.00")
    assert complaint.order.events.filter(type=OrderEvent.Type.COMPLAINT_REGISTERED).exists()
    steps = [
        (
            lambda c: complaint_investigate(complaint=c, actor=people["sup"], department="quality"),
            ComplaintStatus.INVESTIGATING,
            3,
        ),
        (
            lambda c: complaint_root_cause(complaint=c, actor=people["qc"], root_cause="缝纫机针距设置错误"),
            ComplaintStatus.ROOT_CAUSE,
            5,
        ),
        (
            lambda c: complaint_corrective_action(complaint=c, actor=people["m1"], action="返工并补发 12 件"),
            ComplaintStatus.CORRECTIVE_ACTION,
            7,
        ),
        (
            lambda c: complaint_customer_confirm(
                complaint=c, actor=people["m1"], confirmation="客户邮件确认收到补发"
            ),
            ComplaintStatus.CUSTOMER_CONFIRMED,
            2,
        ),
    ]
    current = complaint
    with today(DAY + dt.timedelta(days=1)):
        for step, status, days in steps:
            current = step(current)
            assert current.status == status and current.deadline == DAY + dt.timedelta(days=1 + days)
        current = complaint_close(complaint=current, actor=people["sup"], note="结案")
    assert current.status == ComplaintStatus.CLOSED and current.deadline is None and current.closed_at
    assert current.responsible_department.code == "quality" and current.root_cause == "缝纫机针距设置错误"
    assert [e.to_status for e in current.events.filter(type=ComplaintEvent.Type.TRANSITION)] == [
        "investigating",
        "root_cause",
        "corrective_action",
        "customer_confirmed",
        "closed",
    ]


def test_an_illegal_jump_is_refused_and_changes_nothing(people, complaint):
    with pytest.raises(TransitionError):
        complaint_close(complaint=complaint, actor=people["sup"])
    with pytest.raises(TransitionError):
        complaint_root_cause(complaint=complaint, actor=people["sup"], root_cause="x")
    with pytest.raises(PermissionDeniedError):  # the manager assigns the investigation
        complaint_investigate(complaint=complaint, actor=people["m1"], department="quality")
    with pytest.raises(ValidationFailed):
        complaint_investigate(complaint=complaint, actor=people["sup"], department="")
    with pytest.raises(ValidationFailed):
        complaint_investigate(complaint=complaint, actor=people["sup"], department="nowhere")
    with pytest.raises(TransitionError):
        complaint_transition(complaint=complaint, actor=people["sup"], action="reopen")
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.REGISTERED and complaint.version == 1
    assert not complaint.events.filter(type=ComplaintEvent.Type.TRANSITION).exists()


def test_a_passed_deadline_puts_the_complaint_on_the_dashboard(people, complaint, client):
    assert not complaints_overdue(user=people["m1"], as_of=DAY + dt.timedelta(days=1)).exists()
    assert list(complaints_overdue(user=people["m1"], as_of=DAY + dt.timedelta(days=2))) == [complaint]
    assert list(complaints_overdue(user=people["sup"], as_of=DAY + dt.timedelta(days=2))) == [complaint]
    assert not complaints_overdue(user=people["m2"], as_of=DAY + dt.timedelta(days=2)).exists()
    client.force_login(people["m1"])
    with today(DAY + dt.timedelta(days=2)):
        page = client.get("/")
    assert page.status_code == 200
    assert complaint.number in page.content.decode()
    with today(DAY + dt.timedelta(days=2)):
        complaint_investigate(complaint=complaint, actor=people["sup"], department="production")
        assert not complaints_overdue(user=people["m1"], as_of=DAY + dt.timedelta(days=2)).exists()
        page = client.get("/")
    assert complaint.number not in page.content.decode()


def test_violation_evidence_mark(people, complaint):
    with pytest.raises(PermissionDeniedError):
        complaint_mark_violation(complaint=complaint, actor=people["m1"], note="3")
    marked = complaint_mark_violation(
        complaint=complaint, actor=people["sup"], note="违规3：未跟进生产导致客诉", ref="V-2026-7"
    )
    assert marked.is_violation_evidence and marked.violation_ref == "V-2026-7"


def test_photos_are_checked_by_content(people, complaint):
    photo = complaint_photo_add(
        complaint=complaint, actor=people["m1"], file=SimpleUploadedFile("a.png", PNG), caption="领口"
    )
    assert photo.file.name.endswith(".png") and complaint.photos.count() == 1
    with pytest.raises(PhotoRejected):
        complaint_photo_add(
            complaint=complaint, actor=people["m1"], file=SimpleUploadedFile("x.jpg", b"<html>")
        )
    with pytest.raises(NotFoundError):
        complaint_photo_add(complaint=complaint, actor=people["m2"], file=SimpleUploadedFile("a.png", PNG))


def test_registration_needs_an_order_in_scope_and_a_description(people, complaint):
    with today(DAY), pytest.raises(ValidationFailed) as exc:
        complaint_register(actor=people["m2"], data={"order": complaint.order_id, "type": "quality"})
    assert {"order", "description"} <= set(exc.value.fields)
    assert list(complaint_list(user=people["m1"])) == [complaint]
    assert not complaint_list(user=people["m2"]).exists()
    with pytest.raises(NotFoundError):
        complaint_get(user=people["m3"], pk=complaint.pk)


def test_complaint_form_pdf(people, complaint):
    import subprocess

    from gendan.complaints.documents import complaint_pdf

    data = complaint_pdf(complaint=complaint, user=people["m1"])
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    for expected in ("客诉单", complaint.number, "领口开线 12 件", "150.00", complaint.order.number):
        assert expected in text


def test_overdue_complaints_are_reminded_once_per_deadline(people, complaint):
    from gendan.complaints.services import complaints_overdue_remind
    from gendan.notify.models import Notification

    assert complaints_overdue_remind(as_of=DAY + dt.timedelta(days=1)) == 0
    assert complaints_overdue_remind(as_of=DAY + dt.timedelta(days=2)) == 1
    assert complaints_overdue_remind(as_of=DAY + dt.timedelta(days=3)) == 0
    kinds = Notification.objects.filter(kind="complaint.overdue")
    assert {n.recipient.username for n in kinds} == {"m1", "sup"}
