"""Materials screens: materials and stock, BOM per product, purchase requests, purchase orders and arrivals,
an order's materials. Thin: reads through selectors, writes through services, errors shown as messages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gendan.catalog.selectors import product_get
from gendan.core.errors import ApplicationError
from gendan.core.paging import capped_page
from gendan.core.web import error_fields, fetch_or_404, form_errors_apply

from . import selectors as sel
from . import services
from .forms import (
    BomLineForm,
    ExpectedDateForm,
    MaterialForm,
    PurchaseOrderFilterForm,
    PurchaseOrderForm,
    ReasonForm,
    ReceiveForm,
    RequestFilterForm,
    SearchForm,
    StockAdjustForm,
)
from .models import BomLine, Material, PurchaseRequestStatus


def _cleaned(form) -> dict:
    return form.cleaned_data if form.is_bound and form.is_valid() else {}


def _fail(request: HttpRequest, exc: ApplicationError, form=None) -> None:
    messages.error(request, exc.message)
    if form is not None:
        form_errors_apply(form, error_fields(exc))


@login_required
@require_GET
def material_list_view(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    page = capped_page(
        sel.material_list(user=request.user, q=_cleaned(form).get("q", "")), request.GET.get("page")
    )
    return render(
        request,
        "materials/material_list.html",
        {"form": form, "page": page, "can_edit": sel.may_edit_bom(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def material_create_view(request: HttpRequest) -> HttpResponse:
    if not sel.may_edit_bom(request.user):
        raise PermissionDenied
    form = MaterialForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            material = services.material_create(actor=request.user, data=form.cleaned_data)
        except ApplicationError as exc:
            _fail(request, exc, form)
        else:
            messages.success(request, _("Material %(code)s created.") % {"code": material.code})
            return redirect(reverse("materials:detail", args=[material.pk]))
    return render(request, "materials/material_form.html", {"form": form})


@login_required
@require_GET
def material_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    material = fetch_or_404(sel.material_get, user=request.user, pk=pk)
    movements = sel.stock_movements(material=material)
    return render(
        request,
        "materials/material_detail.html",
        {
            "material": material,
            "stock": sel.stock_of(material=material),
            "movements": movements,
            "visible_orders": sel.orders_visible_among(
                user=request.user, order_ids=[mv.order_id for mv in movements]
            ),
            "used_in": BomLine.objects.filter(material=material)
            .select_related("product")
            .order_by("product__code"),
            "requests": sel.purchase_request_list(user=request.user)
            .filter(material=material)
            .exclude(status=PurchaseRequestStatus.CANCELLED)[:50],
            "adjust_form": StockAdjustForm(),
            "can_adjust": sel.may_purchase(request.user),
        },
    )


@login_required
@require_POST
def material_adjust_view(request: HttpRequest, pk: int) -> HttpResponse:
    material = fetch_or_404(sel.material_get, user=request.user, pk=pk)
    form = StockAdjustForm(request.POST)
    form.is_valid()
    try:
        stock = services.stock_adjust(
            actor=request.user,
            material=material,
            quantity=form.cleaned_data.get("quantity"),
            note=form.cleaned_data.get("note", ""),
        )
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Stock counted: %(qty)s on hand.") % {"qty": sel.qty_text(stock.on_hand)})
    return redirect(reverse("materials:detail", args=[material.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def bom_view(request: HttpRequest, product_pk: int) -> HttpResponse:
    product = fetch_or_404(product_get, user=request.user, pk=product_pk)
    can_edit = sel.may_edit_bom(request.user)
    form = BomLineForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form.is_valid()
        data = form.cleaned_data
        material = Material.objects.filter(code__iexact=(data.get("material") or "").strip()).first()
        try:
            if material is None:
                raise ApplicationError(
                    _("Unknown material."),
                    code="unknown_material",
                    extra={"fields": {"material": [_("Unknown material.")]}},
                )
            services.bom_line_set(
                actor=request.user,
                product=product,
                material=material,
                usage_per_unit=data.get("usage_per_unit"),
                loss_rate_percent=data.get("loss_rate_percent") or "0",
            )
        except ApplicationError as exc:
            _fail(request, exc, form)
        else:
            messages.success(request, _("BOM saved."))
            return redirect(reverse("materials:bom", args=[product.pk]))
    return render(
        request,
        "materials/bom.html",
        {
            "product": product,
            "lines": sel.bom_for_product(product_id=product.pk),
            "form": form,
            "can_edit": can_edit,
        },
    )


@login_required
@require_POST
def bom_line_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    line = BomLine.objects.filter(pk=pk).first()
    if line is None:
        raise Http404(_("Not found."))
    try:
        services.bom_line_remove(actor=request.user, line=line)
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Removed from the BOM."))
    return redirect(reverse("materials:bom", args=[line.product_id]))


@login_required
@require_GET
def request_list_view(request: HttpRequest) -> HttpResponse:
    form = RequestFilterForm(request.GET or None)
    data = _cleaned(form)
    status = data.get("status") if form.is_bound else PurchaseRequestStatus.OPEN
    qs = sel.purchase_request_list(user=request.user, status=status or None, q=data.get("q", ""))
    return render(
        request,
        "materials/request_list.html",
        {
            "form": form,
            "page": capped_page(qs, request.GET.get("page")),
            "po_form": PurchaseOrderForm(),
            "can_purchase": sel.may_purchase(request.user),
        },
    )


@login_required
@require_POST
def purchase_order_create_view(request: HttpRequest) -> HttpResponse:
    form = PurchaseOrderForm(request.POST)
    form.is_valid()
    ids = [value for value in request.POST.getlist("requests") if value.isdigit() and len(value) < 16]
    try:
        po = services.purchase_order_create(
            actor=request.user,
            supplier=form.cleaned_data.get("supplier") or "",
            request_ids=[int(value) for value in ids],
            expected_date=form.cleaned_data.get("expected_date"),
            note=form.cleaned_data.get("note", ""),
        )
    except ApplicationError as exc:
        _fail(request, exc)
        return redirect(reverse("materials:requests"))
    messages.success(request, _("Purchase order %(number)s placed.") % {"number": po.number})
    return redirect(reverse("materials:po_detail", args=[po.pk]))


@login_required
@require_GET
def purchase_order_list_view(request: HttpRequest) -> HttpResponse:
    if not sel.sees_purchasing(request.user):
        raise PermissionDenied
    form = PurchaseOrderFilterForm(request.GET or None)
    data = _cleaned(form)
    qs = sel.purchase_order_list(user=request.user, status=data.get("status") or None, q=data.get("q", ""))
    return render(
        request, "materials/po_list.html", {"form": form, "page": capped_page(qs, request.GET.get("page"))}
    )


@login_required
@require_GET
def purchase_order_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    po = fetch_or_404(sel.purchase_order_get, user=request.user, pk=pk)
    return render(
        request,
        "materials/po_detail.html",
        {
            "po": po,
            "visible_orders": sel.orders_visible_among(
                user=request.user,
                order_ids=[line.request.order_id for line in po.lines.all() if line.request_id],
            ),
            "can_purchase": sel.may_purchase(request.user),
            "receive_form": ReceiveForm(initial={"received_on": timezone.localdate().isoformat()}),
            "expected_form": ExpectedDateForm(initial={"expected_date": po.expected_date.isoformat()}),
            "cancel_form": ReasonForm(),
            "late": po.expected_date < timezone.localdate(),
        },
    )


@login_required
@require_POST
def purchase_receive_view(request: HttpRequest, pk: int) -> HttpResponse:
    line = fetch_or_404(sel.purchase_order_line_get, user=request.user, pk=pk)
    form = ReceiveForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        services.purchase_receive(
            actor=request.user,
            line=line,
            quantity=data.get("quantity"),
            received_on=data.get("received_on"),
            note=data.get("note", ""),
        )
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Arrival recorded."))
    return redirect(reverse("materials:po_detail", args=[line.purchase_order_id]))


@login_required
@require_POST
def purchase_order_expected_view(request: HttpRequest, pk: int) -> HttpResponse:
    po = fetch_or_404(sel.purchase_order_get, user=request.user, pk=pk)
    form = ExpectedDateForm(request.POST)
    form.is_valid()
    try:
        services.purchase_order_expected_change(
            actor=request.user,
            purchase_order=po,
            expected_date=form.cleaned_data.get("expected_date"),
            note=form.cleaned_data.get("note", ""),
        )
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Expected arrival moved."))
    return redirect(reverse("materials:po_detail", args=[po.pk]))


@login_required
@require_POST
def purchase_order_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    po = fetch_or_404(sel.purchase_order_get, user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.purchase_order_cancel(
            actor=request.user, purchase_order=po, reason=form.cleaned_data.get("reason", "")
        )
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Purchase order cancelled; its requests are open again."))
    return redirect(reverse("materials:po_detail", args=[po.pk]))


@login_required
@require_GET
def order_materials_view(request: HttpRequest, order_pk: int) -> HttpResponse:
    summary = fetch_or_404(sel.order_materials_summary, user=request.user, order_id=order_pk)
    return render(request, "materials/order.html", summary)


@login_required
@require_POST
def scan_view(request: HttpRequest) -> HttpResponse:
    if not sel.may_purchase(request.user):
        raise PermissionDenied
    counts = services.materials_scan(today=timezone.localdate())
    messages.success(
        request,
        _("Scan done: %(checked)s late or short lines, %(raised)s new exceptions.")
        % {"checked": counts["checked"], "raised": counts["raised"]},
    )
    return redirect(reverse("materials:requests"))
