"""Per-request state of the accounts app."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from gendan.accounts.scope import scope_cache


class ScopeCacheMiddleware:
    """Each request reads who holds whose work once (gendan.accounts.scope.acting_for), not per panel."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with scope_cache():
            return self.get_response(request)
