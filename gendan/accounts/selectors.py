from django.db.models import QuerySet

from gendan.accounts.models import ApiToken, User


def users_with_role(*, role: str) -> QuerySet[User]:
    """Active users holding `role` (e.g. to offer merchandisers in a select)."""
    return User.objects.filter(is_active=True, groups__name=role).order_by("username").distinct()


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first (revoked ones too, so the user sees what was revoked)."""
    return ApiToken.objects.filter(user=user).order_by("-id")
