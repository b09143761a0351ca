"""The one door to gendan.notify (imported when called, so follow-up loads without it)."""

from collections.abc import Iterable

from gendan.accounts.models import User


def notice_send(
    *,
    recipients: Iterable[User | None],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    dedupe_key: str | None = None,
    order_id: int | None = None,
) -> list[User]:
    """Deliver to the active recipients (duplicates and None dropped); returns who was addressed."""
    from gendan.notify.services import notify

    seen: dict[int, User] = {}
    for user in recipients:
        if user is not None and user.is_active and user.pk not in seen:
            seen[user.pk] = user
    people = list(seen.values())
    if people:
        notify(
            recipients=people,
            kind=kind,
            title=title,
            body=body,
            link=link,
            dedupe_key=dedupe_key,
            order_id=order_id,
        )
    return people
