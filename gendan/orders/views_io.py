"""Files in and out for orders: Excel import (upload → preview → commit) and export, business notice PDF."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gendan.core.audit import audit_record
from gendan.core.errors import NotFoundError
from gendan.core.excel import ImportScreen, import_screen, template_response
from gendan.core.pdf import pdf_response
from gendan.exports.web import export_respond
from gendan.orders.exports import STATUS_ZH
from gendan.orders.imports import (
    ORDER_COLUMNS,
    TEMPLATE_EXAMPLE,
    may_import_orders,
    order_import_commit,
    order_import_preview,
)
from gendan.orders.models import OrderEvent
from gendan.orders.pdf import NOTICE_DOCUMENT, business_notice_pdf, notice_available
from gendan.orders.selectors import order_get
from gendan.orders.services import order_event_record


def _imported_message(orders: list) -> str:
    if not orders:
        return _("Nothing to import.")
    return _("Imported %(n)d orders: %(first)s – %(last)s.") % {
        "n": len(orders),
        "first": orders[0].number,
        "last": orders[-1].number,
    }


def _screen() -> ImportScreen:
    return ImportScreen(
        kind="orders",
        title=_("Import orders from Excel"),
        columns=ORDER_COLUMNS,
        allowed=may_import_orders,
        preview=order_import_preview,
        commit=order_import_commit,
        done_message=_imported_message,
        done_url="/orders/",
        template_url=reverse("order_import_template"),
        intro=_(
            "Rows with the same customer code and customer PO number become one order, each row one line; "
            "the order's header fields are taken from its first row."
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def order_import(request: HttpRequest) -> HttpResponse:
    return import_screen(request, _screen())


@login_required
@require_GET
def order_import_template(request: HttpRequest) -> HttpResponse:
    return template_response(
        filename="order-import-template.xlsx", columns=ORDER_COLUMNS, example=TEMPLATE_EXAMPLE
    )


@login_required
@require_GET
def order_export(request: HttpRequest) -> HttpResponse:
    return export_respond(request, kind="orders")


@login_required
@require_GET
def order_notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        order = order_get(user=request.user, pk=pk)
    except NotFoundError as exc:
        raise Http404(exc.message) from None
    if not notice_available(order):
        return render(
            request,
            "core/io/message.html",
            {
                "title": _("Business notice"),
                "message": _(
                    "The business notice of %(number)s can be printed once the order is released (now: %(status)s)."
                )
                % {"number": order.number, "status": STATUS_ZH.get(order.status, order.status)},
                "back_url": f"/orders/{order.pk}/",
            },
            status=409,
        )
    content = business_notice_pdf(order=order, printed_by=request.user)
    order_event_record(
        order=order, type=OrderEvent.Type.PRINTED, actor=request.user, data={"document": NOTICE_DOCUMENT}
    )
    audit_record(
        actor=request.user,
        action="print",
        what="business_notice",
        object_ref=order.number,
        data={"document": NOTICE_DOCUMENT},
        request=request,
    )
    return pdf_response(content, filename=f"业务通知单-{order.number}.pdf")
