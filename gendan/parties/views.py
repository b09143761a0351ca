"""Customer screens: list and detail in the user's scope, creation for the roles allowed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gendan.core.errors import ApplicationError
from gendan.core.paging import capped_page
from gendan.core.web import error_fields, fetch_or_404, form_errors_apply
from gendan.orders.selectors import order_list
from gendan.parties.forms import CustomerFilterForm, CustomerForm
from gendan.parties.selectors import customer_get, customer_list, customer_visible_list
from gendan.parties.services import CUSTOMER_CREATE_ROLES, customer_create


def _may_create(request: HttpRequest) -> bool:
    user = request.user
    return user.has_role(*CUSTOMER_CREATE_ROLES) and not user.is_read_only


@login_required
@require_GET
def customer_list_view(request: HttpRequest) -> HttpResponse:
    form = CustomerFilterForm(request.GET or None)
    page = capped_page(customer_list(user=request.user, **form.values()), request.GET.get("page"))
    return render(
        request,
        "parties/customer_list.html",
        {"form": form, "page": page, "can_create": _may_create(request)},
    )


@login_required
@require_GET
def customer_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = fetch_or_404(customer_get, user=request.user, pk=pk)
    orders = list(order_list(user=request.user, filters={"customer": customer.pk})[:20])
    return render(
        request,
        "parties/customer_detail.html",
        {"customer": customer, "orders": orders, "contacts": list(customer.contacts.all())},
    )


@login_required
@require_http_methods(["GET", "POST"])
def customer_create_view(request: HttpRequest) -> HttpResponse:
    if not _may_create(request):
        raise PermissionDenied
    if request.method == "POST":
        form = CustomerForm(request.POST)
        if form.is_valid():
            try:
                customer = customer_create(actor=request.user, data=form.payload())
            except ApplicationError as exc:
                messages.error(request, exc.message)
                form_errors_apply(form, error_fields(exc))
            else:
                messages.success(request, _("Customer %(code)s created.") % {"code": customer.code})
                if customer_visible_list(user=request.user).filter(pk=customer.pk).exists():
                    return redirect(reverse("parties:detail", args=[customer.pk]))
                return redirect(reverse("parties:list"))  # e.g. assigned to a merchandiser outside the team
        else:
            messages.error(request, _("Please correct the errors below."))
    else:
        form = CustomerForm()
    return render(request, "parties/customer_form.html", {"form": form})
