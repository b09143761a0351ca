"""Login throttling that cannot be turned against users and cannot be beaten in parallel.

Every attempt is counted *before* the password is hashed, in one statement per counter (an upsert that
returns the new count), so 40 guesses sent at once are counted 1…40 and only the first few are checked.
Three counters, each over a window of WINDOW_SECONDS:

- per (name, address): MAX_PER_USER_AND_ADDRESS — the brute-force guard; applies everywhere;
- per name: MAX_PER_USER — guesses spread over many addresses; a user's usual address is spared;
- per address: MAX_PER_ADDRESS — one address spraying names; a user's usual address is spared.

A "usual address" is one the user has logged in from successfully before (LoginAddress). So failures by
others never lock a user out of the place they normally work from, no single counter covers the whole site,
and a lock ends by itself when its window is over. A successful login gives back the attempt it was charged.
The client address comes from gendan.core.audit.client_address (trusted proxies only).
"""

import logging
import time

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import F
from django.utils import timezone

from gendan.core.audit import audit_record, client_address
from gendan.core.models import AuditLog, LoginAddress, LoginCounter, LoginFailure

logger = logging.getLogger("gendan.security")

WINDOW_SECONDS = 15 * 60
MAX_PER_USER_AND_ADDRESS = 10
MAX_PER_USER = 30
MAX_PER_ADDRESS = 50


def _keys(username: str, address: str | None) -> dict[str, str]:
    where = address or "-"
    return {"pair": f"pair:{where} {username}", "user": f"user:{username}", "addr": f"addr:{where}"}


def _charge(key: str, now: int) -> int:
    """Count one attempt on `key` and return the count in the current window (one atomic statement)."""
    q = connection.ops.quote_name
    table, k, start, count = q(LoginCounter._meta.db_table), q("key"), q("window_start"), q("count")
    cutoff = now - WINDOW_SECONDS
    # names from _meta, values bound
    sql = (
        f"INSERT INTO {table} ({k}, {start}, {count}) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT ({k}) DO UPDATE SET "
        f"{count} = CASE WHEN {table}.{start} < %s THEN 1 ELSE {table}.{count} + 1 END, "
        f"{start} = CASE WHEN {table}.{start} < %s THEN %s ELSE {table}.{start} END "
        f"RETURNING {count}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key[:250], now, cutoff, cutoff, now])
        return int(cursor.fetchone()[0])


def _refund(keys: list[str], now: int) -> None:
    LoginCounter.objects.filter(key__in=keys, window_start__gte=now - WINDOW_SECONDS, count__gt=0).update(
        count=F("count") - 1
    )


def _counts(keys: dict[str, str], now: int) -> dict[str, int]:
    found = dict(
        LoginCounter.objects.filter(
            key__in=list(keys.values()), window_start__gte=now - WINDOW_SECONDS
        ).values_list("key", "count")
    )
    return {name: found.get(key, 0) for name, key in keys.items()}


def usual_address(*, username: str, address: str | None) -> bool:
    if not address:
        return False
    from django.contrib.auth import get_user_model

    field = get_user_model().USERNAME_FIELD
    return LoginAddress.objects.filter(**{f"user__{field}": username}, address=address).exists()


def _over(counts: dict[str, int], *, usual: bool, strict: bool) -> bool:
    """strict: counts include this attempt (over the limit = refused); otherwise: the next one would be."""

    def hit(value: int, limit: int) -> bool:
        return value > limit if strict else value >= limit

    if hit(counts["pair"], MAX_PER_USER_AND_ADDRESS):
        return True
    if usual:
        return False
    return hit(counts["user"], MAX_PER_USER) or hit(counts["addr"], MAX_PER_ADDRESS)


def login_locked(*, username: str, address: str | None) -> bool:
    """Would the next attempt for this name from this address be refused? (Read only: for the form.)"""
    counts = _counts(_keys(username, address), int(time.time()))
    return _over(counts, usual=usual_address(username=username, address=address), strict=False)


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field())
        if username is None or password is None:
            return None
        username = str(username)[:150]
        address = client_address(request)
        now = int(time.time())
        keys = _keys(username, address)
        counts = {name: _charge(key, now) for name, key in keys.items()}  # before any hashing
        if _over(counts, usual=usual_address(username=username, address=address), strict=True):
            logger.warning("login locked for %r from %s (%s)", username, address, counts)
            audit_record(
                actor=None,
                action=AuditLog.Action.LOGIN_LOCKED,
                what="login",
                object_ref=username,
                request=request,
            )
            raise PermissionDenied("too many failed logins")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            LoginFailure.objects.create(username=username, address=address)
            logger.info("login failed for %r from %s", username, address)
            return None
        _refund(list(keys.values()), now)
        if address:
            LoginAddress.objects.update_or_create(
                user=user, address=address, defaults={"last_login_at": timezone.now()}
            )
        return user

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD
