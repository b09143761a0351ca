"""Files in for products / styles: Excel import (upload → preview → commit)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gendan.catalog.imports import (
    PRODUCT_COLUMNS,
    TEMPLATE_EXAMPLE,
    may_import_products,
    product_import_commit,
    product_import_preview,
)
from gendan.core.excel import ImportScreen, import_screen, template_response


def _screen() -> ImportScreen:
    return ImportScreen(
        kind="products",
        title=_("Import products from Excel"),
        columns=PRODUCT_COLUMNS,
        allowed=may_import_products,
        preview=product_import_preview,
        commit=product_import_commit,
        done_message=lambda created: _("Imported %(n)d products.") % {"n": len(created)},
        done_url="/products/",
        template_url=reverse("product_import_template"),
        intro=_("Each row is a new product or style; a code that already exists is an error."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_import(request: HttpRequest) -> HttpResponse:
    return import_screen(request, _screen())


@login_required
@require_GET
def product_import_template(request: HttpRequest) -> HttpResponse:
    return template_response(
        filename="product-import-template.xlsx", columns=PRODUCT_COLUMNS, example=TEMPLATE_EXAMPLE
    )
