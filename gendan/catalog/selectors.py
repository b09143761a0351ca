from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gendan.accounts.models import User
from gendan.catalog.models import Product
from gendan.core.errors import NotFoundError


def product_visible_list(*, user: User) -> QuerySet[Product]:
    """Products are shared master data: every user with a role sees them all; a user without one, none."""
    if not user.is_active or not user.roles:
        return Product.objects.none()
    return Product.objects.all()


def product_list(*, user: User, q: str = "", active: bool | None = None) -> QuerySet[Product]:
    qs = product_visible_list(user=user)
    if q := (q or "").strip():
        qs = qs.filter(
            Q(code__icontains=q) | Q(name__icontains=q) | Q(family__icontains=q) | Q(spec__icontains=q)
        )
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("code")


def product_get(*, user: User, pk: int | str) -> Product:
    try:
        return product_visible_list(user=user).get(pk=int(pk))
    except (Product.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Product not found.")) from None
