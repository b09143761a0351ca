"""Complaint screens (客诉单): list, register, detail with the next step, photos, PDF."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gendan.accounts import roles as R
from gendan.accounts.models import Department
from gendan.complaints import services
from gendan.complaints.documents import complaint_pdf
from gendan.complaints.models import ComplaintStatus, ComplaintType, Severity
from gendan.complaints.selectors import complaint_get, complaint_list
from gendan.complaints.workflows import COMPLAINT_TRANSITIONS
from gendan.core.audit import audit_record
from gendan.core.downloads import stored_file_response
from gendan.core.errors import ApplicationError
from gendan.core.models import AuditLog
from gendan.core.paging import capped_page
from gendan.core.pdf import pdf_response
from gendan.core.web import error_fields, fetch_or_404
from gendan.core.workflow import allowed_actions
from gendan.orders.selectors import order_visible_list

ACTION_LABELS = {
    "investigate": gettext_lazy("Assign the investigation"),
    "record_root_cause": gettext_lazy("Record the root cause"),
    "record_corrective_action": gettext_lazy("Record the corrective action"),
    "confirm_by_customer": gettext_lazy("Customer confirmed"),
    "close": gettext_lazy("Close"),
}
REGISTER_FIELDS = (
    "order",
    "shipment",
    "type",
    "severity",
    "received_on",
    "description",
    "quantity_affected",
    "claim_amount",
)


@login_required
@require_GET
def complaint_list_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") if request.GET.get("status") in ComplaintStatus.values else None
    qs = complaint_list(
        user=request.user,
        status=status,
        open_only=request.GET.get("open") == "1",
        q=request.GET.get("q", "")[:100],
    )
    return render(
        request,
        "complaints/list.html",
        {
            "page": capped_page(qs, request.GET.get("page")),
            "statuses": ComplaintStatus.choices,
            "status": status,
            "today": timezone.localdate(),
            "can_register": request.user.has_role(R.MERCHANDISER, R.SALES, R.SUPERVISOR, R.ADMIN)
            and not request.user.is_read_only,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def complaint_create_view(request: HttpRequest) -> HttpResponse:
    values = {
        "received_on": timezone.localdate().isoformat(),
        "order": request.GET.get("order", "")[:20],
        "severity": Severity.MAJOR,
    }
    errors: dict = {}
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in REGISTER_FIELDS}
        try:
            complaint = services.complaint_register(actor=request.user, data=values)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            errors = error_fields(exc)
        else:
            messages.success(request, _("Complaint %(n)s registered.") % {"n": complaint.number})
            return redirect("complaints:detail", pk=complaint.pk)
    orders = order_visible_list(user=request.user).order_by("-id")[:200]
    return render(
        request,
        "complaints/form.html",
        {
            "values": values,
            "errors": errors,
            "orders": orders,
            "types": ComplaintType.choices,
            "severities": Severity.choices,
        },
        status=400 if errors else 200,
    )


@login_required
@require_GET
def complaint_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = fetch_or_404(complaint_get, user=request.user, pk=pk)
    user = request.user
    actions = (
        [] if user.is_read_only else allowed_actions(COMPLAINT_TRANSITIONS, complaint.status, set(user.roles))
    )
    return render(
        request,
        "complaints/detail.html",
        {
            "complaint": complaint,
            "actions": [{"name": a, "label": ACTION_LABELS[a]} for a in actions],
            "departments": Department.objects.order_by("code"),
            "events": complaint.events.select_related("actor").order_by("created_at", "id"),
            "overdue": complaint.deadline is not None and complaint.deadline < timezone.localdate(),
            "can_mark": user.has_role(R.SUPERVISOR, R.GENERAL_MANAGER, R.ADMIN)
            and not complaint.is_violation_evidence,
            "can_add_photo": not user.is_read_only,
        },
    )


@login_required
@require_POST
def complaint_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    complaint = fetch_or_404(complaint_get, user=request.user, pk=pk)
    try:
        services.complaint_transition(
            complaint=complaint,
            actor=request.user,
            action=action,
            text=request.POST.get("text", ""),
            version=int(request.POST.get("version") or 0) or None,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    except ValueError:
        messages.error(request, _("Invalid request."))
    else:
        messages.success(request, _("Saved."))
    return redirect("complaints:detail", pk=pk)


@login_required
@require_POST
def complaint_photo_view(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = fetch_or_404(complaint_get, user=request.user, pk=pk)
    upload = request.FILES.get("photo")
    if upload is None:
        messages.error(request, _("Choose a photo to upload."))
    else:
        try:
            services.complaint_photo_add(
                complaint=complaint, actor=request.user, file=upload, caption=request.POST.get("caption", "")
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Photo added."))
    return redirect("complaints:detail", pk=pk)


@login_required
@require_GET
def complaint_photo_file_view(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    """Photos are served through the complaint's scope, never from a public media URL."""
    complaint = fetch_or_404(complaint_get, user=request.user, pk=pk)
    photo = complaint.photos.filter(pk=photo_pk).first()
    if photo is None:
        raise Http404
    return stored_file_response(
        request=request, file=photo.file, what="complaint_photo", object_ref=f"{complaint.number}#{photo.pk}"
    )


@login_required
@require_POST
def complaint_violation_view(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = fetch_or_404(complaint_get, user=request.user, pk=pk)
    try:
        services.complaint_mark_violation(
            complaint=complaint,
            actor=request.user,
            note=request.POST.get("note", ""),
            ref=request.POST.get("ref", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Marked as evidence of a violation."))
    return redirect("complaints:detail", pk=pk)


@login_required
@require_GET
def complaint_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = fetch_or_404(complaint_get, user=request.user, pk=pk)
    content = complaint_pdf(complaint=complaint, user=request.user)
    services.complaint_printed(complaint=complaint, actor=request.user)
    audit_record(
        actor=request.user,
        action=AuditLog.Action.PRINT,
        what="complaint",
        object_ref=complaint.number,
        request=request,
    )
    return pdf_response(content, filename=f"客诉单-{complaint.number}.pdf")
