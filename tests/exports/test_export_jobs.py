"""Export jobs: above the threshold an export becomes a background job; the job writes a real .xlsx with the
requester's scope; the inbox tells them; only they can download it (audited); per-user limit (429, pages,
JSON and API alike, direct exports included); cancel, time budget, expiry; the "My exports" page."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gendan.core.models import AuditLog
from gendan.exports.models import ExportJob, ExportMode, ExportStatus
from gendan.exports.registry import ExportStopped
from gendan.exports.services import _JobProgress, export_job_run, export_jobs_sweep
from gendan.notify.models import Notification
from gendan.orders.exports import ORDER_EXPORT_COLUMNS
from tests.exports.conftest import bulk_orders

NUMBER = [c.title for c in ORDER_EXPORT_COLUMNS].index("订单号")
REQUIREMENTS = [c.title for c in ORDER_EXPORT_COLUMNS].index("客户要求")


def client_for(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def world(people, customer, other_customer, product, settings):
    """m1: 8 orders (one with a formula in its requirements); m3 (another team): 3 orders."""
    settings.EXPORT_SYNC_MAX_ROWS = 5
    bulk_orders(customer=customer, product=product, creator=people["m1"], count=8, prefix="MINE")
    bulk_orders(customer=other_customer, product=product, creator=people["m3"], count=3, prefix="THEIRS")
    return people


def _start(client: Client, capture, **params) -> ExportJob:
    with capture(execute=True):
        response = client.get(reverse("order_export"), params)
    assert response.status_code == 302 and response["Location"] == reverse("exports:list"), (
        response.status_code
    )
    return ExportJob.objects.filter(mode=ExportMode.BACKGROUND).latest("id")


def test_a_large_export_becomes_a_job_that_writes_the_scoped_rows_and_tells_the_user(
    world, queued, django_capture_on_commit_callbacks
):
    m1 = world["m1"]
    job = _start(client_for(m1), django_capture_on_commit_callbacks)
    assert (job.user, job.kind, job.status, job.rows_total) == (m1, "orders", ExportStatus.QUEUED, 8)
    assert queued == [job.pk]
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.rows_done == 8 and job.expires_at > timezone.now()
    assert job.token not in (str(job.pk), "") and job.file_path == f"{job.token}.xlsx"
    # the inbox says so, with the download link
    note = Notification.objects.get(recipient=m1, kind="export.done")
    assert note.link == reverse("exports:download", args=[job.pk])
    # the file: m1's 8 orders, none of m3's; the formula stays text
    response = client_for(m1).get(note.link)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    numbers = {row[NUMBER] for row in rows[1:]}
    assert numbers == {f"MINE{k:07d}" for k in range(8)}
    assert not any(number.startswith("THEIRS") for number in numbers)
    assert '\'=HYPERLINK("http://x")' in {row[REQUIREMENTS] for row in rows[1:]}
    # the download is on the audit log like a direct export
    entry = AuditLog.objects.filter(action="export", what="orders", actor=m1).latest("id")
    assert (
        entry.data["rows"] == 8 and entry.data["job"] == job.pk and entry.object_ref == f"export-job:{job.pk}"
    )


def test_someone_elses_job_is_404_even_for_their_supervisor(
    world, queued, django_capture_on_commit_callbacks
):
    job = _start(client_for(world["m1"]), django_capture_on_commit_callbacks)
    export_job_run(job_id=job.pk)
    for other in ("m2", "sup", "gm"):
        client = client_for(world[other])
        assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404
        assert client.post(reverse("exports:cancel", args=[job.pk])).status_code == 404
        assert client.get(f"/api/v1/exports/{job.pk}").status_code == 404
        assert client.get(f"/api/v1/exports/{job.pk}/download").status_code == 404
    assert not AuditLog.objects.filter(object_ref=f"export-job:{job.pk}").exists()


def test_scope_is_the_requesters_when_the_job_runs(world, queued, django_capture_on_commit_callbacks):
    # the supervisor of m1 (not of m3) exports; the job shows m1's orders, never m3's
    job = _start(client_for(world["sup"]), django_capture_on_commit_callbacks)
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.rows_done == 8


def test_the_per_user_limit_answers_429_in_chinese_and_counts_direct_exports_too(
    world, queued, settings, django_capture_on_commit_callbacks
):
    m1 = world["m1"]
    client = client_for(m1, "zh-hans")
    _start(client, django_capture_on_commit_callbacks)
    _start(client, django_capture_on_commit_callbacks)
    response = client.get(reverse("order_export"))
    assert response.status_code == 429
    assert "您已有 2 个导出正在进行" in response.content.decode()
    json = client.get(reverse("order_export"), HTTP_ACCEPT="application/json")
    assert json.status_code == 429 and json.json()["code"] == "export_limit"
    # a small, direct export is refused as well while two are running
    settings.EXPORT_SYNC_MAX_ROWS = 1000
    assert client.get(reverse("order_export")).status_code == 429
    assert client.get(reverse("customer_export")).status_code == 429
    assert client.get(reverse("ledger:export")).status_code == 429
    # another user is not affected
    assert client_for(world["m2"]).get(reverse("order_export")).status_code == 200
    # once one finishes, m1 may export again
    export_job_run(job_id=queued[0])
    assert client.get(reverse("order_export")).status_code == 200


def test_a_direct_export_has_a_hard_row_bound(world, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 1000
    settings.EXPORT_SYNC_HARD_ROWS = 3
    response = client_for(world["m1"]).get(reverse("order_export"))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 1 + 3 + 1 and "超过 3 行" in rows[-1][0]
    # the slot it held is released
    assert set(ExportJob.objects.filter(mode=ExportMode.SYNC).values_list("status", flat=True)) == {"done"}


def test_cancel_stops_a_queued_and_a_running_job(world, queued, django_capture_on_commit_callbacks):
    client = client_for(world["m1"])
    job = _start(client, django_capture_on_commit_callbacks)
    assert client.post(reverse("exports:cancel", args=[job.pk])).status_code == 302
    assert export_job_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.status == ExportStatus.CANCELLED and not job.file_path
    # a running job sees the cancel at its next progress write and stops
    running = _start(client, django_capture_on_commit_callbacks)
    ExportJob.objects.filter(pk=running.pk).update(status=ExportStatus.RUNNING)
    running.refresh_from_db()
    progress = _JobProgress(running)
    progress(10)
    assert client.post(f"/api/v1/exports/{running.pk}/cancel").json()["status"] == "cancelled"
    progress.last_write = 0
    with pytest.raises(ExportStopped):
        progress(20)


def test_a_job_over_its_time_budget_fails_and_says_so(
    world, queued, settings, django_capture_on_commit_callbacks
):
    job = _start(client_for(world["m1"]), django_capture_on_commit_callbacks)
    settings.EXPORT_JOB_SECONDS = -1
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and job.error_code == "time" and not job.file_path
    assert Notification.objects.filter(recipient=world["m1"], kind="export.failed").exists()


def test_old_files_expire(world, queued, django_capture_on_commit_callbacks):
    client = client_for(world["m1"])
    job = _start(client, django_capture_on_commit_callbacks)
    export_job_run(job_id=job.pk)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timezone.timedelta(minutes=1))
    assert export_jobs_sweep()["expired"] == 1
    job.refresh_from_db()
    assert job.status == ExportStatus.EXPIRED
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404


def test_the_api_starts_follows_and_downloads_a_job(world, queued, django_capture_on_commit_callbacks):
    client = client_for(world["m1"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/exports",
            {"kind": "orders", "filters": {"status": ["draft"], "q": "MINE"}},
            content_type="application/json",
        )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued" and body["rows_total"] == 8 and body["download_url"] is None
    export_job_run(job_id=body["id"])
    status = client.get(f"/api/v1/exports/{body['id']}").json()
    assert status["status"] == "done" and status["rows_done"] == 8
    download = client.get(status["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"
    assert [job["id"] for job in client.get("/api/v1/exports").json()] == [body["id"]]
    bad = client.post("/api/v1/exports", {"kind": "passwords"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "unknown_export_kind"
    schema = client.get("/api/v1/openapi.json").json()
    assert (
        "/api/v1/exports" in schema["paths"]
        and "429" in schema["paths"]["/api/v1/exports"]["post"]["responses"]
    )


def test_my_exports_page_lists_my_jobs_in_chinese(world, queued, django_capture_on_commit_callbacks):
    client = client_for(world["m1"], "zh-hans")
    done = _start(client, django_capture_on_commit_callbacks)
    export_job_run(job_id=done.pk)
    _start(client, django_capture_on_commit_callbacks)
    page = client.get(reverse("exports:list")).content.decode()
    assert "我的导出" in page and "已就绪" in page and "排队中" in page
    assert reverse("exports:download", args=[done.pk]) in page
    assert "queued" not in page.replace('data-status="queued"', "").replace("export-queued", "")
    assert (
        client_for(world["m2"])
        .get(reverse("exports:list"))
        .content.decode()
        .count('data-testid="export-job"')
        == 0
    )


def test_a_job_whose_worker_died_stops_counting_and_is_failed_by_the_sweep(
    world, queued, django_capture_on_commit_callbacks
):
    client = client_for(world["m1"])
    first = _start(client, django_capture_on_commit_callbacks)
    _start(client, django_capture_on_commit_callbacks)
    assert client.get(reverse("order_export")).status_code == 429
    # the first one's worker died long ago: its row stops counting, the sweep fails it
    ExportJob.objects.filter(pk=first.pk).update(
        status=ExportStatus.RUNNING, updated_at=timezone.now() - timezone.timedelta(hours=2)
    )
    _start(client, django_capture_on_commit_callbacks)
    assert export_jobs_sweep()["interrupted"] == 1
    first.refresh_from_db()
    assert first.status == ExportStatus.FAILED and first.error_code == "interrupted"
