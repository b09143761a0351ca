"""Change request screens: raise (header + editable lines), the request with its signatures and decision,
the list waiting for me, and the order's revision history (修订记录)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gendan.accounts import roles as R
from gendan.catalog.selectors import product_list
from gendan.changes.models import ChangeCause, ChangeRequestItem, ChangeStatus
from gendan.changes.routing import KIND_LABELS
from gendan.changes.selectors import change_request_get, change_request_visible_list, change_requests_awaiting
from gendan.changes.services import (
    change_request_approve,
    change_request_cancel,
    change_request_raise,
    change_request_reject,
    change_request_sign,
    proposal_initial,
)
from gendan.changes.workflows import RAISE_ROLES
from gendan.core.errors import ApplicationError
from gendan.core.paging import capped_page
from gendan.core.web import error_fields, fetch_or_404
from gendan.orders.models import Order
from gendan.orders.revisions import change_text
from gendan.orders.selectors import order_get
from gendan.reviews.models import ReviewItem
from gendan.reviews.selectors import department_may_sign

LINE_KEYS = ("line", "product", "spec", "color", "quantity", "unit_price", "tolerance_percent", "sizes")
HEADER_KEYS = ("customer_po", "requested_date", "promised_date", "payment_terms", "requirements")


def _posted(request: HttpRequest) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The proposal as posted: header values and line rows (removed rows dropped, blank new rows skipped)."""
    post = request.POST
    data: dict[str, Any] = {key: post.get(key, "") for key in HEADER_KEYS}
    rows, lines = [], []
    try:
        total = min(int(post.get("lines-TOTAL", "0")), 500)
    except ValueError:
        total = 0
    for index in range(total):
        row = {key: post.get(f"lines-{index}-{key}", "").strip() for key in LINE_KEYS}
        row["remove"] = bool(post.get(f"lines-{index}-remove"))
        rows.append(row)
        if row["remove"] or (not row["line"] and not row["product"] and not row["quantity"]):
            continue
        lines.append({key: row[key] for key in LINE_KEYS})
    data["lines"] = lines
    return data, rows


def _row_errors(rows: list[dict], fields: dict[str, list[str]]) -> None:
    """Field errors `lines.N.x` are numbered over the kept lines: put them on the rows shown."""
    kept = [row for row in rows if not row["remove"] and (row["line"] or row["product"] or row["quantity"])]
    for row in rows:
        row["errors"] = {}
    for key, messages_ in fields.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit() and int(parts[1]) < len(kept):
            kept[int(parts[1])]["errors"][parts[2]] = messages_


@login_required
@require_http_methods(["GET", "POST"])
def change_request_new(request: HttpRequest, order_pk: int) -> HttpResponse:
    order = fetch_or_404(order_get, user=request.user, pk=order_pk)
    if request.user.is_read_only or not request.user.has_role(*RAISE_ROLES):
        raise PermissionDenied
    products = [
        (p.code, f"{p.code} {p.name}")
        for p in product_list(user=request.user, active=True).only("code", "name")
    ]
    errors: dict[str, list[str]] = {}
    reason, cause = "", ChangeCause.CUSTOMER
    if request.method == "POST":
        data, rows = _posted(request)
        reason, cause = request.POST.get("reason", ""), request.POST.get("cause", "")
        try:
            change_request = change_request_raise(
                order=order, actor=request.user, data=data, reason=reason, cause=cause
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            errors = error_fields(exc)
        else:
            messages.success(
                request, _("Change request %(number)s raised.") % {"number": change_request.number}
            )
            return redirect("changes:detail", change_request.pk)
        header = {key: data[key] for key in HEADER_KEYS}
    else:
        initial = proposal_initial(order=order)
        header = {key: initial[key] for key in HEADER_KEYS}
        rows = [
            {**{k: ("" if v is None else v) for k, v in line.items()}, "remove": False}
            for line in initial["lines"]
        ]
    rows = [row for row in rows if row["line"] or row["product"] or row["quantity"]]
    rows.append(dict.fromkeys(LINE_KEYS, "") | {"remove": False})  # one new line
    _row_errors(rows, errors)
    existing = {line.pk: line for line in order.lines.select_related("product")}
    for row in rows:
        line = existing.get(int(row["line"])) if str(row["line"]).isdigit() else None
        row["label"] = f"{line.line_no} · {line.product.code} {line.product.name}" if line else ""
    return render(
        request,
        "changes/form.html",
        {
            "order": order,
            "header": header,
            "rows": rows,
            "products": products,
            "errors": errors,
            "reason": reason,
            "cause": cause,
            "causes": ChangeCause.choices,
        },
    )


def _decider(user, change_request) -> bool:
    if user.is_read_only or change_request.status != ChangeStatus.OPEN:
        return False
    if change_request.needs_gm:
        return user.has_role(R.GENERAL_MANAGER, R.ADMIN)
    return user.has_role(R.SUPERVISOR, R.GENERAL_MANAGER, R.ADMIN)


@login_required
@require_GET
def change_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    change_request = fetch_or_404(change_request_get, user=request.user, pk=pk)
    user = request.user
    items = list(change_request.items.all())
    rows = [
        {
            "item": item,
            "may_sign": change_request.status == ChangeStatus.OPEN
            and department_may_sign(user=user, department=item.department),
        }
        for item in items
    ]
    promised = change_request.proposed.get("promised_date") or ""
    feasible = change_request.feasible_date.isoformat() if change_request.feasible_date else ""
    return render(
        request,
        "changes/detail.html",
        {
            "cr": change_request,
            "date_risk": bool(promised and feasible and promised < feasible),
            "order": change_request.order,
            "rows": rows,
            "changes": [change_text(c) for c in change_request.changes],
            "touches": [KIND_LABELS.get(k, k) for k in change_request.touches],
            "pending": [i for i in items if i.result == ReviewItem.Result.PENDING],
            "may_decide": _decider(user, change_request),
            "may_cancel": change_request.status == ChangeStatus.OPEN
            and not user.is_read_only
            and (change_request.raised_by_id == user.pk or user.has_role(R.SUPERVISOR, R.ADMIN)),
            "results": [c for c in ReviewItem.Result.choices if c[0] != ReviewItem.Result.PENDING],
        },
    )


@login_required
@require_POST
def change_request_sign_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    change_request = fetch_or_404(change_request_get, user=request.user, pk=pk)
    item = ChangeRequestItem.objects.filter(change_request=change_request, pk=item_pk).first()
    if item is None:
        raise Http404
    try:
        change_request_sign(
            item=item,
            actor=request.user,
            result=request.POST.get("result", ""),
            comment=request.POST.get("comment", ""),
        )
    except ApplicationError as exc:
        messages.error(
            request, exc.message + "".join(f" {m}" for ms in error_fields(exc).values() for m in ms)
        )
    else:
        messages.success(request, _("Signed."))
    return redirect("changes:detail", change_request.pk)


@login_required
@require_POST
def change_request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    change_request = fetch_or_404(change_request_get, user=request.user, pk=pk)
    text = request.POST.get("note", "")
    try:
        if action == "approve":
            change_request_approve(change_request=change_request, actor=request.user, conclusion=text)
            messages.success(
                request,
                _("Approved: the order is now revision R%(rev)s.")
                % {"rev": change_request.order.revision + 1},
            )
        elif action == "reject":
            change_request_reject(change_request=change_request, actor=request.user, reason=text)
            messages.success(request, _("Rejected: the order stays as it is."))
        elif action == "cancel":
            change_request_cancel(change_request=change_request, actor=request.user, reason=text)
            messages.success(request, _("Change request withdrawn."))
        else:
            raise Http404
    except ApplicationError as exc:
        messages.error(
            request, exc.message + "".join(f" {m}" for ms in error_fields(exc).values() for m in ms)
        )
    return redirect("changes:detail", change_request.pk)


@login_required
@require_GET
def change_request_list(request: HttpRequest) -> HttpResponse:
    awaiting = list(change_requests_awaiting(user=request.user)[:100])
    page = capped_page(
        change_request_visible_list(user=request.user).order_by("-id"), request.GET.get("page")
    )
    return render(request, "changes/list.html", {"awaiting": awaiting, "page": page})


@login_required
@require_GET
def order_revisions(request: HttpRequest, order_pk: int) -> HttpResponse:
    order: Order = fetch_or_404(order_get, user=request.user, pk=order_pk)
    revisions = [
        {"revision": revision, "changes": [change_text(c) for c in revision.changes]}
        for revision in order.revisions.select_related("created_by").order_by("-number")
    ]
    return render(
        request,
        "changes/revisions.html",
        {"order": order, "revisions": revisions, "detail_url": reverse("orders:detail", args=[order.pk])},
    )
