"""Quality screens. Thin: parse the request, call a service or selector, render; rule failures come back as
ApplicationError and are shown as messages, field errors next to the fields."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gendan.core.errors import ApplicationError, NotFoundError
from gendan.core.paging import capped_page
from gendan.core.web import error_fields, error_text, fetch_or_404, form_errors_apply
from gendan.orders.selectors import order_get
from gendan.quality import selectors, services
from gendan.quality.aql import AQLS, sampling_plan
from gendan.quality.forms import AqlForm, InspectionForm, ReasonForm
from gendan.quality.models import InspectionStage, InspectionStatus
from gendan.quality.workflows import INSPECTION_TRANSITIONS


def _actions(user, inspection) -> list[str]:
    from gendan.core.workflow import allowed_actions

    if user.is_read_only:
        return []
    actions = allowed_actions(INSPECTION_TRANSITIONS, inspection.status, set(user.roles))
    if inspection.stage != InspectionStage.FINAL and "concede" in actions:
        actions.remove("concede")
    if "cancel" in actions and not (services.is_qc(user) or user.has_role("supervisor", "admin")):
        actions.remove("cancel")
    return actions


@login_required
@require_GET
def inspections(request: HttpRequest) -> HttpResponse:
    filters = {k: request.GET.get(k, "") for k in ("stage", "status", "q", "order")}
    page = capped_page(selectors.inspection_list(user=request.user, filters=filters), request.GET.get("page"))
    return render(
        request,
        "quality/inspections.html",
        {
            "page": page,
            "filters": filters,
            "stages": InspectionStage.choices,
            "statuses": InspectionStatus.choices,
        },
    )


@login_required
@require_GET
def order_quality(request: HttpRequest, order_id: int) -> HttpResponse:
    order = fetch_or_404(order_get, user=request.user, pk=order_id)
    return render(
        request,
        "quality/order.html",
        {
            "order": order,
            "inspections": selectors.order_inspections(order=order).prefetch_related("classes"),
            "block_reason": selectors.shipment_block_reason(order=order),
            "can_record": services.is_qc(request.user) and order.status in services.INSPECTABLE_STATUSES,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_new(request: HttpRequest, order_id: int) -> HttpResponse:
    order = fetch_or_404(order_get, user=request.user, pk=order_id)
    if request.method == "POST":
        form = InspectionForm(request.POST, order=order)
        form.is_valid()  # the service validates; the form only carries the input
        try:
            inspection = services.inspection_record(order=order, actor=request.user, data=request.POST)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            form_errors_apply(form, error_fields(exc))
        else:
            if inspection.status == InspectionStatus.FAILED:
                messages.warning(
                    request,
                    _("Inspection %(number)s failed.") % {"number": inspection.number}
                    + (
                        " " + _("Shipment is blocked until a supervisor records a concession.")
                        if inspection.stage == InspectionStage.FINAL
                        else ""
                    ),
                )
            else:
                messages.success(request, _("Inspection %(number)s passed.") % {"number": inspection.number})
            return redirect("quality:detail", pk=inspection.pk)
    else:
        line = None
        if (line_id := request.GET.get("line", "")).isdigit():
            line = order.lines.filter(pk=int(line_id)).first()
        initial = services.inspection_defaults(order=order, line=line)
        initial.update({"stage": request.GET.get("stage", ""), "order_line": str(line.pk) if line else ""})
        form = InspectionForm(initial=initial, order=order)
    return render(
        request,
        "quality/inspection_form.html",
        {"order": order, "form": form, "can_record": services.is_qc(request.user)},
    )


@login_required
@require_GET
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = fetch_or_404(selectors.inspection_get, user=request.user, pk=pk)
    return render(
        request,
        "quality/inspection_detail.html",
        {
            "inspection": inspection,
            "order": inspection.order,
            "classes": list(inspection.classes.all()),
            "actions": _actions(request.user, inspection),
            "form": ReasonForm(),
            "block_reason": selectors.shipment_block_reason(order=inspection.order),
        },
    )


@login_required
@require_POST
def inspection_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    inspection = fetch_or_404(selectors.inspection_get, user=request.user, pk=pk)
    reason = request.POST.get("reason", "")
    try:
        if action == "concede":
            version = request.POST.get("version", "")
            services.inspection_concede(
                inspection=inspection,
                actor=request.user,
                reason=reason,
                version=int(version) if version.isdigit() else None,
            )
            messages.success(request, _("Concession recorded: the order may ship."))
        elif action == "cancel":
            services.inspection_cancel(inspection=inspection, actor=request.user, reason=reason)
            messages.success(request, _("Inspection cancelled."))
        else:
            raise Http404
    except NotFoundError as exc:
        raise Http404(exc.message) from None
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    return redirect("quality:detail", pk=pk)


@login_required
@require_GET
def aql_calculator(request: HttpRequest) -> HttpResponse:
    """Lot size + level → code letter, and the plan for the chosen AQL and for every AQL of the table."""
    form = AqlForm(request.GET or None)
    plan, error, rows = None, "", []
    if request.GET:
        data = {k: request.GET.get(k, "") for k in ("lot_size", "level", "aql")}
        try:
            plan = sampling_plan(**data)
        except ApplicationError as exc:
            error = exc.message
        else:
            for aql in AQLS:
                try:
                    rows.append((aql, sampling_plan(lot_size=plan.lot_size, level=plan.level, aql=aql)))
                except ApplicationError as exc:
                    rows.append((aql, exc.message))
    return render(request, "quality/aql.html", {"form": form, "plan": plan, "error": error, "rows": rows})
