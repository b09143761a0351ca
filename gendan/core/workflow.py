"""Transition tables: allowed (from, to) pairs declared once, with the roles that may do each."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from gendan.core.errors import PermissionDeniedError, TransitionError


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None  # None: the target is computed (e.g. resume to the status before a hold)
    roles: frozenset[str]


def transition_table(
    *rows: tuple[str, tuple[str, ...], str | None, tuple[str, ...]],
) -> dict[str, Transition]:
    return {
        action: Transition(action, frozenset(src), dst, frozenset(roles)) for action, src, dst, roles in rows
    }


def transition_check(table: dict[str, Transition], action: str, current: str, roles: set[str]) -> Transition:
    """Raise unless `action` is allowed from `current` for someone with `roles`."""
    transition = table.get(action)
    if transition is None:
        raise TransitionError(_("Unknown action: %(action)s") % {"action": action}, code="unknown_action")
    if current not in transition.sources:
        raise TransitionError(
            _("This action is not allowed while the status is %(status)s.") % {"status": current},
            extra={"action": action, "status": current},
        )
    if not roles & transition.roles:
        raise PermissionDeniedError(
            _("Your role may not do this."), code="role_not_allowed", extra={"action": action}
        )
    return transition


def allowed_actions(table: dict[str, Transition], current: str, roles: set[str]) -> list[str]:
    return [t.action for t in table.values() if current in t.sources and roles & t.roles]
