"""Reads on return visits: scoped by the order; due lists; satisfaction averages."""

import datetime as dt
from decimal import Decimal

from django.db.models import Avg, Count, QuerySet
from django.utils.translation import gettext as _

from gendan.accounts.models import User
from gendan.core.errors import NotFoundError
from gendan.orders.selectors import order_visible_exists
from gendan.visits.models import SCORE_FIELDS, ReturnVisit, VisitStatus

TWO = Decimal("0.01")


def visit_visible_list(*, user: User) -> QuerySet[ReturnVisit]:
    return ReturnVisit.objects.filter(order_visible_exists(user=user)).select_related(
        "order", "customer", "merchandiser"
    )


def visit_list(
    *, user: User, status: str | None = None, customer: int | None = None
) -> QuerySet[ReturnVisit]:
    qs = visit_visible_list(user=user)
    if status:
        qs = qs.filter(status=status)
    if customer:
        qs = qs.filter(customer_id=customer)
    return qs.order_by("status", "due_on", "id")


def visit_get(*, user: User, pk: int | str) -> ReturnVisit:
    try:
        return visit_visible_list(user=user).get(pk=int(pk))
    except (ReturnVisit.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Return visit not found.")) from None


def visits_due(*, user: User, as_of: dt.date) -> QuerySet[ReturnVisit]:
    return (
        visit_visible_list(user=user)
        .filter(status=VisitStatus.DUE, due_on__lte=as_of)
        .order_by("due_on", "id")
    )


def _averages(qs: QuerySet[ReturnVisit], group: str) -> list[dict]:
    rows = (
        qs.filter(status=VisitStatus.DONE)
        .order_by()
        .values(group)
        .annotate(visits=Count("id"), **{name: Avg(name) for name in SCORE_FIELDS})
    )
    result = []
    for row in rows:
        scores = {name: Decimal(str(row[name])).quantize(TWO) for name in SCORE_FIELDS}
        overall = (sum((Decimal(str(row[name])) for name in SCORE_FIELDS), Decimal(0)) / 4).quantize(TWO)
        result.append({"key": row[group], "visits": row["visits"], **scores, "overall": overall})
    return result


def satisfaction_by_customer(
    *, user: User, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> list[dict]:
    """Average scores (1–5) per customer over the visits done in the period."""
    from gendan.parties.models import Customer

    qs = _period(visit_visible_list(user=user), date_from, date_to)
    rows = _averages(qs, "customer")
    customers = Customer.objects.in_bulk([row["key"] for row in rows])
    for row in rows:
        row["customer"] = customers[row["key"]]
    return sorted(rows, key=lambda r: r["customer"].code)


def satisfaction_by_merchandiser(
    *, user: User, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> list[dict]:
    """Average scores per merchandiser (the order's merchandiser when the visit fell due): feeds the KPI."""
    qs = _period(visit_visible_list(user=user), date_from, date_to)
    rows = _averages(qs, "merchandiser")
    users = User.objects.in_bulk([row["key"] for row in rows])
    for row in rows:
        row["merchandiser"] = users[row["key"]]
    return sorted(rows, key=lambda r: r["merchandiser"].username)


def _period(
    qs: QuerySet[ReturnVisit], date_from: dt.date | None, date_to: dt.date | None
) -> QuerySet[ReturnVisit]:
    if date_from:
        qs = qs.filter(visited_on__gte=date_from)
    if date_to:
        qs = qs.filter(visited_on__lte=date_to)
    return qs
