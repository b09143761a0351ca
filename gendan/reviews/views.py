"""Review screens: the list in scope, one review with its department items, signing and the conclusion."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gendan.accounts import roles as R
from gendan.core.errors import ApplicationError
from gendan.core.paging import capped_page
from gendan.core.web import error_fields, fetch_or_404, form_errors_apply
from gendan.reviews.forms import ApproveForm, ItemSignForm, RejectForm
from gendan.reviews.models import Review, ReviewDepartment, ReviewItem
from gendan.reviews.selectors import department_may_sign, review_get, review_visible_list
from gendan.reviews.services import (
    review_approve,
    review_approve_many,
    review_item_sign,
    review_item_sign_many,
    review_reject,
)

CONCLUDE_ROLES = (R.SUPERVISOR, R.GENERAL_MANAGER, R.ADMIN)
STATUS_FILTERS = {"open", "approved", "rejected", "cancelled"}


def _detail_url(review: Review) -> str:
    return reverse("reviews:detail", args=[review.pk])


@login_required
@require_GET
def review_list_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    qs = review_visible_list(user=request.user).annotate(
        open_first=Case(
            When(status=Review.Status.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
        signed=Count("items", filter=~Q(items__result=ReviewItem.Result.PENDING)),
        item_total=Count("items"),
    )
    if status in STATUS_FILTERS:
        qs = qs.filter(status=status)
    page = capped_page(qs.order_by("open_first", "-id"), request.GET.get("page"))
    user = request.user
    may_sign = any(department_may_sign(user=user, department=d) for d in ReviewDepartment.values)
    may_conclude = user.has_role(*CONCLUDE_ROLES) and not user.is_read_only
    return render(
        request,
        "reviews/list.html",
        {
            "page": page,
            "status": status,
            "statuses": Review.Status.choices,
            "may_sign": may_sign,
            "may_conclude": may_conclude,
            "batch": may_sign or may_conclude,
        },
    )


@login_required
@require_POST
def review_batch_view(request: HttpRequest) -> HttpResponse:
    """The list's batch actions on the ticked reviews: sign my department's pending items as passed
    (批量会签), or approve them at their feasible dates (批量批准). All or none, like the API."""
    back = reverse("reviews:list") + "?status=open"
    try:
        ids = [int(value) for value in request.POST.getlist("reviews")]
    except ValueError:
        ids = []
    if not ids:
        messages.error(request, _("Tick at least one review."))
        return redirect(back)
    try:
        if request.POST.get("action") == "approve":
            done = review_approve_many(reviews=ids, actor=request.user)
            messages.success(request, _("%(n)d review(s) approved.") % {"n": len(done)})
        else:
            departments = [
                d for d in ReviewDepartment.values if department_may_sign(user=request.user, department=d)
            ]
            items = list(
                ReviewItem.objects.filter(
                    review_id__in=ids, department__in=departments, result=ReviewItem.Result.PENDING
                ).values_list("pk", flat=True)
            )
            if not items:
                messages.error(
                    request, _("None of the ticked reviews waits for your department's signature.")
                )
                return redirect(back)
            done = review_item_sign_many(items=items, actor=request.user, result=ReviewItem.Result.PASS)
            messages.success(request, _("%(n)d item(s) signed as passed.") % {"n": len(done)})
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(back)


def _can_conclude(request: HttpRequest, review: Review) -> bool:
    user = request.user
    return review.status == Review.Status.OPEN and user.has_role(*CONCLUDE_ROLES) and not user.is_read_only


def _render_detail(
    request: HttpRequest,
    review: Review,
    *,
    bound_sign: tuple[int, ItemSignForm] | None = None,
    approve_form: ApproveForm | None = None,
    reject_form: RejectForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    is_open = review.status == Review.Status.OPEN
    rows = []
    for item in review.items.all():
        form = None
        if is_open and department_may_sign(user=user, department=item.department):
            if bound_sign and bound_sign[0] == item.pk:
                form = bound_sign[1]
            else:
                initial = {"comment": item.comment}
                if item.result != ReviewItem.Result.PENDING:
                    initial["result"] = item.result
                form = ItemSignForm(prefix=f"item-{item.pk}", initial=initial)
        rows.append({"item": item, "form": form})
    order = review.order
    can_conclude = _can_conclude(request, review)
    if can_conclude and approve_form is None:
        approve_form = ApproveForm(initial={"promised_date": max(order.requested_date, review.feasible_date)})
    if can_conclude and reject_form is None:
        reject_form = RejectForm()
    basis = review.feasible_basis or {}
    return render(
        request,
        "reviews/detail.html",
        {
            "review": review,
            "order": order,
            "rows": rows,
            "basis": basis,
            "warnings": basis.get("warnings") or [],
            "pending": [r["item"] for r in rows if r["item"].result == ReviewItem.Result.PENDING],
            "can_conclude": can_conclude,
            "approve_form": approve_form,
            "reject_form": reject_form,
        },
        status=status,
    )


@login_required
@require_GET
def review_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    review = fetch_or_404(review_get, user=request.user, pk=pk)
    return _render_detail(request, review)


@login_required
@require_POST
def review_item_sign_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    review = fetch_or_404(review_get, user=request.user, pk=pk)
    item = get_object_or_404(ReviewItem, pk=item_pk, review=review)
    form = ItemSignForm(request.POST, prefix=f"item-{item.pk}")
    if not form.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return _render_detail(request, review, bound_sign=(item.pk, form))
    try:
        review_item_sign(
            item=item,
            actor=request.user,
            result=form.cleaned_data.get("result") or "",
            comment=form.cleaned_data.get("comment") or "",
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        form_errors_apply(form, error_fields(exc))
        return _render_detail(request, review, bound_sign=(item.pk, form))
    messages.success(request, _("%(dept)s signed.") % {"dept": item.get_department_display()})
    return redirect(_detail_url(review))


@login_required
@require_POST
def review_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    review = fetch_or_404(review_get, user=request.user, pk=pk)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return _render_detail(request, review, approve_form=form)
    try:
        review_approve(
            review=review,
            actor=request.user,
            promised_date=form.cleaned_data.get("promised_date"),
            reason=form.cleaned_data.get("reason") or "",
            conclusion=form.cleaned_data.get("conclusion") or "",
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        form_errors_apply(form, error_fields(exc))
        return _render_detail(request, review, approve_form=form)
    messages.success(
        request, _("Review approved; order %(number)s is approved.") % {"number": review.order.number}
    )
    return redirect(_detail_url(review))


@login_required
@require_POST
def review_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    review = fetch_or_404(review_get, user=request.user, pk=pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return _render_detail(request, review, reject_form=form)
    try:
        review_reject(review=review, actor=request.user, reason=form.cleaned_data.get("reason") or "")
    except ApplicationError as exc:
        messages.error(request, exc.message)
        form_errors_apply(form, error_fields(exc))
        return _render_detail(request, review, reject_form=form)
    messages.success(
        request, _("Review rejected; order %(number)s is rejected.") % {"number": review.order.number}
    )
    return redirect(_detail_url(review))
