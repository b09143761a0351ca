"""core/excel.py: refusing what is not a safe spreadsheet, reading by header titles, writing safely."""

import datetime as dt
import io
import struct
import zipfile
import zlib
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from gendan.core.excel import (
    Column,
    SpreadsheetError,
    XColumn,
    XSheet,
    cell_safe,
    read_sheet,
    xlsx_bytes,
    xlsx_check,
)
from tests.bounds import peak_memory
from tests.files.conftest import xlsx

COLUMNS = (
    Column("customer", ("客户编码", "customer", "customer code"), True),
    Column("quantity", ("数量", "quantity"), True),
    Column("price", ("单价", "unit price"), False),
    Column("date", ("下单日期", "order date"), False),
)


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def _rezip(
    data: bytes, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    """Copy an .xlsx, replacing or adding parts (to make macro workbooks and other variants)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, (replace or {}).get(info.filename, source.read(info.filename)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def zip_bomb(entry_mb: int = 200) -> bytes:
    """A ~200 KB "workbook" whose sheet inflates to `entry_mb` MB of zeros, with a plausible content types part."""
    valid = xlsx([["客户编码", "数量"], ["C001", 1]])
    source = zipfile.ZipFile(io.BytesIO(valid))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, source.read(info.filename))
        with target.open("xl/worksheets/sheet1.xml", "w") as handle:
            block = b"\0" * (1024 * 1024)
            for _ in range(entry_mb):
                handle.write(block)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "file_empty"),
        ("客户编码,数量\nC001,10\n".encode(), "not_xlsx"),
        (_png(), "not_xlsx"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "not_xlsx"),
        (b"PK\x03\x04 this is not really a zip", "not_xlsx"),
    ],
    ids=["empty", "text", "png", "pdf", "broken-zip"],
)
def test_not_a_spreadsheet_is_refused(data, code):
    with pytest.raises(SpreadsheetError) as exc:
        read_sheet(data, COLUMNS)
    assert exc.value.code == code


def test_a_word_document_is_not_a_workbook():
    # given a zip with content types, but a word-processing main part
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(SpreadsheetError) as exc:
        read_sheet(out.getvalue(), COLUMNS)
    assert exc.value.code == "not_xlsx"


def test_zip_bomb_is_refused_in_milliseconds():
    bomb = zip_bomb(200)
    assert len(bomb) < 1024 * 1024  # small on the wire
    with peak_memory() as peak, pytest.raises(SpreadsheetError) as exc:
        read_sheet(bomb, COLUMNS)
    assert exc.value.code == "zip_bomb"
    # refused from the archive's directory: nothing of the 200 MB was inflated
    assert peak.mb < 8, peak.mb


def test_a_bomb_that_understates_its_size_is_still_bounded():
    # given a 200 MB sheet whose central directory claims 1,000 bytes
    bomb = bytearray(zip_bomb(200))
    name = b"xl/worksheets/sheet1.xml"
    at = -1
    start = 0
    while (start := bomb.find(b"PK\x01\x02", start)) != -1:
        name_length = struct.unpack("<H", bomb[start + 28 : start + 30])[0]
        if bytes(bomb[start + 46 : start + 46 + name_length]) == name:
            at = start
            break
        start += 4
    assert at != -1
    extra_length = struct.unpack("<H", bomb[at + 30 : at + 32])[0]
    extra_at = at + 46 + len(name)
    assert extra_length == 0 or bytes(bomb[extra_at : extra_at + 2]) != b"\x01\x00", "zip64 sizes not patched"
    bomb[at + 24 : at + 28] = struct.pack("<I", 1000)
    # when it is read, zipfile inflates no more than the declared size: refused as unreadable, quickly
    with peak_memory() as peak, pytest.raises(SpreadsheetError) as exc:
        read_sheet(bytes(bomb), COLUMNS)
    assert exc.value.code == "unreadable"
    assert peak.mb < 16, peak.mb


def test_an_archive_with_thousands_of_parts_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for index in range(1500):
            archive.writestr(f"xl/part{index}.xml", "")
    with pytest.raises(SpreadsheetError) as exc:
        xlsx_check(out.getvalue())
    assert exc.value.code == "zip_bomb"


def test_macro_workbook_is_refused():
    valid = xlsx([["客户编码", "数量"], ["C001", 1]])
    content_types = zipfile.ZipFile(io.BytesIO(valid)).read("[Content_Types].xml")
    macro_types = content_types.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    assert macro_types != content_types
    with pytest.raises(SpreadsheetError) as exc:
        read_sheet(_rezip(valid, replace={"[Content_Types].xml": macro_types}), COLUMNS)
    assert exc.value.code == "macro"
    with pytest.raises(SpreadsheetError) as exc:
        read_sheet(_rezip(valid, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"}), COLUMNS)
    assert exc.value.code == "macro"


def test_password_protected_and_legacy_xls_are_named():
    # An encrypted .xlsx is an OLE compound file holding an "EncryptedPackage" stream (header-level stand-in).
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    encrypted = ole + "EncryptedPackage".encode("utf-16-le") + b"\0" * 1000
    with pytest.raises(SpreadsheetError) as exc:
        read_sheet(encrypted, COLUMNS)
    assert exc.value.code == "encrypted"
    assert "password" in exc.value.message
    with pytest.raises(SpreadsheetError) as exc:
        read_sheet(ole + "Workbook".encode("utf-16-le") + b"\0" * 1000, COLUMNS)
    assert exc.value.code == "legacy_xls"


def test_header_titles_in_chinese_or_english_below_a_title_line():
    data = xlsx(
        [
            ["某某公司 订单明细"],
            [],
            ["Customer Code", " 数量 ", "单价", "Order Date", "不认识的列"],
            ["C001", 10, 12.35, dt.datetime(2026, 11, 27), "x"],
            [None, None, None, None, None],
            ["  C002 ", "20", None, "2026-11-28", None],
        ]
    )
    sheet = read_sheet(data, COLUMNS)
    assert sheet.header_row == 3
    assert sheet.columns == ["customer", "quantity", "price", "date"]
    assert sheet.titles["quantity"] == "数量"
    assert sheet.ignored_titles == ["不认识的列"]
    assert [row.number for row in sheet.rows] == [4, 6]  # the blank row is skipped, numbers stay Excel's
    first, second = sheet.rows
    assert first.values == {
        "customer": "C001",
        "quantity": 10,
        "price": Decimal("12.35"),
        "date": dt.datetime(2026, 11, 27),
    }
    assert second.get("customer") == "C002" and second.get("quantity") == "20" and second.get("price") is None


def test_missing_required_columns_are_listed():
    with pytest.raises(SpreadsheetError) as exc:
        read_sheet(xlsx([["客户编码", "单价"], ["C001", 1]]), COLUMNS)
    assert exc.value.code == "missing_columns"
    assert "数量" in exc.value.message
    assert exc.value.extra["missing"] == ["quantity"]


def test_a_column_given_twice_is_refused():
    with pytest.raises(SpreadsheetError) as exc:
        read_sheet(xlsx([["客户编码", "数量", "quantity"], ["C001", 1, 2]]), COLUMNS)
    assert exc.value.code == "duplicate_column"


def test_row_limit():
    rows = [["客户编码", "数量"], *[[f"C{i}", i] for i in range(51)]]
    with pytest.raises(SpreadsheetError) as exc:
        read_sheet(xlsx(rows), COLUMNS, max_rows=50)
    assert exc.value.code == "too_many_rows"
    assert len(read_sheet(xlsx(rows[:51]), COLUMNS, max_rows=50).rows) == 50


def test_written_cells_neutralise_formulas_and_keep_numbers():
    # given values a spreadsheet would run, and numbers
    hostile = ['=HYPERLINK("http://evil.example","点我")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"]
    content = xlsx_bytes(
        [
            XSheet(
                "t",
                [XColumn("文本"), XColumn("金额", number_format="#,##0.00"), XColumn("日期")],
                [[value, Decimal("-12.50"), dt.date(2026, 11, 27)] for value in hostile],
            )
        ]
    )
    # when it is opened again
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2))
    # then no cell is a formula, the text is kept behind an apostrophe, money stays a number
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert [row[0].value for row in rows] == ["'" + value for value in hostile]
    assert all(row[1].data_type == "n" and row[1].value == -12.5 for row in rows)
    assert rows[0][1].number_format == "#,##0.00"
    assert rows[0][2].value == dt.datetime(2026, 11, 27)


def test_cell_safe_leaves_ordinary_values_alone():
    assert cell_safe("C001") == "C001"
    assert cell_safe("红 S:10") == "红 S:10"
    assert cell_safe(Decimal("-3")) == Decimal("-3")
    assert cell_safe(None) is None


@pytest.mark.parametrize(
    "module", ["gendan.orders.imports", "gendan.parties.imports", "gendan.catalog.imports"]
)
def test_every_accepted_title_names_one_column(module):
    import importlib

    from gendan.core.excel import title_normalise

    columns = next(v for k, v in vars(importlib.import_module(module)).items() if k.endswith("_COLUMNS"))
    seen: dict[str, str] = {}
    for column in columns:
        for title in (column.key, *column.titles):
            key = title_normalise(title)
            assert seen.setdefault(key, column.key) == column.key, (title, seen[key], column.key)
