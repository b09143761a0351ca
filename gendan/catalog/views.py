"""Product / style screens: list, detail, creation for the roles allowed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gendan.catalog.forms import ProductFilterForm, ProductForm
from gendan.catalog.selectors import product_get, product_list
from gendan.catalog.services import PRODUCT_CREATE_ROLES, product_create
from gendan.core.errors import ApplicationError
from gendan.core.paging import capped_page
from gendan.core.web import error_fields, fetch_or_404, form_errors_apply


def _may_create(request: HttpRequest) -> bool:
    user = request.user
    return user.has_role(*PRODUCT_CREATE_ROLES) and not user.is_read_only


@login_required
@require_GET
def product_list_view(request: HttpRequest) -> HttpResponse:
    form = ProductFilterForm(request.GET or None)
    page = capped_page(product_list(user=request.user, **form.values()), request.GET.get("page"))
    return render(
        request, "catalog/product_list.html", {"form": form, "page": page, "can_create": _may_create(request)}
    )


@login_required
@require_GET
def product_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    product = fetch_or_404(product_get, user=request.user, pk=pk)
    return render(request, "catalog/product_detail.html", {"product": product})


@login_required
@require_http_methods(["GET", "POST"])
def product_create_view(request: HttpRequest) -> HttpResponse:
    if not _may_create(request):
        raise PermissionDenied
    if request.method == "POST":
        form = ProductForm(request.POST)
        if form.is_valid():
            try:
                product = product_create(actor=request.user, data=form.payload())
            except ApplicationError as exc:
                messages.error(request, exc.message)
                form_errors_apply(form, error_fields(exc))
            else:
                messages.success(request, _("Product %(code)s created.") % {"code": product.code})
                return redirect(reverse("catalog:detail", args=[product.pk]))
        else:
            messages.error(request, _("Please correct the errors below."))
    else:
        form = ProductForm()
    return render(request, "catalog/product_form.html", {"form": form})
