"""Files on the record over the API: list, upload (multipart), download and withdraw.

Owners are named by `owner_type` (one of the registered keys: order, review, shipment, complaint, and any app
that registers itself, e.g. change_request) and `owner_id`. An owner whose order the caller cannot see is 404,
as is any attachment of it. Every download is written to the audit log."""

import datetime as dt
from typing import Annotated

from ninja import Field, File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from gendan.core.schemas import ERRORS, MAX_ID, UserRef
from gendan.files import services
from gendan.files.models import Attachment, AttachmentKind
from gendan.files.selectors import attachment_get, attachment_list, attachment_owner_get, attachment_owner_key
from gendan.files.views import attachment_download_response

router = Router(tags=["files"])

RowId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
OwnerType = Annotated[str, Field(..., min_length=1, max_length=40, pattern=r"^[a-z_]+$")]


class AttachmentOut(Schema):
    id: int
    owner_type: str
    owner_id: int
    order: int = Field(..., alias="order_id")
    kind: AttachmentKind
    kind_label: str
    original_name: str
    size: int
    content_type: str
    sha256: str
    note: str
    uploaded_by: UserRef
    uploaded_at: dt.datetime
    withdrawn: bool
    withdrawn_at: dt.datetime | None
    withdrawn_reason: str
    download_url: str

    @staticmethod
    def resolve_owner_type(obj: Attachment) -> str:
        return attachment_owner_key(obj)

    @staticmethod
    def resolve_kind_label(obj: Attachment) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_download_url(obj: Attachment) -> str:
        return f"/api/v1/attachments/{obj.pk}/download"


class OwnerParams(Schema):
    owner_type: OwnerType
    owner_id: Annotated[int, Field(..., ge=1, le=MAX_ID)]


class UploadIn(Schema):
    kind: AttachmentKind = AttachmentKind.OTHER
    note: str = Field("", max_length=200)


class OwnerUploadIn(UploadIn):
    owner_type: OwnerType
    owner_id: Annotated[int, Field(..., ge=1, le=MAX_ID)]


class WithdrawIn(Schema):
    model_config = {"extra": "forbid"}

    reason: str = Field("", max_length=200)


def _list(request, owner_type: str, owner_id: int) -> list[Attachment]:
    _spec, owner = attachment_owner_get(user=request.auth, owner_type=owner_type, owner_id=owner_id)
    return list(attachment_list(owner=owner))


def _add(request, owner_type: str, owner_id: int, file: UploadedFile, kind: str, note: str) -> Attachment:
    _spec, owner = attachment_owner_get(user=request.auth, owner_type=owner_type, owner_id=owner_id)
    return services.attachment_add(owner=owner, actor=request.auth, file=file, kind=kind, note=note)


UPLOAD_DOC = (
    "Multipart: `file` (PDF, JPEG/PNG/WebP/HEIC, xlsx/xls, docx/doc, eml/msg, txt; at most "
    "ATTACHMENT_MAX_BYTES, 20 MB by default; the content must match the extension), `kind`, `note`. "
    "Refused with 400 and a field error on `file` (codes file_type_not_allowed, file_too_large, "
    "file_content_mismatch, file_empty), nothing stored. A customer PO original (`kind=original_po`) on an "
    "order whose original is pending records the original as received."
)


@router.get(
    "/attachments",
    response={200: list[AttachmentOut], **ERRORS},
    summary="Files of an owner (owner_type: order, review, shipment, complaint, …), withdrawn ones included",
)
def attachment_list_api(request, params: Query[OwnerParams]):
    return _list(request, params.owner_type, params.owner_id)


@router.post(
    "/attachments",
    response={201: AttachmentOut, **ERRORS},
    summary="Attach a file to an owner",
    description=UPLOAD_DOC,
)
def attachment_add_api(request, file: File[UploadedFile], payload: Form[OwnerUploadIn]):
    return Status(201, _add(request, payload.owner_type, payload.owner_id, file, payload.kind, payload.note))


@router.get(
    "/orders/{order_id}/attachments",
    response={200: list[AttachmentOut], **ERRORS},
    summary="An order's files",
)
def order_attachment_list_api(request, order_id: RowId):
    return _list(request, "order", order_id)


@router.post(
    "/orders/{order_id}/attachments",
    response={201: AttachmentOut, **ERRORS},
    summary="Attach a file to an order",
    description=UPLOAD_DOC,
)
def order_attachment_add_api(request, order_id: RowId, file: File[UploadedFile], payload: Form[UploadIn]):
    return Status(201, _add(request, "order", order_id, file, payload.kind, payload.note))


@router.get(
    "/attachments/{attachment_id}/download",
    response={200: None, **ERRORS},
    summary="The file's bytes (scope-checked, on the audit log)",
)
def attachment_download_api(request, attachment_id: RowId):
    return attachment_download_response(request, attachment_get(user=request.auth, pk=attachment_id))


@router.post(
    "/attachments/{attachment_id}/actions/withdraw",
    response={200: AttachmentOut, **ERRORS},
    summary="Withdraw a file (it stays on the record, marked): its uploader, a supervisor, the GM or an admin",
)
def attachment_withdraw_api(request, attachment_id: RowId, payload: WithdrawIn):
    attachment = attachment_get(user=request.auth, pk=attachment_id)
    return services.attachment_withdraw(attachment=attachment, actor=request.auth, reason=payload.reason)
