"""Which documents carry a comment thread, and how each leads to its order.

The discussion app sits just above orders (docs/architecture.md): it may read orders and accounts, but not the
apps whose documents it discusses. Those register themselves in their AppConfig.ready(), one line each:

    register_comment_owner(Complaint, key="complaint", order_of="order", url_name="complaints:detail")

A thread's scope is its order's: whoever sees the owner's order (orders.selectors.order_visible_list) reads and
writes the thread; anyone else gets a 404 as for a missing document.
"""

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from django.db import models
from django.urls import reverse


@dataclass(frozen=True)
class CommentOwner:
    key: str  # the owner type in URLs and the API: "order", "exception", "complaint", "change_request"
    model: type[models.Model]
    order_of: Callable[[Any], Any]  # owner → its orders.Order
    url_of: Callable[[Any], str]  # owner → the page that shows the thread (notification links add #comment-N)
    label_of: Callable[[Any], str]  # owner → how a person names it in a notification ("SO2026-000123")


COMMENT_OWNERS: dict[str, CommentOwner] = {}


def _label(owner: Any) -> str:
    return f"{owner._meta.verbose_name} {owner}"


def register_comment_owner(
    model: type[models.Model],
    *,
    order_of: Callable[[Any], Any] | str,
    key: str | None = None,
    url_name: str | None = None,
    url_of: Callable[[Any], str] | None = None,
    label_of: Callable[[Any], str] | None = None,
) -> CommentOwner:
    """Give every `model` row a comment thread. Idempotent (ready() may run twice in tests).

    `order_of`: the owner's order: a callable (``lambda cr: cr.order``) or an attribute path (``"order"``). The page showing the thread is
    `url_name` reversed with the owner's pk (or `url_of(owner)`; else ``owner.get_absolute_url()``);
    notifications name the owner by `label_of(owner)` (default: its verbose name and str(), "客诉单 CP2026-0001").
    """
    key = key or model._meta.model_name
    assert key and key.replace("_", "").isalnum() and key.islower(), f"bad comment owner key {key!r}"
    existing = COMMENT_OWNERS.get(key)
    if existing is not None and existing.model is not model:
        raise ValueError(f"comment owner key {key!r} is taken by {existing.model.__name__}")
    if isinstance(order_of, str):
        order_of = attrgetter(order_of)
    if url_of is None:
        if url_name is not None:
            name = url_name

            def url_of(owner: Any) -> str:
                return reverse(name, args=[owner.pk])

        else:

            def url_of(owner: Any) -> str:
                return owner.get_absolute_url()

    owner = CommentOwner(key=key, model=model, order_of=order_of, url_of=url_of, label_of=label_of or _label)
    COMMENT_OWNERS[key] = owner
    return owner


def comment_owner_for(instance_or_model: Any) -> CommentOwner:
    model = instance_or_model if isinstance(instance_or_model, type) else type(instance_or_model)
    model = model._meta.concrete_model
    for owner in COMMENT_OWNERS.values():
        if owner.model._meta.concrete_model is model:
            return owner
    raise LookupError(f"{model.__name__} has no comment thread (register_comment_owner)")
