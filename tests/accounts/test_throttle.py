from unittest import mock

from django.contrib.auth import authenticate
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import RequestFactory

from gendan.core.models import AuditLog, LoginFailure
from tests.factories import PASSWORD

LOGIN = "/accounts/login/"


def test_ten_failures_lock_the_user_and_address_without_hashing(client, people):
    for _attempt in range(10):
        response = client.post(LOGIN, {"username": "m1", "password": "wrong"})
        assert response.status_code == 200 and not response.wsgi_request.user.is_authenticated
    assert LoginFailure.objects.filter(username="m1").count() == 10
    # when the right password comes after the lock, it is refused and no password hash runs
    with (
        mock.patch.object(MD5PasswordHasher, "verify", autospec=True) as verify,
        mock.patch.object(MD5PasswordHasher, "encode", autospec=True) as encode,
    ):
        response = client.post(LOGIN, {"username": "m1", "password": PASSWORD})
    assert not response.wsgi_request.user.is_authenticated
    assert verify.call_count == 0 and encode.call_count == 0
    assert "15" in response.content.decode()  # the lockout message names the wait
    # another user from the same address is not locked by m1's failures
    response = client.post(LOGIN, {"username": "m2", "password": PASSWORD})
    assert response.status_code == 302


def test_a_locked_authenticate_is_refused_and_audited(people):
    request = RequestFactory().post(LOGIN)
    for _attempt in range(10):
        assert authenticate(request, username="m2", password="wrong") is None
    assert authenticate(request, username="m2", password=PASSWORD) is None
    assert AuditLog.objects.filter(action=AuditLog.Action.LOGIN_LOCKED, object_ref="m2").exists()


def test_nine_failures_still_allow_the_right_password(client, people):
    for _attempt in range(9):
        client.post(LOGIN, {"username": "m1", "password": "wrong"})
    response = client.post(LOGIN, {"username": "m1", "password": PASSWORD})
    assert response.status_code == 302
