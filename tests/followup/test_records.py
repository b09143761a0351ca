import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gendan.core.errors import PermissionDeniedError, TransitionError, ValidationFailed
from gendan.followup.models import ProgressPhoto, ProgressRecord, ShipmentConfirmation
from gendan.followup.services import (
    MAX_PHOTO_BYTES,
    progress_photos_add,
    progress_record_create,
    shipment_confirm,
)
from gendan.orders.models import OrderEvent
from tests.followup.conftest import at, order_in_production, released_order

FAR = dt.date(2026, 6, 30)


def png(name="shop.png", size=(40, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def jpeg(name="floor.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 30)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def producing(people, customer, product, clock):
    return order_in_production(
        people, customer, product, clock, promised=FAR, po="R-1", start=at(2026, 3, 2, 8)
    )


def test_record_slot_comes_from_the_time_and_is_on_the_timeline(people, producing, clock):
    clock.set(at(2026, 3, 2, 11, 59))
    morning = progress_record_create(
        order=producing, actor=people["m1"], stage="production", quantity_done="120", photos=[png(), jpeg()]
    )
    clock.set(at(2026, 3, 2, 12, 0))
    afternoon = progress_record_create(
        order=producing, actor=people["m1"], stage="production", quantity_done="180"
    )
    assert (morning.work_date, morning.slot) == (dt.date(2026, 3, 2), 0)
    assert (afternoon.work_date, afternoon.slot) == (dt.date(2026, 3, 2), 1)
    assert morning.quantity_done == Decimal("120")
    photos = list(morning.photos.order_by("id"))
    assert [(p.image_format, p.width, p.height) for p in photos] == [("PNG", 40, 30), ("JPEG", 64, 48)]
    assert photos[0].file.name.endswith(".png") and photos[1].file.name.endswith(".jpg")
    events = producing.events.filter(type=OrderEvent.Type.PROGRESS_RECORDED).order_by("id")
    assert [e.data["slot"] for e in events] == [0, 1] and events[0].data["photos"] == 2


def test_photos_are_checked_for_size_and_real_image(people, producing, clock):
    clock.set(at(2026, 3, 2, 9))
    fake = SimpleUploadedFile("fake.jpg", b"this is not a picture" * 10, content_type="image/jpeg")
    with pytest.raises(ValidationFailed) as exc:
        progress_record_create(
            order=producing, actor=people["m1"], stage="production", quantity_done=1, photos=[fake]
        )
    assert "photos" in exc.value.extra["fields"]
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * MAX_PHOTO_BYTES, content_type="image/jpeg")
    with pytest.raises(ValidationFailed):
        progress_record_create(
            order=producing, actor=people["m1"], stage="production", quantity_done=1, photos=[big]
        )
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    with pytest.raises(ValidationFailed):
        progress_record_create(
            order=producing,
            actor=people["m1"],
            stage="production",
            quantity_done=1,
            photos=[SimpleUploadedFile("a.gif", gif.getvalue())],
        )
    # nothing was saved by the refused attempts
    assert not ProgressRecord.objects.exists() and not ProgressPhoto.objects.exists()
    record = progress_record_create(order=producing, actor=people["m1"], stage="production", quantity_done=1)
    progress_photos_add(record=record, actor=people["m1"], photos=[png() for _ in range(6)])
    with pytest.raises(ValidationFailed):
        progress_photos_add(record=record, actor=people["m1"], photos=[png()])


def test_record_rules(people, customer, product, producing, clock):
    clock.set(at(2026, 3, 2, 9))
    with pytest.raises(ValidationFailed) as exc:
        progress_record_create(
            order=producing, actor=people["m1"], stage="production", quantity_done=5, state="behind"
        )
    assert "note" in exc.value.extra["fields"]
    with pytest.raises(ValidationFailed) as exc:  # 1,000 ordered + 3 % tolerance
        progress_record_create(order=producing, actor=people["m1"], stage="production", quantity_done=1031)
    assert "quantity_done" in exc.value.extra["fields"]
    progress_record_create(order=producing, actor=people["m1"], stage="production", quantity_done=1030)
    with pytest.raises(ValidationFailed):
        progress_record_create(order=producing, actor=people["m1"], stage="sewing", quantity_done=1)
    with pytest.raises(PermissionDeniedError):
        progress_record_create(order=producing, actor=people["auditor"], stage="production", quantity_done=1)
    with pytest.raises(PermissionDeniedError):
        progress_record_create(order=producing, actor=people["planner"], stage="production", quantity_done=1)
    released = released_order(people, customer, product, promised=FAR, po="R-2")
    with pytest.raises(TransitionError):
        progress_record_create(order=released, actor=people["m1"], stage="production", quantity_done=1)


def test_shipment_confirmation_once_a_day_corrections_on_the_timeline(people, producing, clock):
    clock.set(at(2026, 3, 2, 17, 30))
    shipment_confirm(order=producing, actor=people["m1"], quantity_shipped="0")
    shipment_confirm(order=producing, actor=people["m1"], quantity_shipped="300", note="顺丰 SF123")
    confirmation = ShipmentConfirmation.objects.get(order=producing)
    assert confirmation.quantity_shipped == 300 and confirmation.work_date == dt.date(2026, 3, 2)
    events = list(producing.events.filter(type=OrderEvent.Type.SHIPMENT_CONFIRMED).order_by("id"))
    assert [e.data["correction"] for e in events] == [False, True]
