"""Inquiry and quotation screens. Material rows are typed one per text line; the services parse and cost."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gendan.core.audit import audit_record
from gendan.core.errors import ApplicationError
from gendan.core.models import AuditLog
from gendan.core.paging import capped_page
from gendan.core.pdf import pdf_response
from gendan.core.web import error_fields, fetch_or_404
from gendan.quotes import services
from gendan.quotes.documents import quotation_pdf
from gendan.quotes.models import InquiryStatus, Quotation, QuotationStatus
from gendan.quotes.selectors import (
    inquiries_waiting,
    inquiry_get,
    inquiry_list,
    inquiry_waiting,
    quotation_get,
    quotation_is_expired,
    quotation_list,
    quotation_revisions,
)
from gendan.quotes.workflows import SELLERS

LINE_FIELDS = ("product", "quantity", "unit", "color", "spec", "processing_cost", "outsourcing_cost")
HEADER_FIELDS = (
    "customer",
    "inquiry",
    "currency",
    "quote_date",
    "valid_until",
    "overhead_percent",
    "margin_percent",
    "notes",
)
_SPLIT = re.compile(r"\s*[,，\t;；]\s*")


def _can_sell(user) -> bool:
    return user.has_role(*SELLERS) and not user.is_read_only


def _materials_parse(text: str, from_bom: bool) -> tuple[list[dict], dict]:
    """One material per line: `name, usage, loss %, price[, unit]`; with the BOM: `code, price`."""
    materials: list[dict] = []
    prices: dict = {}
    for row in (text or "").splitlines():
        parts = _SPLIT.split(row.strip())  # positional: an empty loss % stays in its place
        if not any(parts):
            continue
        if from_bom:
            prices[parts[0]] = parts[1] if len(parts) > 1 else ""
            continue
        name, usage, loss, price, unit = (parts + ["", "", "", "", ""])[:5]
        materials.append(
            {"name": name, "usage": usage, "loss_percent": loss, "unit_price": price, "unit": unit}
        )
    return materials, prices


def _materials_text(line) -> str:
    if line.materials_from_bom:
        return "\n".join(f"{m.code}, {m.unit_price.normalize():f}" for m in line.materials.all())
    return "\n".join(
        f"{m.name}, {m.usage.normalize():f}, {m.loss_percent.normalize():f}, {m.unit_price.normalize():f}, {m.unit}".rstrip(
            ", "
        )
        for m in line.materials.all()
    )


def _quotation_post(request: HttpRequest) -> tuple[dict, list[dict]]:
    header = {name: request.POST.get(name, "").strip() for name in HEADER_FIELDS}
    rows = []
    count = min(
        int(request.POST.get("line_count") or 0) if (request.POST.get("line_count") or "").isdigit() else 0,
        50,
    )
    lines = []
    for index in range(count):
        row = {name: request.POST.get(f"l{index}-{name}", "").strip() for name in LINE_FIELDS}
        row["materials_text"] = request.POST.get(f"l{index}-materials", "")
        row["materials_from_bom"] = bool(request.POST.get(f"l{index}-from_bom"))
        rows.append(row)
        if not row["product"] and not row["quantity"]:
            continue
        materials, prices = _materials_parse(row["materials_text"], row["materials_from_bom"])
        lines.append(
            {
                **{name: row[name] for name in LINE_FIELDS},
                "materials_from_bom": row["materials_from_bom"],
                "materials": materials,
                "material_prices": prices,
            }
        )
    if request.POST.get("add_line"):
        rows.append({})
    return {**header, "lines": lines}, rows


def _quotation_form(
    request: HttpRequest, *, initial: dict, rows: list[dict], revise: Quotation | None
) -> HttpResponse:
    errors: dict = {}
    if request.method == "POST":
        data, rows = _quotation_post(request)
        initial = data
        if not request.POST.get("add_line"):
            try:
                if revise is not None:
                    quotation = services.quotation_revise(
                        quotation=revise,
                        actor=request.user,
                        data=data,
                        version=int(request.POST.get("version") or 0) or None,
                    )
                else:
                    quotation = services.quotation_create(actor=request.user, data=data)
            except ApplicationError as exc:
                messages.error(request, exc.message)
                errors = error_fields(exc)
            else:
                messages.success(request, _("Quotation %(n)s saved.") % {"n": quotation.label})
                return redirect("quotes:quotation_detail", pk=quotation.pk)
    return render(
        request,
        "quotes/quotation_form.html",
        {"values": initial, "rows": rows, "errors": errors, "revise": revise},
        status=400 if errors else 200,
    )


# ---------------------------------------------------------------------------------------------- inquiries


@login_required
@require_GET
def inquiry_list_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") if request.GET.get("status") in InquiryStatus.values else None
    return render(
        request,
        "quotes/inquiries.html",
        {
            "waiting": inquiries_waiting(user=request.user)[:50],
            "page": capped_page(inquiry_list(user=request.user, status=status), request.GET.get("page")),
            "statuses": InquiryStatus.choices,
            "status": status,
            "can_create": _can_sell(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def inquiry_create_view(request: HttpRequest) -> HttpResponse:
    """Items one per line: `product code or description, quantity, target price`."""
    from gendan.catalog.models import Product

    # "items" always present: in a template `values.items` would otherwise call dict.items()
    values = {"received_at": timezone.localdate().isoformat(), "items": ""}
    errors: dict = {}
    if request.method == "POST":
        values = {
            name: request.POST.get(name, "").strip()
            for name in ("customer", "subject", "received_at", "notes", "items")
        }
        rows = [[p for p in _SPLIT.split(row.strip()) if p != ""] for row in values["items"].splitlines()]
        rows = [(parts + ["", "", ""])[:3] for parts in rows if parts]
        known = set(Product.objects.filter(code__in=[r[0] for r in rows]).values_list("code", flat=True))
        items = [
            {
                "product": what if what in known else "",
                "description": "" if what in known else what,
                "quantity": quantity,
                "target_price": target,
            }
            for what, quantity, target in rows
        ]
        try:
            inquiry = services.inquiry_create(actor=request.user, data={**values, "items": items})
        except ApplicationError as exc:
            messages.error(request, exc.message)
            errors = error_fields(exc)
        else:
            messages.success(request, _("Inquiry recorded."))
            return redirect("quotes:inquiry_detail", pk=inquiry.pk)
    other_errors = [
        (key, msgs) for key, msgs in errors.items() if key not in ("customer", "subject", "received_at")
    ]
    return render(
        request,
        "quotes/inquiry_form.html",
        {"values": values, "errors": errors, "other_errors": other_errors},
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def inquiry_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = fetch_or_404(inquiry_get, user=request.user, pk=pk)
    if request.method == "POST":
        try:
            services.inquiry_lose(inquiry=inquiry, actor=request.user, reason=request.POST.get("reason", ""))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Inquiry marked as lost."))
        return redirect("quotes:inquiry_detail", pk=pk)
    waited = inquiry_waiting(inquiry)
    return render(
        request,
        "quotes/inquiry_detail.html",
        {
            "inquiry": inquiry,
            "waiting_hours": int(waited.total_seconds() // 3600),
            "quotations": inquiry.quotations.order_by("number", "revision"),
            "can_sell": _can_sell(request.user),
        },
    )


# ---------------------------------------------------------------------------------------------- quotations


@login_required
@require_GET
def quotation_list_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") if request.GET.get("status") in QuotationStatus.values else None
    return render(
        request,
        "quotes/quotations.html",
        {
            "page": capped_page(quotation_list(user=request.user, status=status), request.GET.get("page")),
            "statuses": QuotationStatus.choices,
            "status": status,
            "can_create": _can_sell(request.user),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def quotation_create_view(request: HttpRequest) -> HttpResponse:
    initial: dict = {
        "quote_date": timezone.localdate().isoformat(),
        "overhead_percent": "10",
        "margin_percent": "15",
    }
    rows: list[dict] = [{}, {}, {}]
    inquiry_id = request.GET.get("inquiry", "")
    if inquiry_id.isdigit() and len(inquiry_id) < 18:
        inquiry = inquiry_list(user=request.user).filter(pk=int(inquiry_id)).first()
        if inquiry is not None:
            initial.update(customer=inquiry.customer.code, inquiry=str(inquiry.pk))
            rows = [
                {
                    "product": item.product.code if item.product else "",
                    "quantity": f"{item.quantity.normalize():f}",
                }
                for item in inquiry.items.all()
            ] or rows
    return _quotation_form(request, initial=initial, rows=rows, revise=None)


@login_required
@require_http_methods(["GET", "POST"])
def quotation_revise_view(request: HttpRequest, pk: int) -> HttpResponse:
    quotation = fetch_or_404(quotation_get, user=request.user, pk=pk)
    initial = {
        "customer": quotation.customer.code,
        "inquiry": str(quotation.inquiry_id or ""),
        "currency": quotation.currency,
        "quote_date": timezone.localdate().isoformat(),
        "valid_until": quotation.valid_until.isoformat(),
        "overhead_percent": f"{quotation.overhead_percent.normalize():f}",
        "margin_percent": f"{quotation.margin_percent.normalize():f}",
        "notes": quotation.notes,
        "version": quotation.version,
    }
    rows = [
        {
            "product": line.product.code,
            "quantity": f"{line.quantity.normalize():f}",
            "unit": line.unit,
            "color": line.color,
            "spec": line.spec,
            "processing_cost": f"{line.processing_cost.normalize():f}",
            "outsourcing_cost": f"{line.outsourcing_cost.normalize():f}",
            "materials_from_bom": line.materials_from_bom,
            "materials_text": _materials_text(line),
        }
        for line in quotation.lines.all()
    ]
    return _quotation_form(request, initial=initial, rows=rows, revise=quotation)


@login_required
@require_GET
def quotation_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    quotation = fetch_or_404(quotation_get, user=request.user, pk=pk)
    can_sell = _can_sell(request.user)
    return render(
        request,
        "quotes/quotation_detail.html",
        {
            "quotation": quotation,
            "lines": quotation.lines.select_related("product")
            .prefetch_related("materials")
            .order_by("line_no"),
            "revisions": quotation_revisions(quotation=quotation),
            "events": quotation.events.select_related("actor").order_by("created_at", "id"),
            "expired": quotation_is_expired(quotation),
            "can_sell": can_sell,
        },
    )


ACTIONS = {
    "send": lambda q, u, p: services.quotation_send(quotation=q, actor=u),
    "reject": lambda q, u, p: services.quotation_reject(quotation=q, actor=u, reason=p.get("reason", "")),
    "accept": lambda q, u, p: services.quotation_accept(
        quotation=q,
        actor=u,
        data={
            k: p.get(k, "").strip()
            for k in ("customer_po", "requested_date", "order_date", "incoterm", "merchandiser")
        },
    ),
}


@login_required
@require_POST
def quotation_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    quotation = fetch_or_404(quotation_get, user=request.user, pk=pk)
    handler = ACTIONS.get(action)
    if handler is None:
        messages.error(request, _("Unknown action: %(action)s") % {"action": action})
        return redirect("quotes:quotation_detail", pk=pk)
    try:
        result = handler(quotation, request.user, request.POST)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("quotes:quotation_detail", pk=pk)
    if action == "accept":
        messages.success(request, _("Order %(n)s created from the quotation.") % {"n": result.number})
        return redirect("orders:detail", pk=result.pk)
    messages.success(request, _("Saved."))
    return redirect("quotes:quotation_detail", pk=pk)


@login_required
@require_GET
def quotation_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    quotation = fetch_or_404(quotation_get, user=request.user, pk=pk)
    content = quotation_pdf(quotation=quotation, user=request.user)
    services.quotation_printed(quotation=quotation, actor=request.user)
    audit_record(
        actor=request.user,
        action=AuditLog.Action.PRINT,
        what="quotation",
        object_ref=quotation.label,
        request=request,
    )
    return pdf_response(content, filename=f"报价单-{quotation.label}.pdf")
