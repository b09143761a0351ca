"""Order screens: list, create/edit, detail with timeline and actions, planner queue. Thin: services decide."""

from collections.abc import Callable
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gendan.accounts.models import User
from gendan.core.errors import ApplicationError
from gendan.core.paging import capped_page
from gendan.core.web import error_fields, fetch_or_404, form_errors_apply, safe_next
from gendan.orders import services
from gendan.orders.forms import (
    ActionForm,
    OrderFilterForm,
    OrderHeaderForm,
    OrderLineForm,
    OrderLineFormSet,
    product_choices,
)
from gendan.orders.models import EDITABLE_STATUSES, Order, OrderEvent, OrderLine, OrderStatus
from gendan.orders.selectors import (
    order_available_actions,
    order_get,
    order_list_rows,
    order_timeline,
    planner_queue,
)
from gendan.orders.validation import ORDER_DATE_IMPLAUSIBLE
from gendan.orders.workflows import REASON_REQUIRED
from gendan.reviews.models import ReviewDepartment, ReviewItem
from gendan.reviews.selectors import review_current_for_order
from gendan.reviews.services import review_open

ACTION_LABELS = {
    "request_approval": gettext_lazy("Request approval"),
    "approve_verbal": gettext_lazy("Approve verbal order"),
    "reject_verbal": gettext_lazy("Reject verbal order"),
    "submit_review": gettext_lazy("Submit for review"),
    "revise": gettext_lazy("Revise"),
    "release": gettext_lazy("Release to planner"),
    "acknowledge": gettext_lazy("Acknowledge business notice"),
    "start_production": gettext_lazy("Start production"),
    "hold": gettext_lazy("Hold"),
    "resume": gettext_lazy("Resume"),
    "cancel": gettext_lazy("Cancel order"),
    "receive_original": gettext_lazy("Original received"),
}
DANGER_ACTIONS = frozenset({"reject_verbal", "cancel"})
PRIMARY_ACTIONS = frozenset({"submit_review", "release", "acknowledge", "start_production", "approve_verbal"})

Handler = Callable[[Order, User, str], object]
ACTION_HANDLERS: dict[str, Handler] = {
    "request_approval": lambda o, u, r: services.order_request_approval(order=o, actor=u),
    "approve_verbal": lambda o, u, r: services.order_approve_verbal(order=o, actor=u, note=r),
    "reject_verbal": lambda o, u, r: services.order_reject_verbal(order=o, actor=u, reason=r),
    "submit_review": lambda o, u, r: review_open(order=o, actor=u),
    "revise": lambda o, u, r: services.order_revise(order=o, actor=u),
    "release": lambda o, u, r: services.order_release(order=o, actor=u),
    "acknowledge": lambda o, u, r: services.order_planner_acknowledge(order=o, actor=u),
    "start_production": lambda o, u, r: services.order_start_production(order=o, actor=u),
    "hold": lambda o, u, r: services.order_hold(order=o, actor=u, reason=r),
    "resume": lambda o, u, r: services.order_resume(order=o, actor=u),
    "cancel": lambda o, u, r: services.order_cancel(order=o, actor=u, reason=r),
    "receive_original": lambda o, u, r: services.order_original_receive(order=o, actor=u),
}
# Statuses in which the business notice exists (released or later).
NOTICE_STATUSES = frozenset(
    {
        OrderStatus.RELEASED,
        OrderStatus.IN_PRODUCTION,
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
        OrderStatus.CLOSED,
    }
)


def _detail_url(pk: int) -> str:
    return reverse("orders:detail", args=[pk])


def _plain(number: Decimal | None) -> str:
    """100.000 → "100", 12.5000 → "12.5" (what a user would type)."""
    if number is None:
        return ""
    return format(number.normalize(), "f")


def _action_rows(actions: list[str]) -> list[dict]:
    return [
        {
            "name": action,
            "label": ACTION_LABELS[action],
            "reason_required": action in REASON_REQUIRED,
            "note_allowed": action == "approve_verbal",
            "style": "danger" if action in DANGER_ACTIONS else "primary" if action in PRIMARY_ACTIONS else "",
        }
        for action in actions
    ]


# ---------------------------------------------------------------------------------------------- list


@login_required
@require_GET
def order_list_view(request: HttpRequest) -> HttpResponse:
    form = OrderFilterForm(request.GET or None, user=request.user)
    if form.is_bound:
        form.is_valid()
    filters, ordering = form.filters()
    page = capped_page(
        order_list_rows(user=request.user, filters=filters, ordering=ordering), request.GET.get("page")
    )
    return render(
        request,
        "orders/list.html",
        {
            "form": form,
            "page": page,
            "can_create": request.user.has_perm("orders.add_order") and not request.user.is_read_only,
        },
    )


# ----------------------------------------------------------------------------------------- create/edit

_ORDER_LABELS = {f.name: f.verbose_name for f in Order._meta.get_fields() if hasattr(f, "verbose_name")}
_LINE_LABELS = {f.name: f.verbose_name for f in OrderLine._meta.get_fields() if hasattr(f, "verbose_name")}


def _order_errors_apply(
    header: OrderHeaderForm, line_forms: list[OrderLineForm], fields: dict[str, list[str]]
) -> None:
    """Service errors: `lines.N.field` next to the N-th line sent, the rest on the header."""
    header_fields: dict[str, list[str]] = {}
    for key, msgs in fields.items():
        parts = key.split(".")
        if parts[0] == "lines" and len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(line_forms):
            form = line_forms[int(parts[1])]
            name = parts[2] if len(parts) > 2 else ""
            for message in msgs:
                if name in form.fields:
                    form.add_error(name, message)
                else:
                    label = _LINE_LABELS.get(name)
                    form.add_error(None, f"{label}: {message}" if label else message)
        else:
            header_fields[key] = msgs
    form_errors_apply(header, header_fields, labels={**_ORDER_LABELS, "lines": _("Lines")})


def _order_initial(order: Order) -> tuple[dict, list[dict]]:
    header = {
        "customer": order.customer.code,
        "customer_po": order.customer_po,
        "order_date": order.order_date.isoformat(),
        "requested_date": order.requested_date.isoformat(),
        "business_type": order.business_type,
        "source_document": order.source_document,
        "currency": order.currency,
        "incoterm": order.incoterm,
        "payment_terms": order.payment_terms,
        "merchandiser": order.merchandiser.username,
        "requirements": order.requirements,
        "confirm_repeat": order.is_repeat,
        "repeat_reason": order.repeat_reason,
        "version": order.version,
    }
    lines = [
        {
            "product": line.product.code,
            "spec": line.spec,
            "color": line.color,
            "quantity": _plain(line.quantity),
            "unit_price": _plain(line.unit_price),
            "tolerance_percent": _plain(line.tolerance_percent),
            "sizes": " ".join(f"{s.size}:{_plain(s.quantity)}" for s in line.sizes.all()),
        }
        for line in order.lines.all()
    ]
    return header, lines


def _order_form(request: HttpRequest, *, order: Order | None) -> HttpResponse:
    user = request.user
    form_kwargs = {"product_choices": product_choices(user=user)}
    show_repeat = bool(order and order.is_repeat)
    show_date_confirm = False
    if request.method == "POST":
        data = request.POST
        adding = "add_line" in data  # the no-JavaScript way to get one more blank line
        if adding:
            data = data.copy()
            try:
                total = int(data.get("lines-TOTAL_FORMS", "0"))
            except ValueError:
                total = 0
            data["lines-TOTAL_FORMS"] = str(min(max(total, 0) + 1, 500))
        header = OrderHeaderForm(data, user=user)
        lines = OrderLineFormSet(data, prefix="lines", form_kwargs=form_kwargs)
        show_repeat = show_repeat or bool(data.get("confirm_repeat"))
        show_date_confirm = bool(data.get("confirm_order_date"))
        header_ok, lines_ok = header.is_valid(), lines.is_valid()
        if header_ok and lines_ok and not adding:
            sent = [form for form in lines.forms if not form.is_blank()]
            payload = {**header.payload(), "lines": [form.payload() for form in sent]}
            try:
                if order is None:
                    saved = services.order_create(actor=user, data=payload)
                else:
                    saved = services.order_update(
                        order=order, actor=user, version=header.cleaned_data.get("version") or 0, data=payload
                    )
            except ApplicationError as exc:
                messages.error(request, exc.message)
                _order_errors_apply(header, sent, error_fields(exc))
                show_repeat = show_repeat or exc.code == "duplicate_po"
                show_date_confirm = (
                    show_date_confirm or ORDER_DATE_IMPLAUSIBLE in exc.extra.get("codes", {}).values()
                )
            else:
                if order is None:
                    messages.success(request, _("Order %(number)s created.") % {"number": saved.number})
                else:
                    messages.success(request, _("Order %(number)s saved.") % {"number": saved.number})
                return redirect(_detail_url(saved.pk))
        elif not adding:
            messages.error(request, _("Please correct the errors below."))
    else:
        if order is None:
            header_initial: dict = {}
            lines_initial: list[dict] = [{}]
        else:
            header_initial, lines_initial = _order_initial(order)
        header = OrderHeaderForm(initial=header_initial, user=user)
        lines = OrderLineFormSet(initial=lines_initial, prefix="lines", form_kwargs=form_kwargs)
    return render(
        request,
        "orders/form.html",
        {
            "order": order,
            "header": header,
            "lines": lines,
            "show_repeat": show_repeat,
            "show_date_confirm": show_date_confirm,
        },
    )


@login_required
@permission_required("orders.add_order", raise_exception=True)
@require_http_methods(["GET", "POST"])
def order_create_view(request: HttpRequest) -> HttpResponse:
    return _order_form(request, order=None)


@login_required
@permission_required("orders.change_order", raise_exception=True)
@require_http_methods(["GET", "POST"])
def order_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    order = fetch_or_404(order_get, user=request.user, pk=pk)
    if request.method == "GET" and order.status not in EDITABLE_STATUSES:
        messages.error(request, _("An order can be edited only before its review starts."))
        return redirect(_detail_url(order.pk))
    return _order_form(request, order=order)


@login_required
@require_GET
def order_line_form_view(request: HttpRequest) -> HttpResponse:
    """HTMX: one more blank line, and the formset's TOTAL_FORMS bumped out of band."""
    try:
        index = int(request.GET.get("lines-TOTAL_FORMS", "0"))
    except ValueError:
        index = 0
    index = min(max(index, 0), 499)
    form = OrderLineForm(prefix=f"lines-{index}", product_choices=product_choices(user=request.user))
    return render(
        request, "orders/partials/line_form.html", {"line": form, "index": index, "oob_total": index + 1}
    )


# ------------------------------------------------------------------------------------------- detail


def _timeline_rows(order: Order) -> list[dict]:
    types = dict(OrderEvent.Type.choices)
    departments = dict(ReviewDepartment.choices)
    results = dict(ReviewItem.Result.choices)
    rows = []
    for event in order_timeline(order=order):
        detail = ""
        if event.type == OrderEvent.Type.REVIEW_SIGNED:
            data = event.data or {}
            detail = f"{departments.get(data.get('department'), '')}: {results.get(data.get('result'), '')}"
        elif event.type == OrderEvent.Type.DATE_RISK:
            data = event.data or {}
            detail = f"{data.get('promised_date', '')} < {data.get('feasible_date', '')}"
        rows.append(
            {
                "time": event.created_at,
                "actor": event.actor,
                "type": event.type,
                "label": types.get(event.type, event.type),
                "from": event.from_label,
                "to": event.to_label,
                "note": event.note,
                "detail": detail,
            }
        )
    return rows


@login_required
@require_GET
def order_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    order = fetch_or_404(order_get, user=request.user, pk=pk)
    review = review_current_for_order(order=order)
    review_items = list(review.items.all()) if review else []
    return render(
        request,
        "orders/detail.html",
        {
            "order": order,
            "lines": list(order.lines.all()),
            "timeline": _timeline_rows(order),
            "review": review,
            "review_signed": sum(1 for item in review_items if item.result != ReviewItem.Result.PENDING),
            "review_total": len(review_items),
            "actions": _action_rows(order_available_actions(order=order, user=request.user)),
            "can_edit": order.status in EDITABLE_STATUSES
            and request.user.has_perm("orders.change_order")
            and not request.user.is_read_only,
            "show_notice": order.status in NOTICE_STATUSES
            or (order.status == OrderStatus.ON_HOLD and order.released_at is not None),
        },
    )


@login_required
@require_POST
def order_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    handler = ACTION_HANDLERS.get(action)
    if handler is None:
        raise Http404(_("Unknown action."))
    order = fetch_or_404(order_get, user=request.user, pk=pk)
    back = safe_next(request, _detail_url(order.pk))
    form = ActionForm(request.POST)
    if not form.is_valid():
        for msgs in form.errors.values():
            for message in msgs:
                messages.error(request, message)
        return redirect(back)
    try:
        handler(order, request.user, form.cleaned_data.get("reason") or "")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(action)s: done for order %(number)s.")
            % {"action": ACTION_LABELS[action], "number": order.number},
        )
    return redirect(back)


# ------------------------------------------------------------------------------------------ planner


@login_required
@require_GET
def planner_queue_view(request: HttpRequest) -> HttpResponse:
    groups = planner_queue(user=request.user)
    actions_cache: dict[int, list[dict]] = {}
    for group in groups:
        for entry in group["orders"]:
            order = entry["order"]
            if order.pk not in actions_cache:
                allowed = order_available_actions(order=order, user=request.user)
                actions_cache[order.pk] = _action_rows(
                    [a for a in allowed if a in ("acknowledge", "start_production")]
                )
            entry["actions"] = actions_cache[order.pk]
    return render(request, "orders/planner.html", {"groups": groups})
