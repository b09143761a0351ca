import datetime as dt
import io

import pytest
from django.urls import reverse
from PIL import Image

from gendan.followup.models import FollowupException, ProgressRecord
from gendan.orders.models import OrderEvent
from tests.factories import PASSWORD
from tests.followup.conftest import at, order_in_production

FAR = dt.date(2026, 6, 30)


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def producing(people, customer, product, clock):
    return order_in_production(
        people, customer, product, clock, promised=FAR, po="V-1", start=at(2026, 3, 2, 8)
    )


def _jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), (80, 80, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_screens_render_for_merchandiser_and_supervisor(client, people, producing, clock):
    clock.set(at(2026, 3, 2, 10))
    login(client, people["m1"])
    urls = [
        reverse("followup:today"),
        reverse("followup:plans"),
        reverse("followup:plans") + "?status=overdue",
        reverse("followup:order_plan", args=[producing.pk]),
        reverse("followup:order_records", args=[producing.pk]),
        reverse("followup:exceptions"),
        reverse("followup:exception_new") + f"?order={producing.pk}",
        reverse("followup:risk"),
        reverse("followup:missed"),
        reverse("followup:daily"),
        reverse("followup:weekly"),
        reverse("core:dashboard"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("followup:order_plan", args=[producing.pk])).content.decode()
    assert 'data-testid="gantt"' in page and page.count('data-testid="gantt-row"') == 9
    # the concealment list is not for merchandisers
    assert client.get(reverse("followup:concealment")).status_code == 403
    client.logout()
    login(client, people["sup"])
    assert client.get(reverse("followup:concealment")).status_code == 200
    assert client.get(reverse("followup:daily") + f"?user={people['m1'].pk}").status_code == 200
    # another team's merchandiser: the order does not exist for them
    client.logout()
    login(client, people["m3"])
    assert client.get(reverse("followup:order_plan", args=[producing.pk])).status_code == 404
    assert client.get(reverse("followup:daily") + f"?user={people['m1'].pk}").status_code == 404


def test_phone_record_with_photo_then_exception_form(client, people, producing, clock):
    clock.set(at(2026, 3, 2, 15))
    login(client, people["m1"])
    form = client.get(reverse("followup:order_records", args=[producing.pk])).content.decode()
    assert 'capture="environment"' in form and 'accept="image/*"' in form
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("followup:order_records", args=[producing.pk]),
        {
            "stage": "production",
            "quantity_done": "250",
            "state": "quality",
            "note": "领口跳线",
            "photos": SimpleUploadedFile("IMG_0001.jpg", _jpeg_bytes(), content_type="image/jpeg"),
        },
    )
    # a quality problem sends the merchandiser straight to the exception form
    assert response.status_code == 302
    assert response["Location"].endswith(f"?order={producing.pk}&type=quality")
    record = ProgressRecord.objects.get(order=producing)
    photo = record.photos.get()
    assert client.get(reverse("followup:photo", args=[photo.pk])).status_code == 200
    response = client.post(
        reverse("followup:exception_new"),
        {
            "order": producing.pk,
            "type": "quality",
            "severity": "high",
            "title": "领口跳线",
            "impact_days": "1",
        },
    )
    exception = FollowupException.objects.get(order=producing)
    assert response.status_code == 302 and response["Location"] == reverse(
        "followup:exception_detail", args=[exception.pk]
    )
    response = client.post(
        reverse("followup:exception_action", args=[exception.pk, "escalate"]), {"text": "请主任协调"}
    )
    exception.refresh_from_db()
    assert exception.level == 2
    # the supervisor sees it on the dashboard
    client.logout()
    login(client, people["sup"])
    dashboard = client.get(reverse("core:dashboard")).content.decode()
    assert exception.number in dashboard
    # another team's merchandiser cannot see the photo
    client.logout()
    login(client, people["m3"])
    assert client.get(reverse("followup:photo", args=[photo.pk])).status_code == 404


def test_field_errors_are_shown_and_nothing_saved(client, people, producing, clock):
    clock.set(at(2026, 3, 2, 15))
    login(client, people["m1"])
    response = client.post(
        reverse("followup:order_records", args=[producing.pk]),
        {"stage": "production", "quantity_done": "-5", "state": "normal"},
    )
    assert response.status_code == 200
    assert not ProgressRecord.objects.exists()
    assert 'class="field-errors"' in response.content.decode()


def test_milestone_move_view_and_htmx_actual(client, people, producing, clock):
    clock.set(at(2026, 3, 2, 15))
    milestone = producing.ta_plan.milestones.get(code="cutting")
    login(client, people["planner"])
    response = client.post(
        reverse("followup:milestone_move", args=[milestone.pk]),
        {"planned_date": "2026-06-10", "reason": "排期调整", "version": milestone.version},
    )
    assert response.status_code == 302
    assert producing.events.filter(type=OrderEvent.Type.TA_MILESTONE_MOVED, note="排期调整").exists()
    response = client.post(
        reverse("followup:milestone_actual", args=[milestone.pk]),
        {"actual_date": "2026-03-02"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and 'data-testid="milestones"' in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.actual_date == dt.date(2026, 3, 2)


def test_daily_and_weekly_exports(client, people, producing, clock):
    from openpyxl import load_workbook

    from gendan.followup.services import progress_record_create

    clock.set(at(2026, 3, 2, 15))
    progress_record_create(
        order=producing, actor=people["m1"], stage="production", quantity_done=10, note="=1+1"
    )
    login(client, people["m1"])
    client.post(
        reverse("followup:daily"), {"date": "2026-03-02", "notes": "跟进顺利", "plan_notes": "明天查裁片"}
    )
    response = client.get(reverse("followup:daily") + "?date=2026-03-02&format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    records = list(book.worksheets[0].iter_rows(values_only=True))
    assert records[1][1] == producing.number and records[1][6] == "'=1+1"  # a formula stays text
    notes = [row[0] for row in book.worksheets[-1].iter_rows(values_only=True)]
    assert "跟进顺利" in notes
    response = client.post(
        reverse("followup:weekly"), {"week": "2026-03-02", "notes": "本周一单落后", "submit": "1"}
    )
    assert response.status_code == 302
    from gendan.notify.models import Notification

    assert Notification.objects.filter(recipient=people["sup"], kind="weekly_report").count() == 1
    response = client.get(reverse("followup:weekly") + "?week=2026-03-04&format=xlsx")
    week = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(week.iter_rows(values_only=True))
    assert rows[1][1] == 1  # Monday: one record


# ---------------------------------------------------------------------------------------------- API


def test_api_plan_records_exceptions_and_errors(client, people, producing, clock):
    clock.set(at(2026, 3, 2, 10))
    login(client, people["m1"])
    base = "/api/v1/followup"
    plan = client.get(f"{base}/orders/{producing.pk}/plan").json()
    assert len(plan["milestones"]) == 9 and {m["status"] for m in plan["milestones"]} <= {
        "not_due",
        "due_soon",
        "overdue",
        "done",
    }
    record = client.post(
        f"{base}/orders/{producing.pk}/records",
        {"stage": "production", "quantity_done": "100", "state": "normal"},
        content_type="application/json",
    )
    assert record.status_code == 201 and record.json()["slot"] == 0
    photos = client.post(
        f"{base}/records/{record.json()['id']}/photos",
        {"photos": [io.BytesIO(_jpeg_bytes())]},
    )
    assert photos.status_code == 201, photos.content
    bad = client.post(
        f"{base}/records/{record.json()['id']}/photos", {"photos": [io.BytesIO(b"not an image")]}
    )
    assert bad.status_code == 400 and bad.json()["code"] == "validation_error"
    created = client.post(
        f"{base}/exceptions",
        {"order_id": producing.pk, "type": "customer", "title": "客户改色", "impact_days": 2},
        content_type="application/json",
    )
    assert created.status_code == 201
    exception_id = created.json()["id"]
    escalated = client.post(
        f"{base}/exceptions/{exception_id}/escalate", {"text": ""}, content_type="application/json"
    )
    assert escalated.status_code == 200 and escalated.json()["level"] == 2
    forbidden = client.post(
        f"{base}/exceptions/{exception_id}/close", {"text": ""}, content_type="application/json"
    )
    assert forbidden.status_code == 409  # open → closed is not in the table
    listing = client.get(f"{base}/exceptions?status=open").json()
    assert [e["id"] for e in listing["items"]] == [exception_id]
    assert client.get(f"{base}/risk").status_code == 200
    assert client.get(f"{base}/missed-records").status_code == 200
    assert client.get(f"{base}/concealment").status_code == 403
    assert client.get(f"{base}/orders/{producing.pk}/plan/x").status_code == 404
    wrong = client.post(
        f"{base}/orders/{producing.pk}/records",
        {"stage": "production", "quantity_done": -1},
        content_type="application/json",
    )
    assert wrong.status_code == 422
    huge = client.get(f"{base}/orders/{2**62}/plan")
    assert huge.status_code == 422
    # the planner moves a milestone; a merchandiser may not
    milestone_id = plan["milestones"][0]["id"]
    refused = client.post(
        f"{base}/milestones/{milestone_id}/move",
        {"planned_date": "2026-04-01", "reason": "x"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    client.logout()
    login(client, people["planner"])
    moved = client.post(
        f"{base}/milestones/{milestone_id}/move",
        {"planned_date": "2026-04-01", "reason": "备料推迟"},
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["planned_date"] == "2026-04-01"
    qc_milestone = next(m for m in plan["milestones"] if m["owner_role"] == "reviewer")
    assigned = client.post(
        f"{base}/milestones/{qc_milestone['id']}/owner",
        {"owner_id": people["qc"].pk},
        content_type="application/json",
    )
    assert assigned.status_code == 200 and assigned.json()["owner"]["username"] == "qc"
    unknown = client.post(
        f"{base}/milestones/{qc_milestone['id']}/owner", {"owner_id": 999999}, content_type="application/json"
    )
    assert unknown.status_code == 400
    # another team: the order is not found
    client.logout()
    login(client, people["m3"])
    assert client.get(f"{base}/orders/{producing.pk}/plan").status_code == 404
    assert client.get(f"{base}/exceptions/{exception_id}").status_code == 404


@pytest.mark.parametrize("role", ["admin", "gm", "sup", "m1", "sales", "planner", "qc", "auditor"])
def test_dashboard_and_followup_pages_for_every_role(client, people, producing, clock, role):
    clock.set(at(2026, 3, 3, 10))
    login(client, people[role])
    for url in ("/", reverse("followup:today"), reverse("followup:plans"), reverse("followup:risk")):
        assert client.get(url).status_code == 200, (role, url)


def test_openapi_documents_followup_errors(client, people):
    login(client, people["m1"])
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/followup/exceptions/{exception_id}/{action}"]["post"]
    assert {"400", "403", "404", "409", "422"} <= set(operation["responses"])
