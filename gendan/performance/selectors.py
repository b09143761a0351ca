from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.core.errors import NotFoundError
from gendan.performance.models import Handover, MonthlyScore, Violation


def merchandisers_visible(*, user: User) -> QuerySet[User]:
    """Whose appraisal `user` may see: GM/admin/auditor everyone, a supervisor the team, a merchandiser self."""
    merchandisers = User.objects.filter(groups__name=R.MERCHANDISER, is_active=True).order_by("username")
    if not user.is_active:
        return merchandisers.none()
    if user.sees_all:
        return merchandisers
    q = Q(pk__in=[])
    if user.has_role(R.SUPERVISOR):
        q |= Q(supervisor=user)
    if user.has_role(R.MERCHANDISER):
        q |= Q(pk=user.pk)
    return merchandisers.filter(q)


def violation_visible_list(*, user: User) -> QuerySet[Violation]:
    return Violation.objects.filter(merchandiser__in=merchandisers_visible(user=user)).select_related(
        "merchandiser", "recorded_by", "decided_by"
    )


def violation_get(*, user: User, pk) -> Violation:
    try:
        return violation_visible_list(user=user).get(pk=int(pk))
    except (Violation.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Violation not found.")) from None


def score_get(*, user: User, pk) -> MonthlyScore:
    try:
        return MonthlyScore.objects.select_related("merchandiser", "policy", "signed_by").get(
            pk=int(pk), merchandiser__in=merchandisers_visible(user=user)
        )
    except (MonthlyScore.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Score not found.")) from None


def handover_visible_list(*, user: User) -> QuerySet[Handover]:
    visible = merchandisers_visible(user=user)
    return (
        Handover.objects.filter(Q(owner__in=visible) | Q(substitute=user))
        .select_related("owner", "substitute", "approved_by")
        .distinct()
    )


def handover_get(*, user: User, pk) -> Handover:
    try:
        return handover_visible_list(user=user).prefetch_related("items__order").get(pk=int(pk))
    except (Handover.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundError(_("Handover not found.")) from None
