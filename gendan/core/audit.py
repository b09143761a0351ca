"""Audit of exports, printed documents and security events (SPEC §1: exports are logged)."""

import logging

from django.http import HttpRequest

from gendan.core.models import AuditLog

logger = logging.getLogger("gendan.audit")


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def scope_label(user) -> str:
    if user is None:
        return ""
    if getattr(user, "sees_all", False):
        return "all"
    return "roles=" + ",".join(sorted(getattr(user, "roles", ()))) + f";user={user.pk}"


def audit_record(
    *,
    actor,
    action: str,
    what: str,
    object_ref: str = "",
    data: dict | None = None,
    request: HttpRequest | None = None,
) -> AuditLog:
    entry = AuditLog.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        what=what,
        object_ref=object_ref[:100],
        scope=scope_label(actor)[:200],
        data=data or {},
        address=client_address(request),
    )
    logger.info(
        "audit %s %s %s by %s scope=%s", action, what, object_ref, getattr(actor, "pk", None), entry.scope
    )
    return entry
