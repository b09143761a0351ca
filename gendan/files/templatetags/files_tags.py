from django import template

from gendan.files.models import AttachmentKind
from gendan.files.selectors import attachment_list, attachment_owner_spec
from gendan.files.services import WITHDRAW_ANY_ROLES
from gendan.files.validation import ACCEPT, max_bytes

register = template.Library()


@register.simple_tag(takes_context=True)
def attachments_for(context, owner) -> dict:
    """What the attachments partial shows for `owner` (a registered owner the page already scoped)."""
    user = context["request"].user
    spec = attachment_owner_spec(owner)
    writer = user.is_active and not user.is_read_only and bool(user.roles)
    lead = user.has_role(*WITHDRAW_ANY_ROLES)
    items = [
        {"file": a, "may_withdraw": writer and not a.withdrawn and (lead or a.uploaded_by_id == user.pk)}
        for a in attachment_list(owner=owner)
    ]
    return {
        "owner_type": spec.key,
        "owner_id": owner.pk,
        "items": items,
        "may_upload": writer,
        "kinds": AttachmentKind.choices,
        "accept": ACCEPT,
        "max_size": max_bytes(),
    }
