"""Ledger and receivables screens: the ledger (as of a date), month-end view, balances by customer and month,
invoices, payments, ageing, the dunning list, Excel exports. Thin: selectors compute, services decide."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gendan.core.errors import ApplicationError
from gendan.core.paging import capped_page
from gendan.core.web import error_fields, fetch_or_404
from gendan.exports.web import export_limited
from gendan.ledger import exports, services
from gendan.ledger.models import InvoiceStatus, LedgerState, PaymentMethod
from gendan.ledger.selectors import (
    dunning_list,
    invoice_get,
    invoice_lines,
    invoice_list,
    invoice_visible_list,
    invoiceable_lines,
    ledger_customer_balances,
    ledger_month_end,
    ledger_monthly_balances,
    ledger_reconcile,
    ledger_totals,
    ledger_views,
    payment_visible_list,
    receivables_ageing,
)
from gendan.parties.selectors import customer_visible_list

MAX_SCREEN_ROWS = 2000


def _date(value: str | None, default: dt.date | None = None) -> dt.date | None:
    try:
        day = dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return default
    return day if 2000 <= day.year <= 2100 else default


def _int(value: str | None, low: int, high: int, default: int | None = None) -> int | None:
    try:
        number = int((value or "").strip())
    except ValueError:
        return default
    return number if low <= number <= high else default


def _ledger_filters(request: HttpRequest) -> tuple[dict, dt.date | None, str | None]:
    customer = _int(request.GET.get("customer"), 1, 2**53)
    filters = {
        "customer": customer,
        "date_from": _date(request.GET.get("date_from")),
        "date_to": _date(request.GET.get("date_to")),
    }
    state = request.GET.get("state") if request.GET.get("state") in LedgerState.values else None
    return {k: v for k, v in filters.items() if v}, _date(request.GET.get("as_of")), state


@login_required
@require_GET
def ledger_list_view(request: HttpRequest) -> HttpResponse:
    filters, as_of, state = _ledger_filters(request)
    views = ledger_views(user=request.user, filters=filters, as_of=as_of, state=state)
    return render(
        request,
        "ledger/list.html",
        {
            "views": views[:MAX_SCREEN_ROWS],
            "truncated": len(views) > MAX_SCREEN_ROWS,
            "totals": ledger_totals(views),
            "open_total": sum((v.open_amount for v in views), start=0),
            "balances": ledger_customer_balances(views),
            "states": LedgerState.choices,
            "state": state,
            "as_of": as_of,
            "filters": filters,
            "customers": customer_visible_list(user=request.user).order_by("code"),
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
@export_limited("ledger")
def ledger_export_view(request: HttpRequest) -> HttpResponse:
    filters, as_of, state = _ledger_filters(request)
    views = ledger_views(user=request.user, filters=filters, as_of=as_of, state=state)
    day = as_of or timezone.localdate()
    monthly = ledger_monthly_balances(user=request.user, year=day.year, customer=filters.get("customer"))
    return exports.ledger_export_response(
        request=request,
        user=request.user,
        views=views,
        monthly=monthly,
        as_of=day,
        filters={**filters, "state": state} if state else filters,
    )


@login_required
@require_GET
def month_end_view(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    last = today.replace(day=1) - dt.timedelta(days=1)
    year = _int(request.GET.get("year"), 2000, 2100, last.year) or last.year
    month = _int(request.GET.get("month"), 1, 12, last.month) or last.month
    customer = _int(request.GET.get("customer"), 1, 2**53)
    data = ledger_month_end(user=request.user, year=year, month=month, customer=customer)
    return render(request, "ledger/month_end.html", {**data, "year": year, "month": month})


@login_required
@require_GET
def balances_view(request: HttpRequest) -> HttpResponse:
    year = _int(request.GET.get("year"), 2000, 2100, timezone.localdate().year) or timezone.localdate().year
    rows = ledger_monthly_balances(user=request.user, year=year)
    return render(request, "ledger/balances.html", {"rows": rows, "year": year})


# ---------------------------------------------------------------------------------------------- invoices


@login_required
@require_GET
def invoice_list_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") if request.GET.get("status") in InvoiceStatus.values else None
    filters = {"status": status, "open": request.GET.get("open") == "1", "q": request.GET.get("q", "")[:100]}
    page = capped_page(invoice_list(user=request.user, filters=filters), request.GET.get("page"))
    return render(
        request, "ledger/invoices.html", {"page": page, "filters": filters, "statuses": InvoiceStatus.choices}
    )


@login_required
@require_http_methods(["GET", "POST"])
def invoice_create_view(request: HttpRequest) -> HttpResponse:
    customer = None
    customer_id = _int(request.GET.get("customer") or request.POST.get("customer"), 1, 2**53)
    if customer_id:
        customer = customer_visible_list(user=request.user).filter(pk=customer_id).first()
    items = invoiceable_lines(user=request.user, customer=customer) if customer else []
    errors: dict = {}
    values = {"invoice_date": timezone.localdate().isoformat(), "notes": ""}
    if request.method == "POST":
        values = {
            "invoice_date": request.POST.get("invoice_date", ""),
            "notes": request.POST.get("notes", ""),
        }
        lines = [
            {"shipment_line": item.line.pk, "quantity": request.POST.get(f"qty-{item.line.pk}", "").strip()}
            for item in items
            if request.POST.get(f"pick-{item.line.pk}")
        ]
        try:
            invoice = services.invoice_create(actor=request.user, data={**values, "lines": lines})
        except ApplicationError as exc:
            messages.error(request, exc.message)
            errors = error_fields(exc)
        else:
            messages.success(request, _("Invoice %(n)s issued.") % {"n": invoice.number})
            return redirect("ledger:invoice_detail", pk=invoice.pk)
    return render(
        request,
        "ledger/invoice_form.html",
        {
            "customer": customer,
            "customers": customer_visible_list(user=request.user).order_by("code"),
            "items": items,
            "values": values,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@login_required
@require_GET
def invoice_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = fetch_or_404(invoice_get, user=request.user, pk=pk)
    return render(
        request,
        "ledger/invoice_detail.html",
        {
            "invoice": invoice,
            "lines": invoice_lines(invoice=invoice),
            "allocations": invoice.allocations.select_related("payment").order_by(
                "payment__received_on", "id"
            ),
            "events": invoice.events.select_related("actor").order_by("created_at", "id"),
        },
    )


@login_required
@require_GET
def invoice_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    from gendan.core.audit import audit_record
    from gendan.core.models import AuditLog
    from gendan.core.pdf import pdf_response
    from gendan.ledger.documents import invoice_pdf

    invoice = fetch_or_404(invoice_get, user=request.user, pk=pk)
    content = invoice_pdf(invoice=invoice, user=request.user)
    services.invoice_printed(invoice=invoice, actor=request.user)
    audit_record(
        actor=request.user,
        action=AuditLog.Action.PRINT,
        what="invoice",
        object_ref=invoice.number,
        request=request,
    )
    return pdf_response(content, filename=f"发票-{invoice.number}.pdf")


@login_required
@require_POST
def invoice_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = fetch_or_404(invoice_get, user=request.user, pk=pk)
    try:
        services.invoice_cancel(invoice=invoice, actor=request.user, reason=request.POST.get("reason", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Invoice cancelled."))
    return redirect("ledger:invoice_detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def payment_create_view(request: HttpRequest) -> HttpResponse:
    customer_id = _int(request.GET.get("customer") or request.POST.get("customer"), 1, 2**53)
    customer = (
        customer_visible_list(user=request.user).filter(pk=customer_id).first() if customer_id else None
    )
    invoices = []
    if customer is not None:
        invoices = [
            i
            for i in invoice_visible_list(user=request.user)
            .filter(customer=customer, status=InvoiceStatus.ISSUED)
            .order_by("due_date", "id")
            if i.open_amount > 0
        ]
    errors: dict = {}
    values = {"received_on": timezone.localdate().isoformat(), "method": PaymentMethod.BANK}
    if request.method == "POST":
        values = {
            name: request.POST.get(name, "").strip()
            for name in ("received_on", "amount", "method", "reference", "note")
        }
        allocations = [
            {"invoice": invoice.pk, "amount": request.POST.get(f"alloc-{invoice.pk}", "").strip()}
            for invoice in invoices
        ]
        try:
            services.payment_record(actor=request.user, data={**values, "allocations": allocations})
        except ApplicationError as exc:
            messages.error(request, exc.message)
            errors = error_fields(exc)
        else:
            messages.success(request, _("Payment recorded."))
            return redirect("ledger:receivables")
    return render(
        request,
        "ledger/payment_form.html",
        {
            "customer": customer,
            "customers": customer_visible_list(user=request.user).order_by("code"),
            "invoices": invoices,
            "values": values,
            "errors": errors,
            "methods": PaymentMethod.choices,
        },
        status=400 if errors else 200,
    )


@login_required
@require_GET
def payment_list_view(request: HttpRequest) -> HttpResponse:
    page = capped_page(
        payment_visible_list(user=request.user).order_by("-received_on", "-id"), request.GET.get("page")
    )
    return render(request, "ledger/payments.html", {"page": page})


# ---------------------------------------------------------------------------------------------- receivables


@login_required
@require_GET
def receivables_view(request: HttpRequest) -> HttpResponse:
    as_of = _date(request.GET.get("as_of"), timezone.localdate()) or timezone.localdate()
    return render(
        request, "ledger/receivables.html", {"ageing": receivables_ageing(user=request.user, as_of=as_of)}
    )


@login_required
@require_GET
@export_limited("receivables")
def receivables_export_view(request: HttpRequest) -> HttpResponse:
    as_of = _date(request.GET.get("as_of"), timezone.localdate()) or timezone.localdate()
    return exports.receivables_export_response(request=request, user=request.user, as_of=as_of)


@login_required
@require_GET
def dunning_view(request: HttpRequest) -> HttpResponse:
    as_of = _date(request.GET.get("as_of"), timezone.localdate()) or timezone.localdate()
    return render(
        request, "ledger/dunning.html", {"rows": dunning_list(user=request.user, as_of=as_of), "as_of": as_of}
    )


@login_required
@require_GET
def reconcile_view(request: HttpRequest) -> HttpResponse:
    """The reconciliation check over every shipment (unscoped): for those who see everything."""
    if not request.user.sees_all:
        raise PermissionDenied
    return render(request, "ledger/reconcile.html", {"result": ledger_reconcile()})
