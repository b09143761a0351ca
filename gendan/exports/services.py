"""Writes for export jobs: start one (within the per-user limit), run it (the task's body), cancel it, expire
old files, and the slot a synchronous export holds while it runs.

Limits (settings, see config/django/base.py):
- EXPORT_SYNC_MAX_ROWS: above this many rows an export is prepared in the background; a synchronous
  export also stops at EXPORT_SYNC_HARD_ROWS rows and after EXPORT_SYNC_SECONDS, so no request runs long.
- EXPORT_MAX_ACTIVE_PER_USER: exports queued or running per user, synchronous ones included (429 beyond).
- EXPORT_JOB_MAX_ROWS / EXPORT_JOB_SECONDS: a background job's row and time budget.
- EXPORT_KEEP_DAYS: a finished file is kept this long, then deleted (status expired).
"""

import contextlib
import datetime as dt
import logging
import os
import time
from collections.abc import Callable, Iterator
from functools import partial

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gendan.accounts.models import User
from gendan.core.errors import ApplicationError, ConflictError, NotFoundError
from gendan.core.excel import xlsx_write
from gendan.exports.models import (
    ACTIVE_STATUSES,
    TRANSITIONS,
    ExportJob,
    ExportJobEvent,
    ExportMode,
    ExportStatus,
)
from gendan.exports.registry import ExportKind, ExportStopped, export_kind_get

logger = logging.getLogger("gendan.exports")

EXPORT_DIR_TMP = "tmp"
PROGRESS_EVERY_SECONDS = 1.0  # progress is written at most this often (one UPDATE a second)


class ExportLimitReached(ApplicationError):
    code = "export_limit"
    status = 429


def export_storage() -> FileSystemStorage:
    """Export files live outside MEDIA_ROOT (never served by a static route), named by the job's token."""
    return FileSystemStorage(location=str(settings.EXPORT_ROOT))


def _active_q(now: dt.datetime) -> Q:
    """Exports that count against the limit: queued or running, and alive — a background job updates its
    row every second while it runs; a synchronous one cannot outlive its request's bound. A row whose
    process died stops counting after the lease (and the sweep fails it)."""
    background = Q(
        mode=ExportMode.BACKGROUND, updated_at__gte=now - dt.timedelta(seconds=job_lease_seconds())
    )
    sync = Q(
        mode=ExportMode.SYNC, updated_at__gte=now - dt.timedelta(seconds=2 * settings.EXPORT_SYNC_SECONDS)
    )
    return Q(status__in=ACTIVE_STATUSES) & (background | sync)


def job_lease_seconds() -> int:
    return settings.EXPORT_JOB_SECONDS + settings.EXPORT_QUEUE_WAIT_SECONDS


def _limit_check(user: User) -> None:
    # Serialise per user: PostgreSQL locks the user's row; SQLite's IMMEDIATE transactions already hold
    # the write lock from BEGIN. Two parallel requests therefore never both see "one slot left".
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
    active = ExportJob.objects.filter(_active_q(timezone.now()), user=user).count()
    limit = settings.EXPORT_MAX_ACTIVE_PER_USER
    if active >= limit:
        raise ExportLimitReached(
            _(
                "You already have %(n)d exports in progress. Wait until one of them is finished, then try again."
            )
            % {"n": active},
            extra={"active": active, "limit": limit, "jobs_url": reverse("exports:list")},
        )


def _event(
    job: ExportJob, *, actor: User | None, type: str, from_status: str, to_status: str, **data
) -> None:
    ExportJobEvent.objects.create(
        job=job, actor=actor, type=type, from_status=from_status, to_status=to_status, data=data
    )


@transaction.atomic
def export_job_transition(
    *, job: ExportJob, to: str, actor: User | None = None, fields: dict | None = None
) -> ExportJob:
    """Move `job` to status `to` if the table allows it and nobody moved it first (a conditional UPDATE:
    a cancel and the worker's finish cannot both win). Writes the event row. Raises ConflictError."""
    current = ExportJob.objects.filter(pk=job.pk).values_list("status", flat=True).first()
    if current is None or to not in TRANSITIONS.get(current, set()):
        raise ConflictError(
            _("This export is already %(status)s.")
            % {"status": ExportStatus(current).label if current else "?"},
            code="export_status",
        )
    values = {"status": to, "updated_at": timezone.now(), **(fields or {})}
    if not ExportJob.objects.filter(pk=job.pk, status=current).update(**values):
        raise ConflictError(_("This export changed meanwhile; reload the page."), code="export_status")
    _event(job, actor=actor, type="status", from_status=current, to_status=to)
    for name, value in values.items():
        setattr(job, name, value)
    return job


@transaction.atomic
def export_job_create(*, user: User, kind: str, params: dict, rows_total: int = 0) -> ExportJob:
    """Queue a background export for `user` (429 ExportLimitReached beyond the per-user limit). The task is
    enqueued on commit; it applies the user's scope when it runs."""
    export_kind = export_kind_get(kind)
    _limit_check(user)
    job = ExportJob.objects.create(
        user=user, kind=export_kind.code, params=params, rows_total=rows_total, mode=ExportMode.BACKGROUND
    )
    _event(job, actor=user, type="created", from_status="", to_status=ExportStatus.QUEUED, rows=rows_total)
    transaction.on_commit(partial(export_job_enqueue, job_id=job.pk), robust=True)
    return job


def export_job_enqueue(*, job_id: int) -> None:
    from gendan.exports.tasks import export_job_task

    export_job_task(job_id)


@transaction.atomic
def export_job_cancel(*, job: ExportJob, actor: User) -> ExportJob:
    """Cancel a queued or running job of `actor`'s own; a running task sees it at its next progress call
    (within a second) and stops."""
    if job.user_id != actor.pk:
        raise NotFoundError(_("Export not found."))
    return export_job_transition(
        job=job, to=ExportStatus.CANCELLED, actor=actor, fields={"finished_at": timezone.now()}
    )


@contextlib.contextmanager
def export_sync_slot(*, user: User, kind: str, params: dict | None = None) -> Iterator[ExportJob]:
    """Hold one of the user's export slots while a synchronous export runs (429 when none is free)."""
    with transaction.atomic():
        _limit_check(user)
        job = ExportJob.objects.create(
            user=user,
            kind=kind[:30],
            params=params or {},
            mode=ExportMode.SYNC,
            status=ExportStatus.RUNNING,
            started_at=timezone.now(),
        )
    try:
        yield job
    except BaseException:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, finished_at=timezone.now(), updated_at=timezone.now()
        )
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
        rows_done=job.rows_done,
    )


def sync_progress(*, started: float | None = None) -> Callable[[int], None]:
    """The progress callback of a synchronous export: stop after EXPORT_SYNC_SECONDS."""
    start = time.monotonic() if started is None else started

    def progress(rows_done: int) -> None:
        if time.monotonic() - start > settings.EXPORT_SYNC_SECONDS:
            raise ExportStopped("time")

    return progress


class _JobProgress:
    """The running job's progress callback: writes rows_done about once a second, stops on cancel (the
    conditional UPDATE finds the row no longer running) and on the time budget."""

    def __init__(self, job: ExportJob) -> None:
        self.job = job
        self.start = time.monotonic()
        self.last_write = 0.0

    def __call__(self, rows_done: int) -> None:
        now = time.monotonic()
        if now - self.start > settings.EXPORT_JOB_SECONDS:
            raise ExportStopped("time")
        if now - self.last_write < PROGRESS_EVERY_SECONDS:
            return
        self.last_write = now
        updated = ExportJob.objects.filter(pk=self.job.pk, status=ExportStatus.RUNNING).update(
            rows_done=rows_done, updated_at=timezone.now()
        )
        if not updated:
            raise ExportStopped("cancelled")


def failure_message(code: str) -> str:
    messages = {
        "time": _("The export took too long and was stopped. Narrow the filters and try again."),
        "error": _("The export failed. Try again later; if it fails again, tell the administrator."),
        "user": _("The account that asked for this export is no longer active."),
        "interrupted": _("The export was interrupted (the server restarted). Start it again."),
    }
    return messages.get(code, messages["error"])


def _notify(job: ExportJob, kind: ExportKind) -> None:
    from gendan.notify.services import notify

    with translation.override(settings.LANGUAGE_CODE):
        if job.status == ExportStatus.DONE:
            title = _("Your export is ready: %(kind)s, %(rows)s rows") % {
                "kind": kind.label,
                "rows": f"{job.rows_done:,}",
            }
            body = _("Download it within %(days)d days.") % {"days": settings.EXPORT_KEEP_DAYS}
            link = reverse("exports:download", args=[job.pk])
        else:
            title = _("Your export failed: %(kind)s") % {"kind": kind.label}
            body = failure_message(job.error_code)
            link = reverse("exports:list")
    notify(
        recipients=[job.user],
        kind=f"export.{job.status}",
        title=title,
        body=body,
        link=link,
        dedupe_key=f"export:{job.pk}:{job.status}",
        channels=("inbox",),
    )


def _fail(job: ExportJob, code: str, kind: ExportKind) -> None:
    try:
        with transaction.atomic():
            export_job_transition(
                job=job, to=ExportStatus.FAILED, fields={"error_code": code, "finished_at": timezone.now()}
            )
            _notify(job, kind)
    except ConflictError:
        pass  # cancelled meanwhile


def export_job_run(*, job_id: int) -> ExportJob | None:
    """The task's body: build the job's workbook with its user's scope, store it under the job's token,
    mark it done and tell the user in the inbox. Returns the job (None if it was not queued any more)."""
    job = ExportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None or job.status != ExportStatus.QUEUED:
        return None
    kind = export_kind_get(job.kind)
    try:
        export_job_transition(job=job, to=ExportStatus.RUNNING, fields={"started_at": timezone.now()})
    except ConflictError:
        return None  # cancelled before it started
    user = User.objects.get(pk=job.user_id)  # fresh: the scope is the user's as it is now
    if not user.is_active or not kind.allowed(user):
        _fail(job, "user", kind)
        return job
    storage = export_storage()
    os.makedirs(storage.path(EXPORT_DIR_TMP), exist_ok=True)
    final = f"{job.token}.xlsx"
    partial_path = storage.path(f"{EXPORT_DIR_TMP}/{job.token}.xlsx.part")
    try:
        build = kind.build(
            user=user, params=job.params, progress=_JobProgress(job), max_rows=settings.EXPORT_JOB_MAX_ROWS
        )
        xlsx_write(build.sheets, partial_path)
        os.replace(partial_path, storage.path(final))
    except ExportStopped as stop:
        with contextlib.suppress(FileNotFoundError):
            os.remove(partial_path)
        job.refresh_from_db()
        if stop.reason != "cancelled" and job.status == ExportStatus.RUNNING:
            _fail(job, stop.reason, kind)
        logger.info("export job %s stopped: %s", job.pk, stop.reason)
        return job
    except Exception:
        logger.exception("export job %s failed", job.pk)
        with contextlib.suppress(FileNotFoundError):
            os.remove(partial_path)
        _fail(job, "error", kind)
        return job
    rows = int(build.summary.get("rows", 0))
    now = timezone.now()
    try:
        with transaction.atomic():
            export_job_transition(
                job=job,
                to=ExportStatus.DONE,
                fields={
                    "rows_done": rows,
                    "file_path": final,
                    "file_name": build.filename[:200],
                    "file_size": storage.size(final),
                    "summary": build.summary,
                    "finished_at": now,
                    "expires_at": now + dt.timedelta(days=settings.EXPORT_KEEP_DAYS),
                },
            )
            _notify(job, kind)
    except ConflictError:  # cancelled in the last second: the file goes
        storage.delete(final)
        return job
    if kind.log:
        kind.log(user=user, summary=build.summary)
    logger.info("export job %s (%s) by %s: %d rows, %d bytes", job.pk, job.kind, user.pk, rows, job.file_size)
    return job


def export_jobs_sweep() -> dict[str, int]:
    """Delete files past their expiry (status expired) and fail jobs whose worker died (no progress within
    the lease). Run by a periodic task."""
    now = timezone.now()
    storage = export_storage()
    expired = 0
    for job in ExportJob.objects.filter(status=ExportStatus.DONE, expires_at__lt=now):
        with contextlib.suppress(FileNotFoundError, OSError):
            storage.delete(job.file_path)
        with contextlib.suppress(ConflictError):
            export_job_transition(job=job, to=ExportStatus.EXPIRED, fields={"file_path": ""})
            expired += 1
    stale_before = now - dt.timedelta(seconds=job_lease_seconds())
    interrupted = 0
    for job in ExportJob.objects.filter(status__in=ACTIVE_STATUSES, updated_at__lt=stale_before):
        with contextlib.suppress(ConflictError):
            export_job_transition(
                job=job, to=ExportStatus.FAILED, fields={"error_code": "interrupted", "finished_at": now}
            )
            interrupted += 1
    return {"expired": expired, "interrupted": interrupted}
