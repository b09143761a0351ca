"""Idempotency-Key for API writes: the same POST sent twice (even at the same moment) creates one document
and both requests get the same answer. Keys are per user and kept for 24 hours."""

import hashlib
import time
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from gendan.core.models import IdempotencyRecord

HEADER = "HTTP_IDEMPOTENCY_KEY"
KEEP = timedelta(hours=24)
WAIT_SECONDS = 30


def _error(status: int, message: str, code: str) -> JsonResponse:
    return JsonResponse({"message": message, "code": code, "extra": {}}, status=status)


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
        digest = hashlib.sha256(request.method.encode() + request.path.encode() + request.body).hexdigest()
        IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user_id=user_id,
                    key=key,
                    method=request.method,
                    path=request.path[:300],
                    request_hash=digest,
                )
        except IntegrityError:
            return self._replay(user_id, key, digest)
        try:
            response = self.get_response(request)
        except Exception:
            record.delete()
            raise
        if response.status_code >= 500 or getattr(response, "streaming", False):
            record.delete()  # not a final answer: a retry may run again
            return response
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            status=response.status_code,
            body=bytes(response.content),
            content_type=response.get("Content-Type", "application/json"),
        )
        return response

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
    def _replay(user_id: int, key: str, digest: str) -> HttpResponse:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            record = IdempotencyRecord.objects.filter(user_id=user_id, key=key).first()
            if record is None:
                return _error(
                    409,
                    _("The first request with this Idempotency-Key failed; send it again."),
                    "idempotency_retry",
                )
            if record.request_hash != digest:
                return _error(
                    422, _("This Idempotency-Key was used for a different request."), "idempotency_mismatch"
                )
            if record.status is not None:
                response = HttpResponse(
                    bytes(record.body), status=record.status, content_type=record.content_type
                )
                response["Idempotent-Replayed"] = "true"
                return response
            if time.monotonic() > deadline:
                return _error(
                    409, _("A request with this Idempotency-Key is still running."), "idempotency_busy"
                )
            time.sleep(0.05)
