"""Issue 21 item 8, as the probe did it: an Idempotency-Key on a request whose body is over 10 MB answered an
HTML 400 (the key's fingerprint read the raw body before the API). Now large uploads within the per-photo
limits pass with a key as without, and a body over the API's limit answers the API's JSON error."""

import io
import json
import os

import pytest
from PIL import Image

from gendan.followup.models import ProgressPhoto
from gendan.followup.services import progress_record_create
from tests.factories import CustomerFactory, ProductFactory
from tests.security.test_uploads import multipart
from tests.security.world import api_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def record(people):
    from tests.q2c import order_in_production

    order = order_in_production(
        people, CustomerFactory(code="BIG", merchandiser=people["m1"]), ProductFactory()
    )
    return progress_record_create(order=order, actor=people["m1"], stage="production", quantity_done="1")


def noise_png(megabytes: float) -> bytes:
    """A real PNG of random pixels (incompressible), about `megabytes` large."""
    side = int((megabytes * 1024 * 1024 / 3) ** 0.5)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(
        buffer, format="PNG", compress_level=0
    )
    return buffer.getvalue()


def _json_error(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), (
        response.status_code,
        response.content[:200],
    )
    data = json.loads(response.content)
    assert set(data) == {"message", "code", "extra"}, data
    assert 400 <= response.status_code < 500
    assert "set_int_max_str_digits" not in data["message"]
    return data


def test_a_12_mb_photo_with_a_key_answers_the_api_json_error(people, record):
    photo = noise_png(12)
    assert len(photo) > 12 * 1024 * 1024 * 0.98
    body, content_type = multipart({}, [("photos", "big.png", "image/png", photo)])
    api = api_client_for(people["m1"])
    url = f"/api/v1/followup/records/{record.pk}/photos"
    response = api.post(url, body, content_type=content_type, HTTP_IDEMPOTENCY_KEY="big-photo-1")
    _json_error(response)
    assert not ProgressPhoto.objects.exists()


def test_two_6_mb_photos_with_a_key_are_taken_and_replayed(people, record):
    body, content_type = multipart(
        {},
        [("photos", "a.png", "image/png", noise_png(6.3)), ("photos", "b.png", "image/png", noise_png(6.3))],
    )
    assert len(body) > 12 * 1024 * 1024
    api = api_client_for(people["m1"])
    url = f"/api/v1/followup/records/{record.pk}/photos"
    first = api.post(url, body, content_type=content_type, HTTP_IDEMPOTENCY_KEY="two-photos")
    assert first.status_code == 201, first.content[:300]
    again = api.post(url, body, content_type=content_type, HTTP_IDEMPOTENCY_KEY="two-photos")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert json.loads(again.content) == json.loads(first.content)
    assert ProgressPhoto.objects.count() == 2


@pytest.mark.parametrize("key", ["big-json", None])
def test_a_12_mb_json_body_answers_the_api_json_error_with_or_without_a_key(people, customer, key):
    body = json.dumps({"customer": customer.code, "note": "x" * (12 * 1024 * 1024)})
    api = api_client_for(people["m1"])
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    response = api.post("/api/v1/orders", body, content_type="application/json", **headers)
    data = _json_error(response)
    assert response.status_code == 413 and data["code"] == "body_too_large"
