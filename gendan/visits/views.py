"""Return visit screens: due and done visits, recording one, satisfaction averages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gendan.core.errors import ApplicationError
from gendan.core.paging import capped_page
from gendan.core.web import error_fields, fetch_or_404
from gendan.visits import services
from gendan.visits.models import SCORE_FIELDS, VisitMethod, VisitStatus
from gendan.visits.selectors import (
    satisfaction_by_customer,
    satisfaction_by_merchandiser,
    visit_get,
    visit_list,
)


@login_required
@require_GET
def visit_list_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", VisitStatus.DUE)
    status = status if status in VisitStatus.values else None
    page = capped_page(visit_list(user=request.user, status=status), request.GET.get("page"))
    return render(
        request,
        "visits/list.html",
        {"page": page, "status": status, "statuses": VisitStatus.choices, "today": timezone.localdate()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    visit = fetch_or_404(visit_get, user=request.user, pk=pk)
    values = {"visited_on": timezone.localdate().isoformat(), "method": VisitMethod.PHONE}
    errors: dict = {}
    if request.method == "POST":
        values = {
            name: request.POST.get(name, "").strip()
            for name in ("visited_on", "method", "contact_person", "comments", *SCORE_FIELDS)
        }
        try:
            services.visit_record(visit=visit, actor=request.user, data=values)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            errors = error_fields(exc)
        else:
            messages.success(request, _("Return visit recorded."))
            return redirect("visits:detail", pk=pk)
    scores = [
        (
            name,
            visit._meta.get_field(name).verbose_name,
            getattr(visit, name),
            values.get(name, ""),
            errors.get(name, []),
        )
        for name in SCORE_FIELDS
    ]
    return render(
        request,
        "visits/detail.html",
        {
            "visit": visit,
            "values": values,
            "errors": errors,
            "methods": VisitMethod.choices,
            "scores": scores,
        },
        status=400 if errors else 200,
    )


@login_required
@require_GET
def satisfaction_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "visits/satisfaction.html",
        {
            "customers": satisfaction_by_customer(user=request.user),
            "merchandisers": satisfaction_by_merchandiser(user=request.user),
        },
    )
