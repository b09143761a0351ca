"""Order screens: list, create/edit, detail with timeline and actions, planner queue. Thin: services decide."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gendan.core.errors import ApplicationError
from gendan.core.paging import capped_page
from gendan.core.web import error_fields, fetch_or_404, form_errors_apply, safe_next
from gendan.orders import services
from gendan.orders.actions import ORDER_ACTIONS, order_action_run
from gendan.orders.forms import (
    ActionForm,
    OrderFilterForm,
    OrderHeaderForm,
    OrderLineForm,
    OrderLineFormSet,
    product_choices,
)
from gendan.orders.models import EDITABLE_STATUSES, Order, OrderEvent, OrderLine, OrderStatus, PromiseCause
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

# Labels, styles and inputs of the order page's actions: the one table the API uses too (orders.actions).
ACTION_LABELS = {name: spec.label for name, spec in ORDER_ACTIONS.items()}

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
            "label": ORDER_ACTIONS[action].label,
            "reason_required": action in REASON_REQUIRED,
            "note_allowed": ORDER_ACTIONS[action].reason == "optional",
            "fields": ORDER_ACTIONS[action].fields,
            "style": ORDER_ACTIONS[action].style,
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
        elif event.type == OrderEvent.Type.PROMISE_CHANGED:
            data = event.data or {}
            cause = dict(PromiseCause.choices).get(data.get("cause"), "")
            detail = f"{data.get('from') or '—'} → {data.get('to', '')} · {cause}"
        elif event.type == OrderEvent.Type.REASSIGNED:
            data = event.data or {}
            detail = f"{data.get('from_name', '')} → {data.get('to_name', '')}"
        elif event.type == OrderEvent.Type.LINE_CANCELLED:
            lines = (event.data or {}).get("lines", {})
            detail = "; ".join(
                _("line %(no)s: %(qty)s cancelled") % {"no": no, "qty": qty} for no, qty in lines.items()
            )
        elif event.type == OrderEvent.Type.TRANSITION and (event.data or {}).get("action") == "close_short":
            contact = (event.data or {}).get("customer_contact")
            detail = str(ACTION_LABELS["close_short"]) + (
                " · " + _("agreed by %(who)s") % {"who": contact} if contact else ""
            )
        elif event.type.startswith("change_") or event.type == OrderEvent.Type.REVISED:  # gendan.changes
            data = event.data or {}
            signed = f"{departments.get(data.get('department'), '')}: {results.get(data.get('result'), '')}"
            revision = f"R{data['revision']}" if data.get("revision") is not None else ""
            parts = (
                data.get("change_request") or data.get("source", ""),
                signed if data.get("result") else "",
                revision,
            )
            detail = " · ".join(part for part in parts if part)
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
    if action not in ORDER_ACTIONS:
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
        order_action_run(action=action, order=order, actor=request.user, given=form.action_input())
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
