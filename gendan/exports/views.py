"""我的导出: my export jobs with their progress, download (own jobs only, audited) and cancel."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gendan.core.audit import audit_record
from gendan.core.errors import ApplicationError
from gendan.core.excel import XLSX_CONTENT_TYPE
from gendan.core.web import error_text, fetch_or_404
from gendan.exports.models import ExportJob, ExportStatus
from gendan.exports.registry import KINDS
from gendan.exports.selectors import export_job_get, export_job_list
from gendan.exports.services import export_job_cancel, export_storage, failure_message


def _rows(user) -> list[dict]:
    rows = []
    for job in export_job_list(user=user):
        kind = KINDS.get(job.kind)
        rows.append(
            {
                "job": job,
                "label": kind.label if kind else job.kind,
                "error": failure_message(job.error_code) if job.status == ExportStatus.FAILED else "",
            }
        )
    return rows


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    rows = _rows(request.user)
    context = {
        "rows": rows,
        "active": any(r["job"].is_active for r in rows),
        "keep_days": settings.EXPORT_KEEP_DAYS,
    }
    if request.headers.get("HX-Request"):
        return render(request, "exports/partials/jobs.html", context)
    return render(request, "exports/list.html", context)


def job_file_response(*, request: HttpRequest, job: ExportJob) -> HttpResponse:
    """The job's file for its owner, audited like a direct export (what, rows, filters, scope)."""
    if job.status != ExportStatus.DONE or not job.file_path:
        raise Http404(_("This export is not ready or has expired."))
    try:
        handle = export_storage().open(job.file_path, "rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("This export is not ready or has expired.")) from None
    kind = KINDS.get(job.kind)
    audit_record(
        actor=request.user,
        action="export",
        what=kind.audit_what if kind else job.kind,
        object_ref=f"export-job:{job.pk}",
        data={**job.summary, "job": job.pk},
        request=request,
    )
    response = FileResponse(handle, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, job.file_name or f"export-{job.pk}.xlsx"
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = fetch_or_404(export_job_get, user=request.user, pk=pk)
    return job_file_response(request=request, job=job)


@login_required
@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = fetch_or_404(export_job_get, user=request.user, pk=pk)
    try:
        export_job_cancel(job=job, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The export was cancelled."))
    return redirect("exports:list")
