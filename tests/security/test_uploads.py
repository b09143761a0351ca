"""Hostile files through the real upload views (SPEC §4, issue 7 item 6), and formula injection in every
Excel export.

tests/files already covers the reader itself (zip bombs, not-a-spreadsheet, an empty file, a header-level
stand-in for an encrypted workbook, the row limit on a small sheet). Here the files go through the screens a
user has: billion laughs inside a workbook, a macro workbook, a real password-protected (OLE compound) file,
a 100,000-row sheet, names and MIME types that lie, images that are not images, path-traversal file names;
and every export is searched for cells a spreadsheet would run as a formula.
"""

import io
import re
import struct
import uuid
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from gendan.complaints.models import ComplaintPhoto
from gendan.followup.models import ProgressPhoto, ProgressRecord
from gendan.followup.services import progress_record_create
from gendan.orders.models import Order
from tests.bounds import peak_memory
from tests.factories import CustomerFactory, ProductFactory
from tests.security.world import api_client_for, png_bytes

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ORDER_HEADER = ["客户编码", "客户订单号", "下单日期", "要求交期", "产品编码", "数量", "单价"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def browser(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def workbook_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rezip(
    data: bytes, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, (replace or {}).get(info.filename, source.read(info.filename)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def multipart(fields: dict[str, str], files: list[tuple[str, str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart body written by hand, so a file name reaches the server exactly as given (the test client
    would strip the directories itself)."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for field, filename, content_type, content in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def order_import(client: Client, data: bytes, name: str = "orders.xlsx", content_type: str = XLSX):
    body, kind = multipart({}, [("file", name, content_type, data)])
    return client.post(reverse("order_import"), body, content_type=kind)


@pytest.fixture
def m1_customer(people):
    return CustomerFactory(code="UPL", merchandiser=people["m1"])


# --- workbooks --------------------------------------------------------------------------------------------

LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode()
        for i in range(1, 10)
    )
    + b"]>\n<lolz>&lol9;</lolz>"
)


@pytest.mark.parametrize(
    "part",
    ["[Content_Types].xml", "xl/workbook.xml", "xl/styles.xml", "xl/worksheets/sheet1.xml"],
)
def test_billion_laughs_inside_a_workbook_is_refused_quickly(people, m1_customer, part):
    # given a workbook one of whose XML parts is a billion-laughs bomb (10⁹ "lol"s once expanded)
    valid = workbook_bytes([ORDER_HEADER, ["UPL", "PO-1", "2026-11-27", "2027-01-10", "P1", 1, 1]])
    assert part in zipfile.ZipFile(io.BytesIO(valid)).namelist()
    bomb = rezip(valid, replace={part: LAUGHS})
    # when it is uploaded to the order import
    with peak_memory() as peak:
        response = order_import(browser(people["m1"]), bomb)
    # then the parser refuses the entities (defusedxml) at once: a message, no order, no expansion
    page = response.content.decode()
    assert response.status_code == 400
    assert "could not be read" in page or "not an Excel workbook" in page
    assert peak.mb < 32, peak.mb  # 10⁹ "lol"s expanded would be gigabytes
    assert Order.objects.count() == 0


def test_openpyxl_parses_with_defusedxml():
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


def test_a_macro_workbook_is_refused_by_the_upload_screen(people):
    valid = workbook_bytes([ORDER_HEADER])
    types = zipfile.ZipFile(io.BytesIO(valid)).read("[Content_Types].xml")
    macro = rezip(
        valid,
        replace={
            "[Content_Types].xml": types.replace(
                b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            )
        },
        add={"xl/vbaProject.bin": compound_file({"VBA": b'Attribute VB_Name = "Module1"' * 200})},
    )
    response = order_import(
        browser(people["m1"]), macro, "orders.xlsm", "application/vnd.ms-excel.sheet.macroEnabled.12"
    )
    assert response.status_code == 400
    assert "macros" in response.content.decode()


def compound_file(streams: dict[str, bytes]) -> bytes:
    """An OLE compound file (MS-CFB version 3, 512-byte sectors) holding the given streams, each padded to at
    least 4096 bytes so that it lives in ordinary sectors (no mini stream)."""
    sector = 512
    end, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    names = list(streams)
    assert len(names) <= 3
    data = [streams[name].ljust(4096, b"\0") for name in names]
    chains, next_sector = [], 2  # sector 0: the FAT, sector 1: the directory
    for content in data:
        count = -(-len(content) // sector)
        chains.append(list(range(next_sector, next_sector + count)))
        next_sector += count
    assert next_sector <= 128, "one FAT sector holds 128 entries"
    fat = [fat_sector, end] + [free] * 126
    for chain in chains:
        for here, there in zip(chain, chain[1:] + [end], strict=True):
            fat[here] = there

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0" if name else b""
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", free, right, child)
            + b"\0" * 16  # CLSID
            + b"\0" * 4  # state bits
            + b"\0" * 16  # creation and modification times
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, 1, free, end, 0)
    for index, (name, content, chain) in enumerate(zip(names, data, chains, strict=True), start=1):
        right = index + 1 if index < len(names) else free
        directory += entry(name, 2, free, right, chain[0], len(streams[name]) if len(content) else 0)
    directory = directory.ljust(sector, b"\0")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)  # the FAT is sector 0
        + struct.pack("<I", free) * 108
    )
    assert len(header) == sector
    body = (
        struct.pack("<128I", *fat)
        + directory
        + b"".join(c.ljust(len(ch) * sector, b"\0") for c, ch in zip(data, chains, strict=True))
    )
    return header + body


def test_a_password_protected_workbook_is_named_as_such(people):
    # given what Excel writes for a workbook with a password: an OLE compound file with the agile
    # encryption header and the encrypted package (the .xlsx zip, encrypted)
    info = struct.pack("<HHI", 4, 4, 0x40) + (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><encryption xmlns="http://schemas.microsoft.com'
        b'/office/2006/encryption"><keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" '
        b'cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512"/></encryption>'
    )
    package = struct.pack("<Q", 6000) + bytes(range(256)) * 24
    encrypted = compound_file({"EncryptionInfo": info, "EncryptedPackage": package})
    assert encrypted[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" and len(encrypted) % 512 == 0
    # when it is uploaded, the user is told to remove the password (not "damaged", not a 500)
    response = order_import(browser(people["m1"]), encrypted)
    assert response.status_code == 400
    assert "password-protected" in response.content.decode()
    # and an old .xls (a compound file with a Workbook stream) is named too
    legacy = compound_file({"Workbook": b"\x09\x08" + b"\0" * 2000})
    response = order_import(browser(people["m1"]), legacy, "orders.xls", "application/vnd.ms-excel")
    assert response.status_code == 400
    assert "Excel 97" in response.content.decode()


def huge_sheet(rows: int) -> bytes:
    """A valid order import workbook with `rows` data rows, its sheet XML written directly (fast)."""
    valid = workbook_bytes([ORDER_HEADER])
    cells = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{title}</t></is></c>'
        for i, title in enumerate(ORDER_HEADER)
    )
    lines = [f'<row r="1">{cells}</row>']
    for n in range(2, rows + 2):
        lines.append(
            f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>UPL</t></is></c>'
            f'<c r="B{n}" t="inlineStr"><is><t>PO-{n}</t></is></c>'
            f'<c r="C{n}" t="inlineStr"><is><t>2026-11-27</t></is></c>'
            f'<c r="D{n}" t="inlineStr"><is><t>2027-01-10</t></is></c>'
            f'<c r="E{n}" t="inlineStr"><is><t>P1</t></is></c><c r="F{n}"><v>1</v></c><c r="G{n}"><v>2</v></c></row>'
        )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + "".join(lines)
        + "</sheetData></worksheet>"
    )
    return rezip(valid, replace={"xl/worksheets/sheet1.xml": sheet.encode()})


def test_a_100000_row_sheet_is_refused_with_the_row_limit_quickly_in_bounded_memory(people, m1_customer):
    data = huge_sheet(100_000)
    assert len(data) < 10 * 1024 * 1024  # within the upload limit: the row limit must stop it
    client = browser(people["m1"])
    with peak_memory() as peak:
        response = order_import(client, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert re.search(r"more than 20,?000 rows", page), page[:2000]
    # the rows are counted on the raw XML stream before openpyxl reads any (~5 MB; 100,000 rows read by
    # openpyxl would be hundreds)
    assert peak.mb < 64, peak.mb
    assert Order.objects.count() == 0


def test_a_sheet_just_over_the_row_limit_is_refused_after_reading_at_most_the_limit(people, m1_customer):
    # 20,500 data rows: under the raw row count, so openpyxl streams them and stops at the 20,001st
    data = huge_sheet(20_500)
    with peak_memory() as peak:
        response = order_import(browser(people["m1"]), data)
    assert response.status_code == 400
    assert re.search(r"more than 20,?000 rows", response.content.decode())
    assert peak.mb < 128, peak.mb  # streamed: rows are not all held at once
    assert Order.objects.count() == 0


def test_name_and_mime_type_do_not_decide_content_does(people, m1_customer):
    client = browser(people["m1"])
    ProductFactory(code="P1")
    workbook = workbook_bytes([ORDER_HEADER, ["UPL", "PO-1", "2026-11-27", "2027-01-10", "P1", 5, 2]])
    # a real workbook called orders.csv, sent as text/csv: read as the workbook it is
    response = order_import(client, workbook, "orders.csv", "text/csv")
    assert response.status_code == 200 and "PO-1" in response.content.decode()
    stashed = list((Path(settings.MEDIA_ROOT) / "imports").iterdir())
    assert len(stashed) == 1 and re.fullmatch(r"[0-9a-f]{32}\.xlsx", stashed[0].name)  # our name, not theirs
    # text, a picture and a PDF called orders.xlsx, sent as a workbook: refused as not a workbook
    for data in (b"customer,qty\nUPL,1\n", png_bytes(), b"%PDF-1.4\n1 0 obj<<>>endobj\n"):
        response = order_import(client, data)
        assert response.status_code == 400
        assert "not an Excel workbook" in response.content.decode()
    # an executable called orders.xlsx
    response = order_import(client, b"MZ\x90\x00" + b"\0" * 200, "orders.xlsx")
    assert response.status_code == 400
    assert Order.objects.count() == 0


# --- photos -------------------------------------------------------------------------------------------------


@pytest.fixture
def producing(people):
    from tests.q2c import order_in_production

    return order_in_production(
        people, CustomerFactory(code="PHO", merchandiser=people["m1"]), ProductFactory()
    )


@pytest.fixture
def complaint(people, producing):
    from gendan.complaints.services import complaint_register

    return complaint_register(
        actor=people["m1"], data={"order": producing.pk, "type": "quality", "description": "开线"}
    )


NOT_IMAGES = {
    "text called .jpg": ("photo.jpg", "image/jpeg", b"just some text, not a JPEG"),
    "PNG signature, then junk": (
        "photo.png",
        "image/png",
        b"\x89PNG\r\n\x1a\n" + b"<script>alert(1)</script>" * 20,
    ),
    "JPEG signature, then junk": ("photo.jpg", "image/jpeg", b"\xff\xd8\xff\xe0" + b"\0" * 300),
    "truncated PNG": ("photo.png", "image/png", png_bytes()[:40]),
    "SVG called .png": (
        "photo.png",
        "image/png",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="8" height="8"/></svg>',
    ),
    "PDF called .jpg": ("photo.jpg", "image/jpeg", b"%PDF-1.4\n1 0 obj<<>>endobj\n"),
    "GIF (not accepted)": (
        "photo.gif",
        "image/gif",
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!",
    ),
    "empty": ("photo.png", "image/png", b""),
}


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize("kind", sorted(NOT_IMAGES))
def test_a_progress_photo_that_is_not_an_image_is_refused(people, producing, kind):
    name, content_type, content = NOT_IMAGES[kind]
    client = browser(people["m1"])
    body, multipart_type = multipart(
        {"stage": "production", "quantity_done": "10", "state": "normal"},
        [("photos", name, content_type, content)],
    )
    response = client.post(
        reverse("followup:order_records", args=[producing.pk]), body, content_type=multipart_type
    )
    assert response.status_code == 200  # the form again, with the error
    assert "is not a photo" in response.content.decode()
    assert not ProgressRecord.objects.filter(order=producing).exists()
    # and through the API, onto an existing record
    record = progress_record_create(
        order=producing, actor=people["m1"], stage="production", quantity_done="1"
    )
    api = api_client_for(people["m1"])
    body, multipart_type = multipart({}, [("photos", name, content_type, content)])
    response = api.post(f"/api/v1/followup/records/{record.pk}/photos", body, content_type=multipart_type)
    assert response.status_code == 400, response.content
    assert not ProgressPhoto.objects.exists() and media_files() == []


@pytest.mark.parametrize("kind", sorted(NOT_IMAGES))
def test_a_complaint_photo_that_is_not_an_image_is_refused(people, complaint, kind):
    name, content_type, content = NOT_IMAGES[kind]
    body, multipart_type = multipart({"caption": "x"}, [("photo", name, content_type, content)])
    response = browser(people["m1"]).post(
        reverse("complaints:photo_add", args=[complaint.pk]), body, content_type=multipart_type, follow=True
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Upload a photo" in page or "Choose a photo" in page
    assert not ComplaintPhoto.objects.exists() and media_files() == []


TRAVERSAL_NAMES = [
    "../../etc/passwd.png",
    "..\\..\\..\\windows\\win.png",
    "/etc/cron.d/evil.png",
    "....//....//evil.png",
    "%2e%2e%2f%2e%2e%2fevil.png",
    "evil.png\x00.html",
    ".htaccess",
    "photo.html",
]


def stored_inside_media(path: str) -> Path:
    root = Path(settings.MEDIA_ROOT).resolve()
    resolved = Path(path).resolve()
    assert root in resolved.parents, (resolved, root)
    assert resolved.is_file()
    return resolved


@pytest.mark.parametrize("name", TRAVERSAL_NAMES)
def test_a_progress_photo_name_never_reaches_the_file_system(people, producing, name):
    client = browser(people["m1"])
    body, multipart_type = multipart(
        {"stage": "production", "quantity_done": "10", "state": "normal"},
        [("photos", name, "image/png", png_bytes())],
    )
    response = client.post(
        reverse("followup:order_records", args=[producing.pk]), body, content_type=multipart_type
    )
    assert response.status_code == 302, response.content.decode()[:500]
    photo = ProgressPhoto.objects.get()
    stored = stored_inside_media(photo.file.path)
    # a random name of ours (secrets.token_urlsafe(16)), the format's extension
    assert re.fullmatch(r"[\w-]{22}\.png", stored.name), stored.name
    assert "/" not in photo.original_name and "\\" not in photo.original_name  # kept for display only
    assert [p.resolve() for p in media_files()] == [stored]
    # served as what it is, never as the name says (photo.html is not HTML)
    served = client.get(reverse("followup:photo", args=[photo.pk]))
    assert served["Content-Type"] == "image/png" and served["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name", TRAVERSAL_NAMES)
def test_a_complaint_photo_name_never_reaches_the_file_system(people, complaint, name):
    client = browser(people["m1"])
    body, multipart_type = multipart({"caption": "x"}, [("photo", name, "image/png", png_bytes())])
    response = client.post(
        reverse("complaints:photo_add", args=[complaint.pk]), body, content_type=multipart_type
    )
    assert response.status_code == 302
    photo = ComplaintPhoto.objects.get()
    stored = stored_inside_media(photo.file.path)
    # a random name of ours (secrets.token_urlsafe(16)), not a guessable timestamp (issue 21 item 5)
    assert re.fullmatch(r"[\w-]{22}(_\w+)?\.png", stored.name), stored.name
    assert [p.resolve() for p in media_files()] == [stored]
    served = client.get(reverse("complaints:photo", args=[complaint.pk, photo.pk]))
    assert served["Content-Type"] == "image/png" and served["X-Content-Type-Options"] == "nosniff"
