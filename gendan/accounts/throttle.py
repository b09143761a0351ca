"""Login throttling: after too many failures the password is not even hashed (it costs ~0.4 s of CPU)."""

import datetime as dt
import logging

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gendan.core.audit import audit_record, client_address
from gendan.core.models import AuditLog, LoginFailure

logger = logging.getLogger("gendan.security")

WINDOW = dt.timedelta(minutes=15)
MAX_PER_USER_AND_ADDRESS = 10
MAX_PER_ADDRESS = 50


def login_locked(*, username: str, address: str | None) -> bool:
    since = timezone.now() - WINDOW
    recent = LoginFailure.objects.filter(created_at__gte=since)
    if recent.filter(username=username, address=address).count() >= MAX_PER_USER_AND_ADDRESS:
        return True
    return address is not None and recent.filter(address=address).count() >= MAX_PER_ADDRESS


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field())
        if username is None or password is None:
            return None
        username = str(username)[:150]
        address = client_address(request)
        if login_locked(username=username, address=address):
            logger.warning("login locked for %r from %s", username, address)
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
        return user

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD
