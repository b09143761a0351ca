"""The one entry point of every Excel export view.

export_respond(): count the scoped rows first (one COUNT); at or below EXPORT_SYNC_MAX_ROWS the workbook is
built in the request (bounded: EXPORT_SYNC_HARD_ROWS rows, EXPORT_SYNC_SECONDS) while holding one of the
user's export slots; above it a background job is queued and the request answers at once — a redirect to
"My exports" (a page) or 202 with the job (JSON). Beyond the per-user limit: 429 with a Chinese message.

export_limited(): the slot alone, for the small fixed-size reports (KPI, statements…) that build their
own response.
"""

import functools
import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from gendan.core.audit import audit_record
from gendan.core.excel import xlsx_response
from gendan.exports.models import ExportJob
from gendan.exports.registry import ExportStopped, export_kind_get
from gendan.exports.services import (
    ExportLimitReached,
    export_job_create,
    export_sync_slot,
    sync_progress,
)

logger = logging.getLogger("gendan.exports")


def api_url(name: str, *args) -> str:
    from gendan.core.api import api

    return reverse(f"{api.urls_namespace}:{name}", args=args)


def wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def job_json(job: ExportJob) -> dict:
    done = job.status == "done"
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "status_url": api_url("export_get", job.pk),
        "page_url": reverse("exports:list"),
        "download_url": reverse("exports:download", args=[job.pk]) if done else None,
    }


def limit_response(request: HttpRequest, exc: ExportLimitReached) -> HttpResponse:
    if wants_json(request):
        return JsonResponse(exc.as_dict(), status=429)
    return render(request, "exports/limited.html", {"message": exc.message}, status=429)


def export_respond(request: HttpRequest, *, kind: str) -> HttpResponse:
    """Answer an export request of `kind` (registered in gendan.exports.registry) from request.GET."""
    export_kind = export_kind_get(kind)
    user = request.user
    params = export_kind.params(request.GET)
    total = export_kind.count(user=user, params=params)
    try:
        if total > settings.EXPORT_SYNC_MAX_ROWS:
            job = export_job_create(user=user, kind=kind, params=params, rows_total=total)
            if wants_json(request):
                return JsonResponse(job_json(job), status=202)
            messages.info(
                request,
                _(
                    "%(rows)s rows: the file is being prepared. You will find it here and in your inbox when it is ready."
                )
                % {"rows": f"{total:,}"},
            )
            return redirect("exports:list")
        with export_sync_slot(user=user, kind=kind, params=params) as slot:
            build = export_kind.build(
                user=user,
                params=params,
                progress=sync_progress(),
                max_rows=settings.EXPORT_SYNC_HARD_ROWS,
            )
            response = xlsx_response(filename=build.filename, sheets=build.sheets)
            slot.rows_done = int(build.summary.get("rows", 0))
    except ExportLimitReached as exc:
        return limit_response(request, exc)
    except ExportStopped:
        message = _("The export took too long and was stopped. Narrow the filters and try again.")
        if wants_json(request):
            return JsonResponse({"message": message, "code": "export_time", "extra": {}}, status=503)
        return render(request, "exports/limited.html", {"message": message}, status=503)
    if export_kind.log:
        export_kind.log(user=user, summary=build.summary)
    audit_record(
        actor=user, action="export", what=export_kind.audit_what, data=build.summary, request=request
    )
    return response


def export_limited(what: str) -> Callable:
    """Decorate an export view that builds its own (small) response: it holds one of the user's export
    slots while it runs and answers 429 when none is free."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return view(request, *args, **kwargs)
            try:
                with export_sync_slot(user=request.user, kind=what):
                    return view(request, *args, **kwargs)
            except ExportLimitReached as exc:
                return limit_response(request, exc)

        return wrapper

    return decorate
