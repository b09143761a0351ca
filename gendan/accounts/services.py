import hashlib
import secrets

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import ApiToken, Department, User
from gendan.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed


def roles_sync() -> None:
    """Create the role groups with their permissions and the departments (idempotent)."""
    for code, label in Department.Code.choices:
        Department.objects.get_or_create(code=code, defaults={"name": str(label)})
    for role in R.ALL_ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for dotted in R.ROLE_PERMISSIONS.get(role, []):
            app_label, codename = dotted.split(".")
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm:
                wanted.append(perm)
        group.permissions.set(wanted)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    roles: list[str],
    display_name: str = "",
    department: str | None = None,
    supervisor: User | None = None,
    email: str = "",
) -> User:
    unknown = set(roles) - set(R.ALL_ROLES)
    if unknown:
        raise ValidationFailed({"roles": [_("Unknown role: %(r)s") % {"r": ", ".join(sorted(unknown))}]})
    dept = Department.objects.get(code=department) if department else None
    candidate = User(username=username, display_name=display_name, email=email)
    try:  # AUTH_PASSWORD_VALIDATORS: length, common passwords, all digits, similar to the user's name
        validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        raise ValidationFailed({"password": list(exc.messages)}) from None
    user = User.objects.create_user(
        username=username,
        password=password,
        display_name=display_name,
        department=dept,
        supervisor=supervisor,
        email=email,
        is_staff=R.ADMIN in roles,
        is_superuser=R.ADMIN in roles,
    )
    user.groups.set(Group.objects.filter(name__in=roles))
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str, self_service: bool = False) -> tuple[ApiToken, str]:
    """Returns the token and its key; the key is shown once and only its hash is kept.
    `self_service`: the user asks for it themselves (the API) — a read-only role (the auditor) may not:
    a token is a standing credential outside the login's throttling and session expiry; an administrator
    issues one if an auditor's tool needs it."""
    if self_service and (user.is_read_only or not user.is_active):
        raise PermissionDeniedError(
            _("Read-only accounts cannot create API tokens; ask an administrator."), code="read_only_account"
        )
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise ValidationFailed({"name": [_("Give the token a name of at most 50 characters.")]})
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=hashlib.sha256(key.encode()).hexdigest(), prefix=key[:8]
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).first()
    if token is None:
        raise NotFoundError(_("Token not found."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    return token
