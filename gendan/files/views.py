"""Attachments on the site: upload to an owner, download and withdraw. Every download passes the owner's
order scope (404 otherwise) and is written to the audit log; nothing is served from a public URL."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gendan.core.downloads import stored_file_response
from gendan.core.errors import ApplicationError
from gendan.core.web import fetch_or_404
from gendan.files import services
from gendan.files.models import Attachment
from gendan.files.registry import owner_for_key
from gendan.files.selectors import attachment_get, attachment_owner_get, attachment_owner_key

INLINE_TYPES = ("application/pdf", "image/jpeg", "image/png", "image/webp")


def attachment_download_response(request: HttpRequest, attachment: Attachment) -> FileResponse:
    """The file, to a caller whose scope was checked (attachment_get); audited as a download."""
    return stored_file_response(
        request=request,
        file=attachment.file,
        what="attachment",
        object_ref=f"{attachment.order.number}#{attachment.pk}",
        filename=attachment.original_name,
        content_type=attachment.content_type,
        inline=attachment.content_type in INLINE_TYPES,
        data={
            "attachment": attachment.pk,
            "owner_type": attachment_owner_key(attachment),
            "owner_id": attachment.owner_id,
        },
    )


def _back(owner_type: str, owner) -> HttpResponse:
    spec = owner_for_key(owner_type)
    return redirect(spec.url_of(owner) + "#attachments")


@login_required
@require_POST
def upload_view(request: HttpRequest, owner_type: str, owner_id: int) -> HttpResponse:
    _spec, owner = fetch_or_404(
        attachment_owner_get, user=request.user, owner_type=owner_type, owner_id=owner_id
    )
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to attach."))
        return _back(owner_type, owner)
    try:
        attachment = services.attachment_add(
            owner=owner,
            actor=request.user,
            file=upload,
            kind=request.POST.get("kind") or "other",
            note=request.POST.get("note", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s attached.") % {"name": attachment.original_name})
    return _back(owner_type, owner)


@login_required
@require_GET
def download_view(request: HttpRequest, pk: int) -> FileResponse:
    attachment = fetch_or_404(attachment_get, user=request.user, pk=pk)
    return attachment_download_response(request, attachment)


@login_required
@require_POST
def withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = fetch_or_404(attachment_get, user=request.user, pk=pk)
    try:
        services.attachment_withdraw(
            attachment=attachment, actor=request.user, reason=request.POST.get("reason", "")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s withdrawn.") % {"name": attachment.original_name})
    return _back(attachment_owner_key(attachment), attachment.owner)
