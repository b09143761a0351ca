"""Audit of exports, printed documents and security events (SPEC §1: exports are logged)."""

import functools
import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest

from gendan.core.models import AuditLog

logger = logging.getLogger("gendan.audit")


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _ip(value: str):
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_address(request: HttpRequest | None) -> str | None:
    """The address of the person behind the request.

    `X-Forwarded-For` is read only when the direct peer (REMOTE_ADDR) is one of the configured trusted
    proxies (settings.GENDAN_TRUSTED_PROXIES, addresses or networks). The list is walked from the right
    (the hop nearest to us): trusted proxies are skipped and the first address that is not one is the
    client; anything to its left was written by the client and is ignored. A malformed hop stops the walk
    at the last address we can vouch for."""
    if request is None:
        return None
    peer = _ip(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return None
    networks = _networks(tuple(getattr(settings, "GENDAN_TRUSTED_PROXIES", ()) or ()))
    if not networks or not _trusted(peer, networks):
        return str(peer)
    client = peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = _ip(hop)
        if address is None:
            break
        client = address
        if not _trusted(address, networks):
            break
    return str(client)


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
