"""Reads on complaints: scoped by the order; overdue steps for the dashboard."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gendan.accounts.models import User
from gendan.complaints.models import Complaint, ComplaintStatus
from gendan.core.errors import NotFoundError
from gendan.orders.selectors import order_visible_exists

OPEN_STATUSES = tuple(s for s in ComplaintStatus.values if s != ComplaintStatus.CLOSED)


def complaint_visible_list(*, user: User) -> QuerySet[Complaint]:
    return Complaint.objects.filter(order_visible_exists(user=user)).select_related(
        "customer", "order", "order__merchandiser", "shipment", "responsible_department"
    )


def complaint_list(
    *, user: User, status: str | None = None, open_only: bool = False, q: str = ""
) -> QuerySet[Complaint]:
    qs = complaint_visible_list(user=user)
    if status:
        qs = qs.filter(status=status)
    elif open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if q := (q or "").strip():
        qs = qs.filter(
            Q(number__icontains=q) | Q(order__number__icontains=q) | Q(customer__name__icontains=q)
        )
    return qs.order_by("-received_on", "-id")


def complaint_get(*, user: User, pk: int | str) -> Complaint:
    try:
        return complaint_visible_list(user=user).prefetch_related("photos").get(pk=int(pk))
    except (Complaint.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Complaint not found.")) from None


def complaints_overdue(*, user: User, as_of: dt.date) -> QuerySet[Complaint]:
    """Open complaints whose current step's deadline has passed (the dashboard's list)."""
    return (
        complaint_visible_list(user=user)
        .filter(status__in=OPEN_STATUSES, deadline__lt=as_of)
        .order_by("deadline", "id")
    )


def complaints_as_violation_evidence(*, user: User) -> QuerySet[Complaint]:
    """Complaints marked as evidence of a violation (read by gendan.performance)."""
    return complaint_visible_list(user=user).filter(is_violation_evidence=True).order_by("received_on", "id")


def complaints_open_for(*, order_ids: list[int], customer_ids: list[int]) -> QuerySet[Complaint]:
    """Complaints not closed on these orders or customers (the caller scoped them)."""
    return (
        Complaint.objects.filter(Q(order__in=order_ids) | Q(customer__in=customer_ids))
        .exclude(status=ComplaintStatus.CLOSED)
        .select_related("customer", "order")
        .order_by("deadline", "pk")
    )
