from django.db.models import QuerySet

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.accounts.scope import owned_q
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
