"""The reassignment page (supervisor, GM): pick from / to, see the handover checklist, confirm; and one
reassignment's printable checklist. Thin: services and selectors decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gendan.core.errors import ApplicationError
from gendan.core.web import fetch_or_404
from gendan.reassignments.selectors import (
    handover_checklist,
    merchandisers_for,
    reassignment_get,
    reassignment_visible_list,
)
from gendan.reassignments.services import reassignment_create


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


@login_required
@require_http_methods(["GET", "POST"])
def reassignment_new_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    merchandisers = list(merchandisers_for(actor=user))
    if not merchandisers and request.method == "POST":
        raise PermissionDenied
    data = request.POST if request.method == "POST" else request.GET
    source_id, target_id = _int(data.get("from_id")), _int(data.get("to_id"))
    source = next((m for m in merchandisers if m.pk == source_id), None)
    checklist = None
    if source is not None:
        checklist = handover_checklist(user=user, merchandiser=source)
    if request.method == "POST":
        chosen = [pk for pk in (_int(v) for v in request.POST.getlist("order_ids")) if pk]
        customers = [pk for pk in (_int(v) for v in request.POST.getlist("customer_ids")) if pk]
        try:
            done = reassignment_create(
                actor=user,
                from_merchandiser=source_id,
                to_merchandiser=target_id,
                reason=request.POST.get("reason", ""),
                order_ids=chosen,
                customer_ids=customers,
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(n)d orders and %(c)d customers reassigned to %(to)s.")
                % {"n": len(done.order_ids), "c": len(done.customer_ids), "to": done.to_merchandiser},
            )
            return redirect("reassignments:detail", pk=done.pk)
    return render(
        request,
        "reassignments/new.html",
        {
            "merchandisers": merchandisers,
            "source": source,
            "target_id": target_id,
            "reason": data.get("reason", ""),
            "checklist": checklist,
            "recent": reassignment_visible_list(user=user)[:20],
        },
    )


@login_required
@require_GET
def reassignment_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    reassignment = fetch_or_404(reassignment_get, user=request.user, pk=pk)
    return render(
        request,
        "reassignments/detail.html",
        {"reassignment": reassignment, "checklist": reassignment.checklist},
    )
