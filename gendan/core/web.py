"""Small helpers shared by the HTML views: service errors onto forms, scoped fetch → 404, safe redirects."""

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django import forms
from django.http import Http404, HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from gendan.core.errors import ApplicationError, NotFoundError

T = TypeVar("T")


def fetch_or_404(selector: Callable[..., T], **kwargs: Any) -> T:
    """Call a scoped `*_get` selector; a row outside the user's scope is a 404, like a missing one."""
    try:
        return selector(**kwargs)
    except NotFoundError as exc:
        raise Http404(exc.message) from None


def error_fields(exc: ApplicationError) -> dict[str, list[str]]:
    fields = exc.extra.get("fields") if isinstance(exc.extra, dict) else None
    return fields if isinstance(fields, dict) else {}


def form_errors_apply(
    form: forms.BaseForm,
    fields: dict[str, list[str]],
    *,
    keys: Iterable[str] = (),
    labels: dict[str, Any] | None = None,
) -> None:
    """Put service field errors next to the form's fields; other keys become non-field errors.

    `keys` limits which error keys belong to this form (default: all); `labels` names the keys that are
    not fields of the form (e.g. a model's verbose names), so the message says what it is about.
    """
    wanted = set(keys)
    labels = labels or {}
    for key, messages in fields.items():
        if wanted and key not in wanted:
            continue
        for message in messages:
            if key in form.fields:
                form.add_error(key, message)
            elif key in ("__all__", ""):
                form.add_error(None, message)
            else:
                form.add_error(None, f"{labels.get(key, key)}: {message}")


def safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def error_text(exc: ApplicationError) -> str:
    """One line for messages.error: the field messages if any, else the error's message."""
    return (
        "; ".join(message for messages in error_fields(exc).values() for message in messages) or exc.message
    )
