"""Shipment and sample screens. Thin: the services parse, check and decide; views show their messages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gendan.accounts import roles as R
from gendan.core.audit import audit_record
from gendan.core.errors import ApplicationError
from gendan.core.models import AuditLog
from gendan.core.numbers import number_text
from gendan.core.paging import capped_page
from gendan.core.pdf import pdf_response
from gendan.core.web import error_fields, fetch_or_404
from gendan.orders.selectors import order_get
from gendan.shipping import documents, services
from gendan.shipping.models import SampleFeedback, SampleType, ShipmentStatus, TransportMode
from gendan.shipping.selectors import (
    order_shipping_progress,
    packing_totals,
    sample_get,
    sample_list,
    shipment_get,
    shipment_lines,
    shipment_list,
)
from gendan.shipping.services import SHIPPABLE_STATUSES
from gendan.shipping.workflows import SHIPPERS

LINE_FIELDS = ("quantity", "cartons", "quantity_per_carton", "gross_weight_kg", "net_weight_kg", "volume_m3")


@login_required
@require_GET
def shipment_list_view(request: HttpRequest) -> HttpResponse:
    filters = {
        "q": request.GET.get("q", "")[:100],
        "status": request.GET.get("status") if request.GET.get("status") in ShipmentStatus.values else None,
    }
    page = capped_page(shipment_list(user=request.user, filters=filters), request.GET.get("page"))
    return render(
        request,
        "shipping/list.html",
        {"page": page, "filters": filters, "statuses": ShipmentStatus.choices},
    )


def _lines_from_post(request: HttpRequest, progress) -> list[dict]:
    lines = []
    for p in progress:
        prefix = f"line-{p.line.pk}-"
        row = {
            "order_line": p.line.pk,
            **{name: request.POST.get(prefix + name, "").strip() for name in LINE_FIELDS},
        }
        lines.append(row)
    return lines


@login_required
@require_http_methods(["GET", "POST"])
def shipment_create_view(request: HttpRequest, order_pk: int) -> HttpResponse:
    order = fetch_or_404(order_get, user=request.user, pk=order_pk)
    progress = order_shipping_progress(order=order)
    values: dict = {
        "ship_date": timezone.localdate().isoformat(),
        "transport_mode": TransportMode.ROAD,
        "ship_to": order.customer.address,
    }
    lines = [{"order_line": p.line.pk} for p in progress]
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {
            name: request.POST.get(name, "").strip()
            for name in (
                "ship_date",
                "expected_arrival",
                "transport_mode",
                "carrier",
                "tracking_number",
                "ship_to",
                "notes",
            )
        }
        lines = _lines_from_post(request, progress)
        data = {**values, "lines": [line for line in lines if line["quantity"]]}
        try:
            shipment = services.shipment_create(order=order, actor=request.user, data=data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            errors = error_fields(exc)
            # service paths count only the lines sent: map them back to the order lines
            sent = [line["order_line"] for line in data["lines"]]
            for key in list(errors):
                parts = key.split(".")
                if (
                    parts[0] == "lines"
                    and len(parts) == 3
                    and parts[1].isdigit()
                    and int(parts[1]) < len(sent)
                ):
                    errors[f"line-{sent[int(parts[1])]}-{parts[2]}"] = errors.pop(key)
        else:
            messages.success(request, _("Shipment %(n)s recorded.") % {"n": shipment.number})
            return redirect("shipping:detail", pk=shipment.pk)
    rows = []
    for p, line in zip(progress, lines, strict=True):
        rows.append(
            {
                "p": p,
                "values": line,
                "errors": {name: errors.get(f"line-{p.line.pk}-{name}", []) for name in LINE_FIELDS},
                "allowed": number_text(p.allowed),
            }
        )
    return render(
        request,
        "shipping/form.html",
        {
            "order": order,
            "rows": rows,
            "values": values,
            "errors": errors,
            "modes": TransportMode.choices,
            "shippable": order.status in SHIPPABLE_STATUSES,
        },
        status=400 if errors else 200,
    )


@login_required
@require_GET
def shipment_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    shipment = fetch_or_404(shipment_get, user=request.user, pk=pk)
    lines = list(shipment_lines(shipment=shipment))
    user = request.user
    from gendan.ledger.selectors import ledger_entry_states

    return render(
        request,
        "shipping/detail.html",
        {
            "shipment": shipment,
            "lines": lines,
            "totals": packing_totals(lines=lines),
            "events": shipment.events.select_related("actor").order_by("created_at", "id"),
            "ledger": ledger_entry_states(
                shipment.ledger_entries.select_related("shipment", "customer", "order", "product")
            ),
            "can_receive": shipment.status == ShipmentStatus.SHIPPED
            and user.has_role(*SHIPPERS)
            and not user.is_read_only,
            "can_cancel": shipment.status == ShipmentStatus.SHIPPED and user.has_role(R.SUPERVISOR, R.ADMIN),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def shipment_receive_view(request: HttpRequest, pk: int) -> HttpResponse:
    shipment = fetch_or_404(shipment_get, user=request.user, pk=pk)
    try:
        services.shipment_receive(
            shipment=shipment,
            actor=request.user,
            received_on=request.POST.get("received_on", ""),
            received_by=request.POST.get("received_by", ""),
            note=request.POST.get("receipt_note", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Receipt recorded."))
    return redirect("shipping:detail", pk=pk)


@login_required
@require_POST
def shipment_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    shipment = fetch_or_404(shipment_get, user=request.user, pk=pk)
    try:
        services.shipment_cancel(shipment=shipment, actor=request.user, reason=request.POST.get("reason", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Shipment cancelled; its ledger entries are reversed."))
    return redirect("shipping:detail", pk=pk)


DOCUMENTS = {
    "delivery-note": (documents.delivery_note_pdf, "送货单"),
    "packing-list": (documents.packing_list_pdf, "装箱单"),
    "commercial-invoice": (documents.commercial_invoice_pdf, "商业发票"),
}


@login_required
@require_GET
def shipment_document_view(request: HttpRequest, pk: int, document: str) -> HttpResponse:
    shipment = fetch_or_404(shipment_get, user=request.user, pk=pk)
    if document not in DOCUMENTS:
        from django.http import Http404

        raise Http404
    build, title = DOCUMENTS[document]
    content = build(shipment=shipment, user=request.user)
    services.shipment_printed(shipment=shipment, actor=request.user, document=document)
    audit_record(
        actor=request.user,
        action=AuditLog.Action.PRINT,
        what=f"shipping.{document}",
        object_ref=shipment.number,
        request=request,
    )
    return pdf_response(content, filename=f"{title}-{shipment.number}.pdf")


# ---------------------------------------------------------------------------------------------- samples

SAMPLE_FIELDS = (
    "customer",
    "order",
    "product",
    "sample_type",
    "description",
    "quantity",
    "sent_on",
    "courier",
    "tracking_number",
    "recipient",
)


@login_required
@require_http_methods(["GET", "POST"])
def sample_list_view(request: HttpRequest) -> HttpResponse:
    values = {"sent_on": timezone.localdate().isoformat(), "quantity": "1"}
    errors: dict = {}
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in SAMPLE_FIELDS}
        try:
            services.sample_dispatch_create(actor=request.user, data=values)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            errors = error_fields(exc)
        else:
            messages.success(request, _("Sample dispatch recorded."))
            return redirect("shipping:samples")
    feedback = request.GET.get("feedback") if request.GET.get("feedback") in SampleFeedback.values else None
    page = capped_page(
        sample_list(user=request.user, filters={"feedback": feedback}), request.GET.get("page")
    )
    return render(
        request,
        "shipping/samples.html",
        {
            "page": page,
            "values": values,
            "errors": errors,
            "types": SampleType.choices,
            "feedbacks": SampleFeedback.choices,
            "can_create": request.user.has_role(R.MERCHANDISER, R.SUPERVISOR, R.SALES, R.ADMIN)
            and not request.user.is_read_only,
        },
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def sample_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    sample = fetch_or_404(sample_get, user=request.user, pk=pk)
    if request.method == "POST":
        try:
            services.sample_feedback_record(
                sample=sample,
                actor=request.user,
                feedback=request.POST.get("feedback", ""),
                feedback_on=request.POST.get("feedback_on", ""),
                note=request.POST.get("feedback_note", ""),
                version=int(request.POST.get("version") or 0) or None,
            )
        except (ApplicationError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
        else:
            messages.success(request, _("Feedback recorded."))
        return redirect(reverse("shipping:sample_detail", args=[pk]))
    return render(
        request,
        "shipping/sample_detail.html",
        {
            "sample": sample,
            "feedbacks": [c for c in SampleFeedback.choices if c[0] != SampleFeedback.PENDING],
            "today": timezone.localdate(),
        },
    )
