"""Which models may carry attachments, and how each reaches the order whose scope guards its files.

An owning app registers its model once, in its AppConfig.ready():

    register_attachment_owner(Shipment, key="shipment")            # order_of defaults to obj.order

The scope rule is then the same for every owner: a user sees (and may download) an owner's files when they
see the owner's order (gendan.orders.selectors.order_scope_q); otherwise the owner answers 404.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model


@dataclass(frozen=True)
class AttachmentOwner:
    model: type[Model]
    key: str  # the owner_type of URLs and the API: "order", "review", "shipment", "complaint", …
    order_of: Callable[[Model], Model]
    detail_url: Callable[[Model], str] | None

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)

    def url_of(self, obj: Model) -> str:
        if self.detail_url is not None:
            return self.detail_url(obj)
        from django.urls import reverse

        return reverse(f"{self.model._meta.app_label}:detail", args=[obj.pk])


_BY_KEY: dict[str, AttachmentOwner] = {}
_BY_MODEL: dict[type[Model], AttachmentOwner] = {}


def register_attachment_owner(
    model: type[Model],
    *,
    key: str,
    order_of: Callable[[Model], Model] = lambda obj: obj.order,  # type: ignore[attr-defined]
    detail_url: Callable[[Model], str] | None = None,
) -> AttachmentOwner:
    """Let `model` carry attachments. `key` names it in URLs and the API (owner_type); `order_of(obj)` is
    the order whose scope applies; `detail_url(obj)` the page to return to after an upload (default: the
    URL named "<app_label>:detail" with the object's pk). Idempotent per model."""
    owner = AttachmentOwner(model=model, key=key, order_of=order_of, detail_url=detail_url)
    existing = _BY_KEY.get(key)
    if existing is not None and existing.model is not model:
        raise ValueError(f"attachment owner key {key!r} is taken by {existing.model.__name__}")
    _BY_KEY[key] = owner
    _BY_MODEL[model] = owner
    return owner


def owner_for_key(key: str) -> AttachmentOwner | None:
    return _BY_KEY.get(key)


def owner_for_model(model: type[Model]) -> AttachmentOwner | None:
    return _BY_MODEL.get(model)


def owner_keys() -> list[str]:
    return sorted(_BY_KEY)
