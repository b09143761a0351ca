"""Excel (.xlsx) in and out: safe reading of uploads, writing exports, and the upload → preview → commit
screen shared by the order, customer and product imports.

An .xlsx is a zip of XML files. Before openpyxl sees an upload, the archive itself is checked (size, entry
count, declared uncompressed size, compression ratio, content type), so a zip bomb is refused in
milliseconds instead of keeping a worker busy for minutes (NOTES: a 0.9 MB bomb held openpyxl for 104 s).
Python's zipfile never inflates an entry beyond its declared size, so checking the declared sizes bounds
what openpyxl can read. openpyxl parses the XML with defusedxml (entity expansion refused).
"""

import datetime as dt
import io
import logging
import re
import unicodedata
import uuid
import warnings
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from defusedxml import ElementTree as SafeET
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from gendan.core.errors import ApplicationError

logger = logging.getLogger("gendan.excel")

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # the upload itself (compressed)
MAX_ZIP_ENTRIES = 1000  # a workbook has a few dozen parts
MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024  # all parts together; 20,000 rows × 25 columns is ~20 MB
MAX_ENTRY_RATIO = 200  # uncompressed / compressed, checked on parts above 1 MB (XML compresses ~10-50×)
MAX_ROWS = 20_000  # data rows (blank rows are skipped and do not count)
MAX_SCANNED_ROWS = 100_000  # rows read at all, blank ones included
MAX_COLUMNS = 60  # columns read per row
HEADER_SEARCH_ROWS = 10  # the header row may sit below a title line or two

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_WORKBOOK_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
}
_MACRO_WORKBOOK_TYPES = {
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.ms-excel.addin.macroEnabled.main+xml",
}


class SpreadsheetError(ApplicationError):
    """The uploaded file as a whole cannot be used (not a workbook, too big, missing columns…)."""

    code = "bad_spreadsheet"
    status = 400


# ---------------------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class Column:
    """A column an import understands. `titles`: accepted header titles; the first is the one templates
    and exports use (Chinese, as the factories' files are)."""

    key: str
    titles: tuple[str, ...]
    required: bool = False
    note: str = ""  # shown in the template's instructions sheet

    @property
    def title(self) -> str:
        return self.titles[0]


@dataclass
class SheetRow:
    number: int  # the row number Excel shows
    values: dict[str, Any]

    def get(self, key: str) -> Any:
        return self.values.get(key)

    @property
    def is_blank(self) -> bool:
        return all(value is None for value in self.values.values())


@dataclass
class Sheet:
    name: str
    header_row: int
    columns: list[str]  # recognised column keys, in the file's order
    titles: dict[str, str]  # key → the title as written in the file
    rows: list[SheetRow]
    ignored_titles: list[str] = field(default_factory=list)


def title_normalise(text: Any) -> str:
    """`客户编码 *`, `Customer Code`, `溢短装（%）` → comparable keys."""
    value = unicodedata.normalize("NFKC", str(text or "")).casefold()
    for noise in ("(必填)", "(required)", "(选填)", "(optional)"):
        value = value.replace(noise, "")
    return re.sub(r"[\s*_\-]+", "", value)


def cell_value(value: Any) -> Any:
    """An openpyxl cell value → what the parsers expect: stripped text (None if empty), int or Decimal for
    numbers (15 significant digits, as Excel shows them), dates as they are."""
    if value is None or isinstance(value, bool | dt.date | dt.datetime):
        return value
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        if value.is_integer() and abs(value) < 1e15:
            return int(value)
        return Decimal(format(value, ".15g"))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value).strip() or None


def cell_display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _zip_check(data: bytes) -> zipfile.ZipFile:
    """Refuse anything that is not a plausible, modest .xlsx archive — before any XML is parsed."""
    if not data:
        raise SpreadsheetError(_("The file is empty."), code="file_empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise SpreadsheetError(
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
            code="file_too_large",
        )
    if data.startswith(_OLE_MAGIC):
        # Office stores a password-protected .xlsx as an OLE compound file holding an EncryptedPackage.
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise SpreadsheetError(
                _("The workbook is password-protected. Remove the password in Excel and upload it again."),
                code="encrypted",
            )
        raise SpreadsheetError(
            _(
                "This is an old Excel 97–2003 (.xls) file. Save it as an Excel workbook (.xlsx) and upload it again."
            ),
            code="legacy_xls",
        )
    if not data.startswith(_ZIP_MAGIC):
        raise SpreadsheetError(_("The file is not an Excel workbook (.xlsx)."), code="not_xlsx")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise SpreadsheetError(_("The file is not an Excel workbook (.xlsx)."), code="not_xlsx") from None
    try:
        _archive_check(archive)
    except BaseException:
        archive.close()
        raise
    return archive


def _archive_check(archive: zipfile.ZipFile) -> None:
    entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES:
        raise SpreadsheetError(
            _("The workbook has too many parts (%(n)d); it is not an ordinary spreadsheet.")
            % {"n": len(entries)},
            code="zip_bomb",
        )
    total = 0
    for entry in entries:
        total += entry.file_size
        suspicious_ratio = entry.file_size > 1024 * 1024 and entry.file_size > MAX_ENTRY_RATIO * max(
            entry.compress_size, 1
        )
        if total > MAX_UNCOMPRESSED_BYTES or suspicious_ratio:
            raise SpreadsheetError(
                _(
                    "The workbook unpacks to more than %(mb)d MB or is compressed suspiciously; it was refused."
                )
                % {"mb": MAX_UNCOMPRESSED_BYTES // (1024 * 1024)},
                code="zip_bomb",
            )
    names = {entry.filename for entry in entries}
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise SpreadsheetError(
            _("Workbooks with macros (.xlsm) are not accepted. Save it as .xlsx."), code="macro"
        )
    content_types = next((e for e in entries if e.filename == "[Content_Types].xml"), None)
    if content_types is None or content_types.file_size > 1024 * 1024:
        raise SpreadsheetError(_("The file is not an Excel workbook (.xlsx)."), code="not_xlsx")
    try:
        root = SafeET.fromstring(archive.read(content_types))
    except Exception:  # malformed or hostile XML: not a workbook we read
        raise SpreadsheetError(_("The file is not an Excel workbook (.xlsx)."), code="not_xlsx") from None
    types = {el.get("ContentType", "") for el in root.iter(f"{_CT_NS}Override")}
    if types & _MACRO_WORKBOOK_TYPES:
        raise SpreadsheetError(
            _("Workbooks with macros (.xlsm) are not accepted. Save it as .xlsx."), code="macro"
        )
    if not types & _WORKBOOK_TYPES:
        raise SpreadsheetError(_("The file is not an Excel workbook (.xlsx)."), code="not_xlsx")


def xlsx_check(data: bytes) -> None:
    """Raise SpreadsheetError unless `data` looks like a safe, ordinary .xlsx (no XML parsed but one part)."""
    _zip_check(data).close()


def _header_match(
    cells: Sequence[Any], lookup: dict[str, str]
) -> tuple[dict[str, int], list[str], list[str]]:
    found: dict[str, int] = {}
    ignored: list[str] = []
    duplicates: list[str] = []
    for index, cell in enumerate(cells):
        if cell is None or not str(cell).strip():
            continue
        key = lookup.get(title_normalise(cell))
        if key is None:
            ignored.append(str(cell).strip())
        elif key in found:
            duplicates.append(str(cell).strip())
        else:
            found[key] = index
    return found, ignored, duplicates


_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_DOC_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ROW_TAG = re.compile(rb"<(?:\w{1,8}:)?row[\s>/]")


def _first_sheet_part(archive: zipfile.ZipFile) -> str | None:
    """The archive path of the workbook's first worksheet (the one read), or None if not found simply."""
    try:
        workbook = SafeET.fromstring(archive.read("xl/workbook.xml"))
        rels = SafeET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except Exception:  # missing or hostile parts: openpyxl's own reading decides
        return None
    sheet = workbook.find(f"{_MAIN_NS}sheets/{_MAIN_NS}sheet")
    rel_id = sheet.get(f"{_DOC_REL_NS}id") if sheet is not None else None
    for rel in rels.iter(f"{_PKG_REL_NS}Relationship"):
        if rel_id and rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def _row_elements_exceed(archive: zipfile.ZipFile, part: str, limit: int) -> bool:
    """Does the sheet's XML hold more than `limit` row elements? Counted on the raw stream (the archive check
    already bounded its size), so a sheet of 100,000 rows is refused in a fraction of a second instead of
    after openpyxl has read the rows it may."""
    count, carry = 0, b""
    try:
        with archive.open(part) as handle:
            while chunk := handle.read(1 << 20):
                data = carry + chunk
                # a tag starting in the last 16 bytes is counted with the next chunk
                count += sum(1 for m in _ROW_TAG.finditer(data) if m.start() < len(data) - 16)
                carry = data[-16:]
                if count > limit:
                    return True
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, ValueError):
        return False
    count += len(_ROW_TAG.findall(carry))
    return count > limit


def read_sheet(data: bytes, columns: Sequence[Column], *, max_rows: int = MAX_ROWS) -> Sheet:
    """The first worksheet's rows as {column key: value}, by header titles. Raises SpreadsheetError."""
    archive = _zip_check(data)
    try:
        part = _first_sheet_part(archive)
        if part and _row_elements_exceed(archive, part, MAX_SCANNED_ROWS):
            raise SpreadsheetError(
                _("The sheet has more than %(n)d rows; split it into several files.") % {"n": max_rows},
                code="too_many_rows",
            )
    finally:
        archive.close()
    from openpyxl import load_workbook

    lookup: dict[str, str] = {}
    for column in columns:
        for title in (column.key, *column.titles):
            lookup.setdefault(title_normalise(title), column.key)
    required = [c for c in columns if c.required]

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many types for damaged files; none may become a 500
        logger.info("unreadable workbook: %s: %s", type(exc).__name__, exc)
        raise SpreadsheetError(
            _("The workbook could not be read. Open it in Excel, save it as .xlsx and try again."),
            code="unreadable",
        ) from None
    try:
        worksheets = workbook.worksheets
        if not worksheets:
            raise SpreadsheetError(_("The workbook has no worksheet."), code="no_sheet")
        worksheet = worksheets[0]
        header: tuple[int, dict[str, int], list[str]] | None = None
        best: tuple[int, dict[str, int]] = (0, {})
        titles: dict[str, str] = {}
        rows: list[SheetRow] = []
        scanned = 0
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for number, cells in enumerate(
                    worksheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True), start=1
                ):
                    scanned += 1
                    if scanned > MAX_SCANNED_ROWS:
                        raise SpreadsheetError(
                            _("The sheet has more than %(n)d rows.") % {"n": max_rows}, code="too_many_rows"
                        )
                    if header is None:
                        if number > HEADER_SEARCH_ROWS:
                            break
                        found, ignored, duplicates = _header_match(cells, lookup)
                        if duplicates:
                            raise SpreadsheetError(
                                _("Row %(row)d: the column “%(title)s” appears twice.")
                                % {"row": number, "title": duplicates[0]},
                                code="duplicate_column",
                            )
                        if len(found) > len(best[1]):
                            best = (number, found)
                        if found and all(c.key in found for c in required):
                            header = (number, found, ignored)
                            titles = {key: str(cells[index]).strip() for key, index in found.items()}
                        continue
                    values = {key: cell_value(cells[index]) for key, index in header[1].items()}
                    row = SheetRow(number=number, values=values)
                    if row.is_blank:
                        continue
                    if len(rows) >= max_rows:
                        raise SpreadsheetError(
                            _("The sheet has more than %(n)d rows; split it into several files.")
                            % {"n": max_rows},
                            code="too_many_rows",
                        )
                    rows.append(row)
        except SpreadsheetError:
            raise
        except Exception as exc:  # a damaged sheet part
            logger.info("unreadable worksheet: %s: %s", type(exc).__name__, exc)
            raise SpreadsheetError(
                _("The workbook could not be read. Open it in Excel, save it as .xlsx and try again."),
                code="unreadable",
            ) from None
        if header is None:
            missing = [c for c in required if c.key not in best[1]]
            raise SpreadsheetError(
                _(
                    "The header row was not found. Missing columns: %(columns)s. Download the template to see them."
                )
                % {"columns": ", ".join(c.title for c in missing or required)},
                code="missing_columns",
                extra={"missing": [c.key for c in missing or required]},
            )
        header_row, found, ignored = header
        order = sorted(found, key=found.get)  # type: ignore[arg-type]
        return Sheet(
            name=worksheet.title,
            header_row=header_row,
            columns=order,
            titles=titles,
            rows=rows,
            ignored_titles=ignored,
        )
    finally:
        workbook.close()


# ---------------------------------------------------------------------------------------------------------
# Writing

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def cell_safe(value: Any) -> Any:
    """A value safe to put in a cell: text that a spreadsheet would run as a formula (= + - @, tab, CR)
    gets a leading apostrophe, so it stays text; numbers (Decimal included) stay numbers; aware datetimes
    become local time (Excel has no time zones)."""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_PREFIXES) else value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, bool | int | Decimal | dt.date) or value is None:
        return value
    if isinstance(value, float):
        return value
    return cell_safe(str(value))


@dataclass(frozen=True)
class XColumn:
    title: str
    width: float = 12
    number_format: str | None = None


@dataclass
class XSheet:
    title: str
    columns: Sequence[XColumn]
    rows: Iterable[Sequence[Any]]


def xlsx_bytes(sheets: Sequence[XSheet]) -> bytes:
    """The workbook as bytes (small, synchronous exports); see xlsx_write."""
    buffer = io.BytesIO()
    xlsx_write(sheets, buffer)
    return buffer.getvalue()


def xlsx_write(sheets: Sequence[XSheet], target: Any) -> None:
    """Write sheets (header row in bold, frozen) to `target` (a path or a binary file) — the one path every
    export takes. openpyxl's write-only mode keeps each sheet in a temporary file while rows are appended,
    so memory stays flat however many rows `XSheet.rows` (any iterable, a generator best) yields; values
    go through cell_safe (formula injection)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for spec in sheets:
        worksheet = workbook.create_sheet(title=spec.title[:31])
        worksheet.freeze_panes = "A2"
        for index, column in enumerate(spec.columns, start=1):
            worksheet.column_dimensions[get_column_letter(index)].width = column.width
        header = []
        for column in spec.columns:
            cell = WriteOnlyCell(worksheet, value=cell_safe(column.title))
            cell.font = bold
            header.append(cell)
        worksheet.append(header)
        formats = [c.number_format for c in spec.columns]
        for row in spec.rows:
            out = []
            for index, value in enumerate(row):
                value = cell_safe(value)
                number_format = formats[index] if index < len(formats) else None
                if isinstance(value, dt.datetime):
                    number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(value, dt.date):
                    number_format = "yyyy-mm-dd"
                if number_format and value is not None and not isinstance(value, str):
                    cell = WriteOnlyCell(worksheet, value=value)
                    cell.number_format = number_format
                    out.append(cell)
                else:
                    out.append(value)
            worksheet.append(out)
    workbook.save(target)


def xlsx_response(*, filename: str, sheets: Sequence[XSheet]) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(sheets), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


def template_response(
    *, filename: str, columns: Sequence[Column], example: Sequence[Any] = ()
) -> HttpResponse:
    """An empty import sheet with the column titles, plus an instructions sheet (what each column takes)."""
    instructions = [
        (
            c.title,
            "是" if c.required else "",
            " / ".join(c.titles[1:]),
            c.note,
            cell_display(example[i]) if i < len(example) else "",
        )
        for i, c in enumerate(columns)
    ]
    return xlsx_response(
        filename=filename,
        sheets=[
            XSheet("导入", [XColumn(c.title, width=max(10, len(c.title) * 2 + 4)) for c in columns], []),
            XSheet(
                "说明",
                [
                    XColumn("列名", 16),
                    XColumn("必填", 6),
                    XColumn("也可写作", 30),
                    XColumn("说明", 50),
                    XColumn("示例", 24),
                ],
                instructions,
            ),
        ],
    )


# ---------------------------------------------------------------------------------------------------------
# Import preview


@dataclass
class RowIssue:
    row: int  # Excel row number; 0 for the file as a whole
    column: str  # the column title as in the file ('' for the whole row)
    message: str

    def __str__(self) -> str:
        if not self.row:
            return self.message
        if self.column:
            return _("Row %(row)d · %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("Row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class PreviewRow:
    number: int
    cells: list[str]
    issues: list[RowIssue] = field(default_factory=list)
    note: str = ""  # e.g. which order this row becomes


@dataclass
class ImportPreview:
    titles: list[str]
    rows: list[PreviewRow]
    summary: list[tuple[str, str]] = field(default_factory=list)
    ignored_titles: list[str] = field(default_factory=list)
    file_issues: list[RowIssue] = field(default_factory=list)

    @property
    def issues(self) -> list[RowIssue]:
        row_issues = [issue for row in self.rows for issue in row.issues]
        return [*self.file_issues, *sorted(row_issues, key=lambda i: i.row)]

    @property
    def ok(self) -> bool:
        return not self.file_issues and not any(row.issues for row in self.rows)

    @property
    def rows_with_issues(self) -> int:
        return sum(1 for row in self.rows if row.issues)


class ImportRejected(ApplicationError):
    """At least one row has an error: nothing was saved."""

    code = "import_rejected"
    status = 400

    def __init__(self, preview: ImportPreview) -> None:
        super().__init__(
            _("Nothing was imported: %(n)d rows have errors.") % {"n": preview.rows_with_issues or 1},
            extra={"issues": [str(issue) for issue in preview.issues[:200]]},
        )
        self.preview = preview


def preview_skeleton(sheet: Sheet) -> tuple[ImportPreview, dict[int, PreviewRow]]:
    """A preview with every row of the sheet (cells in the file's column order) and no issues yet."""
    titles = [sheet.titles[key] for key in sheet.columns]
    rows = [
        PreviewRow(number=row.number, cells=[cell_display(row.get(key)) for key in sheet.columns])
        for row in sheet.rows
    ]
    preview = ImportPreview(titles=titles, rows=rows, ignored_titles=sheet.ignored_titles)
    if not sheet.rows:
        preview.file_issues.append(RowIssue(0, "", _("The sheet has no data rows below the header.")))
    return preview, {row.number: row for row in rows}


def column_title(sheet: Sheet, columns: Sequence[Column], key: str) -> str:
    """The column's title as written in the file, else our primary title (e.g. a missing optional column)."""
    if key in sheet.titles:
        return sheet.titles[key]
    for column in columns:
        if column.key == key:
            return column.title
    return key


# ---------------------------------------------------------------------------------------------------------
# Keeping an upload between preview and commit: a file under MEDIA_ROOT/imports/, known to the session only

STASH_DIR = "imports"
STASH_SESSION_KEY = "gendan_imports"
STASH_MAX_AGE = dt.timedelta(hours=24)
STASH_PER_SESSION = 5
_TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")


def _stash_sweep() -> None:
    """Delete uploads older than STASH_MAX_AGE (abandoned previews)."""
    try:
        _dirs, files = default_storage.listdir(STASH_DIR)
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    limit = timezone.now() - STASH_MAX_AGE
    for name in files:
        path = f"{STASH_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < limit:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError, OSError):
            continue


def upload_stash(request: HttpRequest, *, kind: str, data: bytes, name: str) -> str:
    _stash_sweep()
    token = uuid.uuid4().hex
    path = default_storage.save(f"{STASH_DIR}/{token}.xlsx", ContentFile(data))
    entries: dict[str, dict] = dict(request.session.get(STASH_SESSION_KEY, {}))
    entries[token] = {"kind": kind, "path": path, "name": name[:200], "user": request.user.pk}
    while len(entries) > STASH_PER_SESSION:
        oldest = next(iter(entries))
        default_storage.delete(entries.pop(oldest)["path"])
    request.session[STASH_SESSION_KEY] = entries
    return token


def upload_stashed(request: HttpRequest, *, kind: str, token: str) -> tuple[bytes, str] | None:
    """The stashed upload, if `token` belongs to this session, user and kind of import."""
    if not _TOKEN_RE.match(token or ""):
        return None
    entry = request.session.get(STASH_SESSION_KEY, {}).get(token)
    if not entry or entry.get("kind") != kind or entry.get("user") != request.user.pk:
        return None
    try:
        with default_storage.open(entry["path"], "rb") as handle:
            return handle.read(), entry.get("name", "")
    except (FileNotFoundError, OSError):
        return None


def upload_discard(request: HttpRequest, *, token: str) -> None:
    entries: dict[str, dict] = dict(request.session.get(STASH_SESSION_KEY, {}))
    entry = entries.pop(token, None)
    if entry:
        default_storage.delete(entry["path"])
        request.session[STASH_SESSION_KEY] = entries


# ---------------------------------------------------------------------------------------------------------
# The screen: upload → preview (every row, its errors) → commit (all or nothing)


@dataclass
class ImportScreen:
    kind: str  # "orders", "customers", "products"
    title: str
    columns: Sequence[Column]
    allowed: Callable[[Any], bool]
    preview: Callable[..., ImportPreview]  # (data=bytes, actor=User) -> ImportPreview
    commit: Callable[..., list]  # (data=bytes, actor=User, file_name=str) -> created objects
    done_message: Callable[[list], str]
    done_url: str
    template_url: str
    intro: str = ""


def import_screen(request: HttpRequest, screen: ImportScreen) -> HttpResponse:
    user = request.user
    if not user.is_authenticated or not screen.allowed(user):
        raise PermissionDenied
    context: dict[str, Any] = {"screen": screen}
    if request.method == "POST" and request.POST.get("token"):
        token = request.POST["token"]
        stashed = upload_stashed(request, kind=screen.kind, token=token)
        if stashed is None:
            messages.error(request, _("The uploaded file is no longer available. Upload it again."))
            return redirect(request.path)
        data, name = stashed
        try:
            created = screen.commit(data=data, actor=user, file_name=name)
        except ImportRejected as exc:
            upload_discard(request, token=token)
            messages.error(request, exc.message)
            context.update(preview=exc.preview, file_name=name)
            return render(request, "core/io/import_preview.html", context, status=400)
        except ApplicationError as exc:
            upload_discard(request, token=token)
            messages.error(request, exc.message)
            return redirect(request.path)
        upload_discard(request, token=token)
        logger.info("%s import by %s: %d created from %r", screen.kind, user, len(created), name)
        messages.success(request, screen.done_message(created))
        return redirect(screen.done_url)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose an .xlsx file to upload."))
            return render(request, "core/io/import_upload.html", context, status=400)
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            messages.error(
                request, _("The file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
            return render(request, "core/io/import_upload.html", context, status=400)
        data = upload.read(MAX_UPLOAD_BYTES + 1)
        try:
            preview = screen.preview(data=data, actor=user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return render(request, "core/io/import_upload.html", context, status=400)
        context.update(preview=preview, file_name=upload.name)
        if preview.ok:
            context["token"] = upload_stash(request, kind=screen.kind, data=data, name=upload.name or "")
        return render(request, "core/io/import_preview.html", context)
    return render(request, "core/io/import_upload.html", context)
