"""Comment screens: posting, editing and withdrawing from the thread shown on its owner's page.

The thread itself is drawn on the owner's page by `{% include "discussion/partials/thread.html" with owner=… %}`.
A refused comment goes back to that page with its text and the errors kept for one view (the session), so
nothing typed is lost.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gendan.core.errors import ApplicationError
from gendan.core.web import error_fields, error_text, fetch_or_404
from gendan.discussion import services
from gendan.discussion.selectors import comment_get, thread_get, thread_of

DRAFT_SESSION_KEY = "discussion_draft"


def draft_key(owner_type: str, owner_id: int) -> str:
    return f"{owner_type}:{owner_id}"


def _parent_id(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return -1  # no such comment: the service answers with a field error


@login_required
@require_POST
def comment_post_view(request: HttpRequest, owner_type: str, owner_id: int) -> HttpResponse:
    thread = fetch_or_404(thread_get, user=request.user, owner_type=owner_type, owner_id=owner_id)
    body = request.POST.get("body", "")
    parent_id = _parent_id(request.POST.get("parent_id"))
    try:
        comment = services.comment_post(
            owner=thread.owner, actor=request.user, body=body, parent_id=parent_id
        )
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
        fields = error_fields(exc)
        request.session[DRAFT_SESSION_KEY] = {
            "key": draft_key(thread.key, thread.owner_id),
            "body": body[:5000],
            "parent_id": parent_id,
            "errors": [m for ms in fields.values() for m in ms] or [exc.message],
        }
        anchor = f"comment-{parent_id}" if parent_id and parent_id > 0 else "comment-form"
        return redirect(f"{thread.url}#{anchor}")
    messages.success(request, _("Comment posted."))
    return redirect(f"{thread.url}#comment-{comment.pk}")


@login_required
@require_POST
def comment_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    comment = fetch_or_404(comment_get, user=request.user, pk=pk)
    thread = thread_of(owner=comment.owner)
    try:
        services.comment_edit(comment=comment, actor=request.user, body=request.POST.get("body", ""))
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Comment edited."))
    return redirect(f"{thread.url}#comment-{comment.pk}")


@login_required
@require_POST
def comment_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    comment = fetch_or_404(comment_get, user=request.user, pk=pk)
    thread = thread_of(owner=comment.owner)
    try:
        services.comment_withdraw(comment=comment, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Comment withdrawn."))
    return redirect(f"{thread.url}#comment-{comment.pk}")
