"""Idempotency-Key for API writes: the same POST sent twice (even at the same moment, or again after the
server died under it) creates one document, and every answer after the first is the first one replayed.
Keys are per user and kept for 24 hours.

The key's record is written in the same database transaction as the work it guards: the record is inserted
first (a twin request waits on its unique index: PostgreSQL's row lock, SQLite's write lock), the view runs
inside that transaction, and the answer is stored before the commit. A crash (kill -9) therefore leaves
either the work and its answer, which a retry replays, or neither, and the retry runs the work once. A 5xx
answer rolls the whole request back, so it is never replayed either.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import IntegrityError, OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.core.models import IdempotencyRecord

HEADER = "HTTP_IDEMPOTENCY_KEY"
KEEP = timedelta(hours=24)


def _error(status: int, message: str, code: str, extra: dict | None = None) -> JsonResponse:
    return JsonResponse({"message": message, "code": code, "extra": extra or {}}, status=status)


def body_too_large_error() -> JsonResponse:
    """The API's answer to a body over DATA_UPLOAD_MAX_MEMORY_SIZE (shared with gendan.core.api)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return _error(
        413,
        _("The request is larger than the API accepts (%(mb)s MB without files).")
        % {"mb": limit // (1024 * 1024)},
        "body_too_large",
        {"limit_bytes": limit},
    )


def request_digest(request: HttpRequest) -> str:
    """A fingerprint of method, path and content. Multipart uploads are hashed from their parsed parts, so a
    request with large files (within the per-file limits) is not refused for the size of its raw body."""
    digest = hashlib.sha256(request.method.encode() + b"\0" + request.path.encode() + b"\0")
    content_type = request.META.get("CONTENT_TYPE", "")
    if request.method == "POST" and content_type.startswith("multipart/form-data"):
        for name, values in sorted(request.POST.lists()):
            for value in values:
                digest.update(b"field\0" + name.encode() + b"\0" + value.encode() + b"\0")
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(b"file\0" + name.encode() + b"\0" + (upload.name or "").encode() + b"\0")
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


class _Taken(Exception):
    """Another request with this key committed first."""


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.META.get(HEADER)
        if not key or request.method not in ("POST", "PUT", "PATCH") or not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(key) > 100 or not key.isprintable():
            return _error(
                400, _("The Idempotency-Key must be at most 100 printable characters."), "bad_idempotency_key"
            )
        user_id = self._user_id(request)
        if user_id is None:
            return self.get_response(request)  # unauthenticated: the API will answer 401 anyway
        try:
            digest = request_digest(request)
        except RequestDataTooBig:
            return body_too_large_error()
        except SuspiciousOperation:
            return _error(400, _("The request body could not be read."), "bad_request")
        IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
        done = self._replay(user_id, key, digest)
        if done is not None:
            return done
        try:
            with transaction.atomic():
                return self._run(request, user_id, key, digest)
        except _Taken:
            return self._replay(user_id, key, digest) or self._retry()
        except OperationalError:  # SQLite: the twin request held the write lock past the busy timeout
            return _error(409, _("A request with this Idempotency-Key is still running."), "idempotency_busy")

    def _run(self, request: HttpRequest, user_id: int, key: str, digest: str) -> HttpResponse:
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user_id=user_id,
                    key=key,
                    method=request.method,
                    path=request.path[:300],
                    request_hash=digest,
                )
        except IntegrityError as exc:  # waited for a twin that committed
            raise _Taken from exc
        response = self.get_response(request)
        if response.status_code >= 500 or connection.needs_rollback:
            transaction.set_rollback(True)  # not a final answer: neither the work nor the key remain
            return response if response.status_code >= 400 else self._retry()
        if getattr(response, "streaming", False):
            IdempotencyRecord.objects.filter(pk=record.pk).delete()  # nothing to replay
            return response
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            status=response.status_code,
            body=bytes(response.content),
            content_type=response.get("Content-Type", "application/json"),
        )
        return response

    @staticmethod
    def _retry() -> JsonResponse:
        return _error(
            409, _("The first request with this Idempotency-Key failed; send it again."), "idempotency_retry"
        )

    @staticmethod
    def _user_id(request: HttpRequest) -> int | None:
        from gendan.core.api import token_user

        auth = request.META.get("HTTP_AUTHORIZATION", "")
        token = (
            auth[7:].strip() if auth.lower().startswith("bearer ") else request.META.get("HTTP_X_API_KEY", "")
        )
        if token:
            user = token_user(token)
            return user.pk if user else None
        user = getattr(request, "user", None)
        return user.pk if user is not None and user.is_authenticated else None

    @staticmethod
    def _replay(user_id: int, key: str, digest: str) -> HttpResponse | None:
        """The committed answer for this key, or None when the key has not been used (or its run was lost)."""
        record = IdempotencyRecord.objects.filter(user_id=user_id, key=key).first()
        if record is None:
            return None
        if record.request_hash != digest:
            return _error(
                422, _("This Idempotency-Key was used for a different request."), "idempotency_mismatch"
            )
        if record.status is None:  # written by an older version that saved the key before the work
            IdempotencyRecord.objects.filter(pk=record.pk, status__isnull=True).delete()
            return None
        response = HttpResponse(bytes(record.body), status=record.status, content_type=record.content_type)
        response["Idempotent-Replayed"] = "true"
        return response
