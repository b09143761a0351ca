"""Reads of attachments: always from the owner's order scope (out of scope = not found = 404)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from gendan.accounts.models import User
from gendan.core.errors import NotFoundError
from gendan.files.models import Attachment
from gendan.files.registry import AttachmentOwner, owner_for_key, owner_for_model
from gendan.orders.models import Order
from gendan.orders.selectors import order_scope_q, order_visible_exists


def _order_visible(*, user: User, order_id: int) -> bool:
    return Order.objects.filter(order_scope_q(user), pk=order_id).exists()


def attachment_owner_get(
    *, user: User, owner_type: str, owner_id: int | str
) -> tuple[AttachmentOwner, Model]:
    """The registered owner `owner_type` #`owner_id`, if `user` sees its order; NotFoundError otherwise."""
    spec = owner_for_key(str(owner_type or ""))
    if spec is None:
        raise NotFoundError(_("Not found."))
    try:
        owner = spec.model._default_manager.get(pk=int(owner_id))
    except (spec.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Not found.")) from None
    order = spec.order_of(owner)
    if order is None or not _order_visible(user=user, order_id=order.pk):
        raise NotFoundError(_("Not found."))
    return spec, owner


def attachment_owner_spec(owner: Model) -> AttachmentOwner:
    spec = owner_for_model(type(owner))
    if spec is None:
        raise LookupError(f"{type(owner).__name__} is not registered as an attachment owner")
    return spec


def attachment_list(*, owner: Model, include_withdrawn: bool = True) -> QuerySet[Attachment]:
    """The owner's files, newest first (the caller has checked the owner's scope)."""
    qs = Attachment.objects.filter(
        owner_type=ContentType.objects.get_for_model(type(owner)), owner_id=owner.pk
    ).select_related("uploaded_by", "withdrawn_by", "owner_type")
    return qs if include_withdrawn else qs.filter(withdrawn_at__isnull=True)


def attachment_get(*, user: User, pk: int | str) -> Attachment:
    """One attachment whose order `user` sees; NotFoundError otherwise (missing and hidden look alike)."""
    try:
        return Attachment.objects.select_related("order", "owner_type", "uploaded_by").get(
            order_visible_exists(user=user), pk=int(pk)
        )
    except (Attachment.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("File not found.")) from None


def attachment_owner_key(attachment: Attachment) -> str:
    """The owner_type (registry key) of an attachment's owner."""
    spec = owner_for_model(attachment.owner_type.model_class())
    return spec.key if spec else attachment.owner_type.model
