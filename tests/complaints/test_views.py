import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from gendan.complaints.models import Complaint, ComplaintStatus
from tests.q2c import order_in_production, today

DAY = dt.date(2026, 12, 10)


def _png() -> bytes:
    """A real 4×4 PNG (photos are decoded, not just recognised by their first bytes)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _png()


def test_register_and_step_through_the_screens(client, people, customer, product):
    order = order_in_production(people, customer, product)
    client.force_login(people["m1"])
    with today(DAY):
        response = client.post(
            "/complaints/new/",
            {
                "order": order.pk,
                "type": "packing",
                "severity": "minor",
                "description": "外箱破损",
                "claim_amount": "80",
            },
        )
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and complaint.claim_amount == 80
    assert client.get(f"/complaints/{complaint.pk}/").status_code == 200
    # the merchandiser may not assign the investigation: the message, nothing changed
    response = client.post(
        f"/complaints/{complaint.pk}/action/investigate/", {"text": "production"}, follow=True
    )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.REGISTERED
    client.force_login(people["sup"])
    client.post(
        f"/complaints/{complaint.pk}/action/investigate/",
        {"text": "production", "version": complaint.version},
    )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.INVESTIGATING
    response = client.post(f"/complaints/{complaint.pk}/photos/", {"photo": SimpleUploadedFile("p.png", PNG)})
    photo = complaint.photos.get()
    assert client.get(f"/complaints/{complaint.pk}/photos/{photo.pk}/").status_code == 200
    client.force_login(people["m2"])
    assert client.get(f"/complaints/{complaint.pk}/photos/{photo.pk}/").status_code == 404
    assert client.get(f"/complaints/{complaint.pk}/form.pdf").status_code == 404
    client.force_login(people["m1"])
    assert client.get(f"/complaints/{complaint.pk}/form.pdf")["Content-Type"] == "application/pdf"
