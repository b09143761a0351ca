"""What may be attached: a short list of document types, recognised by their content (magic bytes), not by
the name the client gave — a renamed .exe is refused as "not a PDF". Pure Python, no libmagic."""

import re
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gendan.core.errors import ApplicationError

HEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class FileType:
    family: str  # what the content must be
    content_type: str
    label: object  # lazy, shown in messages


_PDF = FileType("pdf", "application/pdf", gettext_lazy("PDF"))
TYPES: dict[str, FileType] = {
    "pdf": _PDF,
    "jpg": FileType("jpeg", "image/jpeg", gettext_lazy("JPEG image")),
    "jpeg": FileType("jpeg", "image/jpeg", gettext_lazy("JPEG image")),
    "png": FileType("png", "image/png", gettext_lazy("PNG image")),
    "webp": FileType("webp", "image/webp", gettext_lazy("WebP image")),
    "heic": FileType("heic", "image/heic", gettext_lazy("HEIC image")),
    "heif": FileType("heic", "image/heif", gettext_lazy("HEIC image")),
    "xlsx": FileType(
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        gettext_lazy("Excel workbook"),
    ),
    "docx": FileType(
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        gettext_lazy("Word document"),
    ),
    "xls": FileType("ole", "application/vnd.ms-excel", gettext_lazy("Excel workbook")),
    "doc": FileType("ole", "application/msword", gettext_lazy("Word document")),
    "msg": FileType("ole", "application/vnd.ms-outlook", gettext_lazy("Outlook e-mail")),
    "eml": FileType("eml", "message/rfc822", gettext_lazy("e-mail")),
    "txt": FileType("text", "text/plain; charset=utf-8", gettext_lazy("text file")),
}
ACCEPT = ",".join(f".{ext}" for ext in TYPES)  # the upload form's accept attribute
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAIL_HEADER = re.compile(
    rb"^(from|to|subject|date|received|return-path|mime-version|message-id|delivered-to|x-[\w-]+):",
    re.IGNORECASE | re.MULTILINE,
)


class AttachmentRejected(ApplicationError):
    code = "attachment_rejected"
    status = 400

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message, code=code, extra={"fields": {"file": [message]}})


def max_bytes() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a character cut at the end of the sample
                return True
            continue
        return True
    return False


def _zip_members(file) -> list[str]:
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return []
    finally:
        file.seek(0)


def detect_family(file, head: bytes) -> str | None:
    """The family of a file's content (see TYPES), or None for anything else."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS:
        return "heic"
    if head.startswith(_OLE2):
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        members = _zip_members(file)
        if "[Content_Types].xml" in members:
            if any(name.startswith("xl/") for name in members):
                return "xlsx"
            if any(name.startswith("word/") for name in members):
                return "docx"
        return None
    if _is_text(head):
        return "eml" if _MAIL_HEADER.search(head[:4096]) else "text"
    return None


def clean_name(name: str) -> str:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[-255:] or "file"


def attachment_file_check(file) -> tuple[str, FileType]:
    """(extension, type) of an acceptable upload; AttachmentRejected with a field error on `file` otherwise.
    Checks the extension against the list, the size against ATTACHMENT_MAX_BYTES, and the content."""
    name = clean_name(getattr(file, "name", ""))
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = TYPES.get(extension)
    if kind is None:
        raise AttachmentRejected(
            _(
                "Files of this type cannot be attached (%(name)s). Allowed: PDF, images (JPEG, PNG, WebP, "
                "HEIC), Excel, Word, e-mails (.eml, .msg) and text files."
            )
            % {"name": name},
            code="file_type_not_allowed",
        )
    size = getattr(file, "size", None)
    if not size:
        raise AttachmentRejected(_("The file is empty."), code="file_empty")
    if size > max_bytes():
        raise AttachmentRejected(
            _("The file is too large (%(size)s); at most %(max)s may be attached.")
            % {"size": filesizeformat(size), "max": filesizeformat(max_bytes())},
            code="file_too_large",
        )
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    family = detect_family(file, head)
    # a plain text file may be named .txt or .eml; an e-mail is text too
    if family != kind.family and not (kind.family == "text" and family == "eml"):
        raise AttachmentRejected(
            _(
                "The content of %(name)s is not a %(type)s: the file may be renamed or damaged. Attach the "
                "document itself."
            )
            % {"name": name, "type": kind.label},
            code="file_content_mismatch",
        )
    return extension, kind
