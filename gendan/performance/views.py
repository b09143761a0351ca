import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.core.audit import audit_record
from gendan.core.errors import ApplicationError
from gendan.core.excel import XColumn, XSheet, xlsx_response
from gendan.core.models import AuditLog
from gendan.core.parsing import FieldErrors, parse_date, parse_int
from gendan.core.web import error_text, fetch_or_404
from gendan.exports.web import export_limited
from gendan.orders.selectors import order_visible_list
from gendan.performance.models import Kpi, MonthlyScore, ViolationCode
from gendan.performance.selectors import (
    handover_get,
    handover_visible_list,
    merchandisers_visible,
    score_get,
    violation_get,
    violation_visible_list,
)
from gendan.performance.services import (
    handover_approve,
    handover_request,
    handover_return,
    monthly_score_difference,
    monthly_score_sign,
    monthly_scores_refresh,
    violation_decide,
    violation_record,
    year_bonus_approve,
    year_bonus_compute,
)


def _month(request: HttpRequest) -> dt.date:
    text = request.GET.get("month") or request.POST.get("month") or ""
    try:
        year, month = (int(part) for part in text.split("-")[:2])
        return dt.date(year, month, 1)
    except (ValueError, TypeError):
        today = timezone.localdate()
        return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # last month by default


def _team_scores(user: User, month: dt.date) -> list[MonthlyScore]:
    people = list(merchandisers_visible(user=user))
    stored = {s.merchandiser_id: s for s in MonthlyScore.objects.filter(merchandiser__in=people, month=month)}
    missing = [p.pk for p in people if p.pk not in stored]
    if missing:  # compute on first view; signed months are never touched
        for score in monthly_scores_refresh(merchandiser_ids=missing, month=month):
            stored[score.merchandiser_id] = score
    for person in people:
        stored[person.pk].merchandiser = person
    return [stored[p.pk] for p in people]


@login_required
@require_GET
def team(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    scores = _team_scores(request.user, month)
    kpi_codes = list(Kpi.values)
    rows = [
        {"score": s, "kpis": [(s.kpis.get(code) or {}).get("value") for code in kpi_codes]} for s in scores
    ]
    chart = {"names": [str(s.merchandiser) for s in scores], "scores": [float(s.score) for s in scores]}
    return render(
        request,
        "performance/team.html",
        {
            "month": month,
            "rows": rows,
            "kpi_labels": [Kpi(code).label for code in kpi_codes],
            "chart": chart,
            "can_lead": request.user.has_role(R.SUPERVISOR, R.GENERAL_MANAGER, R.ADMIN),
        },
    )


@login_required
@require_POST
def team_refresh(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    if request.user.is_read_only or not request.user.has_role(R.SUPERVISOR, R.GENERAL_MANAGER, R.ADMIN):
        messages.error(request, _("Your role may not do this."))
    else:
        ids = list(merchandisers_visible(user=request.user).values_list("pk", flat=True))
        monthly_scores_refresh(merchandiser_ids=ids, month=month)
        messages.success(request, _("Recomputed. Signed months were left as they were."))
    return redirect(f"/performance/?month={month:%Y-%m}")


@login_required
@require_GET
@export_limited("kpi")
def team_export(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    scores = _team_scores(request.user, month)
    codes = list(Kpi.values)
    columns = [
        XColumn(_("Merchandiser"), 14),
        *[XColumn(str(Kpi(c).label), 14) for c in codes],
        XColumn(_("Weighted"), 10),
        XColumn(_("Deductions"), 10),
        XColumn(_("Score"), 10),
        XColumn(_("Signed"), 10),
    ]
    rows = [
        [
            str(s.merchandiser),
            *[_number((s.kpis.get(c) or {}).get("value")) for c in codes],
            s.weighted,
            s.deductions,
            s.score,
            bool(s.signed_at),
        ]
        for s in scores
    ]
    audit_record(
        actor=request.user,
        action=AuditLog.Action.EXPORT,
        what="team_kpis",
        object_ref=f"{month:%Y-%m}",
        data={"rows": len(rows)},
        request=request,
    )
    return xlsx_response(filename=f"kpi-{month:%Y-%m}.xlsx", sheets=[XSheet(f"{month:%Y-%m}", columns, rows)])


def _number(value):
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


@login_required
@require_GET
def scorecard(request: HttpRequest, pk: int) -> HttpResponse:
    score = fetch_or_404(score_get, user=request.user, pk=pk)
    visible = order_visible_list(user=request.user)
    kpis = []
    for code in Kpi.values:
        figure = score.kpis.get(code)
        if not figure:
            continue
        orders = {o.pk: o for o in visible.filter(pk__in=figure.get("orders", []))}
        kpis.append(
            {
                "label": Kpi(code).label,
                "figure": figure,
                "orders": [
                    (orders[i], i in figure.get("missed", []))
                    for i in figure.get("orders", [])
                    if i in orders
                ],
            }
        )
    start = score.month
    end = (start + dt.timedelta(days=32)).replace(day=1)
    violations = violation_visible_list(user=request.user).filter(
        merchandiser=score.merchandiser, occurred_on__gte=start, occurred_on__lt=end
    )
    return render(
        request,
        "performance/scorecard.html",
        {
            "score": score,
            "kpis": kpis,
            "violations": violations,
            "difference": monthly_score_difference(score=score) if score.signed_at else None,
        },
    )


@login_required
@require_GET
@export_limited("scorecard")
def scorecard_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The scorecard with its reasons: each KPI with the orders behind it, then the violations."""
    score = fetch_or_404(score_get, user=request.user, pk=pk)
    numbers = dict(
        order_visible_list(user=request.user)
        .filter(pk__in={i for fig in score.kpis.values() for i in fig.get("orders", [])})
        .values_list("pk", "number")
    )
    kpi_rows = []
    for code in Kpi.values:
        figure = score.kpis.get(code)
        if not figure:
            continue
        kpi_rows.append(
            [
                str(Kpi(code).label),
                _number(figure.get("value")),
                figure.get("numerator"),
                figure.get("denominator"),
                "",
                "",
            ]
        )
        for order_id in figure.get("orders", []):
            if order_id in numbers:
                kpi_rows.append(
                    [
                        "",
                        None,
                        None,
                        None,
                        numbers[order_id],
                        _("lost points") if order_id in figure.get("missed", []) else "",
                    ]
                )
    kpi_rows.append([_("Weighted KPI score"), score.weighted, None, None, "", ""])
    kpi_rows.append([_("Deductions"), score.deductions, None, None, "", ""])
    kpi_rows.append([_("Score"), score.score, None, None, "", ""])
    start = score.month
    end = (start + dt.timedelta(days=32)).replace(day=1)
    violations = violation_visible_list(user=request.user).filter(
        merchandiser=score.merchandiser, occurred_on__gte=start, occurred_on__lt=end
    )
    violation_rows = [
        [v.occurred_on, v.get_code_display(), v.get_status_display(), v.deduction, v.description]
        for v in violations
    ]
    sheets = [
        XSheet(
            _("Scorecard"),
            [
                XColumn(_("KPI"), 24),
                XColumn(_("Value"), 10),
                XColumn(_("Counted"), 10),
                XColumn(_("Out of"), 10),
                XColumn(_("Order"), 18),
                XColumn(_("Note"), 14),
            ],
            kpi_rows,
        ),
        XSheet(
            _("Violations"),
            [
                XColumn(_("Date"), 12),
                XColumn(_("Violation"), 30),
                XColumn(_("Status"), 12),
                XColumn(_("Deduction"), 10),
                XColumn(_("Description"), 40),
            ],
            violation_rows,
        ),
    ]
    audit_record(
        actor=request.user,
        action=AuditLog.Action.EXPORT,
        what="scorecard",
        object_ref=str(score.pk),
        data={
            "rows": len(kpi_rows) + len(violation_rows),
            "merchandiser": score.merchandiser_id,
            "month": f"{score.month:%Y-%m}",
        },
        request=request,
    )
    return xlsx_response(
        filename=f"scorecard-{score.merchandiser.username}-{score.month:%Y-%m}.xlsx", sheets=sheets
    )


@login_required
@require_POST
def score_sign(request: HttpRequest, pk: int) -> HttpResponse:
    score = fetch_or_404(score_get, user=request.user, pk=pk)
    try:
        monthly_score_sign(score=score, actor=request.user)
        messages.success(request, _("Month signed; its figures are now frozen."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("performance:scorecard", pk=score.pk)


@login_required
@require_GET
def violations(request: HttpRequest) -> HttpResponse:
    items = violation_visible_list(user=request.user)
    status = request.GET.get("status")
    if status:
        items = items.filter(status=status)
    return render(
        request,
        "performance/violations.html",
        {
            "violations": items[:200],
            "codes": ViolationCode.choices,
            "status": status,
            "merchandisers": merchandisers_visible(user=request.user),
            "can_lead": request.user.has_role(R.SUPERVISOR, R.GENERAL_MANAGER, R.ADMIN),
        },
    )


@login_required
@require_POST
def violation_new(request: HttpRequest) -> HttpResponse:
    errors = FieldErrors()
    who = parse_int(request.POST.get("merchandiser"), "merchandiser", errors)
    occurred_on = parse_date(request.POST.get("occurred_on"), "occurred_on", errors)
    merchandiser = merchandisers_visible(user=request.user).filter(pk=who).first() if who else None
    if who and merchandiser is None:
        errors.add("merchandiser", _("Unknown merchandiser."))
    if errors:
        for field, problems in errors.fields.items():
            messages.error(request, f"{field}: {'; '.join(problems)}")
        return redirect("performance:violations")
    try:
        violation_record(
            actor=request.user,
            merchandiser=merchandiser,
            code=request.POST.get("code", ""),
            occurred_on=occurred_on,
            description=request.POST.get("description", ""),
        )
        messages.success(request, _("Violation recorded."))
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    return redirect("performance:violations")


@login_required
@require_POST
def violation_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    violation = fetch_or_404(violation_get, user=request.user, pk=pk)
    try:
        violation_decide(
            violation=violation, actor=request.user, action=action, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("Saved."))
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    return redirect("performance:violations")


@login_required
@require_GET
def bonus(request: HttpRequest, year: int) -> HttpResponse:
    rows = [
        {
            "person": p,
            **year_bonus_compute(merchandiser_id=p.pk, year=year),
            "approved": p.year_bonuses.filter(year=year, approved_at__isnull=False).first(),
        }
        for p in merchandisers_visible(user=request.user)
    ]
    if request.GET.get("format") == "xlsx":
        columns = [
            XColumn(_("Merchandiser"), 14),
            XColumn(_("Average score"), 12),
            XColumn(_("Months"), 8),
            XColumn(_("Confirmed violations"), 12),
            XColumn(_("Bonus by tier"), 12),
            XColumn(_("Cancelled"), 10),
            XColumn(_("Extra reward"), 12),
            XColumn(_("Total"), 12),
        ]
        data = [
            [
                str(r["person"]),
                r["average_score"],
                r["months"],
                r["confirmed_violations"],
                r["tier_amount"],
                r["cancelled"],
                r["approved"].extra_reward if r["approved"] else Decimal("0"),
                r["approved"].total if r["approved"] else r["total"],
            ]
            for r in rows
        ]
        audit_record(
            actor=request.user,
            action=AuditLog.Action.EXPORT,
            what="bonus_sheet",
            object_ref=str(year),
            data={"rows": len(data)},
            request=request,
        )
        return xlsx_response(filename=f"bonus-{year}.xlsx", sheets=[XSheet(str(year), columns, data)])
    return render(
        request,
        "performance/bonus.html",
        {"year": year, "rows": rows, "is_gm": request.user.has_role(R.GENERAL_MANAGER, R.ADMIN)},
    )


@login_required
@require_POST
def bonus_approve(request: HttpRequest, year: int, user_id: int) -> HttpResponse:
    person = merchandisers_visible(user=request.user).filter(pk=user_id).first()
    if person is None:  # outside the user's reach: like a missing one
        raise Http404(_("Unknown merchandiser."))
    try:
        extra = Decimal(request.POST.get("extra_reward") or "0")
        year_bonus_approve(actor=request.user, merchandiser=person, year=year, extra_reward=extra)
        messages.success(request, _("Bonus approved."))
    except InvalidOperation:
        messages.error(request, _("Enter a number."))
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    return redirect("performance:bonus", year=year)


@login_required
@require_http_methods(["GET", "POST"])
def handovers(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        errors = FieldErrors()
        starts_on = parse_date(request.POST.get("starts_on"), "starts_on", errors)
        ends_on = parse_date(request.POST.get("ends_on"), "ends_on", errors)
        owner_id = parse_int(request.POST.get("owner") or request.user.pk, "owner", errors)
        substitute_id = parse_int(request.POST.get("substitute"), "substitute", errors, required=False)
        owner = merchandisers_visible(user=request.user).filter(pk=owner_id).first()
        substitute = User.objects.filter(pk=substitute_id, is_active=True).first() if substitute_id else None
        if owner is None:
            errors.add("owner", _("Unknown merchandiser."))
        if errors:
            messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.fields.items()))
        else:
            try:
                handover_request(
                    actor=request.user,
                    owner=owner,
                    substitute=substitute,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, _("Handover requested."))
            except ApplicationError as exc:
                messages.error(request, error_text(exc))
        return redirect("performance:handovers")
    return render(
        request,
        "performance/handovers.html",
        {
            "handovers": handover_visible_list(user=request.user)[:100],
            "merchandisers": merchandisers_visible(user=request.user),
            "colleagues": User.objects.filter(groups__name=R.MERCHANDISER, is_active=True).order_by(
                "username"
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def handover_detail(request: HttpRequest, pk: int) -> HttpResponse:
    handover = fetch_or_404(handover_get, user=request.user, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                handover_approve(handover=handover, actor=request.user)
            elif action == "return":
                handover_return(handover=handover, actor=request.user)
            messages.success(request, _("Saved."))
        except ApplicationError as exc:
            messages.error(request, error_text(exc))
        return redirect("performance:handover", pk=handover.pk)
    return render(request, "performance/handover.html", {"handover": handover})
