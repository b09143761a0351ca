"""Follow-up screens. Thin: parse the request, call a service or selector, render; rule failures come
back as ApplicationError and are shown as messages (field errors next to the fields)."""

import datetime as dt
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gendan.accounts import roles as R
from gendan.core.audit import audit_record
from gendan.core.downloads import stored_file_response
from gendan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from gendan.core.paging import capped_page
from gendan.followup import exports, selectors, services
from gendan.followup.models import (
    ExceptionStatus,
    ExceptionType,
    MilestoneStatus,
    ProgressStage,
    ProgressState,
    Severity,
)
from gendan.followup.policy import policy_for
from gendan.followup.risk import reason_text
from gendan.followup.workflows import (
    ACTUAL_ROLES,
    PLAN_EDIT_ROLES,
    PLAN_GENERATE_ROLES,
    RAISE_ROLES,
    RECORD_ROLES,
)
from gendan.orders.selectors import order_visible_list

logger = logging.getLogger("gendan.followup")


def _date_param(value: str | None, default: dt.date) -> dt.date:
    try:
        parsed = dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return default
    return parsed if 2000 <= parsed.year <= 2100 else default


def _not_found(exc: NotFoundError) -> Http404:
    return Http404(exc.message)


def _can(user, roles) -> bool:
    return bool(user.roles & set(roles)) and not user.is_read_only


# --- today --------------------------------------------------------------------------------------------


@login_required
@require_GET
def today(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    return render(
        request,
        "followup/today.html",
        {
            "rows": selectors.followup_today(user=request.user, now=now),
            "today": timezone.localdate(now),
            "policy": policy_for(timezone.localdate(now)),
            "can_record": _can(request.user, RECORD_ROLES),
        },
    )


# --- plans --------------------------------------------------------------------------------------------


def _plan_context(request: HttpRequest, order) -> dict:
    today = timezone.localdate()
    plan = selectors.plan_for_order(order=order)
    context = {
        "order": order,
        "plan": plan,
        "today": today,
        "can_generate": _can(request.user, PLAN_GENERATE_ROLES),
        "can_move": _can(request.user, PLAN_EDIT_ROLES),
        "can_actual": _can(request.user, ACTUAL_ROLES),
        "can_record": _can(request.user, RECORD_ROLES) and order.status in services.PRODUCTION_STATUSES,
        "can_raise": _can(request.user, RAISE_ROLES),
        "risk": getattr(order, "risk", None),
        "events": selectors.followup_events(order=order)[:50],
        "calendar_warnings": selectors.calendar_warnings(
            today=today, until=plan.promised_date if plan else order.due_date
        ),
    }
    if plan:
        milestones = selectors.plan_milestones(plan=plan, today=today)
        context["milestones"] = milestones
        context["gantt"] = selectors.plan_gantt(plan=plan, milestones=milestones, today=today)
    if context["risk"]:
        context["risk_reasons"] = [reason_text(r) for r in context["risk"].reasons]
    return context


@login_required
@require_GET
def order_plan(request: HttpRequest, order_id: int) -> HttpResponse:
    try:
        order = selectors.order_for_followup(user=request.user, pk=order_id)
    except NotFoundError as exc:
        raise _not_found(exc) from None
    return render(request, "followup/plan.html", _plan_context(request, order))


@login_required
@require_POST
def plan_generate(request: HttpRequest, order_id: int) -> HttpResponse:
    try:
        order = selectors.order_for_followup(user=request.user, pk=order_id)
        plan = services.ta_plan_generate(
            order=order, actor=request.user, strict=bool(request.POST.get("strict"))
        )
        messages.success(request, _("T&A plan generated."))
        for warning in plan.warnings:
            messages.warning(request, warning)
    except NotFoundError as exc:
        raise _not_found(exc) from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("followup:order_plan", order_id=order_id)


def _milestones_partial(
    request: HttpRequest, order, error: str = "", errors: dict | None = None
) -> HttpResponse:
    context = _plan_context(request, order)
    context.update({"error": error, "errors": errors or {}})
    return render(request, "followup/partials/milestones.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def milestone_move(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        milestone = selectors.milestone_get(user=request.user, pk=pk)
    except NotFoundError as exc:
        raise _not_found(exc) from None
    order = milestone.plan.order
    errors: dict = {}
    if request.method == "POST":
        try:
            services.ta_milestone_move(
                milestone=milestone,
                actor=request.user,
                planned_date=request.POST.get("planned_date"),
                reason=request.POST.get("reason", ""),
                version=int(request.POST["version"]) if request.POST.get("version", "").isdigit() else None,
            )
            messages.success(request, _("Milestone moved; the reason is on the order's timeline."))
            return redirect("followup:order_plan", order_id=order.pk)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            errors = exc.extra.get("fields", {})
    return render(
        request,
        "followup/milestone_move.html",
        {"milestone": milestone, "order": order, "errors": errors, "values": request.POST},
    )


@login_required
@require_POST
def milestone_actual(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        milestone = selectors.milestone_get(user=request.user, pk=pk)
    except NotFoundError as exc:
        raise _not_found(exc) from None
    order = milestone.plan.order
    error, errors = "", {}
    try:
        services.ta_milestone_actual(
            milestone=milestone,
            actor=request.user,
            actual_date=request.POST.get("actual_date"),
            note=request.POST.get("note", ""),
        )
    except ApplicationError as exc:
        error, errors = exc.message, exc.extra.get("fields", {})
    if request.htmx:
        return _milestones_partial(request, order, error, errors)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Actual date recorded."))
    return redirect("followup:order_plan", order_id=order.pk)


@login_required
@require_GET
def plans(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    filters = {k: request.GET.get(k, "") for k in ("merchandiser", "status", "q")}
    if filters["merchandiser"] and not filters["merchandiser"].isdigit():
        filters["merchandiser"] = ""
    overview = selectors.plan_overview(user=request.user, today=today, filters=filters)
    page = capped_page(overview["orders"], request.GET.get("page"), per_page=30)
    rows = selectors.plan_overview_rows(
        orders=page.object_list,
        today=today,
        start=overview["start"],
        end=overview["end"],
        soon=overview["soon"],
    )
    span = max(1, (overview["end"] - overview["start"]).days)
    return render(
        request,
        "followup/plans.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "ticks": selectors.overview_ticks(start=overview["start"], end=overview["end"]),
            "today_left": round(100 * (today - overview["start"]).days / span, 2),
            "start": overview["start"],
            "end": overview["end"],
            "statuses": [
                (MilestoneStatus.OVERDUE, MilestoneStatus.OVERDUE.label),
                (MilestoneStatus.DUE_SOON, MilestoneStatus.DUE_SOON.label),
            ],
            "calendar_warnings": selectors.calendar_warnings(today=today),
        },
    )


# --- progress records ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def order_records(request: HttpRequest, order_id: int) -> HttpResponse:
    try:
        order = selectors.order_for_followup(user=request.user, pk=order_id)
    except NotFoundError as exc:
        raise _not_found(exc) from None
    errors: dict = {}
    if request.method == "POST":
        try:
            record = services.progress_record_create(
                order=order,
                actor=request.user,
                stage=request.POST.get("stage", ""),
                quantity_done=request.POST.get("quantity_done"),
                state=request.POST.get("state", ProgressState.NORMAL),
                note=request.POST.get("note", ""),
                photos=request.FILES.getlist("photos"),
            )
            messages.success(request, _("Progress recorded."))
            if record.state != ProgressState.NORMAL:
                messages.warning(
                    request,
                    _(
                        "A delay or quality problem needs an exception: raise one now, or it is listed as possible concealment."
                    ),
                )
                kind = (
                    ExceptionType.QUALITY if record.state == ProgressState.QUALITY else ExceptionType.SCHEDULE
                )
                return redirect(reverse("followup:exception_new") + f"?order={order.pk}&type={kind}")
            return redirect("followup:order_records", order_id=order.pk)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            errors = exc.extra.get("fields", {})
    now = timezone.now()
    policy = policy_for(timezone.localdate(now))
    page = capped_page(selectors.records_for_order(order=order), request.GET.get("page"), per_page=20)
    last = page.object_list[0] if page.object_list and page.number == 1 else None
    return render(
        request,
        "followup/records.html",
        {
            "order": order,
            "page": page,
            "errors": errors,
            "values": request.POST if request.method == "POST" else {"stage": last.stage if last else ""},
            "stages": ProgressStage.choices,
            "states": ProgressState.choices,
            "slot_label": policy.slot_label(policy.slot_of(timezone.localtime(now).time())),
            "can_record": _can(request.user, RECORD_ROLES) and order.status in services.PRODUCTION_STATUSES,
            "can_confirm": _can(request.user, RECORD_ROLES) and order.status in services.SHIPPING_STATUSES,
            "confirmation": order.shipment_confirmations.filter(work_date=timezone.localdate(now)).first(),
        },
    )


@login_required
@require_POST
def shipment_confirm(request: HttpRequest, order_id: int) -> HttpResponse:
    try:
        order = selectors.order_for_followup(user=request.user, pk=order_id)
        services.shipment_confirm(
            order=order,
            actor=request.user,
            quantity_shipped=request.POST.get("quantity_shipped"),
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("Today's shipment confirmed."))
    except NotFoundError as exc:
        raise _not_found(exc) from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
    if request.POST.get("next") == "today":
        return redirect("followup:today")
    return redirect("followup:order_records", order_id=order_id)


@login_required
@require_GET
def photo(request: HttpRequest, pk: int) -> FileResponse:
    try:
        item = selectors.record_photo_get(user=request.user, pk=pk)
    except NotFoundError as exc:
        raise _not_found(exc) from None
    return stored_file_response(
        request=request, file=item.file, what="progress_photo", object_ref=f"{item.record.order_id}#{item.pk}"
    )


@login_required
@require_GET
def missed(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    date_to = _date_param(request.GET.get("date_to"), today)
    date_from = _date_param(request.GET.get("date_from"), date_to - dt.timedelta(days=6))
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    rows = selectors.missed_records(user=request.user, date_from=date_from, date_to=date_to)
    if request.GET.get("format") == "xlsx":
        audit_record(
            actor=request.user,
            action="export",
            what="missed_records",
            data={
                "rows": len(rows),
                "filters": {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()},
            },
            request=request,
        )
        return exports.missed_response(rows=rows, date_from=date_from, date_to=date_to)
    return render(
        request,
        "followup/missed.html",
        {"rows": rows[:1000], "total": len(rows), "date_from": date_from, "date_to": date_to},
    )


# --- risk and concealment -----------------------------------------------------------------------------


@login_required
@require_GET
def risk(request: HttpRequest) -> HttpResponse:
    levels = ("red",) if request.GET.get("level") == "red" else ("red", "amber")
    page = capped_page(selectors.orders_at_risk(user=request.user, levels=levels), request.GET.get("page"))
    for item in page.object_list:
        item.reason_texts = [reason_text(r) for r in item.reasons]
    return render(
        request,
        "followup/risk.html",
        {"page": page, "level": request.GET.get("level", ""), "last_scan": selectors.last_scan()},
    )


@login_required
@require_GET
def concealment(request: HttpRequest) -> HttpResponse:
    try:
        rows = selectors.concealment_list(user=request.user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None  # a role that may not see it: 403, like the API
    return render(
        request,
        "followup/concealment.html",
        {"rows": rows, "hours": policy_for(timezone.localdate()).concealment_hours},
    )


# --- exceptions ---------------------------------------------------------------------------------------


@login_required
@require_GET
def exceptions(request: HttpRequest) -> HttpResponse:
    filters = {k: request.GET.get(k, "") for k in ("status", "level", "type", "q", "mine")}
    if "status" not in request.GET:
        filters["status"] = "active"
    qs = selectors.exception_list(user=request.user, filters=filters)
    page = capped_page(qs, request.GET.get("page"))
    return render(
        request,
        "followup/exceptions.html",
        {
            "page": page,
            "filters": filters,
            "statuses": ExceptionStatus.choices,
            "types": ExceptionType.choices,
            "can_raise": _can(request.user, RAISE_ROLES),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def exception_new(request: HttpRequest) -> HttpResponse:
    errors: dict = {}
    order = None
    order_ref = request.POST.get("order") or request.GET.get("order")
    if order_ref:
        try:
            order = selectors.order_for_followup(user=request.user, pk=order_ref)
        except NotFoundError:
            order = order_visible_list(user=request.user).filter(number=str(order_ref).strip()).first()
    if request.method == "POST":
        try:
            if order is None:
                raise ApplicationError(
                    _("Choose an order you follow."), extra={"fields": {"order": [_("Order not found.")]}}
                )
            exception = services.exception_raise(
                order=order,
                actor=request.user,
                type=request.POST.get("type", ""),
                severity=request.POST.get("severity", ""),
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                impact_days=request.POST.get("impact_days") or 0,
            )
            messages.success(request, _("Exception %(number)s raised.") % {"number": exception.number})
            return redirect("followup:exception_detail", pk=exception.pk)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            errors = exc.extra.get("fields", {})
    return render(
        request,
        "followup/exception_form.html",
        {
            "order": order,
            "errors": errors,
            "values": request.POST if request.method == "POST" else request.GET,
            "types": ExceptionType.choices,
            "severities": Severity.choices,
        },
    )


@login_required
@require_GET
def exception_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        exception = selectors.exception_get(user=request.user, pk=pk)
    except NotFoundError as exc:
        raise _not_found(exc) from None
    actions = selectors.exception_actions(exception=exception, user=request.user)
    policy = policy_for(timezone.localdate())
    limit = {1: policy.escalation_l1_hours, 2: policy.escalation_l2_hours}.get(exception.level)
    return render(
        request,
        "followup/exception_detail.html",
        {
            "exception": exception,
            "events": selectors.exception_timeline(exception=exception),
            "actions": actions,
            "auto_escalation_at": exception.escalated_at + dt.timedelta(hours=limit)
            if limit and exception.status == ExceptionStatus.OPEN
            else None,
        },
    )


@login_required
@require_POST
def exception_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    try:
        exception = selectors.exception_get(user=request.user, pk=pk)
    except NotFoundError as exc:
        raise _not_found(exc) from None
    text = request.POST.get("text", "")
    try:
        if action == "escalate":
            services.exception_escalate(exception=exception, actor=request.user, note=text)
            messages.success(request, _("Escalated."))
        elif action == "resolve":
            services.exception_resolve(exception=exception, actor=request.user, resolution=text)
            messages.success(request, _("Resolved."))
        elif action == "reopen":
            services.exception_reopen(exception=exception, actor=request.user, reason=text)
            messages.success(request, _("Reopened."))
        elif action == "close":
            services.exception_close(exception=exception, actor=request.user, note=text)
            messages.success(request, _("Closed."))
        else:
            raise Http404
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("followup:exception_detail", pk=pk)


# --- daily log and weekly report ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def daily(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    day = _date_param(request.GET.get("date") or request.POST.get("date"), today)
    try:
        subject = selectors.report_subject(viewer=request.user, user_id=request.GET.get("user"))
    except NotFoundError as exc:
        raise _not_found(exc) from None
    errors: dict = {}
    if request.method == "POST":
        try:
            services.daily_log_save(
                user=request.user,
                date=day,
                notes=request.POST.get("notes", ""),
                plan_notes=request.POST.get("plan_notes", ""),
            )
            messages.success(request, _("Notes saved."))
            return redirect(reverse("followup:daily") + f"?date={day.isoformat()}")
        except ApplicationError as exc:
            messages.error(request, exc.message)
            errors = exc.extra.get("fields", {})
    data = selectors.daily_log(user=subject, date=day)
    if request.GET.get("format") == "xlsx":
        logger.info("daily log exported: user=%s subject=%s date=%s", request.user.pk, subject.pk, day)
        audit_record(
            actor=request.user,
            action="export",
            what="daily_log",
            object_ref=f"{subject.username}/{day.isoformat()}",
            data={"rows": len(data["records"]), "filters": {"user": subject.pk, "date": day.isoformat()}},
            request=request,
        )
        return exports.daily_log_response(data)
    return render(
        request,
        "followup/daily.html",
        {
            **data,
            "errors": errors,
            "own": subject.pk == request.user.pk,
            "subjects": selectors.report_subjects(viewer=request.user),
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def weekly(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    week = _date_param(request.GET.get("week") or request.POST.get("week"), today)
    week -= dt.timedelta(days=week.weekday())
    try:
        subject = selectors.report_subject(viewer=request.user, user_id=request.GET.get("user"))
    except NotFoundError as exc:
        raise _not_found(exc) from None
    errors: dict = {}
    if request.method == "POST":
        try:
            services.weekly_report_save(
                user=request.user,
                week_start=week,
                notes=request.POST.get("notes", ""),
                submit=bool(request.POST.get("submit")),
            )
            messages.success(
                request, _("Sent to your supervisor.") if request.POST.get("submit") else _("Notes saved.")
            )
            return redirect(reverse("followup:weekly") + f"?week={week.isoformat()}")
        except ApplicationError as exc:
            messages.error(request, exc.message)
            errors = exc.extra.get("fields", {})
    data = selectors.weekly_report(user=subject, week_start=week)
    if request.GET.get("format") == "xlsx":
        logger.info("weekly report exported: user=%s subject=%s week=%s", request.user.pk, subject.pk, week)
        audit_record(
            actor=request.user,
            action="export",
            what="weekly_report",
            object_ref=f"{subject.username}/{week.isoformat()}",
            data={"rows": len(data["days"]), "filters": {"user": subject.pk, "week": week.isoformat()}},
            request=request,
        )
        return exports.weekly_report_response(data)
    return render(
        request,
        "followup/weekly.html",
        {
            **data,
            "errors": errors,
            "own": subject.pk == request.user.pk,
            "subjects": selectors.report_subjects(viewer=request.user),
            "previous_week": week - dt.timedelta(days=7),
            "next_week": week + dt.timedelta(days=7),
            "is_supervisor": request.user.has_role(R.SUPERVISOR),
        },
    )
