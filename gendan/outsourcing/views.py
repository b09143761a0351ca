"""Outsourcing screens (外协). Thin: parse the request, call a service or selector, render; rule failures
come back as ApplicationError and are shown as messages, field errors next to the fields."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gendan.core.audit import audit_record
from gendan.core.errors import ApplicationError, NotFoundError
from gendan.core.models import AuditLog
from gendan.core.paging import capped_page
from gendan.core.pdf import pdf_response
from gendan.core.web import error_fields, error_text, fetch_or_404, form_errors_apply
from gendan.core.workflow import allowed_actions
from gendan.orders.models import OrderEvent
from gendan.orders.selectors import order_get
from gendan.orders.services import order_event_record
from gendan.outsourcing import exports, selectors, services
from gendan.outsourcing.forms import DispatchForm, OutsourcingOrderForm, PlanItemForm, ReturnForm
from gendan.outsourcing.models import OPEN_STATUSES, OutsourcingStatus
from gendan.outsourcing.pdf import DOCUMENT, outsourcing_order_pdf
from gendan.outsourcing.services import qty_text
from gendan.outsourcing.workflows import OUTSOURCING_TRANSITIONS, PAGE_ACTIONS


def _date_param(value: str | None, default: dt.date) -> dt.date:
    try:
        parsed = dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return default
    return parsed if 2000 <= parsed.year <= 2100 else default


def _month_param(value: str | None, default: dt.date) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in (value or "").strip().split("-", 1))
    except ValueError:
        return default.year, default.month
    if 2000 <= year <= 2100 and 1 <= month <= 12:
        return year, month
    return default.year, default.month


# --- lists --------------------------------------------------------------------------------------------


@login_required
@require_GET
def outsourcing_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    filters = {k: request.GET.get(k, "") for k in ("status", "subcontractor", "q", "overdue", "order")}
    if "status" not in request.GET:
        filters["status"] = "open"
    qs = selectors.outsourcing_order_list(user=request.user, filters=filters, today=today)
    page = capped_page(qs, request.GET.get("page"))
    for oo in page.object_list:
        oo.overdue = selectors.is_overdue(oo, today)
    return render(
        request,
        "outsourcing/list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": OutsourcingStatus.choices,
            "subcontractors": selectors.subcontractor_list(user=request.user, active_only=False),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def order_outsourcing(request: HttpRequest, order_id: int) -> HttpResponse:
    """The order's outsourcing plan (外协加工计划表) and its outsourcing orders."""
    order = fetch_or_404(order_get, user=request.user, pk=order_id)
    subcontractors = selectors.subcontractor_list(user=request.user)
    form = PlanItemForm(
        request.POST if request.method == "POST" else None, order=order, subcontractors=subcontractors
    )
    if request.method == "POST":
        form.is_valid()
        try:
            services.plan_item_create(order=order, actor=request.user, data=request.POST)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            form_errors_apply(form, error_fields(exc))
        else:
            messages.success(request, _("Added to the outsourcing plan."))
            return redirect("outsourcing:order", order_id=order.pk)
    today = timezone.localdate()
    orders = list(selectors.outsourcing_orders_for_order(order=order))
    for oo in orders:
        oo.overdue = selectors.is_overdue(oo, today)
    return render(
        request,
        "outsourcing/order.html",
        {
            "order": order,
            "plan": selectors.plan_items_for_order(order=order),
            "outsourcing_orders": orders,
            "form": form,
            "can_plan": services.can_write(request.user) and order.status in services.PLAN_ORDER_STATUSES,
            "can_order": services.can_write(request.user) and order.status in services.ORDER_ORDER_STATUSES,
        },
    )


@login_required
@require_POST
def plan_item_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    item = fetch_or_404(selectors.plan_item_get, user=request.user, pk=pk)
    try:
        services.plan_item_cancel(item=item, actor=request.user)
        messages.success(request, _("Plan item cancelled."))
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    return redirect("outsourcing:order", order_id=item.order_id)


# --- outsourcing orders -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def outsourcing_order_new(request: HttpRequest, order_id: int) -> HttpResponse:
    order = fetch_or_404(order_get, user=request.user, pk=order_id)
    plan_items = list(selectors.plan_items_for_order(order=order))
    kwargs = {
        "order": order,
        "subcontractors": selectors.subcontractor_list(user=request.user),
        "plan_items": plan_items,
    }
    if request.method == "POST":
        form = OutsourcingOrderForm(request.POST, **kwargs)
        form.is_valid()
        try:
            oo = services.outsourcing_order_create(order=order, actor=request.user, data=request.POST)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            form_errors_apply(form, error_fields(exc))
        else:
            messages.success(
                request, _("Outsourcing order %(number)s created as a draft.") % {"number": oo.number}
            )
            return redirect("outsourcing:detail", pk=oo.pk)
    else:
        initial = {"plan_item": request.GET.get("plan", "")}
        plan = next((p for p in plan_items if str(p.pk) == initial["plan_item"]), None)
        if plan is not None:
            initial.update(
                subcontractor=str(plan.subcontractor_id),
                process=plan.process,
                description=plan.process_detail,
                order_line=str(plan.order_line_id or ""),
                quantity=qty_text(plan.quantity),
                due_date=plan.planned_return_date,
            )
        form = OutsourcingOrderForm(initial=initial, **kwargs)
    return render(request, "outsourcing/form.html", {"order": order, "form": form, "outsourcing_order": None})


@login_required
@require_http_methods(["GET", "POST"])
def outsourcing_order_edit(request: HttpRequest, pk: int) -> HttpResponse:
    oo = fetch_or_404(selectors.outsourcing_order_get, user=request.user, pk=pk)
    if oo.status != OutsourcingStatus.DRAFT:
        messages.info(request, _("Only a draft outsourcing order can be edited; change the due date here."))
        return redirect("outsourcing:detail", pk=oo.pk)
    order = oo.order
    kwargs = {
        "order": order,
        "subcontractors": selectors.subcontractor_list(user=request.user),
        "plan_items": list(selectors.plan_items_for_order(order=order)),
    }
    if request.method == "POST":
        form = OutsourcingOrderForm(request.POST, **kwargs)
        form.is_valid()
        try:
            services.outsourcing_order_update(
                outsourcing_order=oo,
                actor=request.user,
                data=request.POST,
                version=request.POST.get("version"),
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            form_errors_apply(form, error_fields(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("outsourcing:detail", pk=oo.pk)
    else:
        form = OutsourcingOrderForm(
            initial={
                "plan_item": str(oo.plan_item_id or ""),
                "subcontractor": str(oo.subcontractor_id),
                "process": oo.process,
                "description": oo.description,
                "order_line": str(oo.order_line_id or ""),
                "quantity": qty_text(oo.quantity),
                "unit": oo.unit,
                "unit_price": qty_text(oo.unit_price),
                "due_date": oo.due_date,
                "materials_issued": oo.materials_issued,
                "quality_requirements": oo.quality_requirements,
            },
            **kwargs,
        )
    return render(request, "outsourcing/form.html", {"order": order, "form": form, "outsourcing_order": oo})


def _detail_context(request: HttpRequest, oo, **forms) -> dict:
    user = request.user
    today = timezone.localdate()
    actions = []
    if services.can_write(user):
        actions = [
            a
            for a in allowed_actions(OUTSOURCING_TRANSITIONS, oo.status, set(user.roles))
            if a in PAGE_ACTIONS
        ]
        if "cancel" in actions and oo.quantity_dispatched > 0:
            actions.remove("cancel")
    return {
        "oo": oo,
        "order": oo.order,
        "dispatches": list(oo.dispatches.select_related("created_by")),
        "returns": list(oo.returns.select_related("created_by")),
        "events": list(selectors.outsourcing_order_events(outsourcing_order=oo)),
        "actions": actions,
        "overdue": selectors.is_overdue(oo, today),
        "is_open": oo.status in OPEN_STATUSES,
        "can_dispatch": services.can_write(user) and oo.status in OPEN_STATUSES and oo.quantity_to_send > 0,
        "can_receive": services.can_receive(user)
        and oo.status in OPEN_STATUSES
        and oo.quantity_at_subcontractor > 0,
        "can_edit": services.can_write(user) and oo.status == OutsourcingStatus.DRAFT,
        "can_move_due": services.can_write(user) and oo.status in (OutsourcingStatus.DRAFT, *OPEN_STATUSES),
        "dispatch_form": forms.get("dispatch_form") or DispatchForm(initial={"dispatched_on": today}),
        "return_form": forms.get("return_form") or ReturnForm(initial={"returned_on": today}),
    }


@login_required
@require_GET
def outsourcing_order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    oo = fetch_or_404(selectors.outsourcing_order_get, user=request.user, pk=pk)
    return render(request, "outsourcing/detail.html", _detail_context(request, oo))


@login_required
@require_POST
def outsourcing_order_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    oo = fetch_or_404(selectors.outsourcing_order_get, user=request.user, pk=pk)
    post = request.POST
    try:
        if action == "issue":
            services.outsourcing_order_issue(outsourcing_order=oo, actor=request.user)
            messages.success(request, _("Issued to the subcontractor."))
        elif action == "cancel":
            services.outsourcing_order_cancel(
                outsourcing_order=oo, actor=request.user, reason=post.get("reason", "")
            )
            messages.success(request, _("Outsourcing order cancelled."))
        elif action == "close":
            services.outsourcing_order_close(
                outsourcing_order=oo, actor=request.user, note=post.get("note", "")
            )
            messages.success(request, _("Outsourcing order closed."))
        elif action == "due_date":
            services.outsourcing_order_due_date_change(
                outsourcing_order=oo,
                actor=request.user,
                due_date=post.get("due_date"),
                reason=post.get("reason", ""),
            )
            messages.success(request, _("Due date changed."))
        elif action in ("dispatch", "return"):
            return _movement(request, oo, action)
        else:
            raise Http404
    except NotFoundError as exc:
        raise Http404(exc.message) from None
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    return redirect("outsourcing:detail", pk=pk)


def _movement(request: HttpRequest, oo, action: str) -> HttpResponse:
    """A dispatch or a return; on a refusal the page is shown again with the errors next to the fields."""
    form = (DispatchForm if action == "dispatch" else ReturnForm)(request.POST)
    form.is_valid()
    try:
        if action == "dispatch":
            services.outsourcing_dispatch_record(outsourcing_order=oo, actor=request.user, data=request.POST)
            messages.success(request, _("Dispatch recorded."))
        else:
            services.outsourcing_return_record(outsourcing_order=oo, actor=request.user, data=request.POST)
            messages.success(request, _("Return recorded."))
    except NotFoundError as exc:
        raise Http404(exc.message) from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
        form_errors_apply(form, error_fields(exc))
        oo = fetch_or_404(selectors.outsourcing_order_get, user=request.user, pk=oo.pk)
        context = _detail_context(request, oo, **{f"{action}_form": form})
        return render(request, "outsourcing/detail.html", context, status=400)
    return redirect("outsourcing:detail", pk=oo.pk)


@login_required
@require_GET
def outsourcing_order_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    oo = fetch_or_404(selectors.outsourcing_order_get, user=request.user, pk=pk)
    content = outsourcing_order_pdf(outsourcing_order=oo, printed_by=request.user)
    order_event_record(
        order=oo.order,
        type=OrderEvent.Type.PRINTED,
        actor=request.user,
        data={"document": DOCUMENT, "number": oo.number},
    )
    audit_record(
        actor=request.user, action=AuditLog.Action.PRINT, what=DOCUMENT, object_ref=oo.number, request=request
    )
    return pdf_response(content, filename=f"外协加工单-{oo.number}.pdf")


# --- statement and scorecard --------------------------------------------------------------------------


@login_required
@require_GET
def statement(request: HttpRequest) -> HttpResponse:
    """A subcontractor's processing fees of one month, with rework deductions (加工费对账单)."""
    today = timezone.localdate()
    year, month = _month_param(request.GET.get("month"), today)
    subcontractors = selectors.subcontractor_list(user=request.user, active_only=False)
    sub_id = request.GET.get("subcontractor", "")
    result = None
    if sub_id:
        subcontractor = fetch_or_404(selectors.subcontractor_get, user=request.user, pk=sub_id)
        result = selectors.fee_statement(
            user=request.user, subcontractor=subcontractor, year=year, month=month
        )
        if request.GET.get("format") == "xlsx":
            return exports.statement_response(statement=result, user=request.user, request=request)
    return render(
        request,
        "outsourcing/statement.html",
        {
            "statement": result,
            "subcontractors": subcontractors,
            "sub_id": sub_id,
            "month": f"{year}-{month:02d}",
        },
    )


@login_required
@require_GET
def scorecard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    date_to = _date_param(request.GET.get("date_to"), today)
    date_from = _date_param(request.GET.get("date_from"), date_to - dt.timedelta(days=89))
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    cards = selectors.subcontractor_scorecard(
        user=request.user, date_from=date_from, date_to=date_to, today=today
    )
    if request.GET.get("format") == "xlsx":
        return exports.scorecard_response(
            cards=cards,
            label=f"{date_from.isoformat()}_{date_to.isoformat()}",
            user=request.user,
            request=request,
        )
    return render(
        request, "outsourcing/scorecard.html", {"cards": cards, "date_from": date_from, "date_to": date_to}
    )
