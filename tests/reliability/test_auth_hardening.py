"""Authentication hardening: CSRF on every session write, secure cookies and HSTS in production settings,
revocable API tokens, password validators on every user creation."""

import json
import os
import subprocess
import sys

import pytest
from django.test import Client

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.accounts.services import api_token_create, user_create
from gendan.core.errors import ValidationFailed
from gendan.orders.models import Order
from tests.factories import PASSWORD, order_payload
from tests.orders.test_views import form_data


def _session(username: str) -> Client:
    """A browser that enforces CSRF like a real one (the test client skips the check by default)."""
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=username, password=PASSWORD)
    client.get("/orders/new/")  # a page with a form: sets the csrftoken cookie
    assert "csrftoken" in client.cookies
    return client


# --------------------------------------------------------------------------------------------- CSRF


def test_a_session_api_write_without_the_csrf_token_is_refused(people, customer, product):
    client = _session("m1")
    body = json.dumps(order_payload(customer, product, customer_po="CSRF-1"))
    # when the logged-in browser posts to the API without the X-CSRFToken header
    response = client.post("/api/v1/orders", body, content_type="application/json")
    # then 403, nothing created
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "csrf_failed"
    assert not Order.objects.exists()
    # and a wrong token is refused as well
    response = client.post("/api/v1/orders", body, content_type="application/json", HTTP_X_CSRFTOKEN="x" * 64)
    assert response.status_code == 403
    # while the same request with the cookie's token goes through (CSRF was the only reason)
    token = client.cookies["csrftoken"].value
    response = client.post("/api/v1/orders", body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content
    assert Order.objects.count() == 1


def test_session_api_updates_and_actions_need_the_csrf_token_too(people, customer, product):
    client = _session("m1")
    token = client.cookies["csrftoken"].value
    payload = order_payload(customer, product, customer_po="CSRF-2")
    order = client.post(
        "/api/v1/orders", json.dumps(payload), content_type="application/json", HTTP_X_CSRFTOKEN=token
    ).json()
    put = json.dumps({**payload, "requirements": "改", "version": order["version"]})
    assert (
        client.put(f"/api/v1/orders/{order['id']}", put, content_type="application/json").status_code == 403
    )
    assert client.post(f"/api/v1/orders/{order['id']}/actions/submit_review").status_code == 403
    assert Order.objects.get(pk=order["id"]).version == order["version"]
    assert Order.objects.get(pk=order["id"]).status == "draft"


def test_a_web_form_post_without_the_csrf_token_is_refused(people, customer, product):
    client = _session("m1")
    data = form_data(customer, product)
    assert client.post("/orders/new/", data).status_code == 403
    assert not Order.objects.exists()
    response = client.post("/orders/new/", {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert response.status_code == 302
    assert Order.objects.count() == 1


def test_the_login_form_needs_the_csrf_token(people):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "m1", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


# ------------------------------------------------------------------------------------------- tokens


def test_a_revoked_api_token_is_refused(api, people):
    # given a token that works
    token, key = api_token_create(user=people["m1"], name="laptop")
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get("/api/v1/orders", **auth).status_code == 200
    assert client.get("/api/v1/orders", HTTP_X_API_KEY=key).status_code == 200
    # when its owner revokes it through the API (with another token)
    response = api("m1").delete(f"/accounts/tokens/{token.pk}")
    assert response.status_code == 204, response.content
    # then it is refused at once, in both headers, for reads and writes
    assert client.get("/api/v1/orders", **auth).status_code == 401
    assert client.get("/api/v1/orders", HTTP_X_API_KEY=key).status_code == 401
    assert client.post("/api/v1/orders", "{}", content_type="application/json", **auth).status_code == 401
    # and someone else cannot revoke (or probe) a token that is not theirs
    _other, other_key = api_token_create(user=people["m2"], name="m2")
    assert api("m1").delete(f"/accounts/tokens/{_other.pk}").status_code == 404
    assert client.get("/api/v1/orders", HTTP_AUTHORIZATION=f"Bearer {other_key}").status_code == 200


def test_a_deactivated_users_token_is_refused(people):
    _token, key = api_token_create(user=people["m1"], name="phone")
    User.objects.filter(pk=people["m1"].pk).update(is_active=False)
    assert Client().get("/api/v1/orders", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


# -------------------------------------------------------------------------------------- passwords


@pytest.mark.parametrize(
    "password",
    ["12345678", "short", "password123", "zhangsan-gendan"],
    ids=["numeric", "too-short", "common", "like-the-user"],
)
def test_user_create_refuses_weak_passwords(db, password):
    with pytest.raises(ValidationFailed) as exc:
        user_create(
            username="zhangsan",
            password=password,
            roles=[R.MERCHANDISER],
            display_name="zhangsan",
            email="zhangsan@gendan.example",
        )
    assert exc.value.fields["password"], exc.value.fields
    assert not User.objects.filter(username="zhangsan").exists()


def test_user_create_accepts_a_good_password_and_hashes_it(db):
    user = user_create(username="lisi", password="Qing-Shan-42-Lu", roles=[R.MERCHANDISER])
    assert user.check_password("Qing-Shan-42-Lu") and user.password != "Qing-Shan-42-Lu"


# ------------------------------------------------------------------------------ production settings


def _production_settings(extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    script = (
        "import json, django\n"
        "from django.conf import settings as s\n"
        "django.setup()\n"
        "names = ['DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY',\n"
        "         'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT',\n"
        "         'SECURE_PROXY_SSL_HEADER', 'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS', 'ALLOWED_HOSTS']\n"
        "out = {n: getattr(s, n) for n in names}\n"
        "out['validators'] = [v['NAME'].rsplit('.', 1)[-1] for v in s.AUTH_PASSWORD_VALIDATORS]\n"
        "out['middleware'] = s.MIDDLEWARE\n"
        "print(json.dumps(out))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SECURE_SSL_REDIRECT", "DEBUG")}
    env.update({"DJANGO_SETTINGS_MODULE": "config.django.production", **extra_env})
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120, cwd=os.getcwd()
    )


def test_production_settings_have_secure_cookies_hsts_and_validators(tmp_path):
    result = _production_settings(
        {
            "SECRET_KEY": "p" * 60 + "-only-for-this-check",
            "ALLOWED_HOSTS": "erp.example.com",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        }
    )
    assert result.returncode == 0, result.stderr
    s = json.loads(result.stdout.strip().splitlines()[-1])
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"] is True and s["CSRF_COOKIE_SECURE"] is True
    assert s["SESSION_COOKIE_HTTPONLY"] is True
    assert s["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600 and s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert s["SECURE_SSL_REDIRECT"] is True  # unless the environment turns it off (e.g. behind a TLS proxy)
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert s["SECURE_CONTENT_TYPE_NOSNIFF"] is True and s["X_FRAME_OPTIONS"] == "DENY"
    assert s["ALLOWED_HOSTS"] == ["erp.example.com"]
    assert set(s["validators"]) >= {
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
        "UserAttributeSimilarityValidator",
    }
    assert "django.middleware.csrf.CsrfViewMiddleware" in s["middleware"]


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _production_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
