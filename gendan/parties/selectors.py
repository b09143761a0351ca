from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.accounts.scope import owned_q
from gendan.core.errors import NotFoundError
from gendan.parties.models import Customer, Supplier


def customer_visible_list(*, user: User) -> QuerySet[Customer]:
    """Customers `user` may see: own/handed-over (merchandiser), own (sales), team (supervisor), all (GM,
    auditor, admin); planners and reviewers need every customer's name and credit to do their work."""
    qs = Customer.objects.select_related("merchandiser", "salesperson")
    if user.is_active and user.has_role(R.PLANNER, R.REVIEWER):
        return qs
    return qs.filter(owned_q(user, merchandiser="merchandiser", salesperson="salesperson"))


def supplier_visible_list(*, user: User) -> QuerySet[Supplier]:
    if user.is_active and user.has_role(
        R.ADMIN, R.AUDITOR, R.GENERAL_MANAGER, R.SUPERVISOR, R.PLANNER, R.REVIEWER, R.MERCHANDISER
    ):
        return Supplier.objects.all()
    return Supplier.objects.none()


def customer_list(*, user: User, q: str = "", active: bool | None = None) -> QuerySet[Customer]:
    qs = customer_visible_list(user=user)
    if q := (q or "").strip():
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("code")


def customer_get(*, user: User, pk: int | str) -> Customer:
    """One customer within the user's scope; 404 otherwise."""
    try:
        return customer_visible_list(user=user).get(pk=int(pk))
    except (Customer.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Customer not found.")) from None
