"""One error type with codes. Views show the message; the API answers {"message", "code", "extra"}."""

from typing import Any


class ApplicationError(Exception):
    """A business rule refused the request. Never a 500."""

    code = "invalid"
    status = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        extra: dict[str, Any] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        if status:
            self.status = status
        self.extra = extra or {}

    def as_dict(self) -> dict[str, Any]:
        return {"message": self.message, "code": self.code, "extra": self.extra}


class ValidationFailed(ApplicationError):
    """Field-level validation; `extra["fields"]` maps field → list of messages, and `extra["codes"]` (when
    present) field → a stable code of that field's error (e.g. `order_date_implausible`)."""

    code = "validation_error"
    status = 400

    def __init__(
        self, fields: dict[str, list[str]], message: str | None = None, *, codes: dict[str, str] | None = None
    ) -> None:
        from django.utils.translation import gettext

        extra: dict[str, Any] = {"fields": fields}
        if codes:
            extra["codes"] = codes
        super().__init__(message or gettext("Please correct the errors below."), extra=extra)
        self.fields = fields
        self.codes = codes or {}


class PermissionDeniedError(ApplicationError):
    code = "permission_denied"
    status = 403


class NotFoundError(ApplicationError):
    code = "not_found"
    status = 404


class ConflictError(ApplicationError):
    """A stale edit: someone else saved first."""

    code = "stale_version"
    status = 409


class TransitionError(ApplicationError):
    code = "invalid_transition"
    status = 409


def validation_from_django(exc: Any) -> ValidationFailed:
    """Turn a django ValidationError (from full_clean) into our field-level error."""
    if hasattr(exc, "message_dict"):
        return ValidationFailed({k: [str(m) for m in v] for k, v in exc.message_dict.items()})
    return ValidationFailed({"__all__": [str(m) for m in exc.messages]})
