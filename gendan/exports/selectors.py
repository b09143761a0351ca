"""Reads of export jobs: a user sees their own jobs only (anyone else's answers 404)."""

from django.db.models import QuerySet

from gendan.accounts.models import User
from gendan.core.errors import NotFoundError
from gendan.exports.models import ExportJob, ExportMode


def export_job_list(*, user: User, limit: int = 50) -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(user=user, mode=ExportMode.BACKGROUND).order_by("-created_at", "-id")[
        :limit
    ]


def export_job_get(*, user: User, pk: int) -> ExportJob:
    from django.utils.translation import gettext as _

    job = ExportJob.objects.filter(user=user, pk=pk, mode=ExportMode.BACKGROUND).first()
    if job is None:
        raise NotFoundError(_("Export not found."))
    return job
