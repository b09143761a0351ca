"""Row-level scope: one place that decides which rows a user may see.

Every list, detail, search, export, report and API query of scoped data goes through these
functions, so a leak can only come from bypassing them.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models import Q, QuerySet
from django.utils import timezone

from gendan.accounts import roles as R
from gendan.accounts.models import Delegation, User

NOTHING = Q(pk__in=[])

# Handed-over work per (user, day), kept for one web request only: a dashboard asks for it in every panel
# (eight queries), an order's intake twice. Outside a request (services called by tasks, scans, tests)
# nothing is kept. Any saved or deleted Delegation empties it (signals in AccountsConfig.ready).
_acting_for_cache: ContextVar[dict[tuple[int, object], list[int]] | None] = ContextVar(
    "acting_for_cache", default=None
)


@contextmanager
def scope_cache() -> Iterator[None]:
    token = _acting_for_cache.set({})
    try:
        yield
    finally:
        _acting_for_cache.reset(token)


def scope_cache_clear(**_signal_kwargs: object) -> None:
    cache = _acting_for_cache.get()
    if cache is not None:
        cache.clear()


def acting_for(user: User) -> list[int]:
    """The user plus everyone whose work they currently hold through an approved handover."""
    cache = _acting_for_cache.get()
    key = (user.pk, timezone.localdate())
    if cache is not None and key in cache:
        return list(cache[key])
    ids = [user.pk, *Delegation.owners_for(user)]
    if cache is not None:
        cache[key] = ids
    return list(ids)


def owned_q(user: User, *, merchandiser: str, salesperson: str, team_members: bool = True) -> Q:
    """Q for rows whose merchandiser/salesperson field path belongs to what `user` may see."""
    if not user.is_active or not user.roles:
        return NOTHING
    if user.sees_all:
        return Q()
    q = NOTHING
    if user.has_role(R.MERCHANDISER):
        q |= Q(**{f"{merchandiser}__in": acting_for(user)})
    if user.has_role(R.SALES):
        q |= Q(**{f"{salesperson}__in": acting_for(user)})
    if user.has_role(R.SUPERVISOR) and team_members:
        # The supervisor and their team as an id list (a subquery), not a join on the user's supervisor: the
        # join ORed four ways made SQLite scan every order; an IN list lets it use the (merchandiser, …) and
        # (salesperson, …) indexes.
        team = User.objects.filter(Q(pk=user.pk) | Q(supervisor=user.pk)).values("pk")
        q |= Q(**{f"{merchandiser}__in": team}) | Q(**{f"{salesperson}__in": team})
    return q


def scope_queryset(qs: QuerySet, user: User, q: Q) -> QuerySet:
    return qs.filter(q)
