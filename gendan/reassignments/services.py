"""Permanent reassignment (resignation, transfer): a supervisor (for their team) or the general manager gives a
merchandiser's open orders — all or a selection — and customers to a colleague, for good. Each order's
timeline shows it, both merchandisers are told, the new one sees the orders and the old one no longer does
(unless a Delegation grants it). Open milestones and exceptions the old merchandiser owned on those orders
move with them."""

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from gendan.core.parsing import FieldErrors, parse_text
from gendan.followup.services import followup_owners_reassign
from gendan.notify.services import notify
from gendan.orders.services import orders_reassign
from gendan.parties.services import customers_merchandiser_set
from gendan.reassignments.models import Reassignment
from gendan.reassignments.selectors import handover_checklist, may_decide, reassignable_orders


def _merchandiser(value: User | int | None, field: str, errors: FieldErrors) -> User | None:
    if value is None or value == "":
        errors.add(field, _("This field is required."))
        return None
    if isinstance(value, User):
        return value
    try:
        user = User.objects.filter(pk=int(value)).first()
    except (TypeError, ValueError, OverflowError):
        user = None
    if user is None or not user.is_active or not user.has_role(R.MERCHANDISER):
        errors.add(field, _("Choose an active merchandiser."))
        return None
    return user


@transaction.atomic
def reassignment_create(
    *,
    actor: User,
    from_merchandiser: User | int | None,
    to_merchandiser: User | int | None,
    reason: str,
    order_ids: Sequence[int] | None = None,
    customer_ids: Sequence[int] | None = None,
) -> Reassignment:
    """Reassign for good. `order_ids`: a selection of the merchandiser's open orders (None: all of them);
    `customer_ids`: which of their customers get the new default merchandiser (None: all; [] none)."""
    if (
        not actor.is_active
        or actor.is_read_only
        or not actor.has_role(R.SUPERVISOR, R.GENERAL_MANAGER, R.ADMIN)
    ):
        raise PermissionDeniedError(_("Your role may not do this."), code="role_not_allowed")
    errors = FieldErrors()
    old = _merchandiser(from_merchandiser, "from_id", errors)
    new = _merchandiser(to_merchandiser, "to_id", errors)
    reason = parse_text(reason, "reason", errors, required=True, max_length=300)
    if old and new and old.pk == new.pk:
        errors.add("to_id", _("Choose another merchandiser than the one giving the orders."))
    errors.raise_if_any()
    assert old is not None and new is not None
    if not may_decide(actor=actor, merchandiser=old):
        # someone else's team: as if the merchandiser did not exist for this supervisor
        raise NotFoundError(_("Merchandiser not found."))
    if not may_decide(actor=actor, merchandiser=new):
        raise ValidationFailed({"to_id": [_("Choose a merchandiser of your team.")]})
    open_ids = set(reassignable_orders(user=actor, merchandiser=old).values_list("pk", flat=True))
    if order_ids is not None:
        wanted = {int(pk) for pk in order_ids}
        stray = sorted(wanted - open_ids)
        if stray:
            raise ValidationFailed(
                {"order_ids": [_("These are not open orders of this merchandiser: %(ids)s") % {"ids": stray}]}
            )
        open_ids = wanted
    ids = sorted(open_ids)
    checklist = handover_checklist(user=actor, merchandiser=old, order_ids=ids)
    all_customers = {c["id"] for c in checklist["customers"]}
    customers = sorted(all_customers if customer_ids is None else {int(pk) for pk in customer_ids})
    stray = sorted(set(customers) - all_customers)
    if stray:
        raise ValidationFailed(
            {"customer_ids": [_("These are not customers of this merchandiser: %(ids)s") % {"ids": stray}]}
        )
    if not ids and not customers:
        raise ValidationFailed(
            {"order_ids": [_("This merchandiser has no open orders or customers to reassign.")]}
        )
    checklist["customers"] = [c for c in checklist["customers"] if c["id"] in customers]
    checklist["counts"]["customers"] = len(customers)
    reassignment = Reassignment.objects.create(
        from_merchandiser=old,
        to_merchandiser=new,
        reason=reason,
        decided_by=actor,
        order_ids=ids,
        customer_ids=customers,
        checklist=checklist,
    )
    orders_reassign(order_ids=ids, actor=actor, to=new, reason=reason, data={"reassignment": reassignment.pk})
    moved = followup_owners_reassign(order_ids=ids, old=old, new=new)
    if customers:
        customers_merchandiser_set(actor=actor, customer_ids=customers, merchandiser=new)
    link = f"/reassignments/{reassignment.pk}/"
    values = {"old": old, "new": new, "orders": len(ids), "customers": len(customers)}
    notify(
        recipients=[new],
        kind="reassignment.received",
        title=_("%(orders)d orders and %(customers)d customers of %(old)s are yours from now on") % values,
        body=_(
            "Handover checklist: %(m)d open milestones, %(e)d open exceptions, %(s)d shipments in transit."
        )
        % {
            "m": checklist["counts"]["milestones"],
            "e": checklist["counts"]["exceptions"],
            "s": checklist["counts"]["shipments"],
        },
        link=link,
        dedupe_key=f"reassignment:{reassignment.pk}:to",
    )
    notify(
        recipients=[old],
        kind="reassignment.given",
        title=_("%(orders)d orders and %(customers)d customers were reassigned to %(new)s") % values,
        body=reason,
        link=link,
        dedupe_key=f"reassignment:{reassignment.pk}:from",
    )
    reassignment.checklist["moved"] = moved
    reassignment.save(update_fields=["checklist", "updated_at"])
    return reassignment
