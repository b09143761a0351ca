"""Files on the record (issue 14 item 4, issue 21 item 5): attachments on orders, reviews, shipments and
complaints — the allowed types only, by content; capped size; random stored names; scope-checked, audited
downloads; soft withdrawal; the original of a fax order received by attaching it; events on the timeline."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gendan.accounts.services import api_token_create
from gendan.complaints.services import complaint_register
from gendan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError, TransitionError
from gendan.core.models import AuditLog
from gendan.files.models import Attachment, AttachmentKind
from gendan.files.selectors import attachment_get, attachment_owner_get
from gendan.files.services import attachment_add, attachment_withdraw
from gendan.orders.models import OrderEvent
from gendan.orders.services import order_create
from gendan.reviews.models import Review
from gendan.shipping.services import shipment_create
from tests.factories import order_payload
from tests.q2c import order_in_production, shipment_payload, today

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 10)
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
    + b"\x00" * 200
    + b"This program cannot be run in DOS mode"
)
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 40
EML = b"From: buyer@example.com\r\nTo: m1@factory.cn\r\nSubject: PO 7788\r\n\r\nPlease see the PO.\r\n"


def _ooxml(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<x/>")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def owners(people, customer, product):
    """m1's order in production with its review, a shipment and a complaint: one owner of each kind."""
    order = order_in_production(people, customer, product)
    with today(DAY):
        shipment = shipment_create(
            order=order, actor=people["m1"], data=shipment_payload(order, {1: "100"}, ship_date=DAY)
        )
        complaint = complaint_register(
            actor=people["m1"],
            data={"order": order.pk, "shipment": shipment.pk, "type": "quality", "description": "领口开线"},
        )
    review = Review.objects.filter(order=order).order_by("-round").first()
    return {"order": order, "review": review, "shipment": shipment, "complaint": complaint}


@pytest.fixture
def draft(people, customer, product):
    return order_create(actor=people["m1"], data=order_payload(customer, product))


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- what may be attached -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,content",
    [
        ("po.pdf", PDF),
        ("scan.PNG", PNG),
        ("photo.heic", HEIC),
        ("sizes.xlsx", _ooxml("xl")),
        ("techpack.docx", _ooxml("word")),
        ("old.xls", OLE2),
        ("old.doc", OLE2),
        ("mail.msg", OLE2),
        ("mail.eml", EML),
        ("note.txt", "客户确认：颜色改为藏青。".encode()),
    ],
)
def test_allowed_types_are_attached_under_a_random_name(people, draft, settings, name, content):
    order = draft
    attachment = attachment_add(owner=order, actor=people["m1"], file=upload(name, content), kind="artwork")
    assert attachment.original_name == name and attachment.size == len(content)
    assert len(attachment.sha256) == 64
    stored = attachment.file.name
    assert stored.startswith("attachments/") and name.rsplit(".", 1)[0] not in stored
    assert stored.endswith("." + name.rsplit(".", 1)[1].lower())
    assert len(stored.rsplit("/", 1)[1].split(".")[0]) >= 24  # token_urlsafe(18): 144 random bits
    event = order.events.get(type=OrderEvent.Type.ATTACHMENT_ADDED)
    assert event.note == name and event.data["attachment"] == attachment.pk


@pytest.mark.parametrize(
    "name,content,code",
    [
        ("setup.exe", EXE, "file_type_not_allowed"),
        ("invoice.pdf", EXE, "file_content_mismatch"),  # a renamed executable
        ("scan.jpg", PDF, "file_content_mismatch"),
        ("sizes.xlsx", _ooxml("word"), "file_content_mismatch"),
        ("archive.zip", _ooxml("xl"), "file_type_not_allowed"),
        ("page.html", b"<html><script>alert(1)</script></html>", "file_type_not_allowed"),
        ("image.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "file_type_not_allowed"),
        ("noext", PDF, "file_type_not_allowed"),
        ("notes.txt", EXE, "file_content_mismatch"),
        ("empty.pdf", b"", "file_empty"),
    ],
)
def test_refused_files_leave_nothing_behind(people, draft, settings, name, content, code):
    order = draft
    events = order.events.count()
    with pytest.raises(ApplicationError) as exc:
        attachment_add(owner=order, actor=people["m1"], file=upload(name, content))
    assert exc.value.code == code and exc.value.status == 400
    assert exc.value.extra["fields"]["file"] == [exc.value.message]
    assert not Attachment.objects.exists() and stored_files(settings) == []
    assert order.events.count() == events


def test_oversize_is_refused_with_the_limit_named(people, draft, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ApplicationError) as exc:
        attachment_add(owner=draft, actor=people["m1"], file=upload("big.pdf", PDF + b"0" * 2000))
    assert exc.value.code == "file_too_large"
    assert "at most 1.0\xa0KB" in exc.value.message.replace(" KB", "\xa0KB"), exc.value.message
    assert not Attachment.objects.exists() and stored_files(settings) == []


def test_messages_are_chinese_in_the_chinese_ui(people, draft):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ApplicationError) as exc:
        attachment_add(owner=draft, actor=people["m1"], file=upload("invoice.pdf", EXE))
    assert "PDF" in exc.value.message and "文件" in exc.value.message


# --- scope, withdrawal, the original ------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["order", "review", "shipment", "complaint"])
def test_every_owner_kind_is_scoped_by_its_order(people, owners, key):
    owner = owners[key]
    attachment = attachment_add(owner=owner, actor=people["m1"], file=upload("a.pdf", PDF))
    assert attachment.order_id == owners["order"].pk
    for user in ("m1", "sup", "sales", "planner", "gm", "auditor"):
        assert attachment_get(user=people[user], pk=attachment.pk) == attachment
        assert attachment_owner_get(user=people[user], owner_type=key, owner_id=owner.pk)[1] == owner
    for user in ("m2", "m3", "sup2"):
        with pytest.raises(NotFoundError):
            attachment_get(user=people[user], pk=attachment.pk)
        with pytest.raises(NotFoundError):
            attachment_owner_get(user=people[user], owner_type=key, owner_id=owner.pk)
        with pytest.raises(NotFoundError):
            attachment_add(owner=owner, actor=people[user], file=upload("b.pdf", PDF))
    with pytest.raises(PermissionDeniedError):
        attachment_add(owner=owner, actor=people["auditor"], file=upload("b.pdf", PDF))


def test_withdraw_is_soft_and_only_for_the_uploader_or_a_lead(people, owners):
    order = owners["order"]
    attachment = attachment_add(owner=order, actor=people["m1"], file=upload("a.pdf", PDF))
    with pytest.raises(PermissionDeniedError):
        attachment_withdraw(attachment=attachment, actor=people["sales"], reason="错传")
    done = attachment_withdraw(attachment=attachment, actor=people["sup"], reason="错传")
    assert done.withdrawn and done.withdrawn_by == people["sup"] and Attachment.objects.count() == 1
    assert done.file.storage.exists(done.file.name)  # the file stays on the record
    assert order.events.filter(type=OrderEvent.Type.ATTACHMENT_WITHDRAWN, note="错传").exists()
    with pytest.raises(TransitionError):
        attachment_withdraw(attachment=attachment, actor=people["m1"])


def test_attaching_the_original_po_receives_the_original(people, customer, product):
    order = order_create(actor=people["m1"], data=order_payload(customer, product, source_document="fax"))
    assert order.original_pending
    # a fax copy is not the original
    attachment_add(owner=order, actor=people["m1"], file=upload("fax.pdf", PDF), kind=AttachmentKind.FAX)
    order.refresh_from_db()
    assert order.original_pending
    original = attachment_add(
        owner=order, actor=people["m1"], file=upload("original.pdf", PDF), kind=AttachmentKind.ORIGINAL_PO
    )
    order.refresh_from_db()
    assert not order.original_pending and order.original_received_at is not None
    event = order.events.get(type=OrderEvent.Type.ORIGINAL_RECEIVED)
    assert event.actor == people["m1"] and event.data == {"attachment": original.pk}
    # a second original changes nothing more
    attachment_add(
        owner=order, actor=people["m1"], file=upload("again.pdf", PDF), kind=AttachmentKind.ORIGINAL_PO
    )
    assert order.events.filter(type=OrderEvent.Type.ORIGINAL_RECEIVED).count() == 1


# --- the site -----------------------------------------------------------------------------------------------


def _login(people, name: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(people[name])
    return client


@pytest.mark.parametrize("key", ["order", "review", "shipment", "complaint"])
def test_pages_show_the_files_and_upload_through_them(people, owners, key):
    owner = owners[key]
    client = _login(people, "m1")
    url = {"order": "/orders/", "review": "/reviews/", "shipment": "/shipping/", "complaint": "/complaints/"}[
        key
    ]
    response = client.post(
        f"/files/{key}/{owner.pk}/", {"file": upload("工艺单.pdf", PDF), "kind": "tech_pack", "note": "v2"}
    )
    assert response.status_code == 302 and response["Location"].endswith(f"{url}{owner.pk}/#attachments")
    attachment = Attachment.objects.get()
    page = client.get(f"{url}{owner.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="attachments"' in html and "工艺单.pdf" in html and f"/files/{attachment.pk}/" in html
    assert "Tech pack" in html
    # a refused file comes back as a message, nothing stored
    client.post(f"/files/{key}/{owner.pk}/", {"file": upload("x.pdf", EXE)})
    assert Attachment.objects.count() == 1
    assert "not a PDF" in client.get(f"{url}{owner.pk}/").content.decode()


def test_download_in_scope_is_audited_and_out_of_scope_is_404(people, owners):
    attachment = attachment_add(owner=owners["shipment"], actor=people["m1"], file=upload("装箱单.pdf", PDF))
    response = _login(people, "sup").get(f"/files/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    assert "filename*=UTF-8''%E8%A3%85" in response["Content-Disposition"]
    entry = AuditLog.objects.get(action=AuditLog.Action.DOWNLOAD, what="attachment")
    assert entry.actor == people["sup"] and entry.object_ref == f"{owners['order'].number}#{attachment.pk}"
    for name in ("m2", "m3", "sup2"):
        assert _login(people, name).get(f"/files/{attachment.pk}/").status_code == 404
        assert _login(people, name).post(f"/files/{attachment.pk}/withdraw/").status_code == 404
        assert (
            _login(people, name)
            .post(f"/files/shipment/{owners['shipment'].pk}/", {"file": upload("a.pdf", PDF)})
            .status_code
            == 404
        )
    anonymous = Client().get(f"/files/{attachment.pk}/")
    assert anonymous.status_code == 302 and "/accounts/login" in anonymous["Location"]
    assert AuditLog.objects.filter(action=AuditLog.Action.DOWNLOAD).count() == 1
    assert Client().get(f"/files/nothing/{owners['order'].pk}/").status_code in (302, 404)
    assert _login(people, "m1").post(f"/files/nothing/{owners['order'].pk}/").status_code == 404


def test_withdraw_through_the_page(people, owners):
    attachment = attachment_add(owner=owners["complaint"], actor=people["m1"], file=upload("a.pdf", PDF))
    response = _login(people, "m1").post(f"/files/{attachment.pk}/withdraw/", {"reason": "错传"})
    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.withdrawn and attachment.withdrawn_reason == "错传"


# --- the API ------------------------------------------------------------------------------------------------


def _api(people, name: str) -> dict:
    _token, key = api_token_create(user=people[name], name=f"t {name}")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_api_upload_list_download_withdraw(people, owners):
    client, m1 = Client(), _api(people, "m1")
    order = owners["order"]
    created = client.post(
        f"/api/v1/orders/{order.pk}/attachments", {"file": upload("po.pdf", PDF), "kind": "original_po"}, **m1
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (
        body["kind"] == "original_po" and body["owner_type"] == "order" and body["original_name"] == "po.pdf"
    )
    generic = client.post(
        "/api/v1/attachments",
        {
            "file": upload("art.png", PNG),
            "owner_type": "complaint",
            "owner_id": owners["complaint"].pk,
            "kind": "artwork",
        },
        **m1,
    )
    assert generic.status_code == 201, generic.content
    listed = client.get(f"/api/v1/orders/{order.pk}/attachments", **m1).json()
    assert [a["original_name"] for a in listed] == ["po.pdf"]
    listed = client.get(
        "/api/v1/attachments", {"owner_type": "complaint", "owner_id": owners["complaint"].pk}, **m1
    ).json()
    assert [a["original_name"] for a in listed] == ["art.png"]
    download = client.get(body["download_url"], **m1)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert AuditLog.objects.filter(action=AuditLog.Action.DOWNLOAD, actor=people["m1"]).count() == 1
    withdrawn = client.post(
        f"/api/v1/attachments/{body['id']}/actions/withdraw",
        json.dumps({"reason": "错传"}),
        content_type="application/json",
        **m1,
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn"] is True
    again = client.post(
        f"/api/v1/attachments/{body['id']}/actions/withdraw", "{}", content_type="application/json", **m1
    )
    assert again.status_code == 409


def test_api_refusals_and_scope(people, owners, settings):
    client, m1, m3 = Client(), _api(people, "m1"), _api(people, "m3")
    order = owners["order"]
    for name, content, code in (
        ("evil.pdf", EXE, "file_content_mismatch"),
        ("evil.exe", EXE, "file_type_not_allowed"),
    ):
        response = client.post(
            f"/api/v1/orders/{order.pk}/attachments", {"file": upload(name, content)}, **m1
        )
        assert response.status_code == 400 and response.json()["code"] == code
        assert list(response.json()["extra"]["fields"]) == ["file"]
    settings.ATTACHMENT_MAX_BYTES = 100
    response = client.post(
        f"/api/v1/orders/{order.pk}/attachments", {"file": upload("a.pdf", PDF * 10)}, **m1
    )
    assert response.status_code == 400 and response.json()["code"] == "file_too_large"
    assert not Attachment.objects.exists() and stored_files(settings) == []
    settings.ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
    attachment = attachment_add(owner=order, actor=people["m1"], file=upload("a.pdf", PDF))
    for url in (
        f"/api/v1/attachments/{attachment.pk}/download",
        f"/api/v1/orders/{order.pk}/attachments",
        f"/api/v1/attachments?owner_type=review&owner_id={owners['review'].pk}",
    ):
        response = client.get(url, **m3)
        assert response.status_code == 404 and order.number not in response.content.decode()
    assert (
        client.post(
            f"/api/v1/orders/{order.pk}/attachments", {"file": upload("b.pdf", PDF)}, **m3
        ).status_code
        == 404
    )
    assert client.get(f"/api/v1/attachments/{attachment.pk}/download").status_code == 401
    assert not AuditLog.objects.filter(action=AuditLog.Action.DOWNLOAD).exists()
    assert Attachment.objects.count() == 1
