"""Thin views over notify's selectors and services: the inbox, mark read, and the nav badge."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gendan.core.errors import NotFoundError
from gendan.notify.selectors import notification_get, notification_list, notification_unread_count
from gendan.notify.services import notification_mark_all_read, notification_mark_read

PAGE_SIZE = 50
CHANGED_EVENT = "notificationsChanged"  # the nav badge listens for it (hx-trigger "… from:body")


def _list_context(request: HttpRequest, page_number: str | int | None) -> dict:
    page_obj = Paginator(notification_list(user=request.user), PAGE_SIZE).get_page(page_number)
    return {"page_obj": page_obj, "unread": notification_unread_count(user=request.user)}


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "notify/inbox.html", _list_context(request, request.GET.get("page")))


@never_cache
@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    # Polled from the nav: a logged-out poll answers 204 (htmx swaps nothing) instead of a login page.
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(
        request, "notify/partials/badge.html", {"unread": notification_unread_count(user=request.user)}
    )


def _mark_read(request: HttpRequest, pk: int):
    try:
        return notification_mark_read(user=request.user, notification_id=pk)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = _mark_read(request, pk)
    if request.htmx:
        context = {"notification": notification, "unread": notification_unread_count(user=request.user)}
        response = render(request, "notify/partials/row_read.html", context)
        response["HX-Trigger"] = CHANGED_EVENT
        return response
    return redirect("notify:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = notification_mark_all_read(user=request.user)
    if request.htmx:
        response = render(request, "notify/partials/list.html", _list_context(request, 1))
        response["HX-Trigger"] = CHANGED_EVENT
        return response
    messages.success(
        request,
        ngettext("%(count)d notification marked read.", "%(count)d notifications marked read.", count)
        % {"count": count},
    )
    return redirect("notify:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def open_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification's link (only to this site's own pages). POST (the inbox's button) also marks it
    read on the way; a GET (a link copied or prefetched) only follows it and changes nothing."""
    if request.method == "POST":
        notification = _mark_read(request, pk)
    else:
        try:
            notification = notification_get(user=request.user, notification_id=pk)
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
    target = notification.link
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    if target:
        messages.info(request, _("This notification links outside gendan: %(link)s") % {"link": target})
    return redirect("notify:inbox")
