"""Reads for permanent reassignment: who may decide, the handover checklist (read through each app's
selectors, on orders and customers the reader sees), and the reassignments a user may see."""

import datetime as dt
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.complaints.selectors import complaints_open_for
from gendan.core.errors import NotFoundError
from gendan.followup.selectors import exceptions_open_for_orders, milestones_open_for_orders
from gendan.ledger.selectors import invoices_open_for_orders
from gendan.orders.models import OPEN_STATUSES, Order
from gendan.orders.selectors import order_visible_list
from gendan.parties.selectors import customer_visible_list
from gendan.reassignments.models import Reassignment
from gendan.shipping.selectors import samples_awaiting_feedback, shipments_in_transit

DECIDERS = (R.SUPERVISOR, R.GENERAL_MANAGER, R.ADMIN)
SECTIONS = ("milestones", "exceptions", "shipments", "samples", "complaints", "receivables")


def may_decide(*, actor: User, merchandiser: User) -> bool:
    """The general manager and the administrator for anyone; a supervisor for the members of their team."""
    if not actor.is_active or actor.is_read_only:
        return False
    if actor.has_role(R.GENERAL_MANAGER, R.ADMIN):
        return True
    return actor.has_role(R.SUPERVISOR) and merchandiser.supervisor_id == actor.pk


def merchandisers_for(*, actor: User) -> QuerySet[User]:
    """The merchandisers `actor` may reassign from and to."""
    qs = User.objects.filter(is_active=True, groups__name=R.MERCHANDISER).distinct().order_by("username")
    if actor.has_role(R.GENERAL_MANAGER, R.ADMIN, R.AUDITOR):
        return qs
    if actor.has_role(R.SUPERVISOR):
        return qs.filter(supervisor=actor)
    return qs.none()


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def reassignable_orders(*, user: User, merchandiser: User) -> QuerySet[Order]:
    return (
        order_visible_list(user=user)
        .filter(merchandiser=merchandiser, status__in=OPEN_STATUSES)
        .order_by("requested_date", "pk")
    )


def handover_checklist(*, user: User, merchandiser: User, order_ids: list[int] | None = None) -> dict:
    """Everything open on `merchandiser`'s open orders (or the selected ones) and their customers, as plain
    values (kept on the reassignment as it was handed over)."""
    orders = reassignable_orders(user=user, merchandiser=merchandiser)
    if order_ids is not None:
        orders = orders.filter(pk__in=order_ids)
    orders = list(orders)
    ids = [o.pk for o in orders]
    customers = list(customer_visible_list(user=user).filter(merchandiser=merchandiser).order_by("code"))
    customer_ids = [c.pk for c in customers]
    today = timezone.localdate()
    result: dict = {
        "merchandiser": {"id": merchandiser.pk, "name": str(merchandiser)},
        "as_of": today.isoformat(),
        "orders": [
            {
                "id": o.pk,
                "number": o.number,
                "customer": o.customer.name,
                "status": o.status,
                "status_label": str(o.get_status_display()),
                "due_date": _iso(o.due_date),
            }
            for o in orders
        ],
        "customers": [{"id": c.pk, "code": c.code, "name": c.name} for c in customers],
        "milestones": [
            {
                "order": m.plan.order.number,
                "name": m.name,
                "planned_date": _iso(m.planned_date),
                "overdue": m.planned_date < today,
                "owner": str(m.owner) if m.owner else "",
            }
            for m in milestones_open_for_orders(order_ids=ids)
        ],
        "exceptions": [
            {
                "order": e.order.number,
                "number": e.number,
                "title": e.title,
                "level": e.level,
                "severity_label": str(e.get_severity_display()),
            }
            for e in exceptions_open_for_orders(order_ids=ids)
        ],
        "shipments": [
            {
                "order": s.order.number,
                "number": s.number,
                "ship_date": _iso(s.ship_date),
                "expected_arrival": _iso(s.expected_arrival),
            }
            for s in shipments_in_transit(order_ids=ids)
        ],
        "samples": [
            {
                "customer": s.customer.name,
                "order": s.order.number if s.order_id else "",
                "description": s.description,
                "sent_on": _iso(s.sent_on),
            }
            for s in samples_awaiting_feedback(order_ids=ids, customer_ids=customer_ids)
        ],
        "complaints": [
            {
                "number": c.number,
                "customer": c.customer.name,
                "order": c.order.number if c.order_id else "",
                "status_label": str(c.get_status_display()),
                "deadline": _iso(c.deadline),
            }
            for c in complaints_open_for(order_ids=ids, customer_ids=customer_ids)
        ],
        "receivables": [
            {
                "number": i.number,
                "customer": i.customer.name,
                "currency": i.currency,
                "open_amount": str((i.total_amount - i.paid_amount).quantize(Decimal("0.01"))),
                "due_date": _iso(i.due_date),
                "overdue": i.due_date < today,
            }
            for i in invoices_open_for_orders(order_ids=ids)
        ],
    }
    result["counts"] = {name: len(result[name]) for name in ("orders", "customers", *SECTIONS)}
    return result


def reassignment_visible_list(*, user: User) -> QuerySet[Reassignment]:
    """The two merchandisers, their supervisors, and the general manager, auditor and administrator."""
    qs = Reassignment.objects.select_related("from_merchandiser", "to_merchandiser", "decided_by")
    if not user.is_active or not user.roles:
        return qs.none()
    if user.sees_all:
        return qs
    q = Q(from_merchandiser=user) | Q(to_merchandiser=user)
    if user.has_role(R.SUPERVISOR):
        q |= Q(from_merchandiser__supervisor=user) | Q(to_merchandiser__supervisor=user) | Q(decided_by=user)
    return qs.filter(q)


def reassignment_get(*, user: User, pk: int | str) -> Reassignment:
    try:
        return reassignment_visible_list(user=user).get(pk=int(pk))
    except (Reassignment.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Reassignment not found.")) from None
