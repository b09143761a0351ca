"""Text input nobody types: a NUL character. PostgreSQL cannot store it (nor compare with it: a search for
"a\\x00" fails inside the database), so a request carrying one is refused with 400 before any view reads it:
query parameters and form fields here (the middleware), JSON bodies in the API's parser."""

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _

NUL = "\x00"


def contains_nul(value: Any) -> bool:
    """Does a parsed value (text, or lists / dicts of them, keys included) hold a NUL character?"""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(contains_nul(key) or contains_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(item) for item in value)
    return False


def _querydict_has_nul(data) -> bool:
    return any(NUL in key or any(NUL in item for item in data.getlist(key)) for key in data)


class NulCharacterMiddleware:
    """Refuses query parameters and form fields (not uploaded files) with a NUL character: 400.

    Last in MIDDLEWARE: whoever reads the raw body (the idempotency middleware) has done so already, and the
    CSRF middleware reads the form fields itself, so reading them here changes nothing for the view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        form = request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        )
        try:
            fields_have_nul = form and _querydict_has_nul(request.POST)
        except (MultiPartParserError, UnreadablePostError, RawPostDataException):
            fields_have_nul = False  # a damaged body: the view answers as it always did
        if fields_have_nul or _querydict_has_nul(request.GET):
            message = _("Invalid request.")
            if request.path.startswith("/api/"):
                return JsonResponse({"message": message, "code": "nul_character", "extra": {}}, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)
