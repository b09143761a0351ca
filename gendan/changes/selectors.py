"""Reads of change requests, always within the reader's order scope (out of scope = not found)."""

from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.changes.models import ChangeRequest, ChangeRequestItem, ChangeStatus
from gendan.core.errors import NotFoundError
from gendan.orders.models import Order
from gendan.orders.selectors import order_visible_exists
from gendan.outsourcing.selectors import outsourced_quantities
from gendan.quality.selectors import inspected_quantities
from gendan.reviews.models import ReviewDepartment, ReviewItem
from gendan.reviews.selectors import department_may_sign
from gendan.shipping.selectors import shipped_quantities


def change_request_visible_list(*, user: User) -> QuerySet[ChangeRequest]:
    return ChangeRequest.objects.filter(order_visible_exists(user=user)).select_related(
        "order", "order__customer", "raised_by"
    )


def change_request_get(*, user: User, pk: int | str) -> ChangeRequest:
    try:
        return (
            change_request_visible_list(user=user)
            .prefetch_related("items__signer")
            .select_related("concluded_by")
            .get(pk=int(pk))
        )
    except (ChangeRequest.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Change request not found.")) from None


def change_requests_for_order(*, order: Order) -> QuerySet[ChangeRequest]:
    return (
        order.change_requests.select_related("raised_by", "concluded_by")
        .prefetch_related("items")
        .order_by("-id")
    )


def departments_of(*, user: User) -> list[str]:
    """The review departments `user` signs for."""
    return [d for d in ReviewDepartment.values if department_may_sign(user=user, department=d)]


def change_requests_awaiting(*, user: User) -> QuerySet[ChangeRequest]:
    """Open change requests waiting for `user`: an item of their department to sign, or (a supervisor, the
    general manager) every item signed and the decision theirs."""
    visible = change_request_visible_list(user=user).filter(status=ChangeStatus.OPEN)
    q = Q(pk__in=[])
    departments = departments_of(user=user)
    if departments:
        q |= Exists(
            ChangeRequestItem.objects.filter(
                change_request=OuterRef("pk"), department__in=departments, result=ReviewItem.Result.PENDING
            )
        )
    if user.has_role(R.SUPERVISOR, R.GENERAL_MANAGER, R.ADMIN):
        signed = ~Exists(
            ChangeRequestItem.objects.filter(change_request=OuterRef("pk"), result=ReviewItem.Result.PENDING)
        )
        if user.has_role(R.GENERAL_MANAGER, R.ADMIN):
            q |= signed
        else:
            q |= signed & Q(needs_gm=False)
    return visible.filter(q).order_by("id")


def line_bounds(*, order_line_ids: list[int]) -> dict[int, dict[str, Decimal]]:
    """{line id: {"shipped", "inspected", "outsourced"}}: what a change may not take a line below."""
    shipped = shipped_quantities(order_line_ids=order_line_ids)
    inspected = inspected_quantities(order_line_ids=order_line_ids)
    outsourced = outsourced_quantities(order_line_ids=order_line_ids)
    zero = Decimal(0)
    return {
        pk: {
            "shipped": Decimal(shipped.get(pk) or zero),
            "inspected": Decimal(inspected.get(pk) or zero),
            "outsourced": Decimal(outsourced.get(pk) or zero),
        }
        for pk in order_line_ids
    }
