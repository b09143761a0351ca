"""/api/v1/exports: start an Excel export as a background job (202), follow it, download it, cancel it.

The caller's own jobs only; anyone else's answers 404. The same per-user limit as the pages (429), the
same scope (applied when the job runs, with the caller's scope)."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest, QueryDict
from ninja import Path, Router, Schema
from pydantic import Field

from gendan.core.api import ERRORS
from gendan.core.schemas import ErrorOut, InputSchema
from gendan.exports.models import ExportJob
from gendan.exports.registry import export_kind_get
from gendan.exports.selectors import export_job_get, export_job_list
from gendan.exports.services import export_job_cancel, export_job_create
from gendan.exports.views import job_file_response
from gendan.exports.web import api_url

router = Router(tags=["exports"])

MAX_ID = 2**53


class ExportIn(InputSchema):
    kind: str = Field(..., max_length=30, description="What to export: `orders` or `customers`.")
    filters: dict[str, Any] = Field(
        default_factory=dict,
        description="The list page's filters, as its query parameters (orders: status (list), customer, "
        "merchandiser, q, due_from, due_to, original_pending, ordering; customers: q, active).",
    )


class ExportJobOut(Schema):
    id: int
    kind: str
    status: str
    status_label: str
    rows_done: int
    rows_total: int
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None
    download_url: str | None

    @staticmethod
    def resolve_status_label(job: ExportJob) -> str:
        return str(job.get_status_display())

    @staticmethod
    def resolve_download_url(job: ExportJob) -> str | None:
        return api_url("export_download", job.pk) if job.status == "done" else None


def _query(filters: dict[str, Any]) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in list(filters.items())[:20]:
        values = value if isinstance(value, list) else [value]
        for item in values[:20]:
            if isinstance(item, bool):
                item = "1" if item else ""
            if isinstance(item, str | int):
                query.appendlist(str(key)[:30], str(item)[:100])
    return query


@router.post(
    "",
    response={202: ExportJobOut, 429: ErrorOut, **ERRORS},
    summary="Start an export (prepared in the background; 429 beyond 2 at a time per user)",
)
def export_start(request: HttpRequest, payload: ExportIn):
    kind = export_kind_get(payload.kind)
    params = kind.params(_query(payload.filters))
    total = kind.count(user=request.user, params=params)
    return 202, export_job_create(user=request.user, kind=kind.code, params=params, rows_total=total)


@router.get("", response={200: list[ExportJobOut], **ERRORS}, summary="My exports, newest first")
def export_list(request: HttpRequest):
    return list(export_job_list(user=request.user))


@router.get(
    "/{job_id}", response={200: ExportJobOut, **ERRORS}, summary="One of my exports", url_name="export_get"
)
def export_get(request: HttpRequest, job_id: int = Path(..., ge=1, le=MAX_ID)):
    return export_job_get(user=request.user, pk=job_id)


@router.get(
    "/{job_id}/download",
    response={200: None, **ERRORS},
    summary="Download a finished export (.xlsx)",
    url_name="export_download",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The workbook",
                "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}},
            }
        }
    },
)
def export_download(request: HttpRequest, job_id: int = Path(..., ge=1, le=MAX_ID)):
    return job_file_response(request=request, job=export_job_get(user=request.user, pk=job_id))


@router.post("/{job_id}/cancel", response={200: ExportJobOut, **ERRORS}, summary="Cancel one of my exports")
def export_cancel(request: HttpRequest, job_id: int = Path(..., ge=1, le=MAX_ID)):
    return export_job_cancel(job=export_job_get(user=request.user, pk=job_id), actor=request.user)
