"""Capacity screens: weekly load chart per work centre, the schedule, work centres and routes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gendan.catalog.selectors import product_get
from gendan.core.errors import ApplicationError
from gendan.core.paging import capped_page
from gendan.core.web import error_fields, fetch_or_404, form_errors_apply

from . import selectors as sel
from . import services
from .forms import RouteForm, ScheduleFilterForm, WeeksForm, WorkCentreForm


def _viewer(request: HttpRequest) -> None:
    if not sel.may_view_capacity(request.user):
        raise PermissionDenied


@login_required
@require_GET
def load_view(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    form = WeeksForm(request.GET or None)
    weeks = (form.cleaned_data.get("weeks") if form.is_valid() else None) or 26
    return render(
        request,
        "capacity/load.html",
        {
            "form": form,
            "chart": sel.week_load_chart(user=request.user, weeks=weeks),
            "status": sel.schedule_status(),
            "can_plan": sel.may_plan(request.user),
        },
    )


@login_required
@require_POST
def run_view(request: HttpRequest) -> HttpResponse:
    if not sel.may_plan(request.user):
        raise PermissionDenied
    full = request.POST.get("mode") == "full"
    snapshot = services.schedule_run() if full else services.schedule_update()
    messages.success(
        request,
        _("Schedule updated (%(kind)s): %(orders)s orders, %(changed)s results written in %(ms)s ms.")
        % {
            "kind": snapshot.get_kind_display(),
            "orders": snapshot.orders,
            "changed": snapshot.changed,
            "ms": snapshot.duration_ms,
        },
    )
    return redirect(reverse("capacity:load"))


@login_required
@require_GET
def schedule_view(request: HttpRequest) -> HttpResponse:
    form = ScheduleFilterForm(request.GET or None)
    late = bool(form.is_valid() and form.cleaned_data.get("late"))
    page = capped_page(sel.schedule_result_list(user=request.user, late_only=late), request.GET.get("page"))
    return render(
        request, "capacity/schedule.html", {"form": form, "page": page, "status": sel.schedule_status()}
    )


@login_required
@require_http_methods(["GET", "POST"])
def work_centres_view(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    can_plan = sel.may_plan(request.user)
    form = WorkCentreForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_plan:
            raise PermissionDenied
        form.is_valid()
        try:
            wc = services.work_centre_create(actor=request.user, data=form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            form_errors_apply(form, error_fields(exc))
        else:
            messages.success(request, _("Work centre %(code)s created.") % {"code": wc.code})
            return redirect(reverse("capacity:work_centres"))
    return render(
        request,
        "capacity/work_centres.html",
        {"centres": sel.work_centre_list(user=request.user), "form": form, "can_plan": can_plan},
    )


@login_required
@require_http_methods(["GET", "POST"])
def work_centre_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    wc = fetch_or_404(sel.work_centre_get, user=request.user, pk=pk)
    if not sel.may_plan(request.user):
        raise PermissionDenied
    initial = {"code": wc.code, "name": wc.name, "daily_minutes": wc.daily_minutes, "is_active": wc.is_active}
    form = WorkCentreForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        form.is_valid()
        version = request.POST.get("version", "")
        try:
            services.work_centre_update(
                actor=request.user,
                work_centre=wc,
                version=int(version) if version.isdigit() and len(version) < 10 else -1,
                data=form.cleaned_data,
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            form_errors_apply(form, error_fields(exc))
        else:
            messages.success(request, _("Work centre saved. The next schedule run is a full one."))
            return redirect(reverse("capacity:work_centres"))
    return render(request, "capacity/work_centre_form.html", {"wc": wc, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def route_view(request: HttpRequest, product_pk: int) -> HttpResponse:
    _viewer(request)
    product = fetch_or_404(product_get, user=request.user, pk=product_pk)
    steps = list(sel.route_for_product(product_id=product.pk))
    can_plan = sel.may_plan(request.user)
    text = "\n".join(f"{s.work_centre.code} {s.minutes_per_piece.normalize():f}" for s in steps)
    form = RouteForm(request.POST or None, initial={"steps": text})
    if request.method == "POST":
        if not can_plan:
            raise PermissionDenied
        try:
            services.route_set(actor=request.user, product=product, steps=form.parsed())
        except ApplicationError as exc:
            messages.error(request, exc.message)
            for key, errors in error_fields(exc).items():
                for error in errors:
                    form.add_error(None, f"{key}: {error}")
        else:
            messages.success(request, _("Route saved."))
            return redirect(reverse("capacity:route", args=[product.pk]))
    return render(
        request,
        "capacity/route.html",
        {"product": product, "steps": steps, "form": form, "can_plan": can_plan},
    )
