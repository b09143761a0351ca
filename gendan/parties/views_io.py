"""Files in and out for customers: Excel import (upload → preview → commit) and export."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gendan.core.excel import ImportScreen, import_screen, template_response
from gendan.exports.web import export_respond
from gendan.parties.imports import (
    CUSTOMER_COLUMNS,
    TEMPLATE_EXAMPLE,
    customer_import_commit,
    customer_import_preview,
    may_import_customers,
)


def _screen() -> ImportScreen:
    return ImportScreen(
        kind="customers",
        title=_("Import customers from Excel"),
        columns=CUSTOMER_COLUMNS,
        allowed=may_import_customers,
        preview=customer_import_preview,
        commit=customer_import_commit,
        done_message=lambda created: _("Imported %(n)d customers.") % {"n": len(created)},
        done_url="/customers/",
        template_url=reverse("customer_import_template"),
        intro=_("Each row is a new customer; a code that already exists is an error."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def customer_import(request: HttpRequest) -> HttpResponse:
    return import_screen(request, _screen())


@login_required
@require_GET
def customer_import_template(request: HttpRequest) -> HttpResponse:
    return template_response(
        filename="customer-import-template.xlsx", columns=CUSTOMER_COLUMNS, example=TEMPLATE_EXAMPLE
    )


@login_required
@require_GET
def customer_export(request: HttpRequest) -> HttpResponse:
    return export_respond(request, kind="customers")
