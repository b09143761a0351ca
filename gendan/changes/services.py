"""Change requests (改单): raise, re-sign by the departments the change touches, conclude, apply.

Where this app sits: above orders, reviews, shipping, quality, outsourcing and notify (it reads their
selectors and calls their services); nobody imports it. The order's own write is
gendan.orders.revisions.order_revision_apply, whose ORDER_REVISED_HOOKS let followup (T&A plan), materials
and capacity follow the new revision.
"""

import copy
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.accounts.selectors import users_with_role
from gendan.changes.models import ChangeCause, ChangeRequest, ChangeRequestItem, ChangeStatus
from gendan.changes.routing import change_kinds, departments_for, needs_general_manager
from gendan.changes.selectors import line_bounds
from gendan.changes.workflows import CHANGE_TRANSITIONS, CHANGEABLE_STATUSES, RAISE_ROLES
from gendan.core.errors import (
    ApplicationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    TransitionError,
    ValidationFailed,
)
from gendan.core.numbering import document_number_next
from gendan.core.parsing import FieldErrors, blank, parse_date, parse_text
from gendan.core.workflow import transition_check
from gendan.notify.services import notify
from gendan.orders.models import Order, OrderEvent, OrderStatus
from gendan.orders.promises import order_promise_record
from gendan.orders.revisions import (
    HEADER_FIELDS,
    RevisionConflictError,
    order_revision_apply,
    order_snapshot,
    sizes_text,
    snapshot_diff,
)
from gendan.orders.selectors import order_scope_q
from gendan.orders.validation import LineData, order_data_validate
from gendan.reviews.models import ReviewDepartment, ReviewItem
from gendan.reviews.selectors import credit_check, department_may_sign, feasible_date_for_products

CR_SERIES = "CR"
# What a change to these kinds needs: a new feasible date on today's capacity and materials.
_FEASIBLE_KINDS = {"quantity", "sizes", "date"}


def _ensure_can_write(actor: User) -> None:
    if not actor.is_active or actor.is_read_only or not actor.roles:
        raise PermissionDeniedError(_("Your account is read-only."), code="read_only")


def _order_locked(order: Order | int, actor: User) -> Order:
    pk = order if isinstance(order, int) else order.pk
    current = Order.objects.select_for_update(of=("self",)).filter(order_scope_q(actor), pk=pk).first()
    if current is None:
        raise NotFoundError(_("Order not found."))
    return current


def _ensure_changeable(order: Order) -> None:
    if order.status == OrderStatus.ON_HOLD:
        raise TransitionError(_("The order is on hold: resume it before changing it."), code="order_on_hold")
    if order.status not in CHANGEABLE_STATUSES:
        raise TransitionError(
            _("A change request is possible from approved up to partially shipped (the order is %(status)s).")
            % {"status": order.get_status_display()},
            code="order_not_changeable",
        )


# --- the proposal ---------------------------------------------------------------------------------------


def proposal_initial(*, order: Order) -> dict[str, Any]:
    """The order as it is, in the shape a change request proposes (the form's and the API's starting point)."""
    snap = order_snapshot(order=order)
    header = {name: snap["header"][name] for name in HEADER_FIELDS}
    lines = [
        {
            "line": line["id"],
            "product": line["product"],
            "spec": line["spec"],
            "color": line["color"],
            "quantity": line["quantity"],
            "unit_price": line["unit_price"],
            "tolerance_percent": line["tolerance_percent"],
            "sizes": line["sizes"],
        }
        for line in snap["lines"]
    ]
    return {**header, "lines": lines}


def _line_ref(value: Any) -> int | None:
    if blank(value):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return -1


def _proposal_check(
    *, order: Order, actor: User, data: Mapping[str, Any]
) -> tuple[dict[str, Any], dt.date | None, list[tuple[int | None, LineData]], dict[str, Any]]:
    """Validate a proposal with the intake rules (orders.validation) plus the change's own: existing lines
    keep their product, a line appears once, the promised date is not before the order date.

    Returns (header values, promised date, [(line id or None, line data)], proposed JSON as stored)."""
    errors = FieldErrors()
    existing = {line.pk: line for line in order.lines.select_related("product")}
    raw_lines = data.get("lines") if isinstance(data.get("lines"), list) else []
    header_raw = {name: data.get(name) for name in HEADER_FIELDS if name in data}
    current = order_snapshot(order=order)["header"]
    header_text = {name: header_raw.get(name, current[name]) for name in HEADER_FIELDS}
    raw = {
        "customer": order.customer.code,
        "customer_po": header_text["customer_po"],
        "order_date": order.order_date.isoformat(),
        "requested_date": header_text["requested_date"],
        "business_type": order.business_type,
        "industry": order.industry,
        "source_document": order.source_document,
        "currency": order.currency,
        "incoterm": order.incoterm,
        "payment_terms": header_text["payment_terms"],
        "merchandiser": order.merchandiser.username,
        "salesperson": order.salesperson.username if order.salesperson_id else "",
        "requirements": header_text["requirements"],
        "lines": [
            {
                name: line.get(name)
                for name in (
                    "product",
                    "spec",
                    "color",
                    "quantity",
                    "unit_price",
                    "tolerance_percent",
                    "sizes",
                )
            }
            if isinstance(line, Mapping)
            else line
            for line in raw_lines
        ],
    }
    try:
        clean = order_data_validate(raw, actor=actor)
    except ValidationFailed as exc:
        errors.fields.update(exc.fields)
        clean = None
    promised = None
    if not blank(header_text["promised_date"]):
        promised = parse_date(header_text["promised_date"], "promised_date", errors)
        if promised and promised < order.order_date:
            errors.add("promised_date", _("The promised date cannot be before the order date."))
    refs: list[int | None] = []
    seen: set[int] = set()
    for index, line in enumerate(raw_lines):
        ref = _line_ref(line.get("line")) if isinstance(line, Mapping) else None
        if ref is not None:
            if ref not in existing:
                errors.add(f"lines.{index}.line", _("This line is not on the order."))
            elif ref in seen:
                errors.add(f"lines.{index}.line", _("This line appears twice."))
            else:
                product = str(line.get("product") or "").strip()
                if product and product not in (existing[ref].product.code, str(existing[ref].product.pk)):
                    errors.add(
                        f"lines.{index}.product",
                        _("An existing line keeps its product: remove it and add a new line instead."),
                    )
            seen.add(ref)
        refs.append(ref)
    errors.raise_if_any()
    assert clean is not None
    header = {
        "customer_po": clean.customer_po,
        "requested_date": clean.requested_date,
        "payment_terms": clean.payment_terms,
        "requirements": clean.requirements,
    }
    lines = list(zip(refs, clean.lines, strict=True))
    proposed = {
        **{
            name: value.isoformat() if isinstance(value, dt.date) else value for name, value in header.items()
        },
        "promised_date": promised.isoformat() if promised else "",
        "lines": [
            {
                "line": ref,
                "product": line.product.code,
                "spec": line.spec,
                "color": line.color,
                "quantity": str(line.quantity),
                "unit_price": str(line.unit_price),
                "tolerance_percent": str(line.tolerance_percent),
                "sizes": sizes_text(line.sizes),
            }
            for ref, line in lines
        ],
    }
    return header, promised, lines, proposed


def _proposal_snapshot(
    *, order: Order, before: dict[str, Any], header: dict[str, Any], promised: dt.date | None, lines
) -> dict[str, Any]:
    """The snapshot the order would have after the change (for the diff), built from validated data."""
    from gendan.orders.revisions import _num

    after = copy.deepcopy(before)
    for name, value in header.items():
        after["header"][name] = value.isoformat() if isinstance(value, dt.date) else value
    after["header"]["promised_date"] = promised.isoformat() if promised else ""
    old = {line["id"]: line for line in before["lines"]}
    new_lines = []
    next_no = max((line["line_no"] for line in before["lines"]), default=0) + 1
    for ref, data in lines:
        base = old.get(ref)
        line_no = base["line_no"] if base else next_no
        if not base:
            next_no += 1
        new_lines.append(
            {
                "id": ref,
                "line_no": line_no,
                "product": data.product.code,
                "product_name": data.product.name,
                "spec": data.spec,
                "color": data.color,
                "quantity": _num(data.quantity),
                "unit": data.unit,
                "unit_price": _num(data.unit_price),
                "amount": _num(data.amount),
                "tolerance_percent": _num(data.tolerance_percent),
                "sizes": sizes_text(data.sizes),
            }
        )
    after["lines"] = new_lines
    after["header"]["total_quantity"] = _num(sum((d.quantity for _r, d in lines), start=Decimal(0)))
    after["header"]["total_amount"] = _num(sum((d.amount for _r, d in lines), start=Decimal(0)))
    return after


def _bounds_check(*, order: Order, lines: list[tuple[int | None, LineData]]) -> None:
    """No line below what was already shipped, inspected or sent out for processing; no such line removed."""
    existing = {line.pk: line for line in order.lines.all()}
    bounds = line_bounds(order_line_ids=list(existing))
    labels = {
        "shipped": _("shipped"),
        "inspected": _("inspected"),
        "outsourced": _("sent to subcontractors"),
    }
    errors = FieldErrors()
    kept = set()
    for index, (ref, data) in enumerate(lines):
        if ref is None:
            continue
        kept.add(ref)
        for kind, done in bounds[ref].items():
            if data.quantity < done:
                errors.add(
                    f"lines.{index}.quantity",
                    _("Line %(no)s: %(done)s already %(what)s; the quantity cannot go below it.")
                    % {"no": existing[ref].line_no, "done": _plain(done), "what": labels[kind]},
                )
                break
    for pk, line in existing.items():
        if pk in kept:
            continue
        for kind, done in bounds[pk].items():
            if done > 0:
                errors.add(
                    "lines",
                    _("Line %(no)s cannot be removed: %(done)s already %(what)s.")
                    % {"no": line.line_no, "done": _plain(done), "what": labels[kind]},
                )
                break
    errors.raise_if_any()


def _plain(value: Decimal) -> str:
    from gendan.orders.revisions import _num

    return _num(Decimal(value))


def _mark_added_prices(changes: list[dict[str, Any]], lines: list[tuple[int | None, LineData]]) -> None:
    """A new line whose price is not the product's standard price is a price matter too."""
    added = [data for ref, data in lines if ref is None]
    for change, data in zip((c for c in changes if c["type"] == "line_added"), added, strict=False):
        standard = data.product.standard_price
        change["price_differs"] = bool(standard) and data.unit_price != standard


def _credit(order: Order, new_amount: Decimal) -> dict:
    probe = copy.copy(order)
    probe.total_amount = new_amount
    return credit_check(order=probe)


# --- raise ----------------------------------------------------------------------------------------------


def _link(change_request: ChangeRequest) -> str:
    return reverse("changes:detail", args=[change_request.pk])


def _signers(departments: list[str]) -> list[User]:
    """Everyone who signs for one of `departments` (reviewers and planners of the department, sales for
    business)."""
    candidates = (
        list(users_with_role(role=R.REVIEWER).select_related("department"))
        + list(users_with_role(role=R.PLANNER).select_related("department"))
        + list(users_with_role(role=R.SALES).select_related("department"))
    )
    return [
        user
        for user in {u.pk: u for u in candidates}.values()
        if any(department_may_sign(user=user, department=d) for d in departments)
        and not user.has_role(R.ADMIN)
    ]


def _event(order: Order, type: str, actor: User | None, note: str = "", **data: Any) -> None:
    OrderEvent.objects.create(order=order, type=type, actor=actor, note=note, data=data)


@transaction.atomic
def change_request_raise(
    *, order: Order, actor: User, data: Mapping[str, Any], reason: str, cause: str
) -> ChangeRequest:
    """Propose a new version of a reviewed order. The departments the change touches are asked to re-sign
    (routing.ROUTES); nothing on the order changes until the change is approved."""
    _ensure_can_write(actor)
    if not actor.has_role(*RAISE_ROLES):
        raise PermissionDeniedError(_("Your role may not do this."), code="role_not_allowed")
    order = _order_locked(order, actor)
    _ensure_changeable(order)
    errors = FieldErrors()
    reason = parse_text(reason, "reason", errors, required=True, max_length=2000)
    if cause not in ChangeCause.values:
        errors.add("cause", _("Choose whose cause the change is: the customer's or ours."))
    errors.raise_if_any()
    header, promised, lines, proposed = _proposal_check(order=order, actor=actor, data=data)
    before = order_snapshot(order=order)
    after = _proposal_snapshot(order=order, before=before, header=header, promised=promised, lines=lines)
    changes = snapshot_diff(before, after)
    if not [
        c for c in changes if c["type"] != "header" or c["field"] not in ("total_quantity", "total_amount")
    ]:
        raise ApplicationError(
            _("The proposal is the order as it is: change something first."), code="nothing_changed"
        )
    _bounds_check(order=order, lines=lines)
    _mark_added_prices(changes, lines)
    new_amount = sum((d.amount for _r, d in lines), start=Decimal(0))
    credit = _credit(order, new_amount)
    over_credit = not credit["ok"] and new_amount > order.total_amount
    kinds = change_kinds(changes, over_credit=over_credit)
    feasible, basis = None, {}
    if _FEASIBLE_KINDS & set(kinds):
        probe = copy.copy(order)
        probe.promised_date = promised or order.promised_date
        feasible, basis = feasible_date_for_products(order=probe, products=[d.product for _r, d in lines])
    change_request = ChangeRequest.objects.create(
        number=document_number_next(series=CR_SERIES, year=timezone.localdate().year),
        order=order,
        cause=cause,
        reason=reason,
        base_revision=order.revision,
        base_version=order.version,
        proposed=proposed,
        changes=changes,
        touches=kinds,
        old_amount=order.total_amount,
        new_amount=new_amount,
        feasible_date=feasible,
        feasible_basis=basis,
        credit_limit=credit["limit"],
        credit_open_amount=credit["open_amount"],
        credit_ok=credit["ok"],
        needs_gm=needs_general_manager(old_amount=order.total_amount, new_amount=new_amount),
        raised_by=actor,
    )
    departments = departments_for(kinds)
    ChangeRequestItem.objects.bulk_create(
        ChangeRequestItem(change_request=change_request, department=d) for d in departments
    )
    _event(
        order,
        OrderEvent.Type.CHANGE_RAISED,
        actor,
        reason,
        change_request=change_request.number,
        cause=cause,
        departments=departments,
    )
    notify(
        recipients=_signers(departments),
        kind="change_request",
        title=_("Change request %(number)s on order %(order)s: please sign")
        % {"number": change_request.number, "order": order.number},
        body=reason,
        link=_link(change_request),
        order_id=order.pk,
    )
    return change_request


# --- sign -----------------------------------------------------------------------------------------------


@transaction.atomic
def change_request_sign(
    *, item: ChangeRequestItem, actor: User, result: str, comment: str = ""
) -> ChangeRequestItem:
    """A department asked re-signs: pass, conditional (with the condition) or fail (with the reason)."""
    _ensure_can_write(actor)
    found = (
        ChangeRequestItem.objects.filter(pk=item.pk)
        .values_list("change_request__order_id", flat=True)
        .first()
    )
    if found is None or not Order.objects.filter(order_scope_q(actor), pk=found).exists():
        raise NotFoundError(_("Change request not found."))
    item = (
        ChangeRequestItem.objects.select_for_update(of=("self",))
        .select_related("change_request__order")
        .get(pk=item.pk)
    )
    change_request = item.change_request
    if change_request.status != ChangeStatus.OPEN:
        raise TransitionError(_("This change request is already concluded."), code="change_closed")
    if not department_may_sign(user=actor, department=item.department):
        raise PermissionDeniedError(
            _("Only the %(dept)s department can sign this item.") % {"dept": item.get_department_display()},
            code="wrong_department",
        )
    if result not in (ReviewItem.Result.PASS, ReviewItem.Result.CONDITIONAL, ReviewItem.Result.FAIL):
        raise ValidationFailed({"result": [_("Choose pass, conditional or fail.")]})
    comment = (comment or "").strip()
    if result != ReviewItem.Result.PASS and not comment:
        raise ValidationFailed({"comment": [_("Explain the condition or the failure.")]})
    if (
        item.department == ReviewDepartment.FINANCE
        and result == ReviewItem.Result.PASS
        and not change_request.credit_ok
    ):
        raise ValidationFailed(
            {
                "result": [
                    _(
                        "The customer is over the credit limit: sign as conditional (with the condition) or fail."
                    )
                ]
            }
        )
    previous = item.result
    item.result, item.comment, item.signer, item.signed_at = result, comment, actor, timezone.now()
    item.save(update_fields=["result", "comment", "signer", "signed_at"])
    ChangeRequest.objects.filter(pk=change_request.pk).update(updated_at=timezone.now())
    _event(
        change_request.order,
        OrderEvent.Type.CHANGE_SIGNED,
        actor,
        comment,
        change_request=change_request.number,
        department=item.department,
        result=result,
        previous=previous,
    )
    return item


# --- conclude -------------------------------------------------------------------------------------------


def _locked_request(change_request: ChangeRequest, actor: User, version: int | None) -> ChangeRequest:
    order_id = ChangeRequest.objects.filter(pk=change_request.pk).values_list("order_id", flat=True).first()
    if order_id is None or not Order.objects.filter(order_scope_q(actor), pk=order_id).exists():
        raise NotFoundError(_("Change request not found."))
    current = ChangeRequest.objects.select_for_update(of=("self",)).get(pk=change_request.pk)
    if version is not None and current.version != version:
        raise ConflictError(
            _("Someone else changed this in the meantime. Reload and try again."),
            extra={"current_version": current.version},
        )
    return current


def _conclude(current: ChangeRequest, actor: User, action: str, **fields: Any) -> ChangeRequest:
    transition = transition_check(CHANGE_TRANSITIONS, action, current.status, set(actor.roles))
    current.status = transition.target
    for name, value in fields.items():
        setattr(current, name, value)
    current.concluded_by, current.concluded_at = actor, timezone.now()
    current.version += 1
    current.save()
    return current


def _ensure_decider(change_request: ChangeRequest, actor: User, action: str) -> None:
    if actor.is_read_only or not set(actor.roles) & CHANGE_TRANSITIONS[action].roles:
        raise PermissionDeniedError(_("Your role may not do this."), code="role_not_allowed")
    if change_request.needs_gm and not actor.has_role(R.GENERAL_MANAGER, R.ADMIN):
        raise PermissionDeniedError(
            _(
                "The amount changes by more than the policy allows the supervisor: the general manager decides."
            ),
            code="needs_general_manager",
        )


def _downstream(order: Order) -> list[User]:
    """Who is told of a revision: the planner (who acknowledged, else every planner), purchasing, QC."""
    people: list[User] = []
    if order.planner_ack_by_id:
        people.append(order.planner_ack_by)
    else:
        people += list(users_with_role(role=R.PLANNER))
    people += _signers([ReviewDepartment.PURCHASING, ReviewDepartment.QUALITY])
    people.append(order.merchandiser)
    return people


@transaction.atomic
def change_request_approve(
    *, change_request: ChangeRequest, actor: User, conclusion: str = "", version: int | None = None
) -> ChangeRequest:
    """Every department asked has signed (none failed): the order becomes the next revision in this
    transaction — lines, totals, the promised date (with its history), T&A plan, materials, capacity — and
    everyone downstream is told. Against a revision that moved on since the request was raised: 409."""
    _ensure_can_write(actor)
    current = _locked_request(change_request, actor, version)
    _ensure_decider(current, actor, "approve")
    transition_check(CHANGE_TRANSITIONS, "approve", current.status, set(actor.roles))
    items = list(current.items.all())
    pending = [str(i.get_department_display()) for i in items if i.result == ReviewItem.Result.PENDING]
    failed = [str(i.get_department_display()) for i in items if i.result == ReviewItem.Result.FAIL]
    if pending:
        raise ApplicationError(
            _("Not every department has signed: %(d)s.") % {"d": ", ".join(pending)}, code="change_incomplete"
        )
    if failed:
        raise ApplicationError(
            _("Failed items (%(d)s): reject or renegotiate.") % {"d": ", ".join(failed)},
            code="change_failed_items",
        )
    order = _order_locked(current.order_id, actor)
    if order.revision != current.base_revision:
        raise RevisionConflictError(
            _(
                "The order was revised meanwhile (now R%(now)s, this change was raised against R%(base)s). "
                "Raise the change again on the current revision."
            )
            % {"now": order.revision, "base": current.base_revision},
            extra={"current_revision": order.revision},
        )
    _ensure_changeable(order)
    header, promised, lines, _proposed = _proposal_check(order=order, actor=actor, data=current.proposed)
    _bounds_check(order=order, lines=lines)
    promise = None
    if promised and promised != order.promised_date:

        def promise(locked: Order) -> None:
            _promise_record(order=locked, new_date=promised, change_request=current, actor=actor)

    revision = order_revision_apply(
        order=order,
        actor=actor,
        base_revision=current.base_revision,
        header=header,
        lines=lines,
        source=current.number,
        reason=current.reason,
        promise=promise,
    )
    conclusion = (conclusion or "").strip()
    current = _conclude(current, actor, "approve", conclusion=conclusion, applied_revision=revision.number)
    order.refresh_from_db()
    _event(
        order,
        OrderEvent.Type.CHANGE_APPROVED,
        actor,
        conclusion,
        change_request=current.number,
        revision=revision.number,
    )
    # subcontractors' orders of changed lines (all of the order's when its dates moved) are flagged
    dates_moved = any(
        c["type"] == "header" and c["field"] in ("requested_date", "promised_date") for c in revision.changes
    )
    line_nos = {c["line_no"] for c in revision.changes if c["type"] == "line"}
    lines_qs = order.lines.all() if dates_moved else order.lines.filter(line_no__in=line_nos)
    touched = list(lines_qs.values_list("pk", flat=True))
    from gendan.outsourcing.services import outsourcing_orders_flag_revised

    flagged = outsourcing_orders_flag_revised(
        order=order,
        actor=actor,
        order_line_ids=touched,
        revision=revision.number,
        note=_("Order %(order)s revised to R%(rev)s by change request %(number)s.")
        % {"order": order.number, "rev": revision.number, "number": current.number},
    )
    title = _("Order %(order)s revised to R%(rev)s (change request %(number)s)") % {
        "order": order.number,
        "rev": revision.number,
        "number": current.number,
    }
    notify(
        recipients=[*_downstream(order), current.raised_by, *[oo.created_by for oo in flagged]],
        kind="order_revised",
        title=title,
        body=current.reason,
        link=reverse("changes:revisions", args=[order.pk]),
        order_id=order.pk,
    )
    return current


def _promise_record(*, order: Order, new_date: dt.date, change_request: ChangeRequest, actor: User) -> None:
    """The agreed delivery date moves with its history (gendan.orders.promises), the cause the request's."""
    order_promise_record(
        order=order,
        new_date=new_date,
        cause=change_request.cause,
        reason=change_request.reason[:300],
        actor=actor,
        source=change_request.number,
    )


@transaction.atomic
def change_request_reject(
    *, change_request: ChangeRequest, actor: User, reason: str, version: int | None = None
) -> ChangeRequest:
    """The decider refuses the change: nothing on the order changes."""
    _ensure_can_write(actor)
    current = _locked_request(change_request, actor, version)
    _ensure_decider(current, actor, "reject")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("This field is required.")]})
    current = _conclude(current, actor, "reject", conclusion=reason)
    order = Order.objects.get(pk=current.order_id)
    _event(order, OrderEvent.Type.CHANGE_REJECTED, actor, reason, change_request=current.number)
    notify(
        recipients=[current.raised_by],
        kind="change_request",
        title=_("Change request %(number)s on order %(order)s was rejected")
        % {"number": current.number, "order": order.number},
        body=reason,
        link=_link(current),
        order_id=order.pk,
    )
    return current


@transaction.atomic
def change_request_cancel(
    *, change_request: ChangeRequest, actor: User, reason: str = "", version: int | None = None
) -> ChangeRequest:
    """The one who raised it (or a supervisor) withdraws an open change request."""
    _ensure_can_write(actor)
    current = _locked_request(change_request, actor, version)
    if current.raised_by_id != actor.pk and not actor.has_role(R.SUPERVISOR, R.ADMIN):
        raise PermissionDeniedError(
            _("Only who raised the change request or a supervisor can withdraw it."), code="not_raiser"
        )
    current = _conclude(current, actor, "cancel", conclusion=(reason or "").strip())
    order = Order.objects.get(pk=current.order_id)
    _event(order, OrderEvent.Type.CHANGE_CANCELLED, actor, current.conclusion, change_request=current.number)
    return current


def changes_on_order_transition(*, order: Order, action: str, actor: User, from_status: str) -> None:
    """Registered in orders.services.ORDER_TRANSITION_HOOKS: a cancelled order's open change requests are
    withdrawn with it (nobody is left asked to sign them)."""
    if action != "cancel":
        return
    now = timezone.now()
    for change_request in ChangeRequest.objects.select_for_update().filter(
        order=order, status=ChangeStatus.OPEN
    ):
        change_request.status, change_request.concluded_by, change_request.concluded_at = (
            ChangeStatus.CANCELLED,
            actor,
            now,
        )
        change_request.conclusion = _("The order was cancelled.")
        change_request.version += 1
        change_request.save()
        _event(
            order,
            OrderEvent.Type.CHANGE_CANCELLED,
            actor,
            change_request.conclusion,
            change_request=change_request.number,
        )
